/** logfmt: `time=… level=error msg="tunnel x: phase 2 failed" caller=ipsec.go:120` (Go slog, logrus, Heroku). */
import { normalizeLevel } from '../../core/levels.js'
import type { LogEntry } from '../../core/types.js'
import { entry, parseCaller, parseTime, takeCallerPrefix } from './common.js'

/** Split a logfmt line into key/value pairs. Quoted values may hold spaces and `\"` escapes. */
export function logfmtPairs(line: string): Map<string, string> {
  const out = new Map<string, string>()
  const n = line.length
  let i = 0
  while (i < n) {
    while (i < n && line.charCodeAt(i) === 32) i++
    const ks = i
    while (i < n) {
      const c = line.charCodeAt(i)
      if (c === 61 /* = */ || c === 32) break
      i++
    }
    const key = line.slice(ks, i)
    if (i >= n || line.charCodeAt(i) !== 61) {
      // A bare word: logfmt allows it (a boolean flag); skip it.
      continue
    }
    i++ // '='
    let value: string
    if (line.charCodeAt(i) === 34 /* " */) {
      i++
      let buf = ''
      let start = i
      while (i < n && line.charCodeAt(i) !== 34) {
        if (line.charCodeAt(i) === 92 /* \ */ && i + 1 < n) {
          buf += line.slice(start, i)
          const esc = line[i + 1]
          buf += esc === 'n' ? '\n' : esc === 't' ? '\t' : esc
          i += 2
          start = i
          continue
        }
        i++
      }
      value = buf + line.slice(start, i)
      i++ // closing quote (or past the end when unterminated)
    } else {
      const vs = i
      while (i < n && line.charCodeAt(i) !== 32) i++
      value = line.slice(vs, i)
    }
    if (key !== '' && !out.has(key)) out.set(key, value)
  }
  return out
}

function pick(p: Map<string, string>, keys: string[]): string | undefined {
  for (const k of keys) {
    const v = p.get(k)
    if (v !== undefined && v !== '') return v
  }
  return undefined
}

/** Parse a logfmt line; null when it holds no `key=value` pair at all. */
export function parseLogfmtLine(line: string, n: number): LogEntry | null {
  const p = logfmtPairs(line)
  if (p.size === 0) return null
  const msg = pick(p, ['msg', 'message'])
  const e = entry(n, line, msg ?? line, normalizeLevel(pick(p, ['level', 'lvl', 'severity', 'loglevel'])))
  const t = pick(p, ['time', 'ts', 't', 'timestamp'])
  if (t !== undefined) e.time = parseTime(t)
  e.host = pick(p, ['host', 'hostname']) ?? null
  e.logger = pick(p, ['logger', 'logger_name', 'component']) ?? null
  const c = parseCaller(pick(p, ['caller', 'source', 'src']))
  if (c) {
    e.file = c.file
    e.line = c.line
  } else {
    const f = pick(p, ['file'])
    if (f !== undefined) {
      const fc = parseCaller(f)
      e.file = fc ? fc.file : f
      e.line = fc ? fc.line : null
    }
    const l = Number(pick(p, ['line', 'lineno']))
    if (e.line === null && Number.isInteger(l) && l > 0) e.line = l
  }
  takeCallerPrefix(e)
  return e
}
