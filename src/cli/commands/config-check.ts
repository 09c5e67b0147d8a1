import type { Command } from '../command.js'
import { SPECS } from './specs.js'
import { writeJson } from '../context.js'

/** `dice config check`: load and validate the configuration, print the effective values. */
export const configCheck: Command = {
  ...SPECS.configCheck,
  async run(ctx, { values }) {
    if (values.json) writeJson(ctx.stdout, { file: ctx.configFile, config: ctx.config }, true)
    else ctx.stdout.write(`${ctx.configFile ?? '(built-in defaults)'}: ok\n`)
    return 0
  },
}
