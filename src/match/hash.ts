/**
 * The hashing every key is made of, on both sides: the build hashes a template's literals, a line's lookup
 * hashes the line, and a key found must be the same number both times. So the one pass that reads text into
 * word-run and token hashes (`hashTokens`) serves both.
 */

export const FNV_OFFSET = 0x811c9dc5
export const FNV_PRIME = 0x01000193
/** Keys stay small integers (V8 keeps them unboxed). */
export const SMI = 0x3fffffff

/** Characters that make up inner words: ASCII letters, digits and `_` (every non-ASCII character too). */
export const WORD_CHAR = new Uint8Array(128)
for (let c = 0; c < 128; c++) WORD_CHAR[c] = /[A-Za-z0-9_]/.test(String.fromCharCode(c)) ? 1 : 0

/** FNV-1a of s[a..b), as a small integer. */
export function hashRange(s: string, a: number, b: number): number {
  let h = FNV_OFFSET
  for (let i = a; i < b; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME)
  return h & SMI
}

/**
 * Where `hashTokens` leaves a text's hashes. A run is a stretch of word characters (letters, digits, `_`, any
 * non-ASCII character), hashed FNV-1a; a token is a stretch without spaces, hashed from its runs' hashes and its
 * other characters in order (one multiply per character: the run hashes serve both). Grown on demand, never
 * shrunk: one per matcher, reused line after line.
 */
export class Tokens {
  /** Runs and tokens found by the last pass. */
  runs = 0
  toks = 0
  /** Per run: its hash (not masked: tokens fold it whole), start and end (exclusive). */
  runHash = new Int32Array(64)
  runStart = new Int32Array(64)
  runEnd = new Int32Array(64)
  /** Per token: its hash, start and end (exclusive). */
  tokHash = new Int32Array(64)
  tokStart = new Int32Array(64)
  tokEnd = new Int32Array(64)
  /** 64-bit word signature of all runs (one bit per run hash): a template's inner words must all be set. */
  sigLo = 0
  sigHi = 0

  /** Room for the runs and tokens of `chars` characters (at most one of each per two characters, plus one). */
  reserve(chars: number): void {
    const need = (chars >> 1) + 2
    if (need <= this.runHash.length) return
    let size = this.runHash.length
    while (size < need) size *= 2
    this.runHash = new Int32Array(size)
    this.runStart = new Int32Array(size)
    this.runEnd = new Int32Array(size)
    this.tokHash = new Int32Array(size)
    this.tokStart = new Int32Array(size)
    this.tokEnd = new Int32Array(size)
  }
}

/**
 * The token pass: read s[a..b) once, left to right, into `t`'s runs, tokens and signature. Tokens are
 * delimited by the space character only (a tab belongs to its token, as the templates' keys were cut).
 * A run is read by its own tight loop (load, class, multiply); the outer loop handles what ends it.
 */
export function hashTokens(s: string, a: number, b: number, t: Tokens): void {
  t.reserve(b - a)
  const runHash = t.runHash
  const runStart = t.runStart
  const runEnd = t.runEnd
  const tokHash = t.tokHash
  const tokStart = t.tokStart
  const tokEnd = t.tokEnd
  let runs = 0
  let toks = 0
  let lo = 0
  let hi = 0
  let th = FNV_OFFSET
  let ts = -1 // start of the current token (-1: between tokens)
  let i = a
  // i === b acts as a space: it ends the last run and token.
  while (i <= b) {
    let c = i < b ? s.charCodeAt(i) : 32
    if (c >= 128 || WORD_CHAR[c] === 1) {
      const r0 = i
      let wh = FNV_OFFSET
      do {
        wh = Math.imul(wh ^ c, FNV_PRIME)
        c = ++i < b ? s.charCodeAt(i) : 32
      } while (c >= 128 || WORD_CHAR[c] === 1)
      runHash[runs] = wh
      runStart[runs] = r0
      runEnd[runs++] = i
      const k = wh & SMI
      if ((k & 32) === 0) lo |= 1 << (k & 31)
      else hi |= 1 << (k & 31)
      th = Math.imul(th ^ wh, FNV_PRIME)
      if (ts < 0) ts = r0
    }
    // c (at i) is not a word character.
    if (c !== 32) {
      th = Math.imul(th ^ c, FNV_PRIME)
      if (ts < 0) ts = i
    } else if (ts >= 0) {
      tokHash[toks] = th
      tokStart[toks] = ts
      tokEnd[toks++] = i
      ts = -1
      th = FNV_OFFSET
    }
    i++
  }
  t.runs = runs
  t.toks = toks
  t.sigLo = lo
  t.sigHi = hi
}

/** Key text of two word runs one separator apart, from their masked hashes. */
export function pairHash(first: number, separator: number, second: number): number {
  return Math.imul(Math.imul(first ^ separator, FNV_PRIME) ^ second, FNV_PRIME) & SMI
}

/** Fold one token's hash into a running words hash (order matters: `a b` ≠ `b a`). */
export function fold(acc: number, token: number): number {
  return (Math.imul(acc ^ token, FNV_PRIME) + 0x9e3779b9) | 0
}

/** Combine a words hash with two end characters of the message (a composite key). */
export function withEnd(h: number, two: number): number {
  return (h ^ Math.imul(two, 0x27d4eb2d)) & SMI
}

/** Mix a text hash with its key slot (kind and depth), staying a small integer. */
export function mix(h: number, slot: number): number {
  return (h ^ Math.imul(slot, 0x9e3779b1)) & SMI
}

/** The text hash a key of `slot` was mixed from (mix() undone: text hashes are already masked to SMI). */
export function unmix(key: number, slot: number): number {
  return (key ^ Math.imul(slot, 0x9e3779b1)) & SMI
}

/** A key's two bits in its filter word (two bits instead of one: at 100k templates a one-bit filter let ~4% of
 *  absent keys through, each a cache miss in the table). */
export function bloomBits2(key: number): number {
  const h = Math.imul(key, 0x9e3779b1)
  return (1 << (h >>> 27)) | (1 << ((h >>> 22) & 31))
}

/** A word's or pair's screen bit: high bits of its hash (the bit filter is indexed by the low ones). */
export function screenBit(h: number): number {
  return (h >>> 14) & 0xffff
}

/** Set bit k of a bit set. */
export function setBit(bits: Int32Array, k: number): void {
  bits[k >>> 5]! |= 1 << (k & 31)
}

/** Whether bit k of a bit set is set. */
export function hasBit(bits: Int32Array, k: number): boolean {
  return (bits[k >>> 5]! & (1 << (k & 31))) !== 0
}

/** The last two characters of s[0..len) as one number (the first two: `s.charCodeAt(0) | s.charCodeAt(1) << 16`). */
export function lastTwo(s: string, len: number): number {
  return s.charCodeAt(len - 2) | (s.charCodeAt(len - 1) << 16)
}

/** The first two characters of s as one number. */
export function firstTwo(s: string): number {
  return s.charCodeAt(0) | (s.charCodeAt(1) << 16)
}
