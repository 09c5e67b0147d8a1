/**
 * Index build: a catalog's matchable statements compiled, each template filed under one key (plan.ts), and
 * frozen into one record (`MatchIndex`) that lookup, confirm, tie-break and explain only read.
 *
 * Layout (docs/FORMATS.md "How it stays fast"): every key kind sits in one open-addressing table of 64-byte
 * rows, one per template, holding every fact that screens and verifies it, so a key found costs one cache
 * line that also screens the template; a bit filter in front answers "no such key", the usual answer,
 * without touching the table. At 100k templates every structure larger than a few MB costs a cache miss
 * per touch (~150 ns, vs ~6 ns in L2): that, not the arithmetic, is what the layout saves.
 */
import type { MatchStatement } from '../core/types.js'
import { compile, levelWordEnd, type Compiled } from './compile.js'
import { bloomBits2, hashRange, mix, screenBit, setBit, unmix } from './hash.js'
import { SLOT_PAIR, SLOT_PREFIX_WORDS, SLOT_PREFIX_WORDS_TAIL, SLOT_SUFFIX_CHARS, SLOT_SUFFIX_WORDS, SLOT_SUFFIX_WORDS_HEAD, SLOT_WORD, SLOTS } from './keys.js'
import { chooseKeys, planRows, SMALL_CATALOG } from './plan.js'
import { indexedText, Templates } from './templates.js'

/** A row's ints (a cache line) and fields: see MatchIndex.rows. */
export const ROW = 16
export const R_KEY = 0
export const R_T = 1
export const R_MINLEN = 2
export const R_HEAD = 3
export const R_TAIL = 4
export const R_SIGLO = 5
export const R_SIGHI = 6
export const R_CHARS = 7
export const R_PH = 8
export const R_TEXT = 9
export const R_FIRST = 10
export const R_LAST = 11
export const R_INNER = 12
export const R_NEXT = 14
export const R_REST = 15

/** Middle literals up to this long, in lines up to INNER_LINE long, are searched character by character in
 *  `text` (bounded work per candidate); longer ones use the native indexOf on the template's strings. */
export const INNER_MAX = 32
export const INNER_LINE = 1024

/** Catalogs up to this many templates check a line's first/last EDGE characters before anything else. */
const PREFILTER_MAX = 256
export const EDGE = 3
export const EDGE_LONG = 8
/** Edge kinds (bits of MatchIndex.edgeKinds, mixed into the edge's hash) and the edge bit set's size. */
export const HEAD_LONG = 1
export const TAIL_LONG = 2
export const HEAD_SHORT = 4
export const TAIL_SHORT = 8
const EDGE_BITS = 1 << 16

/** Bit filter size bounds: ~32 bits per template, so small catalogs stay in the L1/L2 cache; capped at 256 KB
 *  (~21 bits per template at 100k): a filter that falls out of the L2 cache costs every probe a miss, which
 *  measured dearer than the extra false positives (100k templates: 0.93–0.97× CPU per line vs 512 KB). */
const BLOOM_MIN_BITS = 1 << 15
const BLOOM_MAX_BITS = 1 << 21

/** The frozen index of one catalog. Built once per catalog version; matching only reads it. */
export interface MatchIndex {
  /** Every indexed template, in catalog order (compiled when first needed). */
  readonly templates: Templates
  /** Blocked bit filter of every key: a key sets two bits of one 32-bit word, so a test reads one word. */
  readonly bloom: Int32Array
  readonly bloomMask: number
  /**
   * One row (ROW ints, a cache line's worth) per template, with every fact that screens and verifies it:
   * R_KEY key + 1 (0: empty), R_T template, R_MINLEN, R_HEAD / R_TAIL the first/last two characters it needs
   * (-1: none), R_SIGLO / R_SIGHI its inner words' signature bits, R_CHARS literal characters, R_PH
   * placeholders | (first placeholder's minimum << 16) | (shared << 24: several statements print it, ties need
   * the hint), R_TEXT where its literals start in `text`, R_FIRST / R_LAST its first and last literal's
   * lengths, R_INNER where `inner` describes its middle literals (-1: none, or too long for the character loop),
   * R_NEXT the next row filed under the same key (-1: none), and R_REST the signature bits (folded to 32)
   * every template after this one in that chain needs.
   * Rows [0, 2^bits) are an open-addressing table holding each key's first template; after the table: the
   * other templates of multi-template keys, then the scan list.
   */
  readonly rows: Int32Array
  readonly slotShift: number
  /** Every row's literals, back to back: verifying compares characters here, not the template's own strings
   *  (at 100k templates each was a chain of cache misses: array, object, string). One flat string: charCodeAt
   *  on it is a plain load. */
  readonly text: string
  /** Per row with middle literals: their count, then (length, minimum of the placeholder before it) each,
   *  then the last placeholder's minimum. */
  readonly inner: Int32Array
  /** Per template, its first statement's id. */
  readonly ids: readonly string[]
  /** The scan list (templates by number), their longest literals, and its first row; `scanAny` matches any of
   *  their needles (2+). */
  readonly scan: Int32Array
  readonly scanNeedles: readonly string[]
  readonly scanStart: number
  readonly scanAny: RegExp | null
  /** Inner-word and pair screens (16 bits of the hash, see screenBit) as bit sets: 8 KB each, so they stay in
   *  the L1 cache. */
  readonly wordShape: Int32Array
  readonly pairShape: Int32Array
  /** Small catalogs: a line can only fit if it starts or ends with one of the templates' edges (their first or
   *  last EDGE_LONG, else EDGE, characters: hashed into one bit set by kind, `edgeKinds` says which kinds
   *  exist), or contains a needle of `rest`. A bit set, not sets of strings: no slice is cut and hashed per
   *  line, and a false positive only costs the lookup that follows. */
  readonly edges: Int32Array | null
  readonly edgeKinds: number
  readonly rest: RegExp | null
  /** Whether lookup reads the whole line for inner words and the signature (else its ends only). */
  readonly wordPass: boolean
  readonly hasWords: boolean
  readonly hasPairs: boolean
  readonly hasPrefixChars: boolean
  readonly hasSuffixChars: boolean
  /** Which slots (kind + depth) hold any template: the others are never probed. */
  readonly used: Uint8Array
  readonly maxPrefixDepth: number
  readonly maxPrefixTailDepth: number
  readonly maxSuffixDepth: number
  readonly maxSuffixHeadDepth: number
  /** Rows in `rows`. */
  readonly rowCount: number
  /** Whether the index was loaded from a stored one (snapshot.ts) rather than built. */
  readonly planned: boolean
  /** Templates indexed / statements skipped (not matchable, no template, no literal word). */
  readonly size: { readonly templates: number; readonly statements: number; readonly skipped: number }
}

/**
 * Compile and index the matchable statements of a catalog (choosing keys by counting: see plan.ts). The compiled
 * templates are dropped once frozen: the index keeps flat arrays (see Templates).
 */
export function buildIndex(statements: readonly MatchStatement[]): MatchIndex {
  const byTemplate = new Map<string, Compiled>()
  /** Per template (by number), the positions of its statements in `statements`. */
  const positions: number[][] = []
  const mins = new Map<string, number[]>()
  let skipped = 0
  const file = (text: string, s: MatchStatement, at: number, alt: boolean): boolean => {
    const key = alt ? `\u0001${text}` : text
    const have = byTemplate.get(key)
    if (have) {
      have.statements.push(s)
      positions[have.index]!.push(at)
      return true
    }
    const c = compile(text, mins)
    if (!c) return false
    // Exactly one element: an array grown by push() keeps room for 16 (~12 MB at 100k templates).
    c.statements = [s]
    c.index = byTemplate.size
    c.alt = alt
    byTemplate.set(key, c)
    positions.push([at])
    return true
  }
  for (let at = 0; at < statements.length; at++) {
    const s = statements[at]!
    if (!s.matchable || !s.template) {
      skipped++
      continue
    }
    // A message of several lines is matched by its first: line-based formats give the rest lines of their own
    // (folded into it by the reader, see multiline-template.ts), and a message holding them all is tried by
    // its first line too.
    const text = indexedText(s.template, false)
    if (!file(text, s, at, false)) {
      skipped++
      continue
    }
    // A template starting with a level word (`ERROR: shard %s failed`) is also filed without it: a format
    // parser lifts the word into the level, leaving `shard x failed`. Not when a placeholder would then start
    // it (`error: %v connection lost`): that would take any line ending like it. (indexedText(…, true) cuts
    // the same word.)
    const cut = levelWordEnd(text)
    if (cut > 0 && !/^[%{$]/.test(text.slice(cut, cut + 1))) file(text.slice(cut), s, at, true)
  }
  return freeze(statements, [...byTemplate.values()], positions, skipped)
}

function freeze(statements: readonly MatchStatement[], compiled: Compiled[], positions: number[][], skipped: number): MatchIndex {
  const n = compiled.length
  let bloomBits = BLOOM_MIN_BITS
  while (bloomBits < n * 32 && bloomBits < BLOOM_MAX_BITS) bloomBits *= 2
  const bloom = new Int32Array(bloomBits >>> 5)
  const bloomMask = (bloomBits >>> 5) - 1
  let stmtCount = 0
  for (const c of compiled) stmtCount += c.statements.length
  const used = new Uint8Array(SLOTS)
  // The key each template is filed under, chosen by counting (most of a build's time).
  const keyOf = chooseKeys(compiled, SLOTS)
  const wordShape = new Int32Array(0x10000 >>> 5)
  const pairShape = new Int32Array(0x10000 >>> 5)
  const scan: number[] = []
  let hasWords = false
  let hasPairs = false
  let hasPrefixChars = false
  let hasSuffixChars = false
  let maxPrefixDepth = 0
  let maxPrefixTailDepth = 0
  let maxSuffixDepth = 0
  let maxSuffixHeadDepth = 0
  const buckets = new Map<number, number[]>()
  for (let ci = 0; ci < n; ci++) {
    const c = compiled[ci]!
    const best = keyOf[ci]!
    if (best < 0) {
      scan.push(ci)
      c.keySlot = -1
      continue
    }
    const slot = c.keySlot
    used[slot] = 1
    bloom[best & bloomMask]! |= bloomBits2(best)
    const list = buckets.get(best)
    if (list) list.push(ci)
    else buckets.set(best, [ci])
    if (slot >= SLOT_SUFFIX_WORDS_HEAD) maxSuffixHeadDepth = Math.max(maxSuffixHeadDepth, slot - SLOT_SUFFIX_WORDS_HEAD)
    else if (slot >= SLOT_PREFIX_WORDS_TAIL) maxPrefixTailDepth = Math.max(maxPrefixTailDepth, slot - SLOT_PREFIX_WORDS_TAIL)
    else if (slot < SLOT_SUFFIX_WORDS) maxPrefixDepth = Math.max(maxPrefixDepth, slot - SLOT_PREFIX_WORDS)
    else if (slot < SLOT_WORD) maxSuffixDepth = Math.max(maxSuffixDepth, slot - SLOT_SUFFIX_WORDS)
    else if (slot === SLOT_WORD) {
      setBit(wordShape, screenBit(unmix(best, SLOT_WORD)))
      hasWords = true
    } else if (slot === SLOT_PAIR) {
      setBit(pairShape, screenBit(unmix(best, SLOT_PAIR)))
      hasPairs = true
    } else if (slot < SLOT_SUFFIX_CHARS) hasPrefixChars = true
    else hasSuffixChars = true
  }
  // Without inner-word keys the signature only spares fits() calls; below this size there are too few
  // candidates per line for that to pay for a pass over the whole line.
  const wordPass = hasWords || hasPairs || n > SMALL_CATALOG
  let edges: Int32Array | null = null
  let edgeKinds = 0
  let rest: RegExp | null = null
  if (n > 0 && n <= PREFILTER_MAX) {
    // Every template is filed by the longest edge it has: its first or last EDGE_LONG literal characters,
    // else its first or last EDGE, else (both literals shorter) its longest literal in `rest`.
    const bits = (edges = new Int32Array(EDGE_BITS >>> 5))
    const others: string[] = []
    const file = (kind: number, text: string, a: number, b: number): void => {
      setBit(bits, edgeKey(text, a, b, kind))
      edgeKinds |= kind
    }
    for (const c of compiled) {
      const first = c.lits[0]!
      const last = c.lits[c.lits.length - 1]!
      if (first.length >= EDGE_LONG) file(HEAD_LONG, first, 0, EDGE_LONG)
      else if (last.length >= EDGE_LONG) file(TAIL_LONG, last, last.length - EDGE_LONG, last.length)
      else if (first.length >= EDGE) file(HEAD_SHORT, first, 0, EDGE)
      else if (last.length >= EDGE) file(TAIL_SHORT, last, last.length - EDGE, last.length)
      else others.push(c.needle)
    }
    if (others.length) rest = new RegExp(others.map(escapeRegExp).join('|'))
  }
  const scanNeedles = scan.map((t) => compiled[t]!.needle)
  const scanAny = scanRegExp(scanNeedles)
  // Each key's first template in the open-addressing table, the others after it. Load 0.4–0.8: a row is a
  // cache line, so a sparser table costs megabytes (RSS); linear probing reads the next line, which the
  // hardware fetches ahead.
  let bits = 4
  while ((1 << bits) * 0.8 < buckets.size) bits++
  const slotShift = 32 - bits
  const tableRows = 1 << bits
  const rowCount = tableRows + n - buckets.size
  const rows = new Int32Array(rowCount * ROW)
  let spare = tableRows // next free row after the table
  const parts: string[] = []
  let textLen = 0
  const inner: number[] = []
  const put = (r: number, t: number, key: number): void => {
    const c = compiled[t]!
    const f = r * ROW
    rows[f + R_KEY] = key + 1
    rows[f + R_T] = t
    rows[f + R_MINLEN] = c.minLen
    rows[f + R_HEAD] = c.head
    rows[f + R_TAIL] = c.tail
    rows[f + R_SIGLO] = c.sigLo
    rows[f + R_SIGHI] = c.sigHi
    rows[f + R_CHARS] = c.literalChars
    rows[f + R_PH] = c.placeholders | ((c.mins[0] ?? 0) << 16) | ((c.statements.length > 1 ? 1 : 0) << 24)
    rows[f + R_TEXT] = textLen
    rows[f + R_FIRST] = c.lits[0]!.length
    rows[f + R_LAST] = c.lits[c.lits.length - 1]!.length
    const k = c.lits.length - 2
    if (k > 0 && c.lits.every((l, i) => i === 0 || i === k + 1 || l.length <= INNER_MAX)) {
      rows[f + R_INNER] = inner.length
      inner.push(k)
      for (let i = 1; i <= k; i++) inner.push(c.lits[i]!.length, c.mins[i - 1]!)
      inner.push(c.mins[k]!)
    } else rows[f + R_INNER] = -1
    rows[f + R_NEXT] = -1
    rows[f + R_REST] = 0
    for (const l of c.lits) parts.push(l)
    textLen += c.literalChars
  }
  for (const [key, list] of buckets) {
    let i = Math.imul(key, 0x9e3779b1) >>> slotShift
    while (rows[i * ROW + R_KEY] !== 0) i = (i + 1) & (tableRows - 1)
    const chain = [i]
    put(i, list[0]!, key)
    for (let j = 1; j < list.length; j++) {
      put(spare, list[j]!, key)
      rows[chain[j - 1]! * ROW + R_NEXT] = spare
      chain.push(spare++)
    }
    // Each row's R_REST: the bits every template after it in the chain needs (walked backwards).
    let need = -1
    for (let j = list.length - 1; j >= 0; j--) {
      rows[chain[j]! * ROW + R_REST] = need
      const c = compiled[list[j]!]!
      need &= c.sigLo | c.sigHi
    }
  }
  const scanStart = spare
  for (const t of scan) put(spare++, t, -1)
  const start = new Int32Array(n + 1)
  for (let t = 0; t < n; t++) start[t + 1] = start[t]! + positions[t]!.length
  const pos = Int32Array.from(positions.flat())
  const alt = Uint8Array.from(compiled, (c) => (c.alt ? 1 : 0))
  const templates = new Templates(statements, start, pos, alt, planRows(compiled, keyOf))
  return Object.freeze({
    templates, bloom, bloomMask, rows, slotShift, text: parts.join(''), inner: Int32Array.from(inner),
    ids: compiled.map((c) => c.statements[0]!.id), scan: Int32Array.from(scan), scanNeedles, scanStart, scanAny, wordShape, pairShape,
    edges, edgeKinds, rest, wordPass, hasWords, hasPairs, hasPrefixChars, hasSuffixChars, used, maxPrefixDepth, maxPrefixTailDepth,
    maxSuffixDepth, maxSuffixHeadDepth, rowCount, planned: false, size: Object.freeze({ templates: n, statements: stmtCount, skipped }),
  })
}

/** The scan list's "contains any needle" test (2+ needles), or null. */
export function scanRegExp(needles: readonly string[]): RegExp | null {
  return needles.length > 1 ? new RegExp(needles.map(escapeRegExp).join('|')) : null
}

/** Bit of text[a..b) as an edge of `kind` in the edge bit set. */
export function edgeKey(text: string, a: number, b: number, kind: number): number {
  return mix(hashRange(text, a, b), kind) & (EDGE_BITS - 1)
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
