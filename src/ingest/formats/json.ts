/** JSON lines: pino, bunyan, zap, logrus, winston, Serilog CLEF, ECS, GCP, journald, Docker json-file. */
import { normalizeLevel } from '../../core/levels.js'
import type { Level, LogEntry } from '../../core/types.js'
import { entry, parseCaller, parseTime, takeCallerPrefix } from './common.js'
import { dockerObject } from './container.js'

type Obj = Record<string, unknown>

// `fields.message`: tracing-subscriber's JSON layer nests the event's fields.
const MESSAGE_KEYS = ['msg', 'message', '@message', '@m', 'MESSAGE', 'log', 'text', 'event', '@mt', 'fields.message']
const LEVEL_KEYS = ['level', 'severity', 'lvl', 'log.level', '@l', 'levelname', 'loglevel', 'log_level', 'Level']
const TIME_KEYS = ['time', 'timestamp', '@timestamp', 'ts', '@t', 'asctime', 't', '__REALTIME_TIMESTAMP']
const HOST_KEYS = ['host', 'hostname', 'host.name', '_HOSTNAME', 'HOSTNAME']
const LOGGER_KEYS = ['logger', 'logger_name', 'loggerName', 'log.logger', 'name', 'SYSLOG_IDENTIFIER', 'target']
const FILE_KEYS = ['file', 'filename', 'pathname', 'log.origin.file.name', 'CODE_FILE']
const LINE_KEYS = ['line', 'lineno', 'lineNumber', 'log.origin.file.line', 'CODE_LINE']

/** `a.b.c` either as a flat key or as nested objects (ECS writes both). */
function get(o: Obj, key: string): unknown {
  const v = o[key]
  if (v !== undefined) return v
  if (!key.includes('.')) return undefined
  let cur: unknown = o
  for (const part of key.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined
    cur = (cur as Obj)[part]
  }
  return cur
}

function first(o: Obj, keys: string[]): { key: string; value: unknown } | null {
  for (const k of keys) {
    const v = get(o, k)
    if (v !== undefined && v !== null && v !== '') return { key: k, value: v }
  }
  return null
}

function text(v: unknown): string | null {
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  return null
}

/**
 * Parse one JSON log line. Returns null when the line is not a JSON object (truncated, a bare array,
 * plain text): the caller counts it as malformed. `inner` parses a Docker/Kubernetes `log` field, which
 * holds the application's own text line.
 */
export function parseJsonLine(line: string, n: number, inner?: (text: string) => Partial<LogEntry> | null): LogEntry | null {
  let o: unknown
  if (line.startsWith('{"log":')) o = dockerObject(line) // parsed once with the multiline assembler's look
  else {
    try {
      o = JSON.parse(line)
    } catch {
      return null
    }
  }
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return null
  const obj = o as Obj
  const m = first(obj, MESSAGE_KEYS)
  const e = entry(n, line, m ? (text(m.value) ?? JSON.stringify(m.value)) : line)

  const lv = first(obj, LEVEL_KEYS)
  if (lv) e.level = levelOf(lv.key, lv.value)
  else if (obj.PRIORITY !== undefined) e.level = normalizeLevel(Number(obj.PRIORITY), { syslog: true })
  else if (obj['@t'] !== undefined && (obj['@m'] !== undefined || obj['@mt'] !== undefined)) e.level = 'info' // CLEF omits @l for Information

  const t = first(obj, TIME_KEYS)
  if (t) e.time = t.key === '__REALTIME_TIMESTAMP' ? parseTime(Number(t.value) / 1000) : parseTime(t.value)

  const h = first(obj, HOST_KEYS)
  if (h) e.host = typeof h.value === 'object' ? text((h.value as Obj).name) ?? text((h.value as Obj).hostname) : text(h.value)

  const lg = first(obj, LOGGER_KEYS)
  // pino's and bunyan's `name` is the application's name; keep it as the logger only when nothing better exists.
  if (lg && typeof lg.value === 'string') e.logger = lg.value

  const caller = parseCaller(get(obj, 'caller')) ?? srcOf(get(obj, 'src'))
  if (caller) {
    e.file = caller.file
    e.line = caller.line
  } else {
    const f = first(obj, FILE_KEYS)
    if (f && typeof f.value === 'string') {
      const c = parseCaller(f.value)
      e.file = c ? c.file : f.value
      if (c) e.line = c.line
    }
    const l = first(obj, LINE_KEYS)
    if (l && e.line === null) {
      const num = Number(l.value)
      if (Number.isInteger(num) && num > 0) e.line = num
    }
  }

  if (m?.key === 'log' && inner) {
    // Docker json-file: `{"log":"2026-… ERROR boom\n","stream":"stderr"}`; the inner line has its own layout.
    const sub = inner(e.message.replace(/\r?\n$/, ''))
    if (sub) {
      e.message = sub.message ?? e.message
      e.level ??= sub.level ?? null
      e.time ??= sub.time ?? null
      e.host ??= sub.host ?? null
      e.file ??= sub.file ?? null
      e.line ??= sub.line ?? null
      e.logger ??= sub.logger ?? null
    }
  }
  takeCallerPrefix(e)
  return e
}

function levelOf(key: string, v: unknown): Level | null {
  if (typeof v === 'object' && v !== null) return normalizeLevel((v as Obj).name ?? (v as Obj).label)
  // journald-style and `log.level` numbers as strings are syslog only under PRIORITY; elsewhere pino numbers.
  return normalizeLevel(v, { syslog: key === 'PRIORITY' })
}

function srcOf(v: unknown): { file: string; line: number | null } | null {
  if (typeof v === 'string') return parseCaller(v)
  if (v && typeof v === 'object') {
    const o = v as Obj
    const file = text(o.file)
    const line = Number(o.line)
    if (file) return { file, line: Number.isInteger(line) && line > 0 ? line : null }
  }
  return null
}
