import type { Config, SilenceRule } from '../config/schema.js'
import type { Statement } from '../core/types.js'
import { parseExpectation, type Expectation } from '../core/expect.js'
import { globToRegExp } from '../catalog/select.js'

/** The expectation of each statement that has one: its `!expect` annotation, else the last config rule naming it. */
export function expectations(statements: readonly Statement[], rules: readonly SilenceRule[]): Map<string, Expectation> {
  const compiled = rules.map((r) => ({ r, path: r.path ? globToRegExp(r.path) : null, expect: parseExpectation(r.expect)! }))
  const out = new Map<string, Expectation>()
  for (const s of statements) {
    if (s.expect) {
      out.set(s.id, s.expect)
      continue
    }
    for (const { r, path, expect } of compiled) {
      if (r.statement && r.statement !== s.id) continue
      if (r.template && r.template !== s.template) continue
      if (path && !path.test(s.file)) continue
      out.set(s.id, expect)
    }
  }
  return out
}

/**
 * The ids of the statements expected to keep logging when `alerts.silence` is on (null when off): counted at
 * every level, as annotated statements are, or a heartbeat at INFO could never be seen.
 */
export function expectedIds(statements: readonly Statement[], config: Pick<Config, 'alerts'>): Set<string> | null {
  if (!config.alerts.silence.enabled) return null
  return new Set(expectations(statements, config.alerts.silence.rules).keys())
}
