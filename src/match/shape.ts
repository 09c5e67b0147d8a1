/**
 * Shapes of unowned lines: a WARN+ message that matched no statement is grouped with its look-alikes by
 * masking what varies between occurrences (Drain3-style masking, one combined regex built once).
 */
/** Masks in priority order: the first alternative that matches at a position wins. */
const MASKS: Array<[string, string]> = [
  ['UUID', String.raw`\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b`],
  ['EMAIL', String.raw`\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b`],
  ['URL', String.raw`\b[a-z][a-z0-9+.-]*://[^\s"'<>]+`],
  ['TIME', String.raw`\b\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?)?\b|\b\d\d:\d\d:\d\d(?:[.,]\d+)?\b`],
  ['IP', String.raw`\b(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}\b|(?<![\w:])(?:[0-9a-fA-F]{1,4}:){1,6}:(?:[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{1,4})*)?(?![\w:])|(?<![\w:])::(?:[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{1,4})*)?(?![\w:])|\b(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?\b`],
  ['HEX', String.raw`\b0x[0-9a-fA-F]+\b|\b(?=[0-9a-fA-F]*\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{8,}\b`],
  ['STR', String.raw`"(?:[^"\\\n]|\\.){0,500}"|'(?:[^'\\\n]|\\.){0,500}'`],
  ['PATH', String.raw`(?<![\w.])(?:/[\w.@%+-]+){2,}/?`],
  ['NUM', String.raw`(?<![\w.])[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w.]*\d)`],
]

// Plain (numbered) groups, one per mask: the replacer reads the argument of the group that matched rather
// than a named-groups object V8 would build for every match. The mask patterns have no groups of their own.
const COMBINED = new RegExp(MASKS.map(([, re]) => `(${re})`).join('|'), 'g')
const TOKENS = MASKS.map(([name]) => `<${name}>`)
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
  let shape = input.trim().replace(COMBINED, maskToken)
  // Each pass only when it can change something: a regex pass over the whole shape costs more than the scan.
  if (hasDigit(shape)) shape = shape.replace(DIGITS_IN_WORD, '<NUM>')
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

/** Replacer for COMBINED: the token of the first group that took part (groups are numbered as in MASKS). */
function maskToken(m: string, g0?: string, g1?: string, g2?: string, g3?: string, g4?: string, g5?: string, g6?: string, g7?: string, g8?: string): string {
  if (g0 !== undefined) return TOKENS[0]!
  if (g1 !== undefined) return TOKENS[1]!
  if (g2 !== undefined) return TOKENS[2]!
  if (g3 !== undefined) return TOKENS[3]!
  if (g4 !== undefined) return TOKENS[4]!
  if (g5 !== undefined) return TOKENS[5]!
  if (g6 !== undefined) return TOKENS[6]!
  if (g7 !== undefined) return TOKENS[7]!
  if (g8 !== undefined) return TOKENS[8]!
  return m
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
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 16).toString(16).padStart(4, '0')
}
