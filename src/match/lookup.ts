/**
 * Candidate lookup: which templates may have printed a line. The line is read once by the token pass
 * (hash.ts); the keys it offers (its first and last 1–4 words, with or without its end characters, its inner
 * words and word pairs that pass a 16-bit screen, its first/last 1–4 characters) are tested against the
 * index's bit filter, and those that pass are looked up once the line's word signature is complete, so the
 * row each lookup reads screens its template at once (signature, length, first/last two characters).
 */
import * as KEYS from './keys.js'
import * as HASH from './hash.js'
import * as BUILD from './build.js'
import { type MatchIndex } from './build.js'
// Module-local copies of what the hot path uses: an imported binding is live, so optimized code loads it and
// checks it for the temporal dead zone at every use (callgrind: ~12% more instructions per line); a local const
// is folded into the code.
const { AFFIX, SLOT_PAIR, SLOT_PREFIX_CHARS, SLOT_PREFIX_WORDS, SLOT_PREFIX_WORDS_TAIL, SLOT_SUFFIX_CHARS, SLOT_SUFFIX_WORDS, SLOT_SUFFIX_WORDS_HEAD, SLOT_WORD } = KEYS
const { bloomBits2, firstTwo, FNV_OFFSET, FNV_PRIME, fold, hashRange, hasBit, lastTwo, mix, pairHash, screenBit, SMI, withEnd, WORD_CHAR } = HASH
const { EDGE, EDGE_LONG, edgeKey, HEAD_LONG, HEAD_SHORT, R_HEAD, R_KEY, R_MINLEN, R_NEXT, R_REST, R_SIGHI, R_SIGLO, R_TAIL, ROW, TAIL_LONG, TAIL_SHORT } = BUILD

/** Lines up to this long are read whole by the ends-only path (a small catalog without inner-word keys). */
const SHORT_LINE = 160

/**
 * What matching one line needs besides the index: per-line state, reused from line to line (matching is
 * synchronous, so one scratch serves one index at a time). Never shared between threads.
 */
export class Scratch {
  /** Hashes of the last four space-delimited tokens of the line. */
  readonly ring = new Int32Array(4)
  /** Keys the line offers that passed the bit filter, looked up once the signature is complete. */
  keys = new Int32Array(256)
  nk = 0
  /** Rows proposed for the current line, once each. */
  readonly cand: Int32Array
  candN = 0
  /** Per row, the line it was last proposed for (so a row is proposed once per line). */
  readonly stamps: Int32Array
  stamp = 0
  /** The current line's length and first/last two characters (-2: too short), for the row screen. */
  lineLen = 0
  lineHead = -2
  lineTail = -2
  /** The line's word signature (-1, -1: not computed, every template passes). */
  sigLo = 0
  sigHi = 0
  /** Template numbers of the fits as specific as the best (confirm.ts), the best's first; null: none. */
  ties: number[] | null = null

  constructor(ix: MatchIndex) {
    this.cand = new Int32Array(ix.rowCount)
    this.stamps = new Int32Array(ix.rowCount)
  }
}

/**
 * False when no template of a small catalog (one with `ix.edges`) can fit `m` (trimmed): a template fits only a
 * message that starts with its first literal and ends with its last one, and contains its longest. A few short
 * hashes of the line's ends instead of reading every token: most lines checked against the annotated
 * statements only fit none.
 */
export function mayFit(ix: MatchIndex, m: string): boolean {
  const len = m.length
  if (len < EDGE) return true
  const edges = ix.edges!
  const kinds = ix.edgeKinds
  if (len >= EDGE_LONG) {
    if ((kinds & HEAD_LONG) !== 0 && hasBit(edges, edgeKey(m, 0, EDGE_LONG, HEAD_LONG))) return true
    if ((kinds & TAIL_LONG) !== 0 && hasBit(edges, edgeKey(m, len - EDGE_LONG, len, TAIL_LONG))) return true
  }
  if ((kinds & HEAD_SHORT) !== 0 && hasBit(edges, edgeKey(m, 0, EDGE, HEAD_SHORT))) return true
  if ((kinds & TAIL_SHORT) !== 0 && hasBit(edges, edgeKey(m, len - EDGE, len, TAIL_SHORT))) return true
  return ix.rest !== null && ix.rest.test(m)
}

/**
 * Every key `m` (trimmed, non-empty) offers that the index's bit filter holds, into `sc.keys`; sets the
 * line's length, ends and signature in `sc`. Returns the number of keys.
 */
export function lineKeys(ix: MatchIndex, sc: Scratch, m: string): number {
  const len = m.length
  const tail = len >= 2 ? lastTwo(m, len) : -1
  const head = len >= 2 ? firstTwo(m) : -1
  sc.nk = 0
  sc.lineLen = len
  sc.lineHead = head === -1 ? -2 : head
  sc.lineTail = tail === -1 ? -2 : tail
  const maxP = ix.maxPrefixDepth
  const maxPT = tail === -1 ? 0 : ix.maxPrefixTailDepth
  const lead = maxP > maxPT ? maxP : maxPT
  let tokens: number
  if (ix.wordPass) tokens = scan(ix, sc, m, 0, len, true, lead, tail)
  else {
    // No template is filed under an inner word and the catalog is small (e.g. the annotated statements
    // only): the tokens at both ends are all it needs. One pass over a short line costs less than finding
    // its last tokens from the end; of a long line only the first and last few tokens are read.
    if (len <= SHORT_LINE) tokens = scan(ix, sc, m, 0, len, false, lead, tail)
    else {
      scan(ix, sc, m, 0, endOfToken(m, lead), false, lead, tail)
      const maxS = ix.maxSuffixDepth
      const maxSH = head === -1 ? 0 : ix.maxSuffixHeadDepth
      tokens = scan(ix, sc, m, startOfToken(m, maxS > maxSH ? maxS : maxSH), len, false, 0, tail)
    }
    // The signature of a line read at its ends only is "every bit": a pre-filter only, confirm decides.
    sc.sigLo = -1
    sc.sigHi = -1
  }
  trailingKeys(ix, sc, tokens, head)
  const used = ix.used
  if (ix.hasPrefixChars) for (let k = 1; k <= AFFIX && k <= len; k++) if (used[SLOT_PREFIX_CHARS + k] === 1) probe(ix, sc, mix(hashRange(m, 0, k), SLOT_PREFIX_CHARS + k))
  if (ix.hasSuffixChars) for (let k = 1; k <= AFFIX && k <= len; k++) if (used[SLOT_SUFFIX_CHARS + k] === 1) probe(ix, sc, mix(hashRange(m, len - k, len), SLOT_SUFFIX_CHARS + k))
  return sc.nk
}

/**
 * The token pass at match time, over m[a..b): each run of word characters is hashed (one multiply per
 * character) into the word signature and, with `words`, probed as an inner word when 16 of its hash bits
 * pass the index's screen, and with the run before it (one separator apart) as a pair; each space-delimited
 * token's hash is folded from its runs' hashes and separators (as hash.ts `hashTokens` folds them for the
 * build), the first `lead` folded into the leading-words keys at once, the last four kept in `sc.ring`.
 * Returns the number of tokens. (Reading the line's two ends separately instead measured slower on typical
 * lines: they are short, and the ends then get read twice.)
 */
function scan(ix: MatchIndex, sc: Scratch, m: string, a: number, b: number, words: boolean, lead: number, tail: number): number {
  const wordShape = ix.wordShape
  const pairShape = ix.pairShape
  const probeWords = words && ix.hasWords
  const probePairs = words && ix.hasPairs
  const ring = sc.ring
  let tokens = 0
  let th = FNV_OFFSET // current token's hash
  let ph = FNV_OFFSET // folded leading-words hash
  let lo = 0
  let hi = 0
  let prevB = -2 // end of the previous run
  let prevK = 0 // hash of the previous run
  let inTok = false
  // A run of word characters is read by its own tight loop (load, class, multiply); the outer loop handles
  // what ends it. i === b acts as a space: it ends the last run and token.
  let i = a
  while (i <= b) {
    let c = i < b ? m.charCodeAt(i) : 32
    if (c >= 128 || WORD_CHAR[c] === 1) {
      const r0 = i
      let wh = FNV_OFFSET
      do {
        wh = Math.imul(wh ^ c, FNV_PRIME)
        c = ++i < b ? m.charCodeAt(i) : 32
      } while (c >= 128 || WORD_CHAR[c] === 1)
      const k = wh & SMI
      if ((k & 32) === 0) lo |= 1 << (k & 31)
      else hi |= 1 << (k & 31)
      if (probeWords && hasBit(wordShape, screenBit(k))) probe(ix, sc, mix(k, SLOT_WORD))
      if (probePairs && prevB === r0 - 1) {
        const pk = pairHash(prevK, m.charCodeAt(prevB), k)
        if (hasBit(pairShape, screenBit(pk))) probe(ix, sc, mix(pk, SLOT_PAIR))
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
      if (tokens <= lead) {
        ph = fold(ph, th)
        leadingKeys(ix, sc, ph, tokens, tail)
      }
      inTok = false
      th = FNV_OFFSET
    }
    i++
  }
  sc.sigLo = lo
  sc.sigHi = hi
  return tokens
}

/**
 * Every template the index proposes for `m` (trimmed, non-empty) that passes the row screen, once each, into
 * `sc.cand`; returns the count.
 */
export function candidates(ix: MatchIndex, sc: Scratch, m: string): number {
  sc.candN = 0
  let stamp = (sc.stamp = (sc.stamp + 1) | 0)
  if (stamp === 0) {
    // Wrapped after 2^32 lines: clear the stamps so no row looks already proposed.
    sc.stamps.fill(0)
    stamp = sc.stamp = 1
  }
  const nk = lineKeys(ix, sc, m)
  const keys = sc.keys
  for (let k = 0; k < nk; k++) lookup(ix, sc, keys[k]!, stamp)
  const scan = ix.scan
  // One native scan for "contains any listed needle" first: most lines contain none.
  if (scan.length > 1 && !ix.scanAny!.test(m)) return sc.candN
  const needles = ix.scanNeedles
  for (let i = 0; i < scan.length; i++) if (m.includes(needles[i]!)) propose(ix, sc, ix.scanStart + i, stamp)
  return sc.candN
}

/** The first row filed under `key`, or -1. */
export function firstRow(ix: MatchIndex, key: number): number {
  const rows = ix.rows
  const mask = (1 << (32 - ix.slotShift)) - 1
  let i = Math.imul(key, 0x9e3779b1) >>> ix.slotShift
  for (;;) {
    const k = rows[i * ROW + R_KEY]!
    if (k === 0) return -1
    if (k === key + 1) return i
    i = (i + 1) & mask
  }
}

/** A key the line offers: kept for lookup when the bit filter has it. */
function probe(ix: MatchIndex, sc: Scratch, key: number): void {
  const want = bloomBits2(key)
  if ((ix.bloom[key & ix.bloomMask]! & want) !== want) return
  if (sc.nk === sc.keys.length) {
    const more = new Int32Array(sc.keys.length * 2)
    more.set(sc.keys)
    sc.keys = more
  }
  sc.keys[sc.nk++] = key
}

/** Add the templates filed under `key` that can fit the current line to the candidates. */
function lookup(ix: MatchIndex, sc: Scratch, key: number, stamp: number): void {
  let i = firstRow(ix, key)
  if (i < 0) return
  const rows = ix.rows
  const sig32 = sc.sigLo | sc.sigHi
  for (;;) {
    propose(ix, sc, i, stamp)
    const f = i * ROW
    i = rows[f + R_NEXT]!
    // The rest of the chain lives elsewhere (a cache miss each): skip it when none of it can fit.
    if (i < 0 || (rows[f + R_REST]! & ~sig32) !== 0) return
  }
}

/** Add row r to the candidates when it can fit the current line (signature, length, first/last two characters). */
function propose(ix: MatchIndex, sc: Scratch, r: number, stamp: number): void {
  const rows = ix.rows
  const f = r * ROW
  if ((rows[f + R_SIGLO]! & ~sc.sigLo) !== 0 || (rows[f + R_SIGHI]! & ~sc.sigHi) !== 0) return
  if (rows[f + R_MINLEN]! > sc.lineLen) return
  const th = rows[f + R_HEAD]!
  if (th !== -1 && th !== sc.lineHead) return
  const tt = rows[f + R_TAIL]!
  if (tt !== -1 && tt !== sc.lineTail) return
  if (sc.stamps[r] !== stamp) {
    sc.stamps[r] = stamp
    sc.cand[sc.candN++] = r
  }
}

/** The leading-words keys of depth d: `ph` folds the line's first d token hashes; `tail` is its last two
 *  characters (-1: too short). */
function leadingKeys(ix: MatchIndex, sc: Scratch, ph: number, d: number, tail: number): void {
  const used = ix.used
  if (d <= ix.maxPrefixDepth && used[SLOT_PREFIX_WORDS + d] === 1) probe(ix, sc, mix(ph & SMI, SLOT_PREFIX_WORDS + d))
  if (tail !== -1 && d <= ix.maxPrefixTailDepth && used[SLOT_PREFIX_WORDS_TAIL + d] === 1) probe(ix, sc, mix(withEnd(ph, tail), SLOT_PREFIX_WORDS_TAIL + d))
}

/** The trailing-words keys from `sc.ring`, the last four token hashes (`tokens` read): folded last first;
 *  `head` is the line's first two characters (-1: too short). */
function trailingKeys(ix: MatchIndex, sc: Scratch, tokens: number, head: number): void {
  const maxS = ix.maxSuffixDepth
  const maxSH = head === -1 ? 0 : ix.maxSuffixHeadDepth
  const depth = maxS > maxSH ? maxS : maxSH
  const used = ix.used
  let sh = FNV_OFFSET
  for (let d = 1; d <= depth && d <= tokens; d++) {
    sh = fold(sh, sc.ring[(tokens - d) & 3]!)
    if (d <= maxS && used[SLOT_SUFFIX_WORDS + d] === 1) probe(ix, sc, mix(sh & SMI, SLOT_SUFFIX_WORDS + d))
    if (d <= maxSH && used[SLOT_SUFFIX_WORDS_HEAD + d] === 1) probe(ix, sc, mix(withEnd(sh, head), SLOT_SUFFIX_WORDS_HEAD + d))
  }
}

/** Where the line's first `d` space-delimited tokens end (the line's length when it has fewer). */
function endOfToken(m: string, d: number): number {
  const len = m.length
  let i = 0
  for (let k = 0; k < d; k++) {
    while (i < len && m.charCodeAt(i) === 32) i++
    if (i >= len) return len
    const e = m.indexOf(' ', i)
    if (e < 0) return len
    i = e
  }
  return i
}

/** Where the line's last `d` space-delimited tokens start (0 when it has fewer). */
function startOfToken(m: string, d: number): number {
  if (d === 0) return m.length
  let j = m.length
  for (let k = 0; k < d; k++) {
    while (j > 0 && m.charCodeAt(j - 1) === 32) j--
    const s = j === 0 ? -1 : m.lastIndexOf(' ', j - 1)
    if (s < 0) return 0
    j = s
  }
  return j + 1
}
