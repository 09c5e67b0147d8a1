import type { CliContext } from './context.js'

/** One CLI command. `options` uses node:util parseArgs syntax; unknown flags are a usage error (exit 2). */
export interface Command {
  name: string
  summary: string
  usage: string
  options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>
  /** Returns the exit status. */
  run(ctx: CliContext, args: { values: Record<string, any>; positionals: string[] }): Promise<number>
}
