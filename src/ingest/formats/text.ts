/**
 * Common plain-text layouts, detected per line. Each layout is one anchored regex, tried only when the
 * line's first characters make it possible, so a line costs one or two regex runs.
 */
import type { Clock } from '../../core/clock.js'
import { normalizeLevel } from '../../core/levels.js'
import type { Level, LogEntry } from '../../core/types.js'
import { entry, parseTime, takeCallerPrefix, yearlessTime } from './common.js'

/**
 * Level words accepted in free text. Narrower than normalizeLevel's vocabulary: `log`, `note` or a single
 * letter at the start of a message are ordinary words there, not levels.
 */
const TEXT_LEVELS = new Set([
  'trace', 'trc', 'verbose', 'vrb', 'finest', 'finer', 'fine', 'debug', 'dbg', 'info', 'inf', 'information', 'informational',
  'notice', 'warn', 'warning', 'wrn', 'error', 'err', 'eror', 'severe', 'fatal', 'ftl', 'crit', 'critical', 'alert', 'emerg',
  'emergency', 'panic', 'dpanic',
])

const TEXT_LEVEL_CACHE = new Map<string, Level | null>()

/** A level word as printed in a text layout (`ERROR`, `warn`, `Warning`), or null. */
export function textLevel(word: string): Level | null {
  const hit = TEXT_LEVEL_CACHE.get(word)
  if (hit !== undefined) return hit
  const w = word.toLowerCase()
  const level = TEXT_LEVELS.has(w) ? normalizeLevel(w) : null
  // Bounded: level words are few; arbitrary words (from layouts that guessed wrong) are not remembered.
  if (level !== null && TEXT_LEVEL_CACHE.size < 256) TEXT_LEVEL_CACHE.set(word, level)
  return level
}

const TS = String.raw`(\d{4}[-/]\d\d[-/]\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?:Z|[+-]\d\d:?\d\d)?|\d\d:\d\d:\d\d(?:[.,]\d{1,9})?)`
const LEADING_TIME = new RegExp(`^${TS}\\s+`)
const BRACKET_TIME = new RegExp(`^\\[${TS}\\]\\s*`)
// Spring Boot: `WARN 1234 --- [main] c.e.Foo : message` (3.x adds `[app]` before the thread).
const SPRING = /^([A-Za-z]+)\s+(\d+)\s+---\s+((?:\[[^\]]*\]\s*)+)(\S+)\s*:\s(.*)$/s
// Python logging `%(asctime)s - %(name)s - %(levelname)s - %(message)s`
const PY_DASHES = /^-\s+(\S+)\s+-\s+([A-Za-z]+)\s+-\s(.*)$/s
const BRACKET_LEVEL = /^\[\s*([A-Za-z]+)\s*\]:?\s+(.*)$/s
const THREAD_LEVEL = /^\[([^\]]{0,200})\]\s+([A-Za-z]+)\s+(.*)$/s
const WORD_LEVEL = /^([A-Za-z]+)(?::\s*|\s+)(.*)$/s
const BRACKET_HOST = /^\[([^\]\s]{1,200})\]\s+(.*)$/s
const NGINX = /^\d+#\d+: (?:\*\d+ )?(.*)$/s
const LOGGER_DASH = /^([\w$.:/-]{1,200})\s+-\s(.*)$/s
// Laravel / Monolog: `[2026-11-25 10:00:01] production.ERROR: message {"ctx":1} []`
const MONOLOG = new RegExp(`^\\[${TS}\\]\\s+([\\w-]+)\\.([A-Za-z]+):\\s(.*)$`, 's')
// glog / klog: `E1125 10:00:01.123456 1234 file.cc:42] message`
const GLOG = /^([IWEF])(\d\d)(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?\s+\d+ ([^:\]\s]+):(\d+)\] (.*)$/s
// Python logging.basicConfig(): `WARNING:root:message`
const PY_BASIC = /^(DEBUG|INFO|WARNING|ERROR|CRITICAL):([^:\s]*):(.*)$/s
// Ruby Logger: `E, [2026-11-25T10:00:01.123456 #1234] ERROR -- app: message`
const RUBY = /^[DIWEFAU], \[([^\]#]+?)(?: #\d+)?\]\s+([A-Z]+)\s+--\s+([^:]*?):\s(.*)$/s
// Bare level prefix: `ERROR: message`, `[WARN] message`, `WARNING message` (upper case only).
const LEVEL_PREFIX = /^\[?([A-Z]{3,13})\]?:?\s+(.*)$/s
const SYSLOG_FILE = /^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d /

const GLOG_LEVEL: Record<string, Level> = { I: 'info', W: 'warn', E: 'error', F: 'fatal' }

/** True when `line` starts like a syslog file line (`Nov 25 10:00:01 `): parseAuto then tries syslog. */
export function looksLikeSyslogFile(line: string): boolean {
  return SYSLOG_FILE.test(line)
}

/** A logger name in `logger - message`: dotted (`c.e.Foo`, `app.db`), `root`/`__main__`, or a CamelCase class. */
function looksLikeLogger(s: string): boolean {
  return s.includes('.') || s.includes('::') || s === 'root' || s === '__main__' || /^[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+$/.test(s)
}

function splitLogger(e: LogEntry, rest: string, loose: boolean): void {
  const dash = rest.indexOf(' - ')
  const m = dash > 0 && dash <= 201 ? LOGGER_DASH.exec(rest) : null
  if (m && (loose || looksLikeLogger(m[1]!))) {
    e.logger = m[1]!
    e.message = m[2]!
  } else e.message = rest
}

/** zap's console encoder appends structured fields as a tab-separated JSON object: not part of the message. */
function dropTabFields(e: LogEntry): void {
  const i = e.message.lastIndexOf('\t{')
  if (i >= 0 && e.message.endsWith('}')) e.message = e.message.slice(0, i)
}

/** What follows a leading timestamp: level, thread, host, logger in the layouts we know. */
function afterTime(e: LogEntry, rest: string): void {
  // Dispatch on the first character so a line runs one or two of these regexes, not all of them.
  const c0 = rest.charCodeAt(0)
  let m: RegExpExecArray | null
  if (c0 === 45 /* - */) {
    m = PY_DASHES.exec(rest)
    if (m && textLevel(m[2]!)) {
      e.logger = m[1]!
      e.level = textLevel(m[2]!)
      e.message = m[3]!
      return
    }
  } else if (c0 === 91 /* [ */) {
    m = BRACKET_LEVEL.exec(rest)
    if (m && textLevel(m[1]!)) {
      e.level = textLevel(m[1]!)
      const ng = NGINX.exec(m[2]!)
      if (ng) e.message = ng[1]!
      else splitLogger(e, m[2]!, false)
      return
    }
    m = THREAD_LEVEL.exec(rest)
    if (m && textLevel(m[2]!)) {
      e.level = textLevel(m[2]!)
      splitLogger(e, m[3]!, true)
      return
    }
  } else {
    if (rest.includes(' --- ')) {
      m = SPRING.exec(rest)
      if (m && textLevel(m[1]!)) {
        e.level = textLevel(m[1]!)
        e.logger = m[4]!
        e.message = m[5]!
        return
      }
    }
    m = WORD_LEVEL.exec(rest)
    if (m && textLevel(m[1]!)) {
      e.level = textLevel(m[1]!)
      let tail = m[2]!
      if (tail.charCodeAt(0) === 91) {
        const h = BRACKET_HOST.exec(tail)
        if (h) {
          e.host = h[1]!
          tail = h[2]!
        }
      }
      splitLogger(e, tail, false)
      if (rest.includes('\t')) dropTabFields(e)
      return
    }
  }
  e.message = rest
}

/** Monolog prints `%context% %extra%` after the message; empty ones are `[]`, others JSON objects. */
function dropMonologContext(msg: string): string {
  let s = msg
  if (s.endsWith(' []')) s = s.slice(0, -3)
  if (s.endsWith(' []')) return s.slice(0, -3)
  if (s.endsWith('}')) {
    const i = s.indexOf(' {')
    if (i >= 0) {
      try {
        JSON.parse(s.slice(i + 1))
        return s.slice(0, i)
      } catch {
        /* not a context object: keep the message whole */
      }
    }
  }
  return s
}

/**
 * Parse a line in one of the known text layouts. Returns null when none fits (the caller then takes the
 * whole line as the message).
 */
export function parseTextLayout(line: string, n: number, clock: Clock): LogEntry | null {
  const c0 = line.charCodeAt(0)
  let m: RegExpExecArray | null
  if (c0 >= 48 && c0 <= 57) {
    // a digit: a leading timestamp
    m = LEADING_TIME.exec(line)
    if (!m) return null
    const e = entry(n, line, '')
    e.time = timeOf(m[1]!, clock)
    afterTime(e, line.slice(m[0].length))
    takeCallerPrefix(e)
    return e
  }
  if (c0 === 91 /* [ */) {
    m = MONOLOG.exec(line)
    if (m && textLevel(m[3]!)) {
      const e = entry(n, line, dropMonologContext(m[4]!), textLevel(m[3]!))
      e.time = timeOf(m[1]!, clock)
      e.logger = m[2]!
      takeCallerPrefix(e)
      return e
    }
    m = BRACKET_TIME.exec(line)
    if (m) {
      const e = entry(n, line, '')
      e.time = timeOf(m[1]!, clock)
      afterTime(e, line.slice(m[0].length))
      takeCallerPrefix(e)
      return e
    }
  }
  if (c0 === 73 || c0 === 87 || c0 === 69 || c0 === 70) {
    // I, W, E, F: glog, or Ruby's `E, [`
    const c1 = line.charCodeAt(1)
    if (c1 >= 48 && c1 <= 57 && (m = GLOG.exec(line))) {
      const e = entry(n, line, m[10]!, GLOG_LEVEL[m[1]!]!)
      e.time = yearlessTime(+m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, m[7] ? Number(m[7].padEnd(3, '0').slice(0, 3)) : 0, clock)
      e.file = m[8]!
      e.line = Number(m[9])
      return e
    }
  }
  if (line.charCodeAt(1) === 44 /* , */ && (m = RUBY.exec(line)) && textLevel(m[2]!)) {
    const e = entry(n, line, m[4]!, textLevel(m[2]!))
    e.time = parseTime(m[1]!)
    e.logger = m[3]! === '' ? null : m[3]!
    takeCallerPrefix(e)
    return e
  }
  if (c0 >= 65 && c0 <= 90) {
    if ((m = PY_BASIC.exec(line))) {
      const e = entry(n, line, m[3]!, textLevel(m[1]!))
      e.logger = m[2]! === '' ? null : m[2]!
      takeCallerPrefix(e)
      return e
    }
    if (SYSLOG_FILE.test(line)) return null // the syslog parser handles it (see parseAuto)
  }
  // Bare level prefix: only when the line starts with `[` or two upper-case letters (cheap pre-check).
  const c1 = line.charCodeAt(1)
  m = (c0 === 91 || (c0 >= 65 && c0 <= 90 && c1 >= 65 && c1 <= 90)) ? LEVEL_PREFIX.exec(line) : null
  if (m && textLevel(m[1]!)) {
    const e = entry(n, line, m[2]!, textLevel(m[1]!))
    takeCallerPrefix(e)
    return e
  }
  return null
}

function timeOf(ts: string, clock: Clock): number | null {
  if (ts.length <= 18 && ts.charCodeAt(2) === 58 /* : */) {
    // time of day only (logback's default): today's date from the clock
    const day = new Date(clock())
    const [hh, mm, rest] = ts.split(':')
    const sec = Number(rest!.replace(',', '.'))
    return Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), +hh!, +mm!, Math.floor(sec), Math.round((sec % 1) * 1000))
  }
  return parseTime(ts)
}
