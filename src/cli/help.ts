import type { CommandSpec, OptionSpec } from './command.js'
import { VALUES } from './values.js'

/** Flags every command takes; parsed before the command's own. */
export const GLOBAL_OPTIONS = {
  config: { type: 'string', value: 'FILE', help: 'the YAML configuration (default ./dice.yml if present, else built-in defaults)' },
  db: { type: 'string', value: 'FILE', help: 'the SQLite database file (default ./.dice/dice.db)' },
  'database-url': { type: 'string', value: 'URL', help: 'PostgreSQL instead of SQLite (postgres://…); also DICE_DATABASE_URL' },
  at: { type: 'string', value: 'ISO-TIME', help: 'act as if it were this time (schedules, weekends, time zones)' },
  help: { type: 'boolean', short: 'h', help: 'print this help' },
} as const satisfies Record<string, OptionSpec>

/** `--flag VALUE` as help and docs write it. */
export function flagLabel(name: string, o: OptionSpec): string {
  return `--${name}${o.type === 'string' && o.value ? ` ${o.value}` : ''}`
}

/** Placeholders a command's usage and flags use that VALUES explains, in first-use order. */
function valuesUsed(spec: CommandSpec): string[] {
  const words = [spec.usage, ...Object.values(spec.options).map((o) => o.value ?? '')].join(' ').split(/[^A-Z-]+/)
  return [...new Set(words.filter((w) => w in VALUES))]
}

function rows(list: Array<[string, string]>, indent = '  '): string {
  const w = Math.max(...list.map(([a]) => a.length))
  return list.map(([a, b]) => `${indent}${a.padEnd(w)}  ${b}`).join('\n')
}

/** `dice COMMAND --help`: usage, what it does, each flag with a sentence, the values it takes, examples. */
export function commandHelp(spec: CommandSpec): string {
  const flags = Object.entries(spec.options).map(([n, o]): [string, string] => [`${o.short ? `-${o.short}, ` : ''}${flagLabel(n, o)}`, o.help])
  const values = valuesUsed(spec).map((v): [string, string] => [v, VALUES[v]!])
  const out = [`usage: dice ${spec.usage}`, '', `${spec.summary}.`]
  if (flags.length) out.push('', 'Options:', rows(flags))
  if (values.length) out.push('', 'Values:', rows(values))
  out.push('', 'Examples:', ...spec.examples.map((e) => `  dice ${e}`))
  out.push('', 'Global options (--config FILE, --db FILE, --database-url URL, --at ISO-TIME): see `dice --help`.')
  return out.join('\n') + '\n'
}

/** `dice --help`: every command with its summary, the global options, and where to read more. */
export function mainHelp(specs: readonly CommandSpec[], version: string): string {
  const cmds = specs.map((c): [string, string] => [c.name, c.summary])
  const globals = Object.entries(GLOBAL_OPTIONS).map(([n, o]): [string, string] => [flagLabel(n, o), o.help])
  return [
    `dice ${version} — Dice Is Cato's Envoy: production log lines delivered to the developers who wrote them`,
    '',
    'Usage: dice [GLOBAL OPTIONS] COMMAND [OPTIONS]',
    '',
    'Commands:',
    rows(cmds),
    '',
    'Global options:',
    rows([...globals, ['--version', 'print the version and exit']]),
    '',
    'Run `dice COMMAND --help` for its flags and examples. Exit status: 0 success, 1 runtime failure, 2 usage or configuration error.',
    'New to Dice? `dice demo` runs it on a bundled sample repository and its logs.',
    '',
  ].join('\n')
}
