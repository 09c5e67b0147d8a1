import type { Command } from '../command.js'
import { SPECS } from './specs.js'
import { writeJson } from '../context.js'
import { UsageError } from '../../core/errors.js'
import { slackFromEnv } from '../../deliver/slack/api.js'
import { runDoctor } from '../../doctor/check.js'
import { renderDoctor } from '../../doctor/render.js'

/** `dice doctor [--json]`: every name and channel Dice delivers to, checked against Slack. Exit 0 fine, 1 problems, 2 config error. */
export const doctor: Command = {
  ...SPECS.doctor,
  async run(ctx, { values, positionals }) {
    if (positionals.length) throw new UsageError(`doctor: unexpected argument ${JSON.stringify(positionals[0])} (it checks the store's catalog: run dice index DIR first)`)
    const store = await ctx.openStore()
    try {
      const report = await runDoctor({ store, config: ctx.config, configFile: ctx.configFile, clock: ctx.clock, slack: slackFromEnv(ctx.env) })
      if (values.json) writeJson(ctx.stdout, report, true)
      else ctx.stdout.write(renderDoctor(report))
      return report.exit
    } finally {
      await store.close()
    }
  },
}
