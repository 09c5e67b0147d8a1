import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { ZodIssue } from 'zod'
import { ConfigError } from '../core/errors.js'
import { configSchema, type Config } from './schema.js'

/** Built-in defaults: what an empty `dice.yml` means. */
export function defaultConfig(): Config {
  return configSchema.parse({})
}

function describe(issue: ZodIssue): string {
  const field = issue.path.length ? issue.path.join('.') : '(top level)'
  if (issue.code === 'unrecognized_keys') return `${field === '(top level)' ? '' : field + '.'}${issue.keys.join(', ')}: unknown field`
  return `${field}: ${issue.message}`
}

/** Validate a parsed object; errors name the file and every bad field. */
export function validateConfig(raw: unknown, file: string): Config {
  const result = configSchema.safeParse(raw ?? {})
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${describe(i)}`)
    throw new ConfigError(`${file}: invalid configuration\n${lines.join('\n')}`)
  }
  // A person's hours are checked as they apply: their own, else digest's.
  const d = result.data.digest
  const empty = Object.entries(result.data.people).flatMap(([key, p]) => {
    const start = p.startHour ?? d.startHour
    const end = p.endHour ?? d.endHour
    return start < end ? [] : [`  people.${key}.${p.endHour === undefined ? 'startHour' : 'endHour'}: working hours ${start}-${end} are empty (startHour must be before endHour; the other comes from digest)`]
  })
  if (empty.length) throw new ConfigError(`${file}: invalid configuration\n${empty.join('\n')}`)
  return result.data
}

/**
 * Load the configuration: `explicit` when given (must exist), else `./dice.yml` when present,
 * else built-in defaults.
 */
export function loadConfig(explicit?: string, cwd = process.cwd()): { config: Config; file: string | null } {
  const file = explicit ?? (existsSync(`${cwd}/dice.yml`) ? `${cwd}/dice.yml` : null)
  if (!file) return { config: defaultConfig(), file: null }
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    throw new ConfigError(`${file}: cannot read configuration (${(e as NodeJS.ErrnoException).code ?? e})`)
  }
  // Loaded only to read a file: the YAML parser is ~30 ms of a start-up that has no dice.yml (`dice match` in CI).
  const { parseDocument } = createRequire(import.meta.url)('yaml') as typeof import('yaml')
  const doc = parseDocument(text)
  if (doc.errors.length) {
    const err = doc.errors[0]!
    const where = err.linePos?.[0] ? `:${err.linePos[0].line}:${err.linePos[0].col}` : ''
    throw new ConfigError(`${file}${where}: YAML syntax error: ${err.message.split('\n')[0]}`)
  }
  return { config: validateConfig(doc.toJS(), file), file }
}
