import type { CliContext } from './context.js'

/** What help and flag parsing need of a command. `options` uses node:util parseArgs syntax; unknown flags are
 *  a usage error (exit 2). */
export interface CommandSpec {
  name: string
  summary: string
  usage: string
  options: Record<string, { readonly type: 'string' | 'boolean'; readonly short?: string; readonly multiple?: boolean }>
}

/** One CLI command. */
export interface Command extends CommandSpec {
  /** Returns the exit status. */
  run(ctx: CliContext, args: { values: Record<string, any>; positionals: string[] }): Promise<number>
}
