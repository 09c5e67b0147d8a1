import { parseArgs } from 'node:util'
import { asCodedError, DiceError, UsageError } from '../core/errors.js'
import { makeContext } from './context.js'
import { commands, type LazyCommand } from './commands/index.js'

const GLOBAL = {
  config: { type: 'string' },
  db: { type: 'string' },
  'database-url': { type: 'string' },
  at: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const

function help(): string {
  const lines = commands.map((c) => `  ${c.usage.padEnd(52)} ${c.summary}`)
  return `dice — Dice Is Cato's Envoy\n\nUsage: dice [--config FILE] [--db FILE | --database-url URL] COMMAND …\n\n${lines.join('\n')}\n`
}

function find(name: string | undefined): LazyCommand {
  const c = commands.find((c) => c.name === name)
  if (!c) throw new UsageError(name ? `unknown command '${name}'; see \`dice --help\`` : 'no command given; see `dice --help`')
  return c
}

/** Entry point: returns the exit status (0 ok, 1 runtime failure, 2 usage or configuration error). */
export async function main(argv: string[]): Promise<number> {
  try {
    // The command is the first word that is not a flag nor a global flag's value; `config check` is two words.
    const idx = argv.findIndex((a, i) => !a.startsWith('-') && !(i > 0 && isValueOf(argv, i)))
    if (idx < 0) {
      if (argv.includes('-h') || argv.includes('--help')) return (process.stdout.write(help()), 0)
      throw new UsageError('no command given; see `dice --help`')
    }
    let name = argv[idx]!
    let skip = 1
    if (name === 'config' && argv[idx + 1] === 'check') (name = 'config check', (skip = 2))
    const rest = [...argv.slice(0, idx), ...argv.slice(idx + skip)]
    const cmd = find(name)
    let parsed
    try {
      parsed = parseArgs({ args: rest, options: { ...GLOBAL, ...cmd.options }, allowPositionals: true, strict: true })
    } catch (e) {
      throw new UsageError(`${cmd.name}: ${(e as Error).message}\nusage: dice ${cmd.usage}`)
    }
    if (parsed.values.help) return (process.stdout.write(`usage: dice ${cmd.usage}\n${cmd.summary}\n`), 0)
    const v = parsed.values as Record<string, any>
    const ctx = makeContext({ config: v.config, db: v.db, databaseUrl: v['database-url'], at: v.at })
    return await (await cmd.load()).run(ctx, { values: v, positionals: parsed.positionals })
  } catch (e) {
    const err = asCodedError(e)
    process.stderr.write(`dice: ${err.message}\n`)
    if (!(e instanceof DiceError) && process.env.DICE_DEBUG) process.stderr.write(`${err.stack}\n`)
    return e instanceof DiceError ? e.exitCode : 1
  }
}

// Global flags that take a value: the word after them is not the command.
function isValueOf(argv: string[], i: number): boolean {
  const prev = argv[i - 1]!
  return ['--config', '--db', '--database-url', '--at'].includes(prev)
}
