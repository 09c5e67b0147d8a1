/** Syslog: RFC 5424, RFC 3164 and the PRI-less file layout of /var/log/syslog (`Nov 25 10:00:01 host app[1]: msg`). */
import type { Clock } from '../../core/clock.js'
import { normalizeLevel } from '../../core/levels.js'
import type { LogEntry } from '../../core/types.js'
import { dropKernelTime } from './kernel.js'
import { upperLevelAt } from './text.js'
import { entry, isSpace, monthAt, monthIndex, parseTime, takeCallerPrefix, yearlessTime } from './common.js'

// <PRI>VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA [MSG]
const RFC5424 = /^<(\d{1,3})>(\d{1,2}) (\S+) (\S+) (\S+) (\S+) (\S+) (-|(?:\[(?:[^\]\\"]|\\.|"(?:[^"\\]|\\.)*")*\])+)(?: (.*))?$/s
// [<PRI>]Mmm dd hh:mm:ss HOST TAG[PID]: MSG   (TAG and the colon are optional in the wild)
const RFC3164 = /^(?:<(\d{1,3})>)?([A-Z][a-z]{2}) ([ \d]\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))? (\S+) (?:([^\s:[\]]+)(?:\[(\d+)\])?: )?(.*)$/s

/**
 * Parse one syslog line. The level comes from PRI's severity (`<11>` → error). A line without PRI (a
 * syslog file) gets its level from a level word leading the message, if any (`textLevel`: parseTextLayout,
 * which also takes a caller prefix off the message). Null when neither layout fits.
 */
export function parseSyslogLine(line: string, n: number, clock: Clock, textLevel?: (msg: string) => LogEntry | null): LogEntry | null {
  let m = line.charCodeAt(0) === 60 ? RFC5424.exec(line) : null
  if (m) {
    const pri = Number(m[1])
    const msg = dropKernelTime((m[9] ?? '').replace(/^\uFEFF/, ''))
    const e = entry(n, line, msg, pri <= 191 ? normalizeLevel(pri % 8, { syslog: true }) : null)
    e.time = m[3] === '-' ? null : parseTime(m[3])
    e.host = m[4] === '-' ? null : m[4]!
    e.logger = m[5] === '-' ? null : m[5]!
    takeCallerPrefix(e)
    return e
  }
  let e = line.charCodeAt(0) !== 60 ? syslogFileLine(line, n, clock, textLevel !== undefined) : null
  if (e !== null && e.level !== null) {
    // syslogFileLine read `LEVEL message` itself: what textLevel (parseTextLayout) gives for that message.
    takeCallerPrefix(e)
    return e
  }
  if (e === null) {
    m = RFC3164.exec(line)
    if (!m) return null
    e = entry(n, line, m[11]!)
    if (m[1] !== undefined) {
      const pri = Number(m[1])
      e.level = pri <= 191 ? normalizeLevel(pri % 8, { syslog: true }) : null
    }
    e.time = yearlessTime(monthIndex(m[2]!), Number(m[3]!.trim()), +m[4]!, +m[5]!, +m[6]!, m[7] ? Number(m[7].padEnd(3, '0').slice(0, 3)) : 0, clock)
    e.host = m[8]!
    e.logger = m[9] ?? null
  }
  // kern.log keeps the kernel's own uptime stamp (`kernel: [   12.345678] e1000e: …`): not the message.
  e.message = dropKernelTime(e.message)
  if (textLevel) {
    // The application often prints its own level inside the syslog message (`app[1]: ERROR boom`).
    const sub = textLevel(e.message)
    if (sub && sub.level) {
      e.level ??= sub.level
      e.message = sub.message
      e.file ??= sub.file
      e.line ??= sub.line
      // parseTextLayout has already taken (or ruled out) a caller prefix of exactly this message.
      return e
    }
  }
  takeCallerPrefix(e)
  return e
}

const d = (line: string, i: number) => line.charCodeAt(i) - 48
const isDigit = (c: number) => c >= 48 && c <= 57

/** Whether line[from, to) can continue a tag: no `:`, `[`, `]`, tab or two spaces in a row. */
function spacedTagRun(line: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = line.charCodeAt(i)
    if (c === 58 || c === 91 || c === 93 || c === 9 || (c === 32 && line.charCodeAt(i + 1) === 32)) return false
  }
  return true
}

/**
 * The PRI-less syslog file line (`Mar  2 10:00:00 web-3 app[1003]: message`, one per line in /var/log and
 * in a replay) read by character codes instead of RFC3164's eleven capture groups: the same fields as
 * that regex gives. With `levelWord`, a message led by an upper-case level word comes back with that level
 * and the message after it (the level is otherwise always null here). Null when the line is anything else, or an unusual case (a fraction that is not
 * followed by a space, a host not ended by a space): RFC3164 then decides, as before.
 */
function syslogFileLine(line: string, n: number, clock: Clock, levelWord: boolean): LogEntry | null {
  const len = line.length
  if (len < 17) return null
  const c0 = line.charCodeAt(0)
  const c1 = line.charCodeAt(1)
  const c2 = line.charCodeAt(2)
  const c4 = line.charCodeAt(4)
  if (c0 < 65 || c0 > 90 || c1 < 97 || c1 > 122 || c2 < 97 || c2 > 122 || line.charCodeAt(3) !== 32) return null
  if (!(c4 === 32 || isDigit(c4)) || !isDigit(line.charCodeAt(5)) || line.charCodeAt(6) !== 32) return null
  if (!isDigit(line.charCodeAt(7)) || !isDigit(line.charCodeAt(8)) || line.charCodeAt(9) !== 58) return null
  if (!isDigit(line.charCodeAt(10)) || !isDigit(line.charCodeAt(11)) || line.charCodeAt(12) !== 58) return null
  if (!isDigit(line.charCodeAt(13)) || !isDigit(line.charCodeAt(14))) return null
  let p = 15
  let ms = 0
  if (line.charCodeAt(p) === 46 /* . */) {
    // Up to 6 digits; milliseconds are the first three, padded (`.5` → 500).
    let k = 0
    p++
    while (k < 7 && isDigit(line.charCodeAt(p))) {
      if (k < 3) ms += d(line, p) * (k === 0 ? 100 : k === 1 ? 10 : 1)
      k++
      p++
    }
    if (k === 0 || k > 6) return null
  }
  if (line.charCodeAt(p) !== 32) return null
  const hostStart = ++p
  while (p < len && !isSpace(line.charCodeAt(p))) p++
  if (p === hostStart || line.charCodeAt(p) !== 32) return null
  const hostEnd = p++
  // Optional `tag[pid]: `: the tag runs to the first space, `:`, `[` or `]`.
  const tagStart = p
  let c = line.charCodeAt(p)
  while (p < len && !isSpace(c) && c !== 58 && c !== 91 && c !== 93) c = line.charCodeAt(++p)
  if (c === 32) {
    // macOS names a sender by its application name, spaces and version included (`Microsoft Word[14463]: `,
    // `BezelServices 255.10[94]: `): taken as the tag only with its `[pid]: `, which a message rarely has.
    const open = line.indexOf('[', p)
    if (open > 0 && open < tagStart + 64 && line.charCodeAt(open - 1) !== 32 && spacedTagRun(line, p, open)) {
      let r = open + 1
      while (isDigit(line.charCodeAt(r))) r++
      if (r > open + 1 && line.charCodeAt(r) === 93 && line.charCodeAt(r + 1) === 58 && line.charCodeAt(r + 2) === 32) {
        p = open
        c = 91
      }
    }
  }
  const tagEnd = p
  let logger: string | null = null
  let msgStart = tagStart
  if (tagEnd > tagStart) {
    let q = tagEnd
    if (c === 91) {
      let r = q + 1
      while (isDigit(line.charCodeAt(r))) r++
      if (r > q + 1 && line.charCodeAt(r) === 93) q = r + 1
      // macOS adds the sender's subsystem after the pid: `sandboxd[129] ([31211]): `, `launchd[1] (com.apple.x.1): `.
      if (q > tagEnd && line.charCodeAt(q) === 32 && line.charCodeAt(q + 1) === 40 /* ( */) {
        const close = line.indexOf('): ', q + 2)
        if (close > 0 && close < q + 200 && line.lastIndexOf(' ', close) < q + 2) q = close + 1
      }
    }
    if (line.charCodeAt(q) === 58 && line.charCodeAt(q + 1) === 32) {
      logger = line.slice(tagStart, tagEnd)
      msgStart = q + 2
    }
  }
  // The usual message starts `LEVEL `: parseTextLayout would read just that (upperLevelPrefix), so read
  // it here and slice the message once, after the level word, instead of building a second entry.
  const lw = levelWord ? upperLevelAt(line, msgStart) : null
  const e = lw === null ? entry(n, line, line.slice(msgStart)) : entry(n, line, line.slice(lw.end), lw.level)
  const day = (c4 === 32 ? 0 : c4 - 48) * 10 + d(line, 5)
  e.time = yearlessTime(monthAt(line, 0), day, d(line, 7) * 10 + d(line, 8), d(line, 10) * 10 + d(line, 11), d(line, 13) * 10 + d(line, 14), ms, clock)
  e.host = line.slice(hostStart, hostEnd)
  e.logger = logger
  return e
}
