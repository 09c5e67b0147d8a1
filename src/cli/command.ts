import type { CliContext } from './context.js'

/** One flag: node:util parseArgs syntax plus what `--help` and docs/CLI.md say about it. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean'
  readonly short?: string
  readonly multiple?: boolean
  /** Placeholder for a string flag's value (`DURATION`, `WHO`, `F`, `N`…); values.ts explains the shared ones. */
  readonly value?: string
  /** One sentence: what the flag does. docs/CLI.md's command reference carries the same sentence. */
  readonly help: string
}

/** What help and flag parsing need of a command. Unknown flags are a usage error (exit 2). */
export interface CommandSpec {
  name: string
  summary: string
  usage: string
  options: Record<string, OptionSpec>
  /** Command lines shown under "Examples" in `--help`, without the leading `dice `. */
  examples: readonly string[]
  /** False for a command that must run whatever ./dice.yml holds (`dice init` writes it): built-in defaults. */
  loadsConfig?: boolean
}

/** One CLI command. */
export interface Command extends CommandSpec {
  /** Returns the exit status. */
  run(ctx: CliContext, args: { values: Record<string, any>; positionals: string[] }): Promise<number>
}
