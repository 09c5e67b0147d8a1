/** Syslog: RFC 5424, RFC 3164 and the PRI-less file layout of /var/log/syslog (`Nov 25 10:00:01 host app[1]: msg`). */
import type { Clock } from '../../core/clock.js'
import { normalizeLevel } from '../../core/levels.js'
import type { LogEntry } from '../../core/types.js'
import { entry, monthIndex, parseTime, takeCallerPrefix, yearlessTime } from './common.js'

// <PRI>VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA [MSG]
const RFC5424 = /^<(\d{1,3})>(\d{1,2}) (\S+) (\S+) (\S+) (\S+) (\S+) (-|(?:\[(?:[^\]\\"]|\\.|"(?:[^"\\]|\\.)*")*\])+)(?: (.*))?$/s
// [<PRI>]Mmm dd hh:mm:ss HOST TAG[PID]: MSG   (TAG and the colon are optional in the wild)
const RFC3164 = /^(?:<(\d{1,3})>)?([A-Z][a-z]{2}) ([ \d]\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))? (\S+) (?:([^\s:[\]]+)(?:\[(\d+)\])?: )?(.*)$/s

/**
 * Parse one syslog line. The level comes from PRI's severity (`<11>` → error). A line without PRI (a
 * syslog file) gets its level from a level word leading the message, if any. Null when neither layout fits.
 */
export function parseSyslogLine(line: string, n: number, clock: Clock, textLevel?: (msg: string) => Partial<LogEntry> | null): LogEntry | null {
  let m = line.charCodeAt(0) === 60 ? RFC5424.exec(line) : null
  if (m) {
    const pri = Number(m[1])
    const msg = (m[9] ?? '').replace(/^\uFEFF/, '')
    const e = entry(n, line, msg, pri <= 191 ? normalizeLevel(pri % 8, { syslog: true }) : null)
    e.time = m[3] === '-' ? null : parseTime(m[3])
    e.host = m[4] === '-' ? null : m[4]!
    e.logger = m[5] === '-' ? null : m[5]!
    takeCallerPrefix(e)
    return e
  }
  m = RFC3164.exec(line)
  if (!m) return null
  const e = entry(n, line, m[11]!)
  if (m[1] !== undefined) {
    const pri = Number(m[1])
    e.level = pri <= 191 ? normalizeLevel(pri % 8, { syslog: true }) : null
  }
  e.time = yearlessTime(monthIndex(m[2]!), Number(m[3]!.trim()), +m[4]!, +m[5]!, +m[6]!, m[7] ? Number(m[7].padEnd(3, '0').slice(0, 3)) : 0, clock)
  e.host = m[8]!
  e.logger = m[9] ?? null
  if (textLevel) {
    // The application often prints its own level inside the syslog message (`app[1]: ERROR boom`).
    const sub = textLevel(e.message)
    if (sub && sub.level) {
      e.level ??= sub.level
      e.message = sub.message ?? e.message
      e.file ??= sub.file ?? null
      e.line ??= sub.line ?? null
    }
  }
  takeCallerPrefix(e)
  return e
}
