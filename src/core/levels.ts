import { LEVELS, type Level } from './types.js'

const RANK: Record<Level, number> = Object.fromEntries(LEVELS.map((l, i) => [l, i])) as Record<Level, number>

/** Ordinal of a level; higher is more severe. */
export function levelRank(level: Level): number {
  return RANK[level]
}

/** True when `level` is at least `min`. Unknown levels never pass. */
export function atLeast(level: Level | null, min: Level): boolean {
  return level !== null && RANK[level] >= RANK[min]
}

const WORDS: Record<string, Level> = {
  trace: 'trace', trc: 'trace', finest: 'trace', finer: 'trace', verbose: 'trace', t: 'trace', vrb: 'trace', silly: 'trace',
  debug: 'debug', dbg: 'debug', fine: 'debug', d: 'debug', config: 'debug',
  // PostgreSQL's DEBUG1..DEBUG5
  debug1: 'debug', debug2: 'debug', debug3: 'debug', debug4: 'debug', debug5: 'debug',
  info: 'info', information: 'info', informational: 'info', inf: 'info', i: 'info', log: 'info', print: 'info', println: 'info',
  notice: 'notice', note: 'notice', n: 'notice',
  warn: 'warn', warning: 'warn', wrn: 'warn', w: 'warn',
  error: 'error', err: 'error', e: 'error', severe: 'error', exception: 'error', eror: 'error',
  fatal: 'fatal', crit: 'fatal', critical: 'fatal', alert: 'fatal', emerg: 'fatal', emergency: 'fatal', panic: 'fatal', f: 'fatal', dpanic: 'fatal', ftl: 'fatal',
}

/** WORDS in the spellings logs print them (`error`, `ERROR`, `Error`): one lookup on the hot path. */
const ANY_CASE = new Map<string, Level>()
for (const [w, l] of Object.entries(WORDS)) {
  ANY_CASE.set(w, l)
  ANY_CASE.set(w.toUpperCase(), l)
  ANY_CASE.set(w[0]!.toUpperCase() + w.slice(1), l)
}

/** Syslog severities 0..7 (RFC 5424). */
const SYSLOG: Level[] = ['fatal', 'fatal', 'fatal', 'error', 'warn', 'notice', 'info', 'debug']

/**
 * Normalise a level word or number from a log line or a logger call (`WARNING`, `W`, `err`, `CRITICAL`,
 * pino's 10..60, syslog's 0..7 when `syslog` is set). Returns null for anything unrecognised.
 */
export function normalizeLevel(value: unknown, opts: { syslog?: boolean } = {}): Level | null {
  if (typeof value === 'number' && Number.isFinite(value)) {
    if (opts.syslog) return SYSLOG[value] ?? null
    // pino / bunyan numeric levels
    if (value >= 60) return 'fatal'
    if (value >= 50) return 'error'
    if (value >= 40) return 'warn'
    if (value >= 30) return 'info'
    if (value >= 20) return 'debug'
    if (value >= 10) return 'trace'
    return null
  }
  if (typeof value !== 'string') return null
  const direct = ANY_CASE.get(value)
  if (direct !== undefined) return direct
  const w = value.trim().toLowerCase()
  if (w === '') return null
  const word = WORDS[w]
  if (word !== undefined) return word
  if (/^\d+$/.test(w)) return normalizeLevel(Number(w), opts)
  return null
}
