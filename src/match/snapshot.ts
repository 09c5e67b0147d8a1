/**
 * A built index as one buffer (`MatcherPlan`): stored by `dice index` and the first replay/run without one
 * (stored-plan.ts), and loaded by later starts of the same catalog as views over that buffer — no template is
 * compiled, no key counted. Building is most of a start (~120 ms at 10k templates, ~1 s at 100k); loading is a
 * hash of the catalog's templates and a few array views.
 *
 * Validity is strict: the stored id is a hash of this code (the files the index is built by) and of every
 * statement's matchable flag and template, in catalog order — all the index is derived from (ids, files and
 * lines are read from the catalog being matched, by position). A catalog that differs in anything the index
 * depends on, or an index written by other code, gets another id and is rebuilt. A sample of templates is
 * re-derived on load as a second check.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { MatchStatement } from '../core/types.js'
import { scanRegExp, type MatchIndex } from './build.js'
import { enumerateKeys, KeyList } from './keys.js'
import { PLAN_INTS, Templates } from './templates.js'

/** A built index for one catalog: `id` (catalogId) and the index's bytes (encodeIndex). */
export interface MatcherPlan {
  id: string
  bytes: Uint8Array
}

/** Bumped when the layout below changes (the code hash changes too: this is for readers of old bytes). */
const MAGIC = 0x44495832 // 'DIX2'

/** The files whose code decides what an index holds: a change in any makes stored indexes stale. */
const CODE = ['build', 'compile', 'hash', 'keys', 'plan', 'snapshot', 'template', 'templates']

let codeHash: string | null = null
/** Hash of the code that builds and reads indexes (its source or compiled files, whichever is running). */
function codeFingerprint(): string {
  if (codeHash !== null) return codeHash
  const h = createHash('sha256')
  const self = import.meta.url
  const ext = self.slice(self.lastIndexOf('.'))
  try {
    for (const f of CODE) h.update(readFileSync(new URL(`./${f}${ext}`, self))).update('\0')
  } catch {
    // Not readable (a bundle): an id no stored index can have, so indexes are always built.
    h.update(`unreadable ${Math.random()}`)
  }
  return (codeHash = h.digest('base64url'))
}

/** The id an index of `statements` is stored under: this code and every statement's matchable flag and template. */
export function catalogId(statements: readonly MatchStatement[]): string {
  const h = createHash('sha256').update(codeFingerprint())
  // Hashed in pieces of ~64k characters: one update() per statement costs more than the hashing.
  let part = ''
  for (const s of statements) {
    part += s.matchable && s.template !== null ? `\u0001${s.template}\u0000` : '\u0002'
    if (part.length > 65536) {
      h.update(part)
      part = ''
    }
  }
  return h.update(part).update(String(statements.length)).digest('base64url').slice(0, 43)
}

/** The MatcherPlan of a built index of `statements`. */
export function snapshotOf(ix: MatchIndex, statements: readonly MatchStatement[]): MatcherPlan {
  return { id: catalogId(statements), bytes: encodeIndex(ix) }
}

/** The index stored in `plan` as views over its bytes, when it was made for exactly `statements`; else null. */
export function loadIndex(plan: MatcherPlan, statements: readonly MatchStatement[]): MatchIndex | null {
  if (plan.id !== catalogId(statements)) return null
  let ix: MatchIndex | null
  try {
    ix = decodeIndex(plan.bytes, statements)
  } catch {
    return null
  }
  return ix !== null && sampleFits(ix) ? ix : null
}

/** A plan as text (for the store's meta table). */
export function encodePlan(plan: MatcherPlan): string {
  return `${plan.id}:${Buffer.from(plan.bytes.buffer, plan.bytes.byteOffset, plan.bytes.byteLength).toString('base64')}`
}

/** encodePlan's text back as a plan; null for anything else (it is then rebuilt). */
export function decodePlan(text: string | null | undefined): MatcherPlan | null {
  if (!text) return null
  const colon = text.indexOf(':')
  if (colon < 0) return null
  const bytes = Buffer.from(text.slice(colon + 1), 'base64')
  if (bytes.length < 8) return null
  // Typed-array views need 4-byte alignment: a small Buffer may sit at any offset of Node's pool.
  return { id: text.slice(0, colon), bytes: bytes.byteOffset % 4 === 0 ? bytes : new Uint8Array(bytes) }
}

/** Scalars of an index, as the header of its bytes. */
interface Header {
  bloomMask: number
  slotShift: number
  edgeKinds: number
  flags: number
  depths: [number, number, number, number]
  rowCount: number
  scanStart: number
  size: [number, number, number]
  scanNeedles: string[]
  rest: string | null
  /** Whether `text` is stored one byte per character (every character below 256) or as UTF-16. */
  latin1: boolean
  /** Element counts of the array sections, in SECTIONS order. */
  lengths: number[]
  /** Bytes of `text`. */
  textBytes: number
}

const SECTIONS = ['bloom', 'rows', 'inner', 'wordShape', 'pairShape', 'edges', 'used', 'scan', 'start', 'pos', 'alt', 'keys'] as const
type Section = (typeof SECTIONS)[number]
const BYTES_8: ReadonlySet<Section> = new Set(['used', 'alt'])

function arraysOf(ix: MatchIndex): Record<Section, Int32Array | Uint8Array> {
  const t = ix.templates
  return {
    bloom: ix.bloom, rows: ix.rows, inner: ix.inner, wordShape: ix.wordShape, pairShape: ix.pairShape, edges: ix.edges ?? new Int32Array(0),
    used: ix.used, scan: ix.scan, start: t.start, pos: t.pos, alt: t.alt, keys: t.keys,
  }
}

const pad4 = (n: number) => (n + 3) & ~3

/** The index as bytes: magic, header length, JSON header, then each array (4-byte aligned), then `text`. */
export function encodeIndex(ix: MatchIndex): Uint8Array {
  const arrays = arraysOf(ix)
  let latin1 = true
  for (let i = 0; i < ix.text.length && latin1; i++) latin1 = ix.text.charCodeAt(i) < 256
  const flags = (ix.wordPass ? 1 : 0) | (ix.hasWords ? 2 : 0) | (ix.hasPairs ? 4 : 0) | (ix.hasPrefixChars ? 8 : 0) | (ix.hasSuffixChars ? 16 : 0) |
    (ix.edges !== null ? 32 : 0)
  const header: Header = {
    bloomMask: ix.bloomMask, slotShift: ix.slotShift, edgeKinds: ix.edgeKinds, flags,
    depths: [ix.maxPrefixDepth, ix.maxPrefixTailDepth, ix.maxSuffixDepth, ix.maxSuffixHeadDepth], rowCount: ix.rowCount, scanStart: ix.scanStart,
    size: [ix.size.templates, ix.size.statements, ix.size.skipped], scanNeedles: [...ix.scanNeedles], rest: ix.rest?.source ?? null, latin1,
    lengths: SECTIONS.map((s) => arrays[s].length), textBytes: 0,
  }
  const text = Buffer.from(ix.text, latin1 ? 'latin1' : 'utf16le')
  header.textBytes = text.length
  const head = Buffer.from(JSON.stringify(header))
  let size = pad4(8 + head.length)
  for (const s of SECTIONS) size += pad4(arrays[s].byteLength)
  const out = Buffer.alloc(size + text.length)
  out.writeInt32LE(MAGIC, 0)
  out.writeInt32LE(head.length, 4)
  head.copy(out, 8)
  let at = pad4(8 + head.length)
  for (const s of SECTIONS) {
    const a = arrays[s]
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at)
    at += pad4(a.byteLength)
  }
  text.copy(out, at)
  return out
}

/** encodeIndex's bytes as an index over `statements` (views, no copy); null when they are not an index. */
function decodeIndex(bytes: Uint8Array, statements: readonly MatchStatement[]): MatchIndex | null {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (b.length < 8 || b.readInt32LE(0) !== MAGIC) return null
  const headLen = b.readInt32LE(4)
  const h = JSON.parse(b.toString('utf8', 8, 8 + headLen)) as Header
  let at = bytes.byteOffset + pad4(8 + headLen)
  const arrays = {} as Record<Section, Int32Array | Uint8Array>
  SECTIONS.forEach((s, i) => {
    const n = h.lengths[i]!
    const byteLength = BYTES_8.has(s) ? n : n * 4
    if (at + byteLength > bytes.byteOffset + bytes.byteLength) throw new Error('index bytes cut short')
    arrays[s] = BYTES_8.has(s) ? new Uint8Array(bytes.buffer, at, n) : new Int32Array(bytes.buffer, at, n)
    at += pad4(byteLength)
  })
  const from = at - bytes.byteOffset
  if (from + h.textBytes !== b.length) return null
  const text = b.toString(h.latin1 ? 'latin1' : 'utf16le', from, from + h.textBytes)
  const a = arrays as Record<Exclude<Section, 'used' | 'alt'>, Int32Array> & { used: Uint8Array; alt: Uint8Array }
  const n = a.alt.length
  if (a.start.length !== n + 1 || a.keys.length !== n * PLAN_INTS || a.start[n] !== a.pos.length || h.size[0] !== n) return null
  for (let i = 0; i < a.pos.length; i++) if (a.pos[i]! >= statements.length) return null
  const templates = new Templates(statements, a.start, a.pos, a.alt, a.keys)
  const ids = new Array<string>(n)
  for (let t = 0; t < n; t++) ids[t] = templates.id(t)
  const f = h.flags
  return Object.freeze({
    templates, bloom: a.bloom, bloomMask: h.bloomMask, rows: a.rows, slotShift: h.slotShift, text, inner: a.inner, ids, scan: a.scan,
    scanNeedles: h.scanNeedles, scanStart: h.scanStart, scanAny: scanRegExp(h.scanNeedles), wordShape: a.wordShape, pairShape: a.pairShape,
    edges: (f & 32) !== 0 ? a.edges : null, edgeKinds: h.edgeKinds, rest: h.rest === null ? null : new RegExp(h.rest),
    wordPass: (f & 1) !== 0, hasWords: (f & 2) !== 0, hasPairs: (f & 4) !== 0, hasPrefixChars: (f & 8) !== 0, hasSuffixChars: (f & 16) !== 0,
    used: a.used, maxPrefixDepth: h.depths[0], maxPrefixTailDepth: h.depths[1], maxSuffixDepth: h.depths[2], maxSuffixHeadDepth: h.depths[3],
    rowCount: h.rowCount, planned: true, size: Object.freeze({ templates: n, statements: h.size[1], skipped: h.size[2] }),
  })
}

/** Scratch list for enumerateKeys. */
const KEYS_OF = new KeyList()

/**
 * A sample of the index's templates re-derived from the catalog: each still offers the key it is filed under and
 * has the stored signature (a template whose stored key it does not offer would lose its lines).
 */
function sampleFits(ix: MatchIndex): boolean {
  const t = ix.templates
  const n = t.length
  const step = Math.max(1, n >> 6)
  for (let ci = 0; ci < n; ci += step) {
    const c = t.at(ci)
    const f = ci * PLAN_INTS
    const list = enumerateKeys(c, KEYS_OF)
    if (c.sigLo !== t.keys[f + 5] || c.sigHi !== t.keys[f + 6]) return false
    const key = t.keys[f]!
    if (key < 0) continue
    let found = false
    for (let i = 0; i < list.n && !found; i++) {
      found = list.option[i] === 1 && list.key[i] === key && list.slot[i] === t.keys[f + 1] && list.lit[i] === t.keys[f + 2] &&
        list.a[i] === t.keys[f + 3] && list.b[i] === t.keys[f + 4]
    }
    if (!found) return false
  }
  return true
}
