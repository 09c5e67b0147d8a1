/**
 * The keys a template can be filed under, hashed exactly as a line's lookup hashes the same text (hash.ts).
 * A key is a text hash mixed with its slot: which part of a message it hashes.
 */
import type { Compiled } from './compile.js'
import { firstTwo, FNV_OFFSET, fold, hashRange, hashTokens, lastTwo, mix, pairHash, SMI, Tokens, withEnd } from './hash.js'

/** Key slots, mixed into the key so kinds never collide. */
export const SLOT_PREFIX_WORDS = 0 // + depth 1..4
export const SLOT_SUFFIX_WORDS = 10 // + depth 1..4
export const SLOT_WORD = 20
export const SLOT_PAIR = 21
export const SLOT_PREFIX_CHARS = 30 // + length 1..4
export const SLOT_SUFFIX_CHARS = 40 // + length 1..4
export const SLOT_PREFIX_WORDS_TAIL = 50 // + depth: first words together with the message's last two characters
export const SLOT_SUFFIX_WORDS_HEAD = 60 // + depth: last words together with the message's first two characters
/** Prefix/suffix keys use up to this many whole words… */
export const WORD_DEPTH = 4
/** …and up to this many literal characters. */
export const AFFIX = 4
/** Number of slot values (the size of per-slot tables). */
export const SLOTS = SLOT_SUFFIX_WORDS_HEAD + WORD_DEPTH + 1

const SLOT_NAMES: Record<number, string> = { 0: 'first words', 10: 'last words', 20: 'word', 21: 'word pair', 30: 'first characters', 40: 'last characters', 50: 'first words + last 2 characters', 60: 'last words + first 2 characters' }

/**
 * The keys one template offers, in order (see enumerateKeys): `option` keys may file it, the others are what
 * lines probe. Parallel arrays reused from template to template: building a 100k catalog enumerates millions
 * of keys, and a callback per key (several callers, so a megamorphic call) was most of the build's time.
 */
export class KeyList {
  n = 0
  slot = new Int32Array(64)
  key = new Int32Array(64)
  option = new Uint8Array(64)
  /** The literal and the range of it the key hashes (for explain). */
  lit = new Int32Array(64)
  a = new Int32Array(64)
  b = new Int32Array(64)

  /** Append one key. */
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

/** Scratch token pass for enumerateKeys (the build is synchronous: one template at a time). */
const TOKENS = new Tokens()

/**
 * Every key a template offers, hashed as the line side hashes them: its first 1–4 whole words (text up to the
 * end of word d, spaces included; an option only at the deepest d, a probe at every d), its last 1–4 whole
 * words (folded last first), each inner whole word and pair of adjacent whole words (one separator apart),
 * and its first/last 1–4 literal characters. A word is whole when spaces or the template's ends bound it,
 * never a placeholder. Also sets the template's inner-word signature (sigLo/sigHi).
 */
export function enumerateKeys(c: Compiled, out: KeyList): KeyList {
  out.n = 0
  const t = TOKENS
  const lits = c.lits
  const n = lits.length
  const only = n === 1
  const first = lits[0]!
  const last = lits[n - 1]!
  const tail = last.length >= 2 ? lastTwo(last, last.length) : -1
  const head = first.length >= 2 ? firstTwo(first) : -1
  // Leading whole words: tokens of the first literal that a space ends (or the template's end, for a
  // literal-only template).
  hashTokens(first, 0, first.length, t)
  {
    let ph = FNV_OFFSET
    let d = 0
    let end = 0
    for (let k = 0; k < t.toks && d < WORD_DEPTH; k++) {
      if (t.tokEnd[k] === first.length && !only) break
      d++
      end = t.tokEnd[k]!
      ph = fold(ph, t.tokHash[k]!)
      out.push(SLOT_PREFIX_WORDS + d, mix(ph & SMI, SLOT_PREFIX_WORDS + d), false, 0, 0, end)
      if (tail !== -1) out.push(SLOT_PREFIX_WORDS_TAIL + d, mix(withEnd(ph, tail), SLOT_PREFIX_WORDS_TAIL + d), false, 0, 0, end)
    }
    if (d > 0) {
      out.push(SLOT_PREFIX_WORDS + d, mix(ph & SMI, SLOT_PREFIX_WORDS + d), true, 0, 0, end)
      if (tail !== -1) out.push(SLOT_PREFIX_WORDS_TAIL + d, mix(withEnd(ph, tail), SLOT_PREFIX_WORDS_TAIL + d), true, 0, 0, end)
    }
  }
  // Trailing whole words: tokens of the last literal that a space starts (or the template's start, for a
  // literal-only template), folded last token first.
  if (n > 1) hashTokens(last, 0, last.length, t)
  let held = n - 1 // the literal `t` holds the runs of
  {
    let sh = FNV_OFFSET
    let d = 0
    let start = last.length
    for (let k = t.toks - 1; k >= 0 && d < WORD_DEPTH; k--) {
      if (t.tokStart[k] === 0 && !only) break
      d++
      start = t.tokStart[k]!
      sh = fold(sh, t.tokHash[k]!)
      out.push(SLOT_SUFFIX_WORDS + d, mix(sh & SMI, SLOT_SUFFIX_WORDS + d), false, n - 1, start, last.length)
      if (head !== -1) out.push(SLOT_SUFFIX_WORDS_HEAD + d, mix(withEnd(sh, head), SLOT_SUFFIX_WORDS_HEAD + d), false, n - 1, start, last.length)
    }
    if (d > 0) {
      out.push(SLOT_SUFFIX_WORDS + d, mix(sh & SMI, SLOT_SUFFIX_WORDS + d), true, n - 1, start, last.length)
      if (head !== -1) out.push(SLOT_SUFFIX_WORDS_HEAD + d, mix(withEnd(sh, head), SLOT_SUFFIX_WORDS_HEAD + d), true, n - 1, start, last.length)
    }
  }
  // Inner words (runs bounded by literal text or the template's ends, never by a placeholder) and pairs of
  // such runs one separator apart.
  for (let li = 0; li < n; li++) {
    const lit = lits[li]!
    if (li !== held) hashTokens(lit, 0, lit.length, t), (held = li)
    let prevA = -1
    let prevB = -2
    let prevW = 0
    for (let r = 0; r < t.runs; r++) {
      const a = t.runStart[r]!
      const b = t.runEnd[r]!
      if ((a > 0 || li === 0) && (b < lit.length || li === n - 1)) {
        const w = t.runHash[r]! & SMI
        if ((w & 32) === 0) c.sigLo |= 1 << (w & 31)
        else c.sigHi |= 1 << (w & 31)
        const k = mix(w, SLOT_WORD)
        out.push(SLOT_WORD, k, true, li, a, b)
        out.push(SLOT_WORD, k, false, li, a, b)
        if (prevB === a - 1) {
          const kp = mix(pairHash(prevW, lit.charCodeAt(prevB), w), SLOT_PAIR)
          out.push(SLOT_PAIR, kp, true, li, prevA, b)
          out.push(SLOT_PAIR, kp, false, li, prevA, b)
        }
        prevA = a
        prevB = b
        prevW = w
      } else prevB = -2
    }
  }
  // Literal characters at either end.
  if (first.length > 0) {
    const m = Math.min(AFFIX, first.length)
    for (let k = 1; k <= m; k++) out.push(SLOT_PREFIX_CHARS + k, mix(hashRange(first, 0, k), SLOT_PREFIX_CHARS + k), false, 0, 0, k)
    out.push(SLOT_PREFIX_CHARS + m, mix(hashRange(first, 0, m), SLOT_PREFIX_CHARS + m), true, 0, 0, m)
  }
  if (last.length > 0) {
    const L = last.length
    const m = Math.min(AFFIX, L)
    for (let k = 1; k <= m; k++) out.push(SLOT_SUFFIX_CHARS + k, mix(hashRange(last, L - k, L), SLOT_SUFFIX_CHARS + k), false, n - 1, L - k, L)
    out.push(SLOT_SUFFIX_CHARS + m, mix(hashRange(last, L - m, L), SLOT_SUFFIX_CHARS + m), true, n - 1, L - m, L)
  }
  return out
}

/** The key a template is filed under, in words (`first words "tunnel"`), for explain. */
export function describeKey(c: Compiled): string {
  if (c.keySlot < 0) return `scan ${JSON.stringify(c.needle)}`
  const text = c.lits[c.keyLit]!.slice(c.keyA, c.keyB)
  return `${SLOT_NAMES[c.keySlot] ?? SLOT_NAMES[c.keySlot - (c.keySlot % 10)]} ${JSON.stringify(text)}`
}
