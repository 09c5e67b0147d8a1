/**
 * Shapes of unowned lines: a WARN+ message that matched no statement is grouped with its look-alikes by
 * masking what varies between occurrences (Drain3-style masking, one alternation of the masks).
 */
/** Characters a message holds, as bits (see presence()): which masks can match anywhere in it. */
const DIGIT = 1
const DASH = 2
const COLON = 4
const DOT = 8
const AT = 16
const QUOTE = 32
const SLASH = 64

/**
 * Masks in priority order: the first alternative that matches at a position wins. `can` says from the
 * characters a message holds whether the mask can match anywhere in it (a necessary condition only).
 */
export const MASKS: Array<{ name: string; re: string; can: (p: number) => boolean }> = [
  { name: 'UUID', re: String.raw`\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b`, can: (p) => (p & DASH) !== 0 },
  { name: 'EMAIL', re: String.raw`\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b`, can: (p) => (p & AT) !== 0 },
  { name: 'URL', re: String.raw`\b[a-z][a-z0-9+.-]*://[^\s"'<>]+`, can: (p) => (p & (COLON | SLASH)) === (COLON | SLASH) },
  { name: 'TIME', re: String.raw`\b\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?)?\b|\b\d\d:\d\d:\d\d(?:[.,]\d+)?\b`,
    can: (p) => (p & DIGIT) !== 0 && (p & (DASH | COLON)) !== 0 },
  { name: 'IP', re: String.raw`\b(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}\b|(?<![\w:])(?:[0-9a-fA-F]{1,4}:){1,6}:(?:[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{1,4})*)?(?![\w:])|(?<![\w:])::(?:[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{1,4})*)?(?![\w:])|\b(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?\b`,
    can: (p) => (p & COLON) !== 0 || (p & (DIGIT | DOT)) === (DIGIT | DOT) },
  { name: 'HEX', re: String.raw`\b0x[0-9a-fA-F]+\b|\b(?=[0-9a-fA-F]*\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{8,}\b`, can: (p) => (p & DIGIT) !== 0 },
  { name: 'STR', re: String.raw`"(?:[^"\\\n]|\\.){0,500}"|'(?:[^'\\\n]|\\.){0,500}'`, can: (p) => (p & QUOTE) !== 0 },
  { name: 'PATH', re: String.raw`(?<![\w.])(?:/[\w.@%+-]+){2,}/?`, can: (p) => (p & SLASH) !== 0 },
  // A sign after `_` is the number's too: HDFS prints `blk_-6952295868487656571` and `blk_38865049064139660` alike.
  { name: 'NUM', re: String.raw`(?:(?<![\w.])|(?<=_)(?=-))[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w.]*\d)`, can: (p) => (p & DIGIT) !== 0 },
]

/** The characters of `s` that some mask needs, as bits. */
function presence(s: string): number {
  let p = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 48 && c <= 57) p |= DIGIT
    else if (c === 45) p |= DASH
    else if (c === 58) p |= COLON
    else if (c === 46) p |= DOT
    else if (c === 64) p |= AT
    else if (c === 34 || c === 39) p |= QUOTE
    else if (c === 47) p |= SLASH
  }
  return p
}

/**
 * One alternation of the masks that can match a message (plain numbered groups, one per mask: the group
 * that took part names the token). Leaving out a mask that cannot match anywhere changes no match: at every
 * position the same alternative wins. Most unowned messages hold only letters, spaces and numbers: two
 * masks instead of nine, each tried at every position of the message.
 */
interface Masker {
  re: RegExp
  replace: (m: string, ...groups: string[]) => string
}
/** By presence bits (see presence()): built on first use. */
const MASKERS: Array<Masker | null | undefined> = new Array(1 << 7)

function maskerFor(p: number): Masker | null {
  let m = MASKERS[p]
  if (m !== undefined) return m
  const used = MASKS.filter((x) => x.can(p))
  m = used.length === 0 ? null : { re: new RegExp(used.map((x) => `(${x.re})`).join('|'), 'g'), replace: replacer(used.map((x) => `<${x.name}>`)) }
  MASKERS[p] = m
  return m
}

/**
 * Replacer for a Masker's regex: the token of the group that took part. Exactly one group does, so the
 * arguments after the groups (offset, string) are never reached. Fixed parameters: a rest parameter would
 * build an array per match.
 */
function replacer(t: string[]): (m: string, ...groups: string[]) => string {
  return (m: string, g0?: string, g1?: string, g2?: string, g3?: string, g4?: string, g5?: string, g6?: string, g7?: string, g8?: string): string => {
    if (g0 !== undefined) return t[0]!
    if (g1 !== undefined) return t[1]!
    if (g2 !== undefined) return t[2]!
    if (g3 !== undefined) return t[3]!
    if (g4 !== undefined) return t[4]!
    if (g5 !== undefined) return t[5]!
    if (g6 !== undefined) return t[6]!
    if (g7 !== undefined) return t[7]!
    if (g8 !== undefined) return t[8]!
    return m
  }
}

const DIGITS_IN_WORD = /\d+/g

/** Longest message part we shape; the rest of a huge line adds nothing to its identity. */
const MAX_SHAPE_INPUT = 2000

/**
 * The masked shape of a message and a short stable hash of it: numbers → `<NUM>`, hex ids → `<HEX>`,
 * UUIDs → `<UUID>`, IPv4/IPv6 (with port) → `<IP>`, emails → `<EMAIL>`, URLs → `<URL>`, dates/times →
 * `<TIME>`, quoted strings → `<STR>`, absolute paths → `<PATH>`; digits left inside words (`user42`,
 * `db-7`) → `<NUM>` too. Only the first 2,000 characters are shaped.
 */
export function shapeOf(message: string): { shape: string; hash: string } {
  const input = message.length > MAX_SHAPE_INPUT ? message.slice(0, MAX_SHAPE_INPUT) : message
  let shape = input.trim()
  // No mask can match a message without digits or the characters the others need: nothing to replace.
  const p = presence(shape)
  const masker = maskerFor(p)
  if (masker !== null) shape = shape.replace(masker.re, masker.replace)
  // Each pass only when it can change something: a regex pass over the whole shape costs more than the scan.
  if ((p & DIGIT) !== 0 && hasDigit(shape)) shape = shape.replace(DIGITS_IN_WORD, '<NUM>')
  if (mayFoldSpace(shape)) shape = shape.replace(SPACES, ' ')
  return { shape, hash: shapeHash(shape) }
}

const SPACES = /\s+/g

function hasDigit(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 48 && c <= 57) return true
  }
  return false
}

/** False only when `\s+` → ' ' cannot change `s`: every whitespace run is one ASCII space (anything else may be `\s`). */
function mayFoldSpace(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 32 || c >= 0x80 || (c === 32 && s.charCodeAt(i + 1) === 32)) return true
  }
  return false
}

/**
 * 12 hex digits (48 bits) identifying a shape: two FNV-1a passes with different bases and primes in one
 * loop. A crypto hash per unowned line was ~1 µs of the hot path; shapes only need to stay apart within one
 * catalog's unowned lines (48 bits: a collision among 200k shapes has odds of ~1 in 14,000).
 */
export function shapeHash(shape: string): string {
  let a = 0x811c9dc5
  let b = 0x050c5d1f
  for (let i = 0; i < shape.length; i++) {
    const c = shape.charCodeAt(i)
    a = Math.imul(a ^ c, 0x01000193)
    b = Math.imul(b ^ c, 0x5bd1e995)
  }
  // Finalise b (murmur3 fmix32) so its top bits depend on every character too.
  b ^= b >>> 16
  b = Math.imul(b, 0x85ebca6b)
  b ^= b >>> 13
  b = Math.imul(b, 0xc2b2ae35)
  b ^= b >>> 16
  // Byte by byte from a table: Number#toString(16) and padStart cost ~0.4 µs, most of the hash's time.
  return HEX2[a >>> 24]! + HEX2[(a >>> 16) & 255]! + HEX2[(a >>> 8) & 255]! + HEX2[a & 255]! + HEX2[b >>> 24]! + HEX2[(b >>> 16) & 255]!
}

const HEX2: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))
