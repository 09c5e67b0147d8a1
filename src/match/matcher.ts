/**
 * The matcher: which catalog statement printed this message?
 *
 * Build time: every matchable template is parsed into literals and placeholders and filed under ONE key,
 * chosen among: its first 1–4 whole literal words, its last 1–4 whole literal words, any whole literal
 * word or pair of adjacent words inside it, its first/last 1–4 literal characters. A "whole" word is
 * bounded by spaces or the template's ends, never by a placeholder, so the same token appears in every
 * message the template prints. Each template takes the key that lines are least likely to probe (counted
 * over the catalog: "failed" starts many templates, so lines starting with "failed" are common).
 * Match time: hash the message's first and last few words, and its tokens and token pairs that pass a
 * screen (16 bits of its hash); each probe is a bit-filter test and, rarely, a table lookup, made
 * once the line's word signature is known so that the row it reads screens the template at once.
 * Candidates are verified by an anchored check — literal characters compared at both ends, the middle
 * literals found in order (leftmost placement is exact for wildcard-only patterns) — never a regex. The cost
 * per line depends on its length and the few templates sharing its rarest keys, not on the catalog's size.
 *
 * Semantics (docs/FORMATS.md "Matching"): the whole message must match the whole template (anchored at
 * both ends, outer whitespace ignored); a placeholder matches any text, non-greedy — string placeholders
 * (`%s`, `%v`, `{}`, `{name}`, `${x}`) may match nothing, the others at least one character. The most
 * specific template wins (most literal characters, then fewest placeholders); remaining ties go to the
 * statement in the file/logger the line names, nearest line first, then catalog order.
 */
import type { MatchResult, Statement } from '../core/types.js'
import { createHash } from 'node:crypto'
import { parseTemplate, trimTemplate } from './template.js'

/** Where the log line says it came from (the logger's own `file:line` or logger name). */
export interface MatchHint {
  file?: string | null
  line?: number | null
  logger?: string | null
}

/** One candidate looked at by `explain`. */
export interface ExplainCandidate {
  statementId: string
  template: string
  literalChars: number
  matched: boolean
  why: string
}

/**
 * The key each template of a catalog is filed under, as a build chose them (PLAN_INTS per template), and
 * the id of the catalog and key scheme it was made for. Storable (encodePlan): choosing keys is most of a
 * cold build (~0.5 s at 100k templates), following a plan a few milliseconds.
 */
export interface MatcherPlan {
  id: string
  rows: Int32Array
}

/** A plan as text (for the store's meta table). */
export function encodePlan(plan: MatcherPlan): string {
  return `${plan.id}:${Buffer.from(plan.rows.buffer, plan.rows.byteOffset, plan.rows.byteLength).toString('base64')}`
}

/** encodePlan's text back as a plan; null for anything else (it is then rebuilt). */
export function decodePlan(text: string | null | undefined): MatcherPlan | null {
  if (!text) return null
  const colon = text.indexOf(':')
  if (colon < 0) return null
  const bytes = Buffer.from(text.slice(colon + 1), 'base64')
  if (bytes.length % 4 !== 0) return null
  const rows = new Int32Array(bytes.length / 4)
  new Uint8Array(rows.buffer).set(bytes)
  return { id: text.slice(0, colon), rows }
}

interface Compiled {
  template: string
  /** Position in the catalog (first statement with this template): the last tie-break. */
  index: number
  lits: string[]
  mins: number[]
  minLen: number
  literalChars: number
  placeholders: number
  /** Statements sharing this exact template (the same message logged from several places). */
  statements: Statement[]
  /** Per statement (same order), the path forms the hint comparison needs: derived at the first tie that
   *  needs them (most templates never tie; keeping them for all costs ~40 MB at 100k statements). */
  paths: StatementPaths[] | null
  /** Key kind, for explain. */
  /** The key it is filed under, for explain: slot (-1: scan list) and the literal range hashed. */
  keySlot: number
  keyLit: number
  keyA: number
  keyB: number
  /** Longest literal, for scan-list pre-filtering. */
  needle: string
  /** First/last two characters of the message this template requires (-1: no requirement): a check that
   *  rejects most wrong candidates without touching the literal strings. */
  head: number
  tail: number
  /** 64-bit signature (two halves) of the template's inner words: the message must have every bit. */
  sigLo: number
  sigHi: number
}

/** A statement's file as the hint check compares it: computed at build time, not per tied line. */
interface StatementPaths {
  file: string
  base: string
  stem: string
  stemLower: string
  /** `src/a/b.py` → `src.a.b`, compared with a logger name. */
  dotted: string
}

const FNV_OFFSET = 0x811c9dc5
const FNV_PRIME = 0x01000193
const SMI = 0x3fffffff
/** Bit filter size bounds: ~32 bits per template, so small catalogs stay in the L1/L2 cache; capped at 256 KB
 *  (~21 bits per template at 100k): a filter that falls out of the L2 cache costs every probe a miss, which
 *  measured dearer than the extra false positives (100k templates: 0.93–0.97× CPU per line vs 512 KB). */
const BLOOM_MIN_BITS = 1 << 15
const BLOOM_MAX_BITS = 1 << 21
/** Size of the build-time count sketch of probed keys. */
const PROBE_SKETCH = 1 << 22
const AFFIX = 4
/** Catalogs up to this many templates skip the whole-line word pass when no template is filed under an inner word. */
const SMALL_CATALOG = 1000
/** …and list up to this many inner-word-keyed templates for a substring check instead. */
const SMALL_SCAN = 32
/** Lines up to this long are read in one forward pass by the ends-only path. */
const SHORT_LINE = 160
/** Catalogs up to this many templates check a line's first/last EDGE characters before anything else. */
const PREFILTER_MAX = 256
const EDGE = 3
const EDGE_LONG = 8
/** Edge kinds (bits of Matcher.edgeKinds, mixed into the edge's hash) and the edge bit set's size. */
const HEAD_LONG = 1
const TAIL_LONG = 2
const HEAD_SHORT = 4
const TAIL_SHORT = 8
const EDGE_BITS = 1 << 16
/** Keys a line can hold for lookup after its word pass (more are looked up at once, less screened). */
const KEYS = 256
/** A row's fields (see Matcher.rows). */
const ROW = 16
const R_KEY = 0
const R_T = 1
const R_MINLEN = 2
const R_HEAD = 3
const R_TAIL = 4
const R_SIGLO = 5
const R_SIGHI = 6
const R_CHARS = 7
const R_PH = 8
const R_TEXT = 9
const R_FIRST = 10
const R_LAST = 11
const R_INNER = 12
const R_STAMP = 13
const R_NEXT = 14
const R_REST = 15
/** Middle literals up to this long, in lines up to INNER_LINE long, are searched character by character in
 *  `text` (bounded work per candidate); longer ones use the native indexOf on the template's strings. */
const INNER_MAX = 32
const INNER_LINE = 1024
/** Prefix/suffix keys use up to this many whole words. */
const WORD_DEPTH = 4

function hashRange(s: string, a: number, b: number): number {
  let h = FNV_OFFSET
  for (let i = a; i < b; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME)
  return h & SMI
}

/**
 * Hash of the space-free token s[a..b): its runs of word characters (each FNV-1a hashed, as `hashRange` hashes
 * an inner word) and its other characters, folded in order. Built from the run hashes, so the line pass that
 * already hashes every run for the signature pays one multiply per character, not two.
 */
function tokenHash(s: string, a: number, b: number): number {
  let th = FNV_OFFSET
  let wh = FNV_OFFSET
  let inRun = false
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i)
    if (c >= 128 || WORD_CHAR[c] === 1) {
      if (!inRun) (inRun = true), (wh = FNV_OFFSET)
      wh = Math.imul(wh ^ c, FNV_PRIME)
    } else {
      if (inRun) (th = Math.imul(th ^ wh, FNV_PRIME)), (inRun = false)
      th = Math.imul(th ^ c, FNV_PRIME)
    }
  }
  return inRun ? Math.imul(th ^ wh, FNV_PRIME) : th
}

/** Key text of two word runs one separator apart, from their hashes (`hashRange` of each). */
function pairHash(first: number, separator: number, second: number): number {
  return Math.imul(Math.imul(first ^ separator, FNV_PRIME) ^ second, FNV_PRIME) & SMI
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12
}

function trimMessage(m: string): string {
  const n = m.length
  if (n === 0) return m
  if (!isSpace(m.charCodeAt(0)) && !isSpace(m.charCodeAt(n - 1))) return m
  return m.trim()
}

/** Literal text with no letter or digit (`{}: {}`, `[%s] %s`) identifies nothing: such templates are skipped. */
const MEANINGFUL = /[\p{L}\p{N}]/u

/** Characters that make up inner words: ASCII letters, digits and `_` (every non-ASCII character too). */
const WORD_CHAR = new Uint8Array(128)
for (let c = 0; c < 128; c++) WORD_CHAR[c] = /[A-Za-z0-9_]/.test(String.fromCharCode(c)) ? 1 : 0

/** Key slots: which part of a message a key hashes. Mixed into the key so kinds never collide. */
const SLOT_PREFIX_WORDS = 0 // + depth 1..4
const SLOT_SUFFIX_WORDS = 10 // + depth 1..4
const SLOT_WORD = 20
const SLOT_PAIR = 21
const SLOT_PREFIX_CHARS = 30 // + length 1..4
const SLOT_SUFFIX_CHARS = 40 // + length 1..4
const SLOT_PREFIX_WORDS_TAIL = 50 // + depth: first words together with the message's last two characters
const SLOT_SUFFIX_WORDS_HEAD = 60 // + depth: last words together with the message's first two characters

const SLOT_NAMES: Record<number, string> = { 0: 'first words', 10: 'last words', 20: 'word', 21: 'word pair', 30: 'first characters', 40: 'last characters', 50: 'first words + last 2 characters', 60: 'last words + first 2 characters' }

/**
 * The keys one template offers, in order (see enumerateKeys): `option` keys may file it, the others are what
 * lines probe. Parallel arrays reused from template to template: building a 100k catalog enumerates millions
 * of keys, and a callback per key (several callers, so a megamorphic call) was most of the build's time.
 */
class KeyList {
  n = 0
  slot = new Int32Array(64)
  key = new Int32Array(64)
  option = new Uint8Array(64)
  /** The literal and the range of it the key hashes (for explain). */
  lit = new Int32Array(64)
  a = new Int32Array(64)
  b = new Int32Array(64)

  push(slot: number, key: number, option: boolean, lit: number, a: number, b: number): void {
    if (this.n === this.slot.length) this.grow()
    const i = this.n++
    this.slot[i] = slot
    this.key[i] = key
    this.option[i] = option ? 1 : 0
    this.lit[i] = lit
    this.a[i] = a
    this.b[i] = b
  }

  private grow(): void {
    const size = this.slot.length * 2
    const more = <T extends Int32Array | Uint8Array>(x: T): T => {
      const y = new (x.constructor as new (n: number) => T)(size)
      y.set(x)
      return y
    }
    this.slot = more(this.slot)
    this.key = more(this.key)
    this.option = more(this.option)
    this.lit = more(this.lit)
    this.a = more(this.a)
    this.b = more(this.b)
  }
}

/** Scratch list for enumerateKeys (the build is synchronous: one at a time). */
const KEYS_OF = new KeyList()

/** Compiled, indexed catalog templates. Build once per catalog version; `match` is pure and synchronous. */
export class Matcher {
  /**
   * Every key kind in one open-addressing table: the key is the text's FNV hash mixed with its slot (first
   * words at depth d, last words at depth d, inner word, inner word pair, first/last k characters), the
   * value the chain of rows of the templates filed under it (see `rows`). A bit filter in front answers "no
   * such key" — the usual answer — without touching the table. Per-template checks live in typed arrays, so
   * rejecting a wrong candidate touches one cache line, never the template's strings.
   */
  private readonly compiled: Compiled[]
  /** Blocked bit filter: a key sets two bits of one 32-bit word, so a test reads one word. */
  private readonly bloom: Int32Array
  private readonly bloomMask: number
  /**
   * One row (ROW ints, a cache line's worth) per template, with every fact that screens and verifies it:
   * R_KEY key + 1 (0: empty), R_T template, R_MINLEN, R_HEAD / R_TAIL the first/last two characters it needs
   * (-1: none), R_SIGLO / R_SIGHI its inner words' signature bits, R_CHARS literal characters, R_PH
   * placeholders | (first placeholder's minimum << 16) | (shared << 24: several statements print it, ties need
   * the hint), R_TEXT where its literals start in `text`, R_FIRST / R_LAST its first and last literal's
   * lengths, R_INNER where `inner` describes its middle literals (-1: none, or too long for the character loop),
   * R_STAMP the line it was last proposed for, R_NEXT the next row filed under the same key (-1: none), and
   * R_REST the signature bits (folded to 32) every template after this one in that chain needs.
   * Rows [0, 2^bits) are an open-addressing table holding each key's first template: a key found is one
   * cache line read, which also screens that template. At 100k templates every structure larger than a few
   * MB costs a cache miss per touch (~150 ns here, vs ~6 ns in L2), so a probe that found a key used to pay
   * two (slot table, then the member), and the member's strings a chain more.
   * Rows after the table: the other templates of multi-template keys, then the scan list.
   */
  private readonly rows: Int32Array
  /** Keys that passed the bit filter during the word pass, looked up once the line's signature is complete. */
  private readonly keys = new Int32Array(KEYS)
  private nk = 0
  private readonly slotShift: number
  /** Every row's literals, back to back: verifying a candidate compares characters here, not
   *  the template's own strings (at 100k templates each was a chain of cache misses: array, object, string). */
  private readonly text: string
  /** Per row with middle literals: their count, then (length, minimum of the placeholder before it) each,
   *  then the last placeholder's minimum. */
  private readonly inner: Int32Array
  /** Whether the build followed a stored plan (true) or counted keys itself. */
  readonly planned: boolean
  /** Per template, the key it is filed under (-1: the scan list), for plan(). */
  private readonly keyOf: Int32Array
  /** Per template, its first statement's id. */
  private readonly ids: string[]
  /** Rows proposed for the current line (screened unless `explaining`). */
  private readonly cand: Int32Array
  /** True during the word pass: the signature is not complete yet, so keys wait in `keys`. */
  private deferring = false
  /** The scan list's first row. */
  private readonly scanStart: number
  /** The current line's length and first/last two characters (-2: too short), for the screen in propose(). */
  private lineLen = 0
  private lineHead = -2
  private lineTail = -2
  /** explain() lists every proposed template, screened out or not. */
  private explaining = false
  private candN = 0
  /** Inner-word and pair screens (16 bits of the hash, see screenBit) as bit sets: 8 KB each, so they stay in
   *  the L1 cache. */
  private readonly wordShape = new Int32Array(0x10000 >>> 5)
  private readonly pairShape = new Int32Array(0x10000 >>> 5)
  private readonly scan: number[] = []
  /** Small catalogs: a line can only fit if it starts or ends with one of the templates' edges (their first or
   *  last EDGE_LONG, else EDGE, characters: hashed into one bit set by kind, `edgeKinds` says which kinds
   *  exist), or contains a needle of `rest` (see mayFit). A bit set, not sets of strings: no slice is cut
   *  and hashed per line, and a false positive only costs the lookup that follows. */
  private readonly edges: Int32Array | null = null
  private edgeKinds = 0
  private readonly rest: RegExp | null = null
  /** Any needle of the scan list (built once), when it has two or more. */
  private readonly scanAny: RegExp | null
  private hasWords = false
  /** Whether candidates() reads the whole line for inner words and the signature (see there). */
  private readonly wordPass: boolean
  private hasPairs = false
  private hasPrefixChars = false
  private hasSuffixChars = false
  /** Which slots (kind + depth) hold any template: the others are never probed. */
  private readonly used = new Uint8Array(SLOT_SUFFIX_WORDS_HEAD + WORD_DEPTH + 1)
  private maxPrefixDepth = 0
  private maxPrefixTailDepth = 0
  private maxSuffixHeadDepth = 0
  private maxSuffixDepth = 0
  private stamp = 0
  /** Hashes of the last four space-delimited tokens of the message being probed. */
  private readonly ring = new Int32Array(4)
  /** Word signature of the message last passed to candidates(). */
  private sigLo = 0
  private sigHi = 0
  /** Templates indexed / statements skipped (not matchable, no template, no literal word). */
  readonly size: { templates: number; statements: number; skipped: number }

  private constructor(compiled: Compiled[], skipped: number, plan: MatcherPlan | null) {
    this.compiled = compiled
    const n = compiled.length
    let bloomBits = BLOOM_MIN_BITS
    while (bloomBits < n * 32 && bloomBits < BLOOM_MAX_BITS) bloomBits *= 2
    this.bloom = new Int32Array(bloomBits >>> 5)
    this.bloomMask = (bloomBits >>> 5) - 1
    let statements = 0
    for (const c of compiled) statements += c.statements.length
    // The key each template is filed under: chosen by counting (most of a cold build's time), or as a stored
    // plan of this same catalog says it was chosen.
    this.planned = plan !== null && planFits(compiled, plan)
    const keyOf = this.planned ? followPlan(compiled, plan!) : chooseKeys(compiled, this.used.length)
    this.keyOf = Int32Array.from(keyOf)
    const buckets = new Map<number, number[]>()
    for (let ci = 0; ci < n; ci++) {
      const c = compiled[ci]!
      const best = keyOf[ci]!
      if (best < 0) {
        this.scan.push(ci)
        c.keySlot = -1
        continue
      }
      const bestSlot = c.keySlot
      this.used[bestSlot] = 1
      this.bloom[best & this.bloomMask]! |= bloomBits2(best)
      const list = buckets.get(best)
      if (list) list.push(ci)
      else buckets.set(best, [ci])
      if (bestSlot >= SLOT_SUFFIX_WORDS_HEAD) this.maxSuffixHeadDepth = Math.max(this.maxSuffixHeadDepth, bestSlot - SLOT_SUFFIX_WORDS_HEAD)
      else if (bestSlot >= SLOT_PREFIX_WORDS_TAIL) this.maxPrefixTailDepth = Math.max(this.maxPrefixTailDepth, bestSlot - SLOT_PREFIX_WORDS_TAIL)
      else if (bestSlot < SLOT_SUFFIX_WORDS) this.maxPrefixDepth = Math.max(this.maxPrefixDepth, bestSlot - SLOT_PREFIX_WORDS)
      else if (bestSlot < SLOT_WORD) this.maxSuffixDepth = Math.max(this.maxSuffixDepth, bestSlot - SLOT_SUFFIX_WORDS)
      else if (bestSlot === SLOT_WORD) {
        setBit(this.wordShape, screenBit(unmix(best, SLOT_WORD)))
        this.hasWords = true
      } else if (bestSlot === SLOT_PAIR) {
        setBit(this.pairShape, screenBit(unmix(best, SLOT_PAIR)))
        this.hasPairs = true
      } else if (bestSlot < SLOT_SUFFIX_CHARS) this.hasPrefixChars = true
      else this.hasSuffixChars = true
    }
    // Without inner-word keys the signature only spares fits() calls; below this size there are too few
    // candidates per line for that to pay for a pass over the whole line.
    this.wordPass = this.hasWords || this.hasPairs || n > SMALL_CATALOG
    if (n > 0 && n <= PREFILTER_MAX) {
      // Every template is filed by the longest edge it has: its first or last EDGE_LONG literal characters,
      // else its first or last EDGE, else (both literals shorter) its longest literal in `rest`.
      const edges = (this.edges = new Int32Array(EDGE_BITS >>> 5))
      const rest: string[] = []
      const file = (kind: number, text: string, a: number, b: number): void => {
        setBit(edges, edgeKey(text, a, b, kind))
        this.edgeKinds |= kind
      }
      for (const c of compiled) {
        const first = c.lits[0]!
        const last = c.lits[c.lits.length - 1]!
        if (first.length >= EDGE_LONG) file(HEAD_LONG, first, 0, EDGE_LONG)
        else if (last.length >= EDGE_LONG) file(TAIL_LONG, last, last.length - EDGE_LONG, last.length)
        else if (first.length >= EDGE) file(HEAD_SHORT, first, 0, EDGE)
        else if (last.length >= EDGE) file(TAIL_SHORT, last, last.length - EDGE, last.length)
        else rest.push(c.needle)
      }
      if (rest.length) this.rest = new RegExp(rest.map(escapeRegExp).join('|'))
    }
    this.scanAny = this.scan.length > 1 ? new RegExp(this.scan.map((t) => escapeRegExp(compiled[t]!.needle)).join('|')) : null
    // Freeze: each key's first template in the open-addressing table, the others after it. Load 0.4–0.8: a
    // row is a cache line, so a sparser table costs megabytes (RSS); linear probing reads the next line, which
    // the hardware fetches ahead.
    let bits = 4
    while ((1 << bits) * 0.8 < buckets.size) bits++
    this.slotShift = 32 - bits
    const tableRows = 1 << bits
    const rows = (this.rows = new Int32Array((tableRows + n - buckets.size) * ROW))
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
      let i = Math.imul(key, 0x9e3779b1) >>> this.slotShift
      while (rows[i * ROW + R_KEY] !== 0) i = (i + 1) & (tableRows - 1)
      const chain = [i]
      put(i, list[0]!, key)
      for (let j = 1; j < list.length; j++) {
        put(spare, list[j]!, key)
        rows[chain[j - 1]! * ROW + R_NEXT] = spare
        chain.push(spare++)
      }
      // Each row's R_REST: the bits every template after it in the chain needs (walked backwards).
      let rest = -1
      for (let j = list.length - 1; j >= 0; j--) {
        rows[chain[j]! * ROW + R_REST] = rest
        const c = compiled[list[j]!]!
        rest &= c.sigLo | c.sigHi
      }
    }
    this.scanStart = spare
    for (const t of this.scan) put(spare++, t, -1)
    this.cand = new Int32Array(n)
    // join() builds one flat string: charCodeAt on it is a plain load.
    this.text = parts.join('')
    this.inner = Int32Array.from(inner)
    this.ids = compiled.map((c) => c.statements[0]!.id)
    this.size = { templates: n, statements, skipped }
  }

  /** A key the line offers: when the bit filter has it, look it up now, or after the word pass (`deferring`). */
  private probe(key: number, stamp: number): void {
    const want = bloomBits2(key)
    if ((this.bloom[key & this.bloomMask]! & want) !== want) return
    // A line with more keys than the buffer holds looks the rest up at once, with the signature screen off.
    if (this.deferring && this.nk < KEYS) this.keys[this.nk++] = key
    else this.lookup(key, stamp)
  }

  /** Add the templates filed under `key` that can fit the current line to the candidates (once per line). */
  private lookup(key: number, stamp: number): void {
    const rows = this.rows
    const mask = (1 << (32 - this.slotShift)) - 1
    let i = Math.imul(key, 0x9e3779b1) >>> this.slotShift
    for (;;) {
      const k = rows[i * ROW + R_KEY]!
      if (k === 0) return
      if (k === key + 1) break
      i = (i + 1) & mask
    }
    const sig32 = this.sigLo | this.sigHi
    for (;;) {
      this.propose(i, stamp)
      const f = i * ROW
      i = rows[f + R_NEXT]!
      // The rest of the chain lives elsewhere (a cache miss each): skip it when none of it can fit.
      if (i < 0 || (!this.explaining && (rows[f + R_REST]! & ~sig32) !== 0)) return
    }
  }

  /** Add row r to the candidates when it can fit the current line (signature, length, first/last two characters). */
  private propose(r: number, stamp: number): void {
    const rows = this.rows
    const f = r * ROW
    if (!this.explaining) {
      if ((rows[f + R_SIGLO]! & ~this.sigLo) !== 0 || (rows[f + R_SIGHI]! & ~this.sigHi) !== 0) return
      if (rows[f + R_MINLEN]! > this.lineLen) return
      const th = rows[f + R_HEAD]!
      if (th !== -1 && th !== this.lineHead) return
      const tt = rows[f + R_TAIL]!
      if (tt !== -1 && tt !== this.lineTail) return
    }
    if (rows[f + R_STAMP] !== stamp) {
      rows[f + R_STAMP] = stamp
      this.cand[this.candN++] = r
    }
  }

  /**
   * Compile and index the matchable statements of a catalog. `plan` (from `plan()` of a matcher built for the
   * same catalog, e.g. stored by an earlier run) saves counting keys again: followed only when it was made
   * for exactly these templates by this key scheme, else ignored.
   */
  static build(statements: Statement[], plan: MatcherPlan | null = null): Matcher {
    const byTemplate = new Map<string, Compiled>()
    // Placeholder minimums are a few patterns shared by most templates ([0], [1], [0, 1] …): one array each.
    const mins = new Map<string, number[]>()
    let skipped = 0
    for (const s of statements) {
      if (!s.matchable || !s.template) {
        skipped++
        continue
      }
      const key = trimTemplate(s.template)
      const have = byTemplate.get(key)
      if (have) {
        have.statements.push(s)
        continue
      }
      const c = compile(key, mins)
      if (!c) {
        skipped++
        continue
      }
      // Exactly one element: an array grown by push() keeps room for 16 (~12 MB at 100k templates).
      c.statements = [s]
      c.index = byTemplate.size
      byTemplate.set(key, c)
    }
    return new Matcher([...byTemplate.values()], skipped, plan)
  }

  /** The keys this matcher's templates are filed under, for Matcher.build of the same catalog later. */
  plan(): MatcherPlan {
    const rows = new Int32Array(this.compiled.length * PLAN_INTS)
    for (let ci = 0; ci < this.compiled.length; ci++) {
      const c = this.compiled[ci]!
      const f = ci * PLAN_INTS
      rows[f] = this.keyOf[ci]!
      rows[f + 1] = c.keySlot
      rows[f + 2] = c.keyLit
      rows[f + 3] = c.keyA
      rows[f + 4] = c.keyB
      rows[f + 5] = c.sigLo
      rows[f + 6] = c.sigHi
    }
    return { id: planId(this.compiled), rows }
  }

  /** The statement that printed `message`, or null. `hint` breaks ties between equally specific templates. */
  match(message: string, hint?: MatchHint): MatchResult | null {
    const m = trimMessage(message)
    if (m.length === 0) return null
    const r = this.find(m, hint)
    if (r !== null || !isSpace(message.charCodeAt(message.length - 1))) return r
    // Trimming took the space before an empty trailing value (`connection closed by ` printed by
    // `connection closed by %s`): only when nothing matched, retry with the trailing whitespace kept.
    // Rare (an unmatched line ending in whitespace), so the usual line never pays for it.
    const kept = message.trimStart()
    return kept.length > m.length ? this.find(kept, hint) : null
  }

  /** `match` on an already trimmed, non-empty message. */
  private find(m: string, hint: MatchHint | undefined): MatchResult | null {
    const len = m.length
    if (this.edges !== null && !this.mayFit(m)) return null
    const count = this.candidates(m)
    const lo = this.sigLo
    const hi = this.sigHi
    const cand = this.cand
    const rows = this.rows
    const text = this.text
    let best = -1 // member position of the most specific fit
    let ties: number[] | null = null
    for (let i = 0; i < count; i++) {
      // Length and end characters were screened when proposed; the word signature is complete only now.
      const f = cand[i]! * ROW
      if ((rows[f + R_SIGLO]! & ~lo) !== 0 || (rows[f + R_SIGHI]! & ~hi) !== 0) continue
      const t = rows[f + R_T]!
      const ph = rows[f + R_PH]! & 0xffff
      const at = rows[f + R_TEXT]!
      const fl = rows[f + R_FIRST]!
      if (ph === 0) {
        if (len !== fl || !same(m, 0, text, at, fl)) continue
      } else {
        // The length screen (minLen) guarantees room for both ends.
        if (fl !== 0 && !same(m, 0, text, at, fl)) continue
        const ll = rows[f + R_LAST]!
        if (ll !== 0 && !same(m, len - ll, text, at + rows[f + R_CHARS]! - ll, ll)) continue
        if (ph === 1) {
          if (len - fl - ll < ((rows[f + R_PH]! >>> 16) & 1)) continue
        } else {
          const k = rows[f + R_INNER]!
          if (k >= 0 && len <= INNER_LINE ? !fitsMiddle(m, ll, text, at + fl, fl, this.inner, k) : !fitsInner(this.compiled[t]!, m)) continue
        }
      }
      if (best < 0) {
        best = f
        continue
      }
      const chars = rows[f + R_CHARS]!
      const bestChars = rows[best + R_CHARS]!
      if (chars > bestChars || (chars === bestChars && ph < (rows[best + R_PH]! & 0xffff))) {
        best = f
        ties = null
      } else if (chars === bestChars && ph === (rows[best + R_PH]! & 0xffff)) (ties ??= [rows[best + R_T]!]).push(t)
    }
    if (best < 0) return null
    const t = rows[best + R_T]!
    if (ties === null && rows[best + R_PH]! >>> 24 === 0) return new Hit(this.ids[t]!, rows[best + R_CHARS]!, this.compiled, t, m)
    // Equally specific templates in catalog order, whichever key proposed them first.
    const tied = ties === null ? [this.compiled[t]!] : ties.map((x) => this.compiled[x]!).sort(byIndex)
    const st = pick(tied, hint)
    const win = tied.length === 1 ? tied[0]! : tied.find((c) => c.statements.includes(st))!
    return new Hit(st.id, win.literalChars, this.compiled, win.index, m)
  }


  /**
   * False when no template of a small catalog can fit `m` (trimmed, ≥ 3 characters): a template fits only
   * a message that starts with its first literal and ends with its last one, and contains its longest.
   * A few short hashes of the line's ends instead of reading every token: most lines checked against the
   * annotated statements only fit none.
   */
  private mayFit(m: string): boolean {
    const len = m.length
    if (len < EDGE) return true
    const edges = this.edges!
    const kinds = this.edgeKinds
    if (len >= EDGE_LONG) {
      if ((kinds & HEAD_LONG) !== 0 && hasBit(edges, edgeKey(m, 0, EDGE_LONG, HEAD_LONG))) return true
      if ((kinds & TAIL_LONG) !== 0 && hasBit(edges, edgeKey(m, len - EDGE_LONG, len, TAIL_LONG))) return true
    }
    if ((kinds & HEAD_SHORT) !== 0 && hasBit(edges, edgeKey(m, 0, EDGE, HEAD_SHORT))) return true
    if ((kinds & TAIL_SHORT) !== 0 && hasBit(edges, edgeKey(m, len - EDGE, len, TAIL_SHORT))) return true
    return this.rest !== null && this.rest.test(m)
  }

  /** `match` plus every candidate the index proposed and why each did or did not win (`--explain`). */
  explain(message: string, hint?: MatchHint): { result: MatchResult | null; candidates: ExplainCandidate[] } {
    let m = trimMessage(message)
    const result = this.match(message, hint)
    const candidates: ExplainCandidate[] = []
    if (m.length === 0) return { result, candidates }
    // The candidates of the text that matched: with its trailing whitespace when only that fit (see match).
    if (result !== null && this.find(m, hint) === null) m = message.trimStart()
    this.explaining = true
    let count: number
    try {
      count = this.candidates(m)
    } finally {
      this.explaining = false
    }
    const cands = Array.from(this.cand.subarray(0, count), (r) => this.compiled[this.rows[r * ROW + R_T]!]!)
    const lo = this.sigLo
    const hi = this.sigHi
    for (const c of cands) {
      const failure = whyNot(c, m, lo, hi)
      for (const s of c.statements) {
        const won = result?.statementId === s.id
        let why = failure ?? (won ? `matched via ${describeKey(c)}; chosen` : `matched via ${describeKey(c)}; lost`)
        if (failure === null && !won && result) {
          why += result.literalChars > c.literalChars ? ` (fewer literal characters: ${c.literalChars} < ${result.literalChars})` : ' (tie broken by the line\'s file/logger hint, then catalog order)'
        }
        candidates.push({ statementId: s.id, template: c.template, literalChars: c.literalChars, matched: failure === null, why })
      }
    }
    return { result, candidates }
  }

  /** Every template the index proposes for `m` (already trimmed), once each, into `cand`; returns the count. */
  private candidates(m: string): number {
    this.candN = 0
    let stamp = (this.stamp = (this.stamp + 1) | 0)
    if (stamp === 0) {
      // Wrapped after 2^32 lines: clear the stamps so no template looks already visited.
      for (let f = R_STAMP; f < this.rows.length; f += ROW) this.rows[f] = 0
      stamp = this.stamp = 1
    }
    const len = m.length
    // One pass, left to right. Space-delimited tokens are hashed (FNV-1a); the first ≤4 token hashes fold
    // into the leading-words keys, the last ≤4 (kept in a ring) into the trailing-words keys at the end.
    // Inside the same pass, runs of word characters (letters, digits, `_`, non-ASCII) are hashed too:
    // each sets one of 64 signature bits (a template is a candidate only if the message has all of its
    // words' bits) and, when it passes the screen of 16 of its hash bits, is probed as an inner
    // word, and with the run before it (one separator apart) as a pair. (Reading both ends separately
    // instead measured slower on typical lines: they are short, and the ends then get read twice.)
    const tail = len >= 2 ? lastTwo(m, len) : -1
    const head = len >= 2 ? m.charCodeAt(0) | (m.charCodeAt(1) << 16) : -1
    const used = this.used
    this.lineLen = len
    this.lineHead = head === -1 ? -2 : head
    this.lineTail = tail === -1 ? -2 : tail
    if (!this.wordPass) {
      // No template is filed under an inner word and the catalog is small (e.g. the annotated statements
      // only): read just the tokens at both ends, not the whole line. The signature is then "every bit",
      // a pre-filter only — fits() decides either way.
      this.sigLo = -1
      this.sigHi = -1
      this.affixes(m, len, head, tail, stamp)
    } else {
      const maxP = this.maxPrefixDepth
      const maxPT = tail === -1 ? 0 : this.maxPrefixTailDepth
      const maxPA = maxP > maxPT ? maxP : maxPT
      const words = this.wordShape
      const pairs = this.pairShape
      const probeWords = this.hasWords
      const probePairs = this.hasPairs
      const ring = this.ring
      let tokens = 0
      let th = FNV_OFFSET // current space-token hash
      let ph = FNV_OFFSET // folded leading-words hash
      let lo = 0
      let hi = 0
      let prevB = -2 // end of the previous run
      let prevK = 0 // hash of the previous run
      let inTok = false
      // Until the pass ends the signature screen must pass everything (lookups the buffer has no room for).
      this.sigLo = -1
      this.sigHi = -1
      this.nk = 0
      this.deferring = true
      // A run of word characters is read by its own tight loop (load, class, multiply); the outer loop handles
      // what ends it. i === len acts as a space: it ends the last run and token.
      let i = 0
      while (i <= len) {
        let c = i < len ? m.charCodeAt(i) : 32
        if (c >= 128 || WORD_CHAR[c] === 1) {
          const a = i
          let wh = FNV_OFFSET
          do {
            wh = Math.imul(wh ^ c, FNV_PRIME)
            c = ++i < len ? m.charCodeAt(i) : 32
          } while (c >= 128 || WORD_CHAR[c] === 1)
          const k = wh & SMI
          if ((k & 32) === 0) lo |= 1 << (k & 31)
          else hi |= 1 << (k & 31)
          if (probeWords && hasBit(words, screenBit(k))) this.probe(mix(k, SLOT_WORD), stamp)
          if (probePairs && prevB === a - 1) {
            const pk = pairHash(prevK, m.charCodeAt(prevB), k)
            if (hasBit(pairs, screenBit(pk))) this.probe(mix(pk, SLOT_PAIR), stamp)
          }
          th = Math.imul(th ^ wh, FNV_PRIME)
          inTok = true
          prevK = k
          prevB = i
        }
        // c (at i) is not a word character.
        if (c !== 32) {
          th = Math.imul(th ^ c, FNV_PRIME)
          inTok = true
        } else if (inTok) {
          ring[tokens & 3] = th
          tokens++
          if (tokens <= maxPA) {
            ph = fold(ph, th)
            this.probeLeading(ph, tokens, tail, stamp)
          }
          inTok = false
          th = FNV_OFFSET
        }
        i++
      }
      this.sigLo = lo
      this.sigHi = hi
      this.probeRing(tokens, head, stamp)
      this.deferring = false
      const keys = this.keys
      for (let k = 0, nk = this.nk; k < nk; k++) this.lookup(keys[k]!, stamp)
    }
    if (this.hasPrefixChars) for (let k = 1; k <= AFFIX && k <= len; k++) if (used[SLOT_PREFIX_CHARS + k] === 1) this.probe(mix(hashRange(m, 0, k), SLOT_PREFIX_CHARS + k), stamp)
    if (this.hasSuffixChars) for (let k = 1; k <= AFFIX && k <= len; k++) if (used[SLOT_SUFFIX_CHARS + k] === 1) this.probe(mix(hashRange(m, len - k, len), SLOT_SUFFIX_CHARS + k), stamp)
    const scan = this.scan
    // One native scan for "contains any listed needle" first: most lines contain none.
    if (scan.length > 1 && !this.scanAny!.test(m)) return this.candN
    for (let i = 0; i < scan.length; i++) if (m.includes(this.compiled[scan[i]!]!.needle)) this.propose(this.scanStart + i, stamp)
    return this.candN
  }

  /**
   * affixes() for a short line: one forward pass hashing every token (a ring keeps the last four), which
   * costs less than finding the last tokens from the end when there is little in between.
   */
  private affixesShort(m: string, len: number, head: number, tail: number, stamp: number): void {
    const used = this.used
    const maxP = this.maxPrefixDepth
    const maxPT = tail === -1 ? 0 : this.maxPrefixTailDepth
    const maxPA = maxP > maxPT ? maxP : maxPT
    const ring = this.ring
    let tokens = 0
    let th = FNV_OFFSET
    let wh = FNV_OFFSET
    let inRun = false
    let inToken = false
    let ph = FNV_OFFSET
    // Token hashes as tokenHash() computes them, in one pass.
    for (let i = 0; i <= len; i++) {
      const c = i < len ? m.charCodeAt(i) : 32
      if (c >= 128 || WORD_CHAR[c] === 1) {
        if (!inRun) (inRun = true), (wh = FNV_OFFSET)
        wh = Math.imul(wh ^ c, FNV_PRIME)
        continue
      }
      if (inRun) (th = Math.imul(th ^ wh, FNV_PRIME)), (inRun = false), (inToken = true)
      if (c !== 32) {
        th = Math.imul(th ^ c, FNV_PRIME)
        inToken = true
      } else if (inToken) {
        ring[tokens & 3] = th
        tokens++
        if (tokens <= maxPA) {
          ph = fold(ph, th)
          this.probeLeading(ph, tokens, tail, stamp)
        }
        inToken = false
        th = FNV_OFFSET
      }
    }
    this.probeRing(tokens, head, stamp)
  }

  /** Probe the leading-words keys of depth d: `ph` folds the line's first d token hashes; `tail` is its last two
   *  characters (-1: too short). */
  private probeLeading(ph: number, d: number, tail: number, stamp: number): void {
    const used = this.used
    if (d <= this.maxPrefixDepth && used[SLOT_PREFIX_WORDS + d] === 1) this.probe(mix(ph & SMI, SLOT_PREFIX_WORDS + d), stamp)
    if (tail !== -1 && d <= this.maxPrefixTailDepth && used[SLOT_PREFIX_WORDS_TAIL + d] === 1) this.probe(mix(withEnd(ph, tail), SLOT_PREFIX_WORDS_TAIL + d), stamp)
  }

  /** Probe the trailing-words keys of depth d: `sh` folds the line's last d token hashes, last first. */
  private probeTrailing(sh: number, d: number, head: number, stamp: number): void {
    const used = this.used
    if (d <= this.maxSuffixDepth && used[SLOT_SUFFIX_WORDS + d] === 1) this.probe(mix(sh & SMI, SLOT_SUFFIX_WORDS + d), stamp)
    if (head !== -1 && d <= this.maxSuffixHeadDepth && used[SLOT_SUFFIX_WORDS_HEAD + d] === 1) this.probe(mix(withEnd(sh, head), SLOT_SUFFIX_WORDS_HEAD + d), stamp)
  }

  /** The trailing-words probes from the ring of the last four token hashes (`tokens` tokens read). */
  private probeRing(tokens: number, head: number, stamp: number): void {
    const maxS = this.maxSuffixDepth
    const maxSH = head === -1 ? 0 : this.maxSuffixHeadDepth
    const maxSA = maxS > maxSH ? maxS : maxSH
    let sh = FNV_OFFSET
    for (let d = 1; d <= maxSA && d <= tokens; d++) {
      sh = fold(sh, this.ring[(tokens - d) & 3]!)
      this.probeTrailing(sh, d, head, stamp)
    }
  }

  /** candidates() without the word pass: leading and trailing whole-word keys only. */
  private affixes(m: string, len: number, head: number, tail: number, stamp: number): void {
    if (len <= SHORT_LINE) return this.affixesShort(m, len, head, tail, stamp)
    const used = this.used
    // Leading words: the first ≤4 space-delimited tokens, hashed and folded left to right. Only the
    // line's start is read: the middle of a long line costs nothing here.
    const maxP = this.maxPrefixDepth
    const maxPT = tail === -1 ? 0 : this.maxPrefixTailDepth
    const maxPA = maxP > maxPT ? maxP : maxPT
    if (maxPA > 0) {
      let ph = FNV_OFFSET
      let d = 0
      let i = 0
      while (d < maxPA) {
        while (i < len && m.charCodeAt(i) === 32) i++
        if (i >= len) break
        let e = m.indexOf(' ', i)
        if (e < 0) e = len
        const th = tokenHash(m, i, e)
        i = e
        d++
        ph = fold(ph, th)
        this.probeLeading(ph, d, tail, stamp)
      }
    }
    // Trailing words: the last ≤4 tokens, found right to left, each hashed left to right, last token first.
    const maxS = this.maxSuffixDepth
    const maxSH = head === -1 ? 0 : this.maxSuffixHeadDepth
    const maxSA = maxS > maxSH ? maxS : maxSH
    if (maxSA > 0) {
      let sh = FNV_OFFSET
      let d = 0
      let j = len
      while (d < maxSA) {
        while (j > 0 && m.charCodeAt(j - 1) === 32) j--
        if (j === 0) break
        let k = j - 1
        while (k > 0 && m.charCodeAt(k - 1) !== 32) k--
        d++
        sh = fold(sh, tokenHash(m, k, j))
        this.probeTrailing(sh, d, head, stamp)
        j = k
      }
    }
  }

}

/**
 * The key each template is filed under (-1: the scan list), recorded in its keySlot/keyLit/keyA/keyB, and
 * its inner-word signature (enumerateKeys computes it).
 */
function chooseKeys(compiled: Compiled[], slots: number): number[] {
  const n = compiled.length
  // Pass 1: how many templates would make a line probe each key ("failed" starts many templates, so
  // lines starting with "failed" are common). Keys are numbers: no strings kept per template.
  // A saturating count sketch (8 MB, collisions only overestimate) instead of a Map of millions of keys.
  const probes = new Uint16Array(PROBE_SKETCH)
  for (const c of compiled) {
    const list = enumerateKeys(c, KEYS_OF)
    for (let i = 0; i < list.n; i++) {
      if (list.option[i] === 1) continue
      const h = list.key[i]! & (PROBE_SKETCH - 1)
      if (probes[h]! < 0xffff) probes[h]!++
    }
  }
  // A small catalog (e.g. only the annotated statements) where few templates need an inner-word key
  // lists those few for a substring check instead, so lines are read at their ends only (see wordPass).
  const scanOnly = n <= SMALL_CATALOG ? innerWordOnly(compiled, probes) : null
  // Pass 2: file each template under the key lines probe least.
  const keyOf = new Array<number>(n).fill(-1)
  const perSlot = new Int32Array(slots)
  for (let ci = 0; ci < n; ci++) {
    const c = compiled[ci]!
    if (scanOnly !== null && scanOnly.has(ci)) continue
    keyOf[ci] = chooseKey(c, probes, null)
    if (keyOf[ci]! >= 0) perSlot[c.keySlot]!++
  }
  // Every slot some template uses costs every line a probe (and some a hash): a slot that only a few
  // templates chose gives them up to their best key in a slot many others use, when they have one.
  const unpopular = new Uint8Array(perSlot.length)
  const few = Math.max(4, n >> 7)
  for (let k = 0; k < perSlot.length; k++) if (perSlot[k]! < few) unpopular[k] = 1
  for (let ci = 0; ci < n; ci++) {
    const c = compiled[ci]!
    if (keyOf[ci]! < 0 || unpopular[c.keySlot] !== 1) continue
    // chooseKey records a key in c only when it finds one: with none, c keeps the key it has.
    const other = chooseKey(c, probes, unpopular)
    if (other >= 0) keyOf[ci] = other
  }
  return keyOf
}

/** Ints per template in a MatcherPlan: key, slot, literal, range start, range end, signature low, high. */
const PLAN_INTS = 7

/** The id of a catalog's plan: the key scheme's fingerprint and every template, in order. */
function planId(compiled: Compiled[]): string {
  const h = createHash('sha256').update(keyScheme())
  for (const c of compiled) h.update(c.template).update('\0')
  return h.digest('base64url').slice(0, 32)
}

let scheme: string | null = null
/**
 * The keys and signatures of a few fixed templates: changes whenever the key or signature hashing does,
 * so a plan stored by another version of this code is never followed.
 */
function keyScheme(): string {
  if (scheme !== null) return scheme
  const parts: number[] = [PLAN_INTS, WORD_DEPTH, AFFIX]
  for (const t of ['connection to {} failed after {} retries', 'x', 'disk_full: {}', '{} ends here now', 'éclair 7 Über-alles']) {
    const c = compile(t, new Map())!
    const list = enumerateKeys(c, new KeyList())
    parts.push(c.sigLo, c.sigHi)
    for (let i = 0; i < list.n; i++) parts.push(list.slot[i]!, list.key[i]!, list.option[i]!)
  }
  return (scheme = parts.join(','))
}

/** Whether `plan` was made for exactly these templates (id) and, checked on a sample, their keys. */
function planFits(compiled: Compiled[], plan: MatcherPlan): boolean {
  const n = compiled.length
  if (plan.rows.length !== n * PLAN_INTS || plan.id !== planId(compiled)) return false
  // A sample re-derived: a plan that names a key its template does not offer would lose that template's lines.
  const step = Math.max(1, n >> 6)
  for (let ci = 0; ci < n; ci += step) {
    const c = compiled[ci]!
    const f = ci * PLAN_INTS
    const sigLo = c.sigLo
    const sigHi = c.sigHi
    const list = enumerateKeys(c, KEYS_OF)
    const ok = c.sigLo === plan.rows[f + 5] && c.sigHi === plan.rows[f + 6]
    c.sigLo = sigLo
    c.sigHi = sigHi
    if (!ok) return false
    const key = plan.rows[f]!
    if (key < 0) continue
    let found = false
    for (let i = 0; i < list.n && !found; i++) {
      found = list.option[i] === 1 && list.key[i] === key && list.slot[i] === plan.rows[f + 1] && list.lit[i] === plan.rows[f + 2] &&
        list.a[i] === plan.rows[f + 3] && list.b[i] === plan.rows[f + 4]
    }
    if (!found) return false
  }
  return true
}

/** chooseKeys' answer, read from a plan that fits. */
function followPlan(compiled: Compiled[], plan: MatcherPlan): number[] {
  const keyOf = new Array<number>(compiled.length)
  const r = plan.rows
  for (let ci = 0; ci < compiled.length; ci++) {
    const c = compiled[ci]!
    const f = ci * PLAN_INTS
    keyOf[ci] = r[f]!
    c.keySlot = r[f + 1]!
    c.keyLit = r[f + 2]!
    c.keyA = r[f + 3]!
    c.keyB = r[f + 4]!
    c.sigLo = r[f + 5]!
    c.sigHi = r[f + 6]!
  }
  return keyOf
}

/**
 * The key `c` is filed under: of the keys it offers outside `exclude`d slots, the one the fewest templates
 * make lines probe (recorded in c.keySlot/keyLit/keyA/keyB for explain); -1 when it offers none.
 */
function chooseKey(c: Compiled, probes: Uint16Array, exclude: Uint8Array | null): number {
  const list = enumerateKeys(c, KEYS_OF)
  const i = cheapest(list, probes, exclude)
  if (i < 0) return -1
  c.keySlot = list.slot[i]!
  c.keyLit = list.lit[i]!
  c.keyA = list.a[i]!
  c.keyB = list.b[i]!
  return list.key[i]!
}

/** Position in `list` of the option key (outside `exclude`d slots) the fewest templates make lines probe; -1: none. */
function cheapest(list: KeyList, probes: Uint16Array, exclude: Uint8Array | null): number {
  let best = -1
  let bestCost = Infinity
  for (let i = 0; i < list.n; i++) {
    const slot = list.slot[i]!
    if (list.option[i] === 0 || (exclude !== null && exclude[slot] === 1)) continue
    // The count is how many templates would make a line probe the key.
    const cost = probes[list.key[i]! & (PROBE_SKETCH - 1)]! * slotWeight(slot)
    if (cost < bestCost) (best = i), (bestCost = cost)
  }
  return best
}

/**
 * Templates (by index) whose cheapest key is an inner word or pair, when there are at most SMALL_SCAN of
 * them; otherwise an empty set (the word pass is needed anyway).
 */
function innerWordOnly(compiled: Compiled[], probes: Uint16Array): Set<number> {
  const out = new Set<number>()
  for (let ci = 0; ci < compiled.length; ci++) {
    const list = enumerateKeys(compiled[ci]!, KEYS_OF)
    const i = cheapest(list, probes, null)
    const bestSlot = i < 0 ? -1 : list.slot[i]!
    if (bestSlot === SLOT_WORD || bestSlot === SLOT_PAIR) {
      out.add(ci)
      if (out.size > SMALL_SCAN) return new Set()
    }
  }
  return out
}

/** The key a template is filed under, in words (`first words "tunnel"`), for explain. */
function describeKey(c: Compiled): string {
  if (c.keySlot < 0) return `scan ${JSON.stringify(c.needle)}`
  const text = c.lits[c.keyLit]!.slice(c.keyA, c.keyB)
  return `${SLOT_NAMES[c.keySlot] ?? SLOT_NAMES[c.keySlot - (c.keySlot % 10)]} ${JSON.stringify(text)}`
}

/**
 * Cost multiplier of a key slot. Character keys are coarser than word keys: the same count means more
 * unrelated lines probe them. (Weighting inner words up, for words that lines carry in their values,
 * was measured and made candidates more frequent, not less.)
 */
function slotWeight(slot: number): number {
  return slot >= SLOT_PREFIX_CHARS && slot < SLOT_PREFIX_WORDS_TAIL ? 2 : 1
}

/** Fold one token's hash into a running words hash (order matters: `a b` ≠ `b a`). */
function fold(acc: number, token: number): number {
  return (Math.imul(acc ^ token, FNV_PRIME) + 0x9e3779b9) | 0
}

/** Combine a words hash with two end characters of the message (a composite key). */
function withEnd(h: number, two: number): number {
  return (h ^ Math.imul(two, 0x27d4eb2d)) & SMI
}

/** Mix a text hash with its key slot (kind and depth), staying a small integer for the Map. */
function mix(h: number, slot: number): number {
  return (h ^ Math.imul(slot, 0x9e3779b1)) & SMI
}

/** The text hash a key of `slot` was mixed from (mix() undone: text hashes are already masked to SMI). */
function unmix(key: number, slot: number): number {
  return (key ^ Math.imul(slot, 0x9e3779b1)) & SMI
}

/** A key's two bits in its filter word (two bits instead of one: at 100k templates a one-bit filter let ~4% of
 *  absent keys through, each a cache miss in the table). */
function bloomBits2(key: number): number {
  const h = Math.imul(key, 0x9e3779b1)
  return (1 << (h >>> 27)) | (1 << ((h >>> 22) & 31))
}

/** Bit of text[a..b) as an edge of `kind` in the edge bit set. */
function edgeKey(text: string, a: number, b: number, kind: number): number {
  return mix(hashRange(text, a, b), kind) & (EDGE_BITS - 1)
}

function setBit(bits: Int32Array, k: number): void {
  bits[k >>> 5]! |= 1 << (k & 31)
}

function hasBit(bits: Int32Array, k: number): boolean {
  return (bits[k >>> 5]! & (1 << (k & 31))) !== 0
}

/** A word's or pair's screen bit: high bits of its hash (the bit filter is indexed by the low ones). */
function screenBit(h: number): number {
  return (h >>> 14) & 0xffff
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

function byIndex(a: Compiled, b: Compiled): number {
  return a.index - b.index
}

function compile(template: string, shared: Map<string, number[]>): Compiled | null {
  const p = parseTemplate(template)
  if (!p.literals.some((l) => MEANINGFUL.test(l))) return null
  // Copies sized exactly (parseTemplate's push()-grown arrays keep spare room: ~10 MB at 100k templates).
  const lits = p.literals.slice()
  const own = p.placeholders.map((x) => x.min)
  const key = own.join('')
  let mins = shared.get(key)
  if (mins === undefined) shared.set(key, (mins = own))
  const literalChars = lits.reduce((n, l) => n + l.length, 0)
  const needle = lits.reduce((a, b) => (b.length > a.length ? b : a), '')
  return {
    template, lits, mins, literalChars, needle,
    minLen: literalChars + mins.reduce((a: number, b) => a + b, 0),
    placeholders: p.placeholders.length,
    index: 0, statements: [], paths: null, keySlot: -1, keyLit: 0, keyA: 0, keyB: 0,
    sigLo: 0, sigHi: 0,
    head: lits[0]!.length >= 2 ? lits[0]!.charCodeAt(0) | (lits[0]!.charCodeAt(1) << 16) : -1,
    tail: lits[lits.length - 1]!.length >= 2 ? lastTwo(lits[lits.length - 1]!, lits[lits.length - 1]!.length) : -1,
  }
}

/**
 * Every key a template offers, hashed as the message side hashes them: its first 1–4 whole words (text up
 * to the end of word d, spaces included; an option only at the deepest d, a probe at every d), its last
 * 1–4 whole words (hashed right to left), each inner whole word and pair of adjacent whole words (one
 * space apart), and its first/last 1–4 literal characters. A word is whole when spaces or the template's
 * ends bound it, never a placeholder.
 */
function enumerateKeys(c: Compiled, out: KeyList): KeyList {
  out.n = 0
  const lits = c.lits
  const n = lits.length
  const only = n === 1
  const first = lits[0]!
  const last = lits[n - 1]!
  const tail = last.length >= 2 ? lastTwo(last, last.length) : -1
  const head = first.length >= 2 ? first.charCodeAt(0) | (first.charCodeAt(1) << 16) : -1
  // Leading whole words: space-delimited tokens of the first literal followed by a space (or ending a
  // literal-only template), their hashes folded as the message side folds them.
  {
    let ph = FNV_OFFSET
    let d = 0
    let end = 0
    let pos = 0
    while (d < WORD_DEPTH && pos < first.length) {
      let sp = first.indexOf(' ', pos)
      if (sp < 0) {
        if (!only) break
        sp = first.length
      }
      if (sp > pos) {
        d++
        end = sp
        ph = fold(ph, tokenHash(first, pos, sp))
        out.push(SLOT_PREFIX_WORDS + d, mix(ph & SMI, SLOT_PREFIX_WORDS + d), false, 0, 0, end)
        if (tail !== -1) out.push(SLOT_PREFIX_WORDS_TAIL + d, mix(withEnd(ph, tail), SLOT_PREFIX_WORDS_TAIL + d), false, 0, 0, end)
      }
      pos = sp + 1
    }
    if (d > 0) {
      out.push(SLOT_PREFIX_WORDS + d, mix(ph & SMI, SLOT_PREFIX_WORDS + d), true, 0, 0, end)
      if (tail !== -1) out.push(SLOT_PREFIX_WORDS_TAIL + d, mix(withEnd(ph, tail), SLOT_PREFIX_WORDS_TAIL + d), true, 0, 0, end)
    }
  }
  // Trailing whole words: tokens of the last literal preceded by a space (or starting a literal-only
  // template), folded last token first.
  {
    let sh = FNV_OFFSET
    let d = 0
    let start = last.length
    let end = last.length
    while (d < WORD_DEPTH && end > 0) {
      let sp = last.lastIndexOf(' ', end - 1)
      if (sp < 0) {
        if (!only) break
        sp = -1
      }
      if (sp < end - 1) {
        d++
        start = sp + 1
        sh = fold(sh, tokenHash(last, sp + 1, end))
        out.push(SLOT_SUFFIX_WORDS + d, mix(sh & SMI, SLOT_SUFFIX_WORDS + d), false, n - 1, start, last.length)
        if (head !== -1) out.push(SLOT_SUFFIX_WORDS_HEAD + d, mix(withEnd(sh, head), SLOT_SUFFIX_WORDS_HEAD + d), false, n - 1, start, last.length)
      }
      end = sp
    }
    if (d > 0) {
      out.push(SLOT_SUFFIX_WORDS + d, mix(sh & SMI, SLOT_SUFFIX_WORDS + d), true, n - 1, start, last.length)
      if (head !== -1) out.push(SLOT_SUFFIX_WORDS_HEAD + d, mix(withEnd(sh, head), SLOT_SUFFIX_WORDS_HEAD + d), true, n - 1, start, last.length)
    }
  }
  // Inner words (runs of word characters bounded by literal text or the template's ends, never by a
  // placeholder) and pairs of such runs one separator apart.
  for (let li = 0; li < n; li++) {
    const lit = lits[li]!
    let a = -1
    let prevA = -1
    let prevB = -2
    let prevW = 0
    for (let i = 0; i <= lit.length; i++) {
      const ch = i < lit.length ? lit.charCodeAt(i) : 32
      if (i < lit.length && (ch >= 128 || WORD_CHAR[ch] === 1)) {
        if (a < 0) a = i
        continue
      }
      if (a >= 0) {
        const whole = (a > 0 || li === 0) && (i < lit.length || li === n - 1)
        if (whole) {
          const w = hashRange(lit, a, i)
          if ((w & 32) === 0) c.sigLo |= 1 << (w & 31)
          else c.sigHi |= 1 << (w & 31)
          const k = mix(w, SLOT_WORD)
          out.push(SLOT_WORD, k, true, li, a, i)
          out.push(SLOT_WORD, k, false, li, a, i)
          if (prevB === a - 1) {
            const kp = mix(pairHash(prevW, lit.charCodeAt(prevB), w), SLOT_PAIR)
            out.push(SLOT_PAIR, kp, true, li, prevA, i)
            out.push(SLOT_PAIR, kp, false, li, prevA, i)
          }
          prevA = a
          prevB = i
          prevW = w
        } else prevB = -2
        a = -1
      }
    }
  }
  // Literal characters at either end.
  if (first.length > 0) {
    for (let k = 1; k <= Math.min(AFFIX, first.length); k++) out.push(SLOT_PREFIX_CHARS + k, mix(hashRange(first, 0, k), SLOT_PREFIX_CHARS + k), false, 0, 0, k)
    const k = Math.min(AFFIX, first.length)
    out.push(SLOT_PREFIX_CHARS + k, mix(hashRange(first, 0, k), SLOT_PREFIX_CHARS + k), true, 0, 0, k)
  }
  if (last.length > 0) {
    const L = last.length
    for (let k = 1; k <= Math.min(AFFIX, L); k++) out.push(SLOT_SUFFIX_CHARS + k, mix(hashRange(last, L - k, L), SLOT_SUFFIX_CHARS + k), false, n - 1, L - k, L)
    const k = Math.min(AFFIX, L)
    out.push(SLOT_SUFFIX_CHARS + k, mix(hashRange(last, L - k, L), SLOT_SUFFIX_CHARS + k), true, n - 1, L - k, L)
  }
  return out
}

function lastTwo(s: string, len: number): number {
  return s.charCodeAt(len - 2) | (s.charCodeAt(len - 1) << 16)
}

/**
 * A match result whose placeholder values are cut from the message on first read: counting needs only the
 * statement, so most lines never pay for the slices (samples and real-time messages read them).
 */
class Hit implements MatchResult {
  readonly statementId: string
  readonly literalChars: number
  // Private fields: not own enumerable properties, so the result still reads (and compares) as a plain
  // { statementId, literalChars, values }. The template is found from its number only when values are read:
  // most lines are counted and never reach for it. #line holds the message until then, its values after:
  // one field fewer per result, and millions of results are made and dropped per second.
  #all: Compiled[]
  #t: number
  #line: string | string[]
  constructor(statementId: string, literalChars: number, all: Compiled[], t: number, m: string) {
    this.statementId = statementId
    this.literalChars = literalChars
    this.#all = all
    this.#t = t
    this.#line = m
  }
  get values(): string[] {
    const v = this.#line
    if (typeof v !== 'string') return v
    return (this.#line = capture(this.#all[this.#t]!, v) ?? [])
  }
  toJSON(): MatchResult {
    return { statementId: this.statementId, literalChars: this.literalChars, values: this.values }
  }
}

/** m[a, a+n) equals text[o, o+n). */
function same(m: string, a: number, text: string, o: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (m.charCodeAt(a + i) !== text.charCodeAt(o + i)) return false
  return true
}

/**
 * fitsInner() from the flat arrays: the middle literals (from text[o…)) in order, leftmost placement, in a
 * message whose first literal is `fl` long and last `ll` long (both already checked).
 */
function fitsMiddle(m: string, ll: number, text: string, o: number, fl: number, inner: Int32Array, k: number): boolean {
  const end = m.length - ll
  let pos = fl
  const count = inner[k]!
  for (let i = 0; i < count; i++) {
    const l = inner[k + 1 + 2 * i]!
    pos += inner[k + 2 + 2 * i]!
    if (l > 0) {
      const c0 = text.charCodeAt(o)
      let j = pos
      for (; j + l <= end; j++) {
        if (m.charCodeAt(j) !== c0) continue
        let q = 1
        while (q < l && m.charCodeAt(j + q) === text.charCodeAt(o + q)) q++
        if (q === l) break
      }
      if (j + l > end) return false
      pos = j + l
      o += l
    } else if (pos > end) return false
  }
  return end - pos >= inner[k + 1 + 2 * count]!
}

/** fits() once the first and last literals fit (any number of placeholders ≥ 1): the middle literals in order. */
function fitsInner(c: Compiled, m: string): boolean {
  const lits = c.lits
  const n = lits.length
  const end = m.length - lits[n - 1]!.length
  const mins = c.mins
  let pos = lits[0]!.length
  for (let i = 1; i < n - 1; i++) {
    pos += mins[i - 1]!
    const lit = lits[i]!
    const j = lit.length === 0 ? pos : m.indexOf(lit, pos)
    if (j < 0 || j + lit.length > end) return false
    pos = j + lit.length
  }
  return end - pos >= mins[n - 2]!
}

/** Anchored check: literals in order, leftmost placement, each placeholder at least its minimum length
 *  (find() inlines the same check in steps; this whole form serves explain). */
function fits(c: Compiled, m: string): boolean {
  const len = m.length
  if (len < c.minLen) return false
  const lits = c.lits
  const n = lits.length
  const first = lits[0]!
  if (n === 1) return m === first
  if (first.length !== 0 && !m.startsWith(first)) return false
  const last = lits[n - 1]!
  if (last.length !== 0 && !m.endsWith(last)) return false
  return fitsInner(c, m)
}

/** The placeholder values of a template known to fit `m`, in order. */
function capture(c: Compiled, m: string): string[] | null {
  const lits = c.lits
  const n = lits.length
  if (n === 1) return []
  const end = m.length - lits[n - 1]!.length
  const values: string[] = []
  let pos = lits[0]!.length
  for (let i = 1; i < n - 1; i++) {
    const lit = lits[i]!
    const from = pos + c.mins[i - 1]!
    const j = lit.length === 0 ? from : m.indexOf(lit, from)
    if (j < 0) return null
    values.push(m.slice(pos, j))
    pos = j + lit.length
  }
  values.push(m.slice(pos, end))
  return values
}

/** Human-readable reason a template does not fit, or null when it does. */
function whyNot(c: Compiled, m: string, lo: number, hi: number): string | null {
  if ((c.sigLo & ~lo) === 0 && (c.sigHi & ~hi) === 0 && fits(c, m)) return null

  const lits = c.lits
  const n = lits.length
  if (m.length < c.minLen) return `message shorter (${m.length}) than the template's fixed text (${c.minLen})`
  if (n === 1) return 'template has no placeholders and differs from the message'
  if (!m.startsWith(lits[0]!)) return `message does not start with ${JSON.stringify(lits[0])}`
  if (!m.endsWith(lits[n - 1]!)) return `message does not end with ${JSON.stringify(lits[n - 1])}`
  let pos = lits[0]!.length
  for (let i = 1; i < n - 1; i++) {
    pos += c.mins[i - 1]!
    const j = m.indexOf(lits[i]!, pos)
    if (j < 0 || j + lits[i]!.length > m.length - lits[n - 1]!.length) return `literal ${JSON.stringify(lits[i])} not found after column ${pos}`
    pos = j + lits[i]!.length
  }
  return `placeholder ${JSON.stringify(c.template)} #${n - 1} needs at least one character`
}

function basename(p: string): string {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'))
  return i >= 0 ? p.slice(i + 1) : p
}

function stem(p: string): string {
  const b = basename(p)
  const i = b.indexOf('.')
  return i > 0 ? b.slice(0, i) : b
}

/** A template's statements' path forms, derived once, when a tie first needs them. */
function pathsFor(c: Compiled): StatementPaths[] {
  return (c.paths ??= c.statements.map(pathsOf))
}

/** Path forms of a statement's file, for hint scoring (built once per statement). */
function pathsOf(s: Statement): StatementPaths {
  const st = stem(s.file)
  return { file: s.file, base: basename(s.file), stem: st, stemLower: st.toLowerCase(), dotted: s.file.replace(/\.[^./]+$/, '').replace(/\//g, '.') }
}

/** The hint's own forms, derived once per tie rather than once per tied statement. */
interface HintForms {
  file: string | null
  base: string
  stem: string
  logger: string | null
  lastSegLower: string
}

function hintForms(hint: MatchHint): HintForms {
  const hf = hint.file ? hint.file.replace(/\\/g, '/') : null
  const lg = hint.logger || null
  const lastSeg = lg ? (lg.split(/[.:/\\]+/).filter(Boolean).pop() ?? lg) : ''
  return { file: hf, base: hf ? basename(hf) : '', stem: hf ? stem(hf) : '', logger: lg, lastSegLower: lastSeg.toLowerCase() }
}

/** How well a statement fits the line's own file/logger hint: higher is better. */
function hintScore(p: StatementPaths, h: HintForms): number {
  let score = 0
  const hf = h.file
  if (hf) {
    if (p.file === hf || p.file.endsWith(`/${hf}`) || hf.endsWith(`/${p.file}`)) score += 4
    else if (p.base === h.base) score += 3
    else if (p.stem === h.stem) score += 1
  }
  const lg = h.logger
  if (lg) {
    if (p.dotted === lg || p.dotted.endsWith(`.${lg}`)) score += 3
    else if (p.stemLower === h.lastSegLower) score += 2
  }
  return score
}

/** Among equally specific statements: best hint score, then nearest line, then catalog order. */
function pick(tied: Compiled[], hint?: MatchHint): Statement {
  const all = tied.length === 1 ? tied[0]!.statements : tied.flatMap((c) => c.statements)
  if (all.length === 1 || !hint || (!hint.file && !hint.logger)) return all[0]!
  const paths = tied.length === 1 ? pathsFor(tied[0]!) : tied.flatMap(pathsFor)
  const h = hintForms(hint)
  let best = all[0]!
  let bestScore = hintScore(paths[0]!, h)
  let bestDist = dist(best, hint)
  for (let i = 1; i < all.length; i++) {
    const s = all[i]!
    const sc = hintScore(paths[i]!, h)
    const d = dist(s, hint)
    if (sc > bestScore || (sc === bestScore && sc > 0 && d < bestDist)) {
      best = s
      bestScore = sc
      bestDist = d
    }
  }
  return best
}

function dist(s: Statement, hint: MatchHint): number {
  return hint.line ? Math.abs(s.line - hint.line) : 0
}
