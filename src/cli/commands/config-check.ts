import type { Command } from '../command.js'
import { SPECS } from './specs.js'
import { writeJson } from '../context.js'
import { UsageError } from '../../core/errors.js'
import { checkRunnable } from '../../config/check.js'
import { assertExposureChosen, webAuthFrom } from '../../server/auth.js'

/** `dice config check`: validate the configuration as `dice run` does, print the effective values. */
export const configCheck: Command = {
  ...SPECS.configCheck,
  async run(ctx, { values, positionals }) {
    if (positionals.length) throw new UsageError(`config check: unexpected argument ${JSON.stringify(positionals[0])} (name the file with --config FILE)`)
    // The schema was checked when the context loaded it; this is the rest of what dice run refuses.
    checkRunnable(ctx.config, ctx.configFile)
    assertExposureChosen(ctx.config.server.host, webAuthFrom(ctx.config, ctx.env), ctx.configFile)
    if (values.json) writeJson(ctx.stdout, { file: ctx.configFile, config: ctx.config }, true)
    else ctx.stdout.write(`${ctx.configFile ?? '(built-in defaults)'}: ok\n`)
    return 0
  },
}
