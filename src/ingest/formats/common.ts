/** Helpers shared by the line formats: bounded lines, times, caller locations, entry construction. */
import type { Level, LogEntry } from '../../core/types.js'
import type { Clock } from '../../core/clock.js'

/** What every format parser is built with: the line cap and a clock (for year-less timestamps). */
export interface ParseOptions {
  maxLineBytes: number
  clock: Clock
}

/** A fresh entry with every optional field empty; formats fill in what their line carries. */
export function entry(n: number, raw: string, message: string, level: Level | null = null): LogEntry {
  return { n, raw, message, level, time: null, host: null, file: null, line: null, logger: null }
}

/**
 * Cut `line` to at most `maxBytes` UTF-8 bytes (on a character boundary). Returns the line itself when it
 * fits. Cheap for the common case: a string of n UTF-16 units is at most 3n bytes, so only lines longer
 * than maxBytes/3 are measured, and only those longer than maxBytes are cut.
 */
export function truncateLine(line: string, maxBytes: number): { text: string; truncated: boolean } {
  if (line.length * 3 <= maxBytes) return { text: line, truncated: false }
  if (line.length <= maxBytes && Buffer.byteLength(line, 'utf8') <= maxBytes) return { text: line, truncated: false }
  // Never measure the whole of a huge line: maxBytes characters are at least maxBytes bytes.
  const head = line.length > maxBytes ? line.slice(0, maxBytes) : line
  const buf = Buffer.from(head, 'utf8')
  if (buf.length <= maxBytes) return { text: head, truncated: true }
  let text = buf.subarray(0, maxBytes).toString('utf8')
  // A multi-byte character cut in half decodes as U+FFFD at the end: drop it.
  if (text.endsWith('\uFFFD') && !head.startsWith(text)) text = text.slice(0, -1)
  return { text, truncated: true }
}

const MONTHS: Record<string, number> = { jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11 }

/** Month index (0-based) of an English month abbreviation, or -1. */
export function monthIndex(name: string): number {
  // `Nov` as syslog prints it: a lookup by its three character codes, no string hashed per line.
  if (name.length === 3) {
    const a = name.charCodeAt(0)
    const b = name.charCodeAt(1)
    const c = name.charCodeAt(2)
    if ((a | b | c) < 128) {
      const hit = MONTHS_TITLE.get((a << 16) | (b << 8) | c)
      if (hit !== undefined) return hit
    }
  }
  return MONTHS_EXACT[name] ?? MONTHS[name.slice(0, 3).toLowerCase()] ?? -1
}

/** Month index of the title-case ASCII abbreviation at `line[i..i+3)` (`Nov`), or -1: monthIndex without a substring. */
export function monthAt(line: string, i: number): number {
  return MONTHS_TITLE.get((line.charCodeAt(i) << 16) | (line.charCodeAt(i + 1) << 8) | line.charCodeAt(i + 2)) ?? -1
}

const MONTHS_EXACT: Record<string, number> = Object.fromEntries(Object.entries(MONTHS).map(([k, v]) => [k[0]!.toUpperCase() + k.slice(1), v]))
const MONTHS_TITLE = new Map(Object.entries(MONTHS_EXACT).map(([k, v]) => [(k.charCodeAt(0) << 16) | (k.charCodeAt(1) << 8) | k.charCodeAt(2), v]))

const ISO = /^(\d{4})[-/](\d\d)[-/](\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d\d(?::?\d\d)?)?$/i

/**
 * Parse a time as logs print it: ISO-8601 (with `,` or `.` fractions, `T` or space), `2026/11/25 10:00:01`,
 * or an epoch number in seconds, milliseconds, microseconds or nanoseconds (guessed from its size).
 * A time without a zone is taken as UTC, so results never depend on the machine's time zone.
 */
export function parseTime(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? epochToMs(value) : null
  if (typeof value !== 'string') return null
  const s = value.trim()
  if (s === '') return null
  const fast = fastIso(s)
  if (fast !== null) return fast
  if (/^\d+(\.\d+)?$/.test(s)) return epochToMs(Number(s))
  const m = ISO.exec(s)
  if (m) {
    const frac = m[7] ? Number(`0.${m[7]}`) * 1000 : 0
    let t = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0)) + Math.floor(frac)
    const z = m[8]
    if (z && z.toUpperCase() !== 'Z') {
      const sign = z[0] === '-' ? -1 : 1
      const digits = z.slice(1).replace(':', '')
      t -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || 0)) * 60_000
    }
    return Number.isNaN(t) ? null : t
  }
  if (s.length > 64) return null
  const t = Date.parse(s)
  return Number.isNaN(t) ? null : t
}

/** True for the characters JavaScript's `\s` matches (so hand-written scanners agree with the regexes). */
export function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || (c >= 0xa0 && (c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 ||
    c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff))
}

function digits(s: string, i: number, n: number): number {
  let v = 0
  for (let k = i; k < i + n; k++) {
    const c = s.charCodeAt(k) - 48
    if (c < 0 || c > 9) return -1
    v = v * 10 + c
  }
  return v
}

/**
 * The usual `YYYY-MM-DD[T ]HH:MM:SS[.,fraction][Z]` without a regex (the hot case: one per line);
 * null for anything else (offsets, other layouts), which the general path handles.
 */
function fastIso(s: string): number | null {
  const n = s.length
  if (n < 19 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return null
  const sep = s.charCodeAt(10)
  if (sep !== 84 && sep !== 32) return null
  const y = digits(s, 0, 4), mo = digits(s, 5, 2), d = digits(s, 8, 2), h = digits(s, 11, 2), mi = digits(s, 14, 2), se = digits(s, 17, 2)
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || se < 0) return null
  let i = 19
  let ms = 0
  const dot = s.charCodeAt(19)
  if (dot === 46 || dot === 44) {
    let scale = 100
    i = 20
    while (i < n) {
      const c = s.charCodeAt(i) - 48
      if (c < 0 || c > 9) break
      if (scale >= 1) ms += c * scale
      scale /= 10
      i++
    }
    if (i === 20) return null
  }
  if (i < n && !(i === n - 1 && (s.charCodeAt(i) === 90 || s.charCodeAt(i) === 122))) return null
  // Date.UTC once per day seen (a stream's lines share their day); linear in the time of day, as yearlessTime.
  const key = y * 10000 + mo * 100 + d
  if (key !== isoDay.key) isoDay = { key, start: Date.UTC(y, mo - 1, d) }
  const t = isoDay.start + ((h * 60 + mi) * 60 + se) * 1000 + Math.floor(ms)
  return Number.isNaN(t) ? null : t
}

let isoDay = { key: -1, start: 0 }

function epochToMs(v: number): number | null {
  if (v <= 0) return null
  if (v >= 1e17) return Math.floor(v / 1e6) // nanoseconds
  if (v >= 1e14) return Math.floor(v / 1e3) // microseconds
  if (v >= 1e11) return Math.floor(v) // milliseconds
  return Math.floor(v * 1000) // seconds
}

let yearCache = { year: 0, start: 0, end: 0 }
let dayCache = { key: -1, start: 0 }

/**
 * A time without a year (`Nov 25 10:00:01`, glog's `1125 10:00:01`): the year is the clock's, or the year
 * before when that would put the line more than a day in the future (a December line read in January).
 */
export function yearlessTime(month: number, day: number, hh: number, mm: number, ss: number, ms: number, clock: Clock): number | null {
  if (month < 0 || month > 11 || day < 1 || day > 31) return null
  const now = clock()
  // The clock's year, computed once per year rather than once per line.
  if (now < yearCache.start || now >= yearCache.end) {
    const y = new Date(now).getUTCFullYear()
    yearCache = { year: y, start: Date.UTC(y, 0, 1), end: Date.UTC(y + 1, 0, 1) }
  }
  const year = yearCache.year
  // Date.UTC is linear in hours, minutes, seconds and ms (out-of-range values roll over the same way), so
  // the day's start is computed once per day seen rather than once per line.
  const dayKey = (year * 12 + month) * 32 + day
  if (dayKey !== dayCache.key) dayCache = { key: dayKey, start: Date.UTC(year, month, day) }
  let t = dayCache.start + hh * 3_600_000 + mm * 60_000 + ss * 1000 + ms
  if (t - now > 86_400_000) t = Date.UTC(year - 1, month, day, hh, mm, ss, ms)
  return Number.isNaN(t) ? null : t
}

const SOURCE_EXT = 'go|py|java|kt|kts|scala|groovy|c|cc|cpp|cxx|h|hh|hpp|hxx|m|mm|js|mjs|cjs|jsx|ts|tsx|rb|php|cs|rs|swift|ex|exs|erl|lua|pl|pm|sh'
const CALLER = new RegExp(`^([\\w.@/\\\\-]*\\.(?:${SOURCE_EXT})):(\\d{1,7})$`)
const CALLER_PREFIX = new RegExp(`^[\\[(]?([\\w.@/\\\\-]*\\.(?:${SOURCE_EXT})):(\\d{1,7})(?::\\d{1,5})?[\\])]?(?::\\s|\\s+-\\s|\\s+)`)

/** `pkg/file.go:42` → { file, line }; null when the text is not a source location. */
export function parseCaller(text: unknown): { file: string; line: number } | null {
  if (typeof text !== 'string' || text.length > 512) return null
  const m = CALLER.exec(text.trim())
  return m ? { file: m[1]!, line: Number(m[2]) } : null
}

/**
 * A source location printed at the start of a message (`main.go:42: msg`, `[db.py:17] msg`): moved from
 * the message into the entry's file/line, so matching sees the message as the code wrote it.
 */
export function takeCallerPrefix(e: LogEntry): void {
  if (e.file !== null) return
  const c = e.message.charCodeAt(0)
  // Cheap guard: a location starts with a word character, a path character or a bracket.
  if (!(c === 91 || c === 40 || c === 46 || c === 47 || (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95)) return
  // and its first token holds a `.ext:` — most messages fail this without running the regex. The location
  // has no space before its colon: the scan stops at the first word's end, not at the message's.
  const msg = e.message
  const end = Math.min(msg.length, 301)
  let colon = 1
  for (let c1 = msg.charCodeAt(1); colon < end && c1 !== 58; c1 = msg.charCodeAt(++colon)) if (c1 <= 32) return
  if (colon < 2 || colon === end || msg.lastIndexOf('.', colon) < 0) return
  const c1 = msg.charCodeAt(colon + 1)
  if (c1 < 48 || c1 > 57) return
  const m = CALLER_PREFIX.exec(msg.length > 600 ? msg.slice(0, 600) : msg)
  if (!m) return
  e.file = m[1]!
  e.line = Number(m[2])
  e.message = e.message.slice(m[0].length)
}
