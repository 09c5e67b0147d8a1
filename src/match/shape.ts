/**
 * Shapes of unowned lines: a WARN+ message that matched no statement is grouped with its look-alikes by
 * masking what varies between occurrences (Drain3-style masking, one combined regex built once).
 */
import { createHash } from 'node:crypto'

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

const COMBINED = new RegExp(MASKS.map(([name, re]) => `(?<${name}>${re})`).join('|'), 'g')
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
  let shape = input.trim().replace(COMBINED, (...args) => {
    const groups = args[args.length - 1] as Record<string, string | undefined>
    for (const [name] of MASKS) if (groups[name] !== undefined) return `<${name}>`
    return args[0] as string
  })
  shape = shape.replace(DIGITS_IN_WORD, '<NUM>').replace(/\s+/g, ' ')
  return { shape, hash: createHash('sha1').update(shape).digest('hex').slice(0, 12) }
}
