/**
 * Log line formats: `createParser(format, config)` turns a `--format` value into a LineParser.
 * Parsers are pure and never throw per line; a line the chosen format cannot read yields null.
 */
import type { Config } from '../../config/schema.js'
import { perTurn, systemClock, type Clock } from '../../core/clock.js'
import { UsageError } from '../../core/errors.js'
import { normalizeLevel } from '../../core/levels.js'
import type { LogEntry } from '../../core/types.js'
import { entry, parseCaller, parseTime, takeCallerPrefix, truncateLine, type ParseOptions } from './common.js'
import { criRecord } from './container.js'
import { parseJsonLine } from './json.js'
import { parseLogfmtLine } from './logfmt.js'
import { parseDmesgLine } from './kernel.js'
import { parseSyslogLine } from './syslog.js'
import { looksLikeSyslogFile, parseTextLayout } from './text.js'

/** Parse one raw line (1-based number `n`). Null: malformed for this format (the caller counts and skips it). */
export type LineParser = (line: string, n: number) => LogEntry | null

/** The built-in format names; anything else must be a preset from `formats` or `regex:PATTERN`. */
export const BUILTIN_FORMATS = ['auto', 'json', 'logfmt', 'syslog'] as const

const REGEX_GROUPS = ['message', 'time', 'level', 'host', 'file', 'line', 'logger'] as const

/**
 * Build the parser for `format`: `auto` (default), `json`, `logfmt`, `syslog`, a preset name from
 * `config.formats` (name → `regex:…` or a built-in name), or `regex:PATTERN`. Throws UsageError (naming
 * --format) for an unknown name, an invalid regex, or a regex without a `message` group.
 * Every line longer than `config.match.maxLineBytes` is cut to that size first (`entry.truncated`).
 */
export function createParser(format: string, config: Config, o: { clock?: Clock } = {}): LineParser {
  const opts: ParseOptions = { maxLineBytes: config.match.maxLineBytes, clock: perTurn(o.clock ?? systemClock) }
  const inner = baseParser(resolveFormat(format, config), opts)
  const max = opts.maxLineBytes
  // The usual line is far below the cap (3 bytes per UTF-16 unit at most): no result object per line.
  const short = max / 3
  return (line, n) => {
    if (line.length <= short) {
      try {
        return inner(clean(line), n)
      } catch {
        return null
      }
    }
    const t = truncateLine(line, max)
    try {
      const e = inner(clean(t.text), n)
      if (e && t.truncated) e.truncated = true
      return e
    } catch {
      // A parser bug must not stop a stream: the line counts as malformed.
      return null
    }
  }
}

// SGR colour codes and other CSI sequences (`\x1b[31m`, `\x1b[0m`, `\x1b[2K`) that coloured consoles print.
const ANSI = /\x1b\[[0-9;?]*[ -\/]*[@-~]/g

/**
 * Strip what is not the log's text before any parsing: a UTF-8 byte order mark leading a file's first line
 * (Windows writers) and ANSI colour codes (`docker logs` / `kubectl logs` of a coloured console). Two
 * character tests for the usual line; the regex runs only on a line holding an ESC.
 */
export function clean(line: string): string {
  let s = line.charCodeAt(0) === 0xfeff ? line.slice(1) : line
  if (s.indexOf('\x1b') >= 0) s = s.replace(ANSI, '')
  return s
}

/** Follow preset names (`formats: { nginx: 'regex:…', app: json }`) to a built-in name or `regex:…`. */
export function resolveFormat(format: string, config: Config): string {
  let f = format.trim() === '' ? 'auto' : format
  const seen = new Set<string>()
  for (;;) {
    if (f.startsWith('regex:') || (BUILTIN_FORMATS as readonly string[]).includes(f)) return f
    const preset = config.formats[f]
    if (preset === undefined) {
      const names = Object.keys(config.formats)
      throw new UsageError(`--format: unknown format ${JSON.stringify(f)}; expected auto, json, logfmt, syslog, regex:PATTERN` +
        (names.length ? ` or a preset from formats (${names.join(', ')})` : ' or a preset name from formats in the configuration'))
    }
    if (seen.has(f)) throw new UsageError(`--format: preset ${JSON.stringify(format)} refers to itself (formats.${f})`)
    seen.add(f)
    f = preset
  }
}

/** True when continuation lines (stack traces) should be folded for this format: not for structured ones. */
export function formatFoldsContinuations(format: string, config: Config): boolean {
  const f = resolveFormat(format, config)
  return f === 'auto' || f.startsWith('regex:')
}

function baseParser(f: string, o: ParseOptions): LineParser {
  switch (f) {
    case 'auto':
      return autoParser(o.clock)
    case 'json':
      return (line, n) => parseJsonLine(line, n, (s) => (s.charCodeAt(0) === 123 ? parseJsonLine(s, n) : null) ?? parseTextLayout(s, n, o.clock))
    case 'logfmt':
      return parseLogfmtLine
    case 'syslog':
      return (line, n) => parseSyslogLine(line, n, o.clock, (s) => parseTextLayout(s, n, o.clock))
    default:
      return regexParser(f.slice('regex:'.length))
  }
}

/**
 * `auto`: decide per line from its first characters. A CRI container record (`<RFC 3339 time> stdout|stderr F|P
 * text`) → its text, read the same way; `{` → JSON; `<digits>` → syslog; `key=value` with
 * `msg=`/`level=` → logfmt; a known text layout; else the whole line is the message with level null.
 * Never returns null.
 */
export function parseAuto(line: string, n: number, clock: Clock): LogEntry {
  const c0 = line.charCodeAt(0)
  // A Kubernetes (CRI) container log record: the container's own line inside, read like any other.
  const r = criRecord(line)
  if (r !== null) {
    const e = parseAuto(r.text, n, clock)
    e.raw = line
    e.time ??= r.time
    return e
  }
  if (c0 === 123 /* { */) {
    // A Docker record's `log` holds the container's own line, in whatever layout it has (JSON included).
    const e = parseJsonLine(line, n, (s) => parseAuto(s, n, clock))
    if (e) return e
  } else if (c0 === 60 /* < */) {
    const c1 = line.charCodeAt(1)
    if (c1 >= 48 && c1 <= 57) {
      const e = parseSyslogLine(line, n, clock, (s) => parseTextLayout(s, n, clock))
      if (e) return e
    }
  } else if (c0 === 91 /* [ */ || (c0 >= 97 && c0 <= 122)) {
    // dmesg: `[   12.345678] …`, `[Thu Nov 26 …] …`, `kern  :err   : …` (before the bracket layouts read
    // the stamp as a host).
    const e = parseDmesgLine(line, n)
    if (e) return e
  }
  if (looksLikeLogfmt(line)) {
    const e = parseLogfmtLine(line, n)
    if (e) return e
  }
  const t = parseTextLayout(line, n, clock)
  if (t) return t
  if (c0 >= 65 && c0 <= 90 && looksLikeSyslogFile(line)) {
    const e = parseSyslogLine(line, n, clock, (s) => parseTextLayout(s, n, clock))
    if (e) return e
  }
  const e = entry(n, line, line)
  takeCallerPrefix(e)
  return e
}

/**
 * `auto` for one stream: the layout that read the previous line is tried first. Only the syslog-file
 * layout (`Mar  2 10:00:00 host app[1]: …`, whose detection runs the text layouts' regexes first) is
 * worth remembering, and it is taken early only when the full detection would reach it anyway: the line
 * starts with that layout's timestamp, so neither JSON, `<PRI>` nor a text layout can read it, and it does
 * not look like logfmt. Any other line goes through parseAuto and resets the memo.
 */
function autoParser(clock: Clock): LineParser {
  let syslogFile = false
  let n0 = 0
  // One callback for the syslog parser's level lookup, reading the current line number (no closure per line).
  const text = (s: string) => parseTextLayout(s, n0, clock)
  return (line, n) => {
    if (syslogFile) {
      const c0 = line.charCodeAt(0)
      if (c0 >= 65 && c0 <= 90 && looksLikeSyslogFile(line) && !looksLikeLogfmt(line)) {
        n0 = n
        const e = parseSyslogLine(line, n, clock, text)
        if (e) return e
      }
    }
    const c0 = line.charCodeAt(0)
    syslogFile = c0 >= 65 && c0 <= 90 && looksLikeSyslogFile(line)
    return parseAuto(line, n, clock)
  }
}

function looksLikeLogfmt(line: string): boolean {
  if (line.indexOf('=') < 0) return false
  return /^(?:level|lvl|time|ts|t|msg)=/.test(line) || line.includes(' msg=') || (line.includes(' level=') && line.includes(' msg'))
}

function regexParser(pattern: string): LineParser {
  let re: RegExp
  try {
    re = new RegExp(pattern, 's')
  } catch (e) {
    throw new UsageError(`--format: invalid regular expression in regex:${pattern}: ${(e as Error).message}`)
  }
  const groups = namedGroups(pattern)
  if (!groups.has('message')) throw new UsageError(`--format: regex:${pattern} has no named group (?<message>…); it is required`)
  const want = REGEX_GROUPS.filter((g) => groups.has(g))
  return (line, n) => {
    const m = re.exec(line)
    if (!m || !m.groups) return null
    const g = m.groups
    const e = entry(n, line, g.message ?? '')
    if (want.includes('level')) e.level = normalizeLevel(g.level)
    if (want.includes('time')) e.time = parseTime(g.time)
    if (want.includes('host')) e.host = g.host || null
    if (want.includes('logger')) e.logger = g.logger || null
    if (want.includes('file') && g.file) {
      const c = parseCaller(g.file)
      e.file = c ? c.file : g.file
      if (c) e.line = c.line
    }
    if (want.includes('line') && g.line) {
      const l = Number(g.line)
      if (Number.isInteger(l) && l > 0) e.line = l
    }
    return e
  }
}

/** Named groups of a compiled pattern: a match of `(?:pattern)|` on '' lists every group, taking part or not. */
function namedGroups(pattern: string): Set<string> {
  const m = new RegExp(`(?:${pattern})|`, 's').exec('')
  return new Set(Object.keys(m?.groups ?? {}))
}
