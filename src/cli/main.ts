import { readFileSync } from 'node:fs'
import { asCodedError, DiceError, UsageError } from '../core/errors.js'
import { makeContext } from './context.js'
import { commands, type LazyCommand } from './commands/index.js'
import { parseFlags } from './args.js'
import { commandHelp, GLOBAL_OPTIONS, mainHelp } from './help.js'
import type { OptionSpec } from './command.js'

/** The package's version (dist/cli/main.js and src/cli/main.ts both sit two folders below package.json). */
export function version(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version
}

const TOP = { ...GLOBAL_OPTIONS, version: { type: 'boolean', help: 'print the version and exit' } } as const satisfies Record<string, OptionSpec>

// Global flags that take a value: the word after them is not the command.
const VALUE_FLAGS = new Set(Object.entries(GLOBAL_OPTIONS).filter(([, o]) => o.type === 'string').map(([n]) => `--${n}`))

/** Commands of a group (`config` → `config check`): the first word is not a command by itself. */
function groupOf(word: string): LazyCommand[] {
  return commands.filter((c) => c.name.startsWith(`${word} `))
}

function groupHelp(word: string, subs: LazyCommand[]): string {
  const w = Math.max(...subs.map((c) => c.name.length))
  return `usage: dice ${word} SUBCOMMAND [OPTIONS]\n\nSubcommands:\n${subs.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`).join('\n')}\n\n` +
    `Run \`dice ${subs[0]!.name} --help\` for its flags.\n`
}

/** The command `words` name (one word, or a group and its subcommand), and how many words that took. */
function resolve(words: string[], wantsHelp: boolean): { cmd: LazyCommand; used: number } | { help: string } {
  const [first, second] = words
  const subs = groupOf(first!)
  if (subs.length) {
    const sub = second && !second.startsWith('-') ? subs.find((c) => c.name === `${first} ${second}`) : undefined
    if (sub) return { cmd: sub, used: 2 }
    if (second && !second.startsWith('-')) throw new UsageError(`unknown command '${first} ${second}'; \`dice ${first} --help\` lists its subcommands`)
    if (wantsHelp) return { help: groupHelp(first!, subs) }
    throw new UsageError(`${first}: give a subcommand (${subs.map((c) => c.name).join(', ')}); see \`dice ${first} --help\``)
  }
  const cmd = commands.find((c) => c.name === first)
  if (!cmd) throw new UsageError(`unknown command '${first}'; \`dice --help\` lists the commands`)
  return { cmd, used: 1 }
}

/** Entry point: returns the exit status (0 ok, 1 runtime failure, 2 usage or configuration error). */
export async function main(argv: string[]): Promise<number> {
  try {
    // The command is the first word that is neither a flag nor a global flag's value.
    const idx = argv.findIndex((a, i) => !a.startsWith('-') && !(i > 0 && VALUE_FLAGS.has(argv[i - 1]!)))
    const wantsHelp = argv.includes('-h') || argv.includes('--help')
    if (idx < 0) {
      const { values } = parseFlags(argv, TOP, '', 'dice --help')
      if (values.version) return (process.stdout.write(`${version()}\n`), 0)
      if (values.help) return (process.stdout.write(mainHelp(commands, version())), 0)
      throw new UsageError('no command given; `dice --help` lists the commands')
    }
    // `dice help [COMMAND…]` is `dice [COMMAND…] --help`.
    if (argv[idx] === 'help') {
      const words = argv.slice(idx + 1).filter((a) => !a.startsWith('-'))
      if (!words.length) return (process.stdout.write(mainHelp(commands, version())), 0)
      const r = resolve(words, true)
      return (process.stdout.write('help' in r ? r.help : commandHelp(r.cmd)), 0)
    }
    const r = resolve(argv.slice(idx), wantsHelp)
    if ('help' in r) return (process.stdout.write(r.help), 0)
    const { cmd, used } = r
    const rest = [...argv.slice(0, idx), ...argv.slice(idx + used)]
    const parsed = parseFlags(rest, { ...GLOBAL_OPTIONS, ...cmd.options }, cmd.name, `dice ${cmd.name} --help`)
    if (parsed.values.help) return (process.stdout.write(commandHelp(cmd)), 0)
    const v = parsed.values as Record<string, any>
    const ctx = makeContext({ config: v.config, db: v.db, databaseUrl: v['database-url'], at: v.at, noConfig: cmd.loadsConfig === false })
    return await (await cmd.load()).run(ctx, { values: v, positionals: parsed.positionals })
  } catch (e) {
    const err = asCodedError(e)
    process.stderr.write(`dice: ${err.message}\n`)
    if (!(e instanceof DiceError) && process.env.DICE_DEBUG) process.stderr.write(`${err.stack}\n`)
    return e instanceof DiceError ? e.exitCode : 1
  }
}
