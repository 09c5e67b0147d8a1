/**
 * Linux kernel log lines: `dmesg` output and the printk timestamp that kern.log keeps inside syslog lines.
 * The timestamp is the kernel's, not the statement's: left in the message, `[   12.345678] tunnel gre0 down`
 * would never match `printk(KERN_ERR "tunnel %s down\n")`.
 */
import { normalizeLevel } from '../../core/levels.js'
import type { LogEntry } from '../../core/types.js'
import { entry, monthIndex } from './common.js'

/** `[    12.345678] ` (seconds since boot, padded; 6 decimals as printk prints them). */
const UPTIME = /^\[\s*\d+\.\d{6}\] ?/
/** `dmesg -T`: `[Thu Nov 26 02:30:25 2026] `. */
const WALL = /^\[(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) ([ \d]\d) (\d\d):(\d\d):(\d\d) (\d{4})\] ?/
/** `dmesg -x`: `kern  :err   : ` (facility and level, padded). */
const DECODED = /^([a-z]+[0-7]?)\s*:([a-z]+)\s*: ?/
const APACHE_LEVEL = /^\[(?:[\w-]+:)?(?:emerg|alert|crit|error|warn|notice|info|debug|trace[1-8])\] /
const FACILITIES = new Set(['kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv', 'ftp', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'])

/** `msg` without a leading printk uptime stamp (kern.log: `kernel: [   12.345678] e1000e: …`). */
export function dropKernelTime(msg: string): string {
  if (msg.charCodeAt(0) !== 91 /* [ */) return msg
  const m = UPTIME.exec(msg)
  return m ? msg.slice(m[0].length) : msg
}

/**
 * A `dmesg` line (plain, `-T` or `-x`), or null when `line` is not one. The level is known only with
 * `-x`; otherwise it stays null and the statement's own level applies.
 */
export function parseDmesgLine(line: string, n: number): LogEntry | null {
  let rest = line
  let level = null
  const c0 = line.charCodeAt(0)
  if (c0 >= 97 && c0 <= 122) {
    // Most lower-case lines are plain messages: a facility is a short word, then spaces and `:`.
    let i = 1
    while (i < 9 && isFacilityChar(line.charCodeAt(i))) i++
    while (line.charCodeAt(i) === 32) i++
    if (line.charCodeAt(i) !== 58 /* : */) return null
    const d = DECODED.exec(line)
    if (!d || !FACILITIES.has(d[1]!)) return null
    level = normalizeLevel(d[2]!)
    if (level === null) return null
    rest = line.slice(d[0].length)
  } else if (c0 !== 91) return null
  let time: number | null = null
  const u = UPTIME.exec(rest)
  if (u) rest = rest.slice(u[0].length)
  else {
    const w = WALL.exec(rest)
    if (w) {
      // dmesg -T prints the machine's local time without a zone: read as UTC, as other zone-less stamps are.
      const month = monthIndex(w[1]!)
      time = month < 0 ? null : Date.UTC(+w[6]!, month, +w[2]!.trim(), +w[3]!, +w[4]!, +w[5]!)
      rest = rest.slice(w[0].length)
      // The same stamp starts Apache httpd's error log, followed by `[level]` or `[module:level]`: the text
      // layouts read those (kernel messages do not start with a bracketed level).
      if (level === null && rest.charCodeAt(0) === 91 && APACHE_LEVEL.test(rest)) return null
    } else if (level === null) return null
  }
  const e = entry(n, line, rest, level)
  e.time = time
  return e
}

function isFacilityChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 55)
}
