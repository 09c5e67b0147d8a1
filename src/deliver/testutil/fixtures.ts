import { configSchema, type Config } from '../../config/schema.js'
import type { Hit, Level, Statement } from '../../core/types.js'

/** A catalog statement for delivery tests; override any field. */
export function statement(over: Partial<Statement> & { id: string }): Statement {
  return {
    file: 'src/hello.c', line: 10, endLine: 10, language: 'c', level: 'warn', template: 'the sky is crying', matchable: true,
    channels: [], mentions: [], callee: 'WARN_LOG',
    blame: { email: 'pig@pen.mssn', name: 'Pig', commit: 'a'.repeat(40), time: '2026-01-01T00:00:00Z' },
    ...over,
  }
}

/** A hit of `s` with a raw line, host and time. */
export function hit(s: Statement, o: { raw?: string; host?: string; time: number; level?: Level | null }): Hit {
  const raw = o.raw ?? `${(o.level ?? s.level ?? 'info').toUpperCase()} ${s.template}`
  return {
    entry: { n: 1, raw, message: raw, level: o.level === undefined ? s.level : o.level, time: o.time, host: o.host ?? null, file: null, line: null, logger: null },
    statement: s, values: [], host: o.host ?? '-', time: o.time, source: 'test',
  }
}

/** A validated configuration from a partial object (defaults filled in as dice.yml would). */
export function config(raw: Record<string, unknown> = {}): Config {
  return configSchema.parse(raw)
}
