/**
 * Common plain-text layouts, detected per line. Each layout is one anchored regex, tried only when the
 * line's first characters make it possible, so a line costs one or two regex runs.
 */
import type { Clock } from '../../core/clock.js'
import { normalizeLevel } from '../../core/levels.js'
import type { Level, LogEntry } from '../../core/types.js'
import { entry, isSpace, monthIndex, parseTime, takeCallerPrefix, yearlessTime } from './common.js'

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

// The upper-case spellings of TEXT_LEVELS by length and first letter, for reading a level word in place
// (upperLevelAt): one candidate or two to compare.
const UPPER_LEVELS: Array<Array<[string, Level]>> = []
const upperKey = (len: number, c0: number) => len * 32 + (c0 & 31)
for (const w of TEXT_LEVELS) {
  const level = normalizeLevel(w)
  if (level !== null) (UPPER_LEVELS[upperKey(w.length, w.charCodeAt(0))] ??= []).push([w.toUpperCase(), level])
}

/**
 * What parseTextLayout reads at the start of `line.slice(start)` when that is `LEVEL message` (3 to 13
 * upper-case letters and a space) with a level word: the level, and `end`, where the message starts
 * after the whitespace. Null otherwise (then parseTextLayout must decide). No string is built: a syslog
 * file line's message is sliced once, after its level word.
 */
export function upperLevelAt(line: string, start: number): { level: Level; end: number } | null {
  const k = upperWordEnd(line, start)
  if (k < 0) return null
  const len = k - start
  const words = UPPER_LEVELS[upperKey(len, line.charCodeAt(start))]
  if (words === undefined) return null
  for (let j = 0; j < words.length; j++) {
    const w = words[j]!
    if (sameChars(line, start, w[0])) {
      let i = k + 1
      while (i < line.length && isSpace(line.charCodeAt(i))) i++
      LEVEL_AT.level = w[1]
      LEVEL_AT.end = i
      return LEVEL_AT
    }
  }
  return null
}
/** Where the word of 3 to 13 upper-case letters at `start` ends, when a space follows it; else -1. */
function upperWordEnd(line: string, start: number): number {
  let k = start
  while (k < start + 14 && upper(line.charCodeAt(k))) k++
  const len = k - start
  return len < 3 || len > 13 || line.charCodeAt(k) !== 32 ? -1 : k
}

/** `line` holds `word` at `start` (a character loop: startsWith with a position is a slower builtin call here). */
function sameChars(line: string, start: number, word: string): boolean {
  for (let i = 0; i < word.length; i++) if (line.charCodeAt(start + i) !== word.charCodeAt(i)) return false
  return true
}
/** upperLevelAt's answer, reused: read at once by its caller. */
const LEVEL_AT: { level: Level; end: number } = { level: 'info', end: 0 }

// ISO-like date and time, a time of day alone (logback's default), or log4j's `yy/MM/dd HH:mm:ss` (Spark's default).
const TS = String.raw`(\d{4}[-/]\d\d[-/]\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?:Z|[+-]\d\d:?\d\d)?|\d\d:\d\d:\d\d(?:[.,]\d{1,9})?|\d\d/\d\d/\d\d \d\d:\d\d:\d\d(?:[.,]\d{1,3})?)`
const LEADING_TIME = new RegExp(`^${TS}\\s+`)
const BRACKET_TIME = new RegExp(`^\\[${TS}\\]\\s*`)
// gunicorn: `[2026-11-25 10:00:01 +0000] [123] [ERROR] message` (a space before the offset).
const BRACKET_TIME_ZONE = /^\[(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d{1,9})? [+-]\d\d:?\d\d)\]\s*/
// env_logger `[TIME LEVEL  target] msg`, Serilog `[10:00:01 WRN] msg`, Celery `[TIME: LEVEL/MainProcess] msg`.
const BRACKET_TIME_LEVEL = new RegExp(`^\\[${TS}:?\\s+([A-Za-z]+)(?:\\s+([^\\]\\s]+)|/([^\\]\\s]+))?\\s*\\]\\s+(.*)$`, 's')
// gunicorn after its time: `[pid] [LEVEL] message`
const PID_LEVEL = /^\[\d+\]\s+\[([A-Za-z]+)\]\s+(.*)$/s
// rsyslog RSYSLOG_FileFormat / journalctl -o short-iso after the time: `host ident[pid]: message`
const SYSLOG_TAIL = /^([\w.-]{1,255}) ([^\s:[\]]{1,128})(\[\d+\])?: (.*)$/s
// AWS Lambda Node.js after the time: `REQUEST-ID\tLEVEL\tmessage`
const LAMBDA_NODE = /^([\w-]{1,64})\t([A-Za-z]+)\t(.*)$/s
// AWS Lambda Python after `[LEVEL]\t`: `TIME\tREQUEST-ID\tmessage`
const LAMBDA_PY = /^\d{4}-\d\d-\d\dT[\d:.]+Z?\t([\w-]{1,64})\t(.*)$/s
// logrus text formatter on a terminal: `ERRO[0003] message   k=v`
const LOGRUS = /^([A-Z]{4})\[(\d{4,})\] (.*)$/s
const LOGRUS_LEVEL: Record<string, Level> = { TRAC: 'trace', DEBU: 'debug', INFO: 'info', WARN: 'warn', ERRO: 'error', FATA: 'fatal', PANI: 'fatal' }
// `logger: message` after the level (Python `%(levelname)s %(name)s: %(message)s`, Rust tracing `target: msg`).
const LOGGER_COLON = /^([\w$.:/-]{1,200}): (.*)$/s
// Rails tagged logging (`config.log_tags`): `[uuid] [sub] message`
const RAILS_TAGS = /^(?:\[[^\]\s]{1,100}\] )+/
// Spring Boot: `WARN 1234 --- [main] c.e.Foo : message` (3.x adds `[app]` before the thread).
// Spring Boot `LEVEL pid --- [app] [thread] logger : message`; Sleuth puts `[app,traceId,spanId]` before the pid.
const SPRING = /^([A-Za-z]+)\s+(?:\[[^\]]*\]\s+)?(\d+)\s+---\s+((?:\[[^\]]*\]\s*)+)(\S+)\s*:\s(.*)$/s
// Python logging `%(asctime)s - %(name)s - %(levelname)s - %(message)s`
const PY_DASHES = /^-\s+(\S+)\s+-\s+([A-Za-z]+)\s+-\s(.*)$/s
// Python `%(asctime)s - %(levelname)s - %(message)s`: `- ERROR - message`.
const PY_DASH_LEVEL = /^-\s+([A-Za-z]+)\s+-\s(.*)$/s
// PostgreSQL's `log_line_prefix = '%m [%p] '` (the default) after the time: the zone, `[pid]`, `%q%u@%d ` when
// configured, then `LEVEL:  message` (two spaces).
const POSTGRES = /^(?:[A-Z]{2,5}|[+-]\d\d) \[\d+(?:-\d+)?\] (?:\S*@\S* )?([A-Z]+[1-5]?):  (.*)$/s
// MySQL 8 error log after the time: `thread [Level] [MY-code] [Subsystem] message`.
const MYSQL = /^\d+ \[(System|Warning|Note|ERROR|Error)\] (?:\[MY-\d+\] )?(?:\[(\w+)\] )?(.*)$/s
// Redis: `pid:role DD Mon YYYY HH:MM:SS.mmm L message`, L one of `. - * #` (debug, verbose, notice, warning).
const REDIS = /^\d+:[XCSM] (\d\d?) ([A-Z][a-z]{2}) (\d{4}) (\d\d):(\d\d):(\d\d)(?:\.(\d{3}))? ([.*#-]) (.*)$/s
// NestJS ConsoleLogger: `[Nest] pid  - 11/25/2026, 10:00:01 AM   ERROR [Context] message +3ms` (the time in the
// server's locale; read when it is en-US).
const NEST = /^\[[\w-]{1,64}\] \d+\s+- (.{1,40}?)\s+(LOG|ERROR|WARN|DEBUG|VERBOSE|FATAL) (?:\[([^\]]{0,200})\] )?(.*?)(?: \+\d+ms)?$/s
const REDIS_LEVEL: Record<string, Level> = { '.': 'debug', '-': 'debug', '*': 'notice', '#': 'warn' }
// Kafka `[%d] %p %m (%c)%n`: a dotted logger name in parentheses ending the message.
const TRAILING_LOGGER = / \(([a-z][\w$-]*(?:\.[\w$-]+)+)\)$/
const NEST_TIME = /^(\d\d?)\/(\d\d?)\/(\d{4}), (\d\d?):(\d\d):(\d\d)(?: ([AP]M))?$/
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
// loguru's default: `2026-11-25 10:00:01.123 | ERROR    | app.pay:charge:42 - message` (after the time)
const LOGURU = /^\|\s*([A-Za-z]+)\s*\|\s*([^\s:|]+):([^\s:|]+):(\d+) - (.*)$/s
/**
 * Microsoft.Extensions.Logging's console formatter (ASP.NET Core, .NET workers): `fail: MyApp.Pay[0]`, the
 * message on the next line(s), indented by six spaces (see MultilineAssembler); with SingleLine, on the same line.
 */
export const DOTNET = /^(trce|dbug|info|warn|fail|crit): ([^\s[]+)\[(-?\d+)\](?: (.*))?$/s
const DOTNET_LEVEL: Record<string, Level> = { trce: 'trace', dbug: 'debug', info: 'info', warn: 'warn', fail: 'error', crit: 'fatal' }
// Python logging.basicConfig(): `WARNING:root:message`
const PY_BASIC = /^(DEBUG|INFO|WARNING|ERROR|CRITICAL):([^:\s]*):(.*)$/s
// Ruby Logger: `E, [2026-11-25T10:00:01.123456 #1234] ERROR -- app: message`
const RUBY = /^[DIWEFAU], \[([^\]#]+?)(?: #\d+)?\]\s+([A-Z]+)\s+--\s+([^:]*?):\s(.*)$/s
// Bare level prefix: `ERROR: message`, `[WARN] message`, `WARNING message` (upper case only).
const LEVEL_PREFIX = /^\[?([A-Z]{3,13})\]?:?\s+(.*)$/s
// journalctl -o short-precise adds a fraction: `Nov 25 10:00:01.123456 host …`
const SYSLOG_FILE = /^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d[ .]/

// Android logcat (`-v threadtime`): `03-17 16:13:38.811  1702  2395 D WindowManager: message`; with `-v year`
// the date has a year and the rest is read after the time (LOGCAT_TAIL).
const LOGCAT = /^(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{3})\s+\d+\s+\d+ ([VDIWEFA]) (.*?)\s*: (.*)$/s
const LOGCAT_TAIL = /^\d+\s+\d+ ([VDIWEFA]) (.*?)\s*: (.*)$/s
// A process or thread id between the time and the level.
const NUMBER_LEVEL = /^\d+\s+([A-Za-z]+)\s+(.*)$/s
// OpenStack (oslo.log) after the level: `logger [req-… user project - - -] [instance: uuid] message` or `logger [-] …`.
// The context and the instance are the formatter's, not the message's.
const OSLO = /^([\w.]+) \[(?:req-[^\]]*|-)\] (?:\[instance: [\w-]+\] )?(.*)$/s
// ZooKeeper (log4j `%d - %-5p [%t:%C{1}@%L] - %m`) after the time; the thread may hold brackets and colons.
const DASH_LEVEL_THREAD = /^-\s+([A-Za-z]+)\s+\[(?:.*?:([\w$.]+)@(\d+)|[^\]]*)\]\s+-\s(.*)$/s
// Windows CBS/CSI logs (CBS.log): `2016-09-28 04:30:30, Info                  CBS    message`
const WINDOWS_CBS = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d), ([A-Za-z]+)\s+(\S+)\s+(.*)$/s
// Hadoop 1 / HDFS (log4j `%d{yyMMdd HHmmss} %t %p %c: %m`): `081109 203615 148 INFO dfs.DataNode: message`
const HADOOP1 = /^(\d\d)(\d\d)(\d\d) (\d\d)(\d\d)(\d\d) (?:\d+ )?([A-Z]+) (.*)$/s
// log4j `[%t]` with spaces in the thread name (`[IPC Server handler 3 on 8020]`), before a logger.
const THREAD_SPACES = /^\[[^\]]{1,200}\] (.*)$/s
// Apache httpd error log: `[Sun Dec 04 04:47:44 2005] [error] msg` (2.2); 2.4 adds microseconds, the module
// (`[core:error]`), `[pid N:tid N]` and `[client ip:port]`.
const APACHE = /^\[(?:[A-Z][a-z]{2}) ([A-Z][a-z]{2}) (\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))? (\d{4})\] \[(?:([\w-]+):)?([a-z]+)\d?\](?: \[pid [^\]]*\])?(?: \[client [^\]]*\])? (.*)$/s
const GLOG_LEVEL: Record<string, Level> = { I: 'info', W: 'warn', E: 'error', F: 'fatal' }

/** True when `line` starts like a syslog file line (`Nov 25 10:00:01 `): parseAuto then tries syslog. */
export function looksLikeSyslogFile(line: string): boolean {
  // SYSLOG_FILE by character codes: asked once or twice for every line of a syslog file.
  const c4 = line.charCodeAt(4)
  const c15 = line.charCodeAt(15)
  return upper(line.charCodeAt(0)) && lower(line.charCodeAt(1)) && lower(line.charCodeAt(2)) && line.charCodeAt(3) === 32 &&
    (c4 === 32 || digit(c4)) && digit(line.charCodeAt(5)) && line.charCodeAt(6) === 32 && digit(line.charCodeAt(7)) &&
    digit(line.charCodeAt(8)) && line.charCodeAt(9) === 58 && digit(line.charCodeAt(10)) && digit(line.charCodeAt(11)) &&
    line.charCodeAt(12) === 58 && digit(line.charCodeAt(13)) && digit(line.charCodeAt(14)) && (c15 === 32 || c15 === 46)
}

const upper = (c: number) => c >= 65 && c <= 90
const lower = (c: number) => c >= 97 && c <= 122
const digit = (c: number) => c >= 48 && c <= 57

/**
 * The most common line (and syslog message) start, `LEVEL message` — 3 to 13 upper-case letters and a
 * space — read without a regex. No other layout can read such a line (glog and Ruby need a digit or `,`
 * second, logrus four letters and `[`, Python basicConfig a `:`, a syslog file a lower-case second letter),
 * so it is exactly what LEVEL_PREFIX gives: the level word if it is one, then the message after the
 * whitespace. Undefined when the line does not start that way (the layouts are tried in order).
 */
function upperLevelPrefix(line: string, n: number, clock: Clock): LogEntry | null | undefined {
  if (upperWordEnd(line, 0) < 0) return undefined
  const at = upperLevelAt(line, 0)
  if (at === null) return null
  const e = entry(n, line, line.slice(at.end), at.level)
  timeAfterLevel(e, clock)
  takeCallerPrefix(e)
  return e
}

/**
 * `%(levelname)s %(asctime)s %(message)s`: a date and time right after a leading level is the entry's time
 * (a time of day alone is not taken: `ERROR 10:00:01 backup failed` may be the message's own words).
 */
function timeAfterLevel(e: LogEntry, clock: Clock): void {
  const d = e.message.charCodeAt(0)
  if (d < 48 || d > 57) return
  const sep = e.message.charCodeAt(4)
  if (sep !== 45 && sep !== 47) return
  const m = LEADING_TIME.exec(e.message)
  if (m === null) return
  e.time = timeOf(m[1]!, clock)
  e.message = e.message.slice(m[0].length)
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

/**
 * `logger: message` after the level: Python `%(levelname)s %(name)s: %(message)s` and Rust tracing's
 * `LEVEL target: message`. Only a name that looks like one is taken (dotted, `a::b`, `root`, `__main__`),
 * never an exception type (`java.io.IOException: Broken pipe` stays the message) nor a `file:line`; a bare
 * lower-case word (`myapp: …`) only after tracing's own timestamp (27 characters, microseconds and `Z`),
 * because in other layouts `retrying: …` is as likely the message's first word.
 */
function loggerColon(e: LogEntry, ts: string, afterSpans = false): void {
  const msg = e.message
  // The name is the first token and ends with `:` — found by reading to the first space only.
  const sp = msg.indexOf(' ')
  if (sp < 2 || sp > 201 || msg.charCodeAt(sp - 1) !== 58 /* : */) return
  const i = sp - 1
  const name = msg.slice(0, i)
  if (name.includes('\t')) return
  const colons = name.includes(':')
  if (colons && !name.includes('::')) return // `main.go:42`: a source location, taken later
  let ok = name.includes('.') || colons || name === 'root' || name === '__main__'
  if (ok && /(?:Exception|Error)$/.test(name)) ok = false
  if (!ok && (afterSpans || (ts.length === 27 && ts.charCodeAt(10) === 84 /* T */ && ts.charCodeAt(26) === 90 /* Z */))) ok = /^[a-z_][a-z0-9_]*$/.test(name)
  if (!ok || !LOGGER_COLON.test(msg)) return
  e.logger = name
  e.message = msg.slice(i + 2)
}

/** `[A-Za-z0-9_.-]`: a span name's characters. */
function spanNameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 45
}
const MAX_SPANS_CHARS = 4000

/**
 * Rust tracing fmt prints the event's span context between the level and the target:
 * `name{field=value …}:` per span from the root, joined without a space (`req{id=1}:db{name=main}: `), or
 * with one (older versions and custom formats: `req{id=1}: db{name=main}: `); a span without fields is
 * `name:`. Returns where the spans end (the index after their `: `), or 0 when `tail` does not start with
 * them. A group counts as spans only if one of its spans has `{fields}`: a bare `word: ` is as likely the
 * target or the message's first word.
 */
function tracingSpansEnd(tail: string): number {
  let end = 0
  let i = 0
  const max = Math.min(tail.length, MAX_SPANS_CHARS)
  for (;;) {
    // One group: `name({…})?:` repeated, up to a space.
    let braced = false
    let j = i
    for (;;) {
      const start = j
      while (j < max && spanNameChar(tail.charCodeAt(j))) j++
      if (j === start) return end
      if (tail.charCodeAt(j) === 123 /* { */) {
        // Field values are Debug output and may hold braces of their own.
        let depth = 0
        for (; j < max; j++) {
          const c = tail.charCodeAt(j)
          if (c === 123) depth++
          else if (c === 125 && --depth === 0) break
        }
        if (j >= max) return end
        j++
        braced = true
      }
      if (tail.charCodeAt(j) !== 58 /* : */) return end
      j++
      if (tail.charCodeAt(j) === 32 /* space */) break
    }
    if (!braced) return end
    end = i = j + 1
  }
}

/** logrus pads the message to 44 characters, then prints ` key=value` fields: drop them and the padding. */
function dropLogrusFields(msg: string): string {
  let i = msg.indexOf('  ')
  while (i >= 0) {
    let j = i
    while (msg.charCodeAt(j) === 32) j++
    if (j >= msg.length) return msg.slice(0, i)
    if (/^[\w.-]+=/.test(msg.slice(j, j + 200))) return msg.slice(0, i)
    i = msg.indexOf('  ', j)
  }
  return msg
}

/** What follows `TIME LEVEL ` (`tail`; `rest` is what followed the time): thread or host, logger, message. */
function afterLevel(e: LogEntry, tail: string, ts: string, rest: string): void {
  if (tail.charCodeAt(0) === 91) {
    const h = BRACKET_HOST.exec(tail)
    if (h) {
      splitLogger(e, h[2]!, false)
      // log4j `%d %-5p [%t] %c - %m` and `%d %p [%t] %c: %m` (Hadoop, Kafka): a bracket followed by a logger
      // is the thread, not a host.
      if (e.logger === null) loggerColon(e, ts)
      if (e.logger === null) e.host = h[1]!
      if (rest.includes('\t')) dropTabFields(e)
      return
    }
    // A thread name with spaces (`[IPC Server handler 3 on 8020]`): taken only when a logger follows.
    const t = THREAD_SPACES.exec(tail)
    if (t) {
      const before = e.message
      splitLogger(e, t[1]!, false)
      if (e.logger === null) loggerColon(e, ts)
      if (e.logger !== null) {
        if (rest.includes('\t')) dropTabFields(e)
        return
      }
      e.message = before
    }
  }
  const spans = tail.charCodeAt(0) !== 91 ? tracingSpansEnd(tail) : 0
  if (spans > 0) {
    // tracing fmt prints the event's target after its spans (unless disabled): take it as the logger.
    e.message = tail.slice(spans)
    loggerColon(e, ts, true)
  } else {
    splitLogger(e, tail, false)
    if (e.logger === null) loggerColon(e, ts)
  }
  if (rest.includes('\t')) dropTabFields(e)
}

/** Android logcat's priority letters (`V/D/I/W/E/F/A`; A is an assertion, F a fatal). */
const LOGCAT_LEVEL: Record<string, Level> = { V: 'trace', D: 'debug', I: 'info', W: 'warn', E: 'error', F: 'fatal', A: 'fatal' }

/** logcat's `pid tid L tag: message` fields after the time. */
function logcat(e: LogEntry, letter: string, tag: string, msg: string): void {
  e.level = LOGCAT_LEVEL[letter]!
  e.logger = tag
  e.message = msg
}

const MYSQL_LEVEL: Record<string, Level> = { System: 'info', Note: 'notice', Warning: 'warn', ERROR: 'error', Error: 'error' }
/** PostgreSQL's message labels that continue the entry before them (not a severity). */
const POSTGRES_DETAIL = new Set(['DETAIL', 'HINT', 'QUERY', 'CONTEXT', 'LOCATION', 'STATEMENT'])

/** A PostgreSQL severity (`LOG` is its info, `DEBUG1`–`5` debug), null for a detail line, undefined otherwise. */
function postgresLevel(word: string): Level | null | undefined {
  if (word === 'LOG') return 'info'
  if (word === 'PANIC') return 'fatal'
  if (word.startsWith('DEBUG')) return 'debug'
  if (POSTGRES_DETAIL.has(word)) return null
  return textLevel(word) ?? undefined
}

/** What follows a leading timestamp `ts`: level, thread, host, logger in the layouts we know. */
function afterTime(e: LogEntry, rest: string, ts: string, clock: Clock): void {
  // Dispatch on the first character so a line runs one or two of these regexes, not all of them.
  const c0 = rest.charCodeAt(0)
  let m: RegExpExecArray | null
  if (c0 === 124 /* | */) {
    m = LOGURU.exec(rest)
    if (m && textLevel(m[1]!)) {
      e.level = textLevel(m[1]!)
      e.logger = m[2]!
      e.line = Number(m[4])
      e.message = m[5]!
      return
    }
  } else if (c0 === 45 /* - */) {
    m = PY_DASHES.exec(rest)
    if (m && textLevel(m[2]!)) {
      e.logger = m[1]!
      e.level = textLevel(m[2]!)
      e.message = m[3]!
      return
    }
    m = DASH_LEVEL_THREAD.exec(rest)
    if (m && textLevel(m[1]!)) {
      // ZooKeeper's log4j layout: `- LEVEL [thread:Class@line] - message`
      e.level = textLevel(m[1]!)
      if (m[2] !== undefined) {
        e.logger = m[2]
        e.line = Number(m[3])
      }
      e.message = m[4]!
      return
    }
    m = PY_DASH_LEVEL.exec(rest)
    if (m && textLevel(m[1]!)) {
      e.level = textLevel(m[1]!)
      e.message = m[2]!
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
    m = PID_LEVEL.exec(rest)
    if (m && textLevel(m[1]!)) {
      // gunicorn: `[pid] [LEVEL] message`
      e.level = textLevel(m[1]!)
      e.message = m[2]!
      return
    }
  } else {
    // PostgreSQL: a zone of 2–5 characters, then ` [pid]`.
    let zone = 2
    while (zone <= 5 && rest.charCodeAt(zone) !== 32) zone++
    const pg = zone <= 5 && rest.charCodeAt(zone + 1) === 91 && digit(rest.charCodeAt(zone + 2))
    if (pg && ((c0 >= 65 && c0 <= 90) || c0 === 43) && (m = POSTGRES.exec(rest))) {
      const level = postgresLevel(m[1]!)
      if (level !== undefined) {
        e.level = level
        e.message = m[2]!
        return
      }
    }
    // Spring Boot's ` --- ` follows the level and pid (and Sleuth's `[app,trace,span]`): look at the start only.
    if (rest.lastIndexOf(' --- ', 160) >= 0) {
      m = SPRING.exec(rest)
      if (m && textLevel(m[1]!)) {
        e.level = textLevel(m[1]!)
        e.logger = m[4]!
        e.message = m[5]!
        return
      }
    }
    if (c0 >= 48 && c0 <= 57) {
      // A number after the time: Android logcat (`pid tid L tag: msg`), a process id before the level
      // (OpenStack/oslo.log `pid LEVEL logger [req-…] msg`) or a thread id (Hadoop 1 `thread LEVEL logger: msg`).
      m = LOGCAT_TAIL.exec(rest)
      if (m) {
        logcat(e, m[1]!, m[2]!, m[3]!)
        return
      }
      m = MYSQL.exec(rest)
      if (m) {
        e.level = MYSQL_LEVEL[m[1]!]!
        e.logger = m[2] ?? null
        e.message = m[3]!
        return
      }
      m = NUMBER_LEVEL.exec(rest)
      if (m && textLevel(m[1]!)) {
        e.level = textLevel(m[1]!)
        const oslo = OSLO.exec(m[2]!)
        if (oslo) {
          e.logger = oslo[1]!
          e.message = oslo[2]!
        } else afterLevel(e, m[2]!, ts, rest)
        return
      }
    }
    m = WORD_LEVEL.exec(rest)
    if (m && textLevel(m[1]!)) {
      e.level = textLevel(m[1]!)
      afterLevel(e, m[2]!, ts, rest)
      return
    }
    if (rest.includes('\t') && (m = LAMBDA_NODE.exec(rest)) && textLevel(m[2]!)) {
      // AWS Lambda Node.js: `TIME\tREQUEST-ID\tLEVEL\tmessage`
      e.level = textLevel(m[2]!)
      e.message = m[3]!
      return
    }
    m = SYSLOG_TAIL.exec(rest)
    // rsyslog's high-precision file format and journalctl -o short-iso: `host ident[pid]: message`. Without
    // a `[pid]`, only after a time with a numeric offset (both print one), so `… done: ok` is not split.
    if (m && (m[3] !== undefined || /[+-]\d\d:?\d\d$/.test(ts))) {
      e.host = m[1]!
      e.logger = m[2]!
      e.message = m[4]!
      const sub = parseTextLayout(m[4]!, e.n, clock)
      if (sub && sub.level) {
        e.level = sub.level
        e.message = sub.message
        e.file = sub.file
        e.line = sub.line
      }
      return
    }
  }
  e.message = rest
}

/**
 * Monolog prints `%context% %extra%` after the message; empty ones are `[]`, others JSON objects. Both are
 * dropped, extra first: each is ` []` or the longest ` {…}` tail that is valid JSON, so a message holding
 * ` {` itself (an uninterpolated PSR-3 `{id}`) keeps it.
 */
function dropMonologContext(msg: string): string {
  let s = msg
  for (let k = 0; k < 2; k++) {
    if (s.endsWith(' []')) s = s.slice(0, -3)
    else if (s.endsWith('}')) {
      const cut = jsonTail(s)
      if (cut < 0) break
      s = s.slice(0, cut)
    } else break
  }
  return s
}

/** Index of the ` ` before the longest `{…}` tail of `s` that parses as JSON, or -1 (tries at most 8). */
function jsonTail(s: string): number {
  let i = s.indexOf(' {')
  for (let tries = 0; i >= 0 && tries < 8; tries++) {
    try {
      JSON.parse(s.slice(i + 1))
      return i
    } catch {
      i = s.indexOf(' {', i + 2)
    }
  }
  return -1
}

/**
 * Parse a line in one of the known text layouts. Returns null when none fits (the caller then takes the
 * whole line as the message).
 */
export function parseTextLayout(line: string, n: number, clock: Clock): LogEntry | null {
  const c0 = line.charCodeAt(0)
  if (c0 >= 65 && c0 <= 90) {
    const fast = upperLevelPrefix(line, n, clock)
    if (fast !== undefined) return fast
  }
  let m: RegExpExecArray | null
  if (c0 >= 48 && c0 <= 57) {
    // a digit: a leading timestamp
    m = LEADING_TIME.exec(line)
    if (!m) return line.charCodeAt(2) === 45 /* - */ ? logcatLine(line, n, clock) : line.charCodeAt(19) === 44 /* , */ ? windowsLine(line, n) : hadoopLine(line, n) ?? redisLine(line, n)
    const e = entry(n, line, '')
    e.time = timeOf(m[1]!, clock)
    afterTime(e, line.slice(m[0].length), m[1]!, clock)
    takeCallerPrefix(e)
    return e
  }
  if (c0 === 91 /* [ */) {
    if (line.charCodeAt(4) === 32 && (m = APACHE.exec(line))) {
      const level = textLevel(m[9]!)
      if (level !== null) {
        const e = entry(n, line, m[10]!, level)
        const month = monthIndex(m[1]!)
        const t = Date.UTC(+m[7]!, month, +m[2]!, +m[3]!, +m[4]!, +m[5]!, m[6] ? Math.floor(Number(m[6].padEnd(6, '0')) / 1000) : 0)
        e.time = month < 0 || Number.isNaN(t) ? null : t
        e.logger = m[8] ?? null
        takeCallerPrefix(e)
        return e
      }
    }
    const close = line.indexOf('] ')
    if (close > 0 && close < 66 && digit(line.charCodeAt(close + 2)) && (m = NEST.exec(line))) return nestLine(line, n, m)
    m = MONOLOG.exec(line)
    if (m && textLevel(m[3]!)) {
      const e = entry(n, line, dropMonologContext(m[4]!), textLevel(m[3]!))
      e.time = timeOf(m[1]!, clock)
      e.logger = m[2]!
      takeCallerPrefix(e)
      return e
    }
    m = BRACKET_TIME.exec(line) ?? BRACKET_TIME_ZONE.exec(line)
    if (m) {
      const e = entry(n, line, '')
      e.time = timeOf(m[1]!, clock)
      afterTime(e, line.slice(m[0].length), m[1]!, clock)
      // Kafka's log4j layout `[%d] %p %m (%c)%n` names the logger after the message.
      if (e.level !== null && e.logger === null && e.message.charCodeAt(e.message.length - 1) === 41 /* ) */) {
        const k = TRAILING_LOGGER.exec(e.message)
        if (k) {
          e.logger = k[1]!
          e.message = e.message.slice(0, k.index)
        }
      }
      takeCallerPrefix(e)
      return e
    }
    m = BRACKET_TIME_LEVEL.exec(line)
    if (m && textLevel(m[2]!)) {
      // env_logger `[TIME LEVEL target] msg` (target → logger), Serilog `[10:00:01 WRN] msg`, Celery
      // `[TIME: LEVEL/MainProcess] msg` (a process name, not a logger).
      const e = entry(n, line, m[5]!, textLevel(m[2]!))
      e.time = timeOf(m[1]!, clock)
      e.logger = m[3] ?? null
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
  if (c0 >= 97 && c0 <= 122 && line.charCodeAt(4) === 58 /* : */ && (m = DOTNET.exec(line))) {
    const e = entry(n, line, m[4] ?? '', DOTNET_LEVEL[m[1]!]!)
    e.logger = m[2]!
    return e
  }
  if (line.charCodeAt(1) === 44 /* , */ && (m = RUBY.exec(line)) && textLevel(m[2]!)) {
    const e = entry(n, line, m[4]!, textLevel(m[2]!))
    e.time = parseTime(m[1]!)
    e.logger = m[3]! === '' ? null : m[3]!
    // Rails tagged logging (`config.log_tags`, no progname): `[request-id] [sub] message`.
    if (e.logger === null && e.message.charCodeAt(0) === 91) {
      const tags = RAILS_TAGS.exec(e.message)
      if (tags) e.message = e.message.slice(tags[0].length)
    }
    takeCallerPrefix(e)
    return e
  }
  if (c0 >= 65 && c0 <= 90) {
    if (line.charCodeAt(4) === 91 && (m = LOGRUS.exec(line)) && LOGRUS_LEVEL[m[1]!]) {
      const e = entry(n, line, dropLogrusFields(m[3]!).trimEnd(), LOGRUS_LEVEL[m[1]!]!)
      takeCallerPrefix(e)
      return e
    }
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
    const d = e.message.charCodeAt(0)
    let l: RegExpExecArray | null
    if (d >= 48 && d <= 57 && c0 === 91 && (l = LAMBDA_PY.exec(e.message))) {
      // AWS Lambda Python: `[LEVEL]\tTIME\tREQUEST-ID\tmessage`
      e.time = parseTime(e.message.slice(0, e.message.indexOf('\t')))
      e.message = l[2]!
    } else timeAfterLevel(e, clock)
    takeCallerPrefix(e)
    return e
  }
  return null
}

/** Android logcat (`-v threadtime`, no year): `MM-DD HH:MM:SS.mmm  pid  tid L tag: message`. */
function logcatLine(line: string, n: number, clock: Clock): LogEntry | null {
  const m = LOGCAT.exec(line)
  if (!m) return null
  const e = entry(n, line, '')
  e.time = yearlessTime(+m[1]! - 1, +m[2]!, +m[3]!, +m[4]!, +m[5]!, +m[6]!, clock)
  logcat(e, m[7]!, m[8]!, m[9]!)
  return e
}

/** Windows CBS.log: `2016-09-28 04:30:30, Info                  CBS    message`. */
function windowsLine(line: string, n: number): LogEntry | null {
  const m = WINDOWS_CBS.exec(line)
  const level = m ? textLevel(m[2]!) : null
  if (level === null) return null
  const e = entry(n, line, m![4]!, level)
  e.time = parseTime(m![1]!)
  e.logger = m![3]!
  return e
}

/** Hadoop 1 / HDFS (log4j `%d{yyMMdd HHmmss} %t %p %c: %m`): `081109 203615 148 INFO dfs.DataNode: message`. */
function hadoopLine(line: string, n: number): LogEntry | null {
  const m = HADOOP1.exec(line)
  const level = m ? textLevel(m[7]!) : null
  if (level === null) return null
  const t = Date.UTC(2000 + +m![1]!, +m![2]! - 1, +m![3]!, +m![4]!, +m![5]!, +m![6]!)
  const e = entry(n, line, m![8]!, level)
  e.time = Number.isNaN(t) ? null : t
  loggerColon(e, '')
  return e
}

/** Redis: `1234:M 25 Nov 2026 10:00:01.123 # message`. */
function redisLine(line: string, n: number): LogEntry | null {
  const m = REDIS.exec(line)
  if (!m) return null
  const e = entry(n, line, m[9]!, REDIS_LEVEL[m[8]!]!)
  const month = monthIndex(m[2]!)
  const t = Date.UTC(+m[3]!, month, +m[1]!, +m[4]!, +m[5]!, +m[6]!, m[7] ? +m[7] : 0)
  e.time = month < 0 || Number.isNaN(t) ? null : t
  return e
}

/** NestJS's ConsoleLogger line (see NEST): level, context as the logger, the time when it is en-US. */
function nestLine(line: string, n: number, m: RegExpExecArray): LogEntry {
  const word = m[2]!
  const e = entry(n, line, m[4]!, word === 'LOG' ? 'info' : word === 'VERBOSE' ? 'trace' : textLevel(word))
  e.logger = m[3] || null
  const t = NEST_TIME.exec(m[1]!)
  if (t) {
    let h = +t[4]!
    if (t[7] === 'PM' && h < 12) h += 12
    else if (t[7] === 'AM' && h === 12) h = 0
    const ms = Date.UTC(+t[3]!, +t[1]! - 1, +t[2]!, h, +t[5]!, +t[6]!)
    e.time = Number.isNaN(ms) ? null : ms
  }
  takeCallerPrefix(e)
  return e
}

function timeOf(ts: string, clock: Clock): number | null {
  if (ts.charCodeAt(2) === 47 /* / */) {
    // `yy/MM/dd HH:mm:ss[.SSS]`
    const t = Date.UTC(2000 + +ts.slice(0, 2), +ts.slice(3, 5) - 1, +ts.slice(6, 8), +ts.slice(9, 11), +ts.slice(12, 14), +ts.slice(15, 17), ts.length > 18 ? +ts.slice(18).padEnd(3, '0') : 0)
    return Number.isNaN(t) ? null : t
  }
  if (ts.length <= 18 && ts.charCodeAt(2) === 58 /* : */) {
    // time of day only (logback's default): today's date from the clock
    const day = new Date(clock())
    const [hh, mm, rest] = ts.split(':')
    const sec = Number(rest!.replace(',', '.'))
    return Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), +hh!, +mm!, Math.floor(sec), Math.round((sec % 1) * 1000))
  }
  return parseTime(ts)
}
