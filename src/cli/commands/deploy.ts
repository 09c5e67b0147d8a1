import { resolve } from 'node:path'
import type { Command } from '../command.js'
import { SPECS } from './specs.js'
import { writeJson } from '../context.js'
import { UsageError } from '../../core/errors.js'
import { recordDeploy } from '../../catalog/deploys.js'
import { META_ROOT } from '../../catalog/meta.js'

/** `dice deploy REV [--host PATTERN]`: hosts matching PATTERN run REV from now on (docs/alerts/versions.md). */
export const deploy: Command = {
  ...SPECS.deploy,
  async run(ctx, { values, positionals }) {
    if (positionals.length !== 1) throw new UsageError(`deploy: expected one REV (a tag, branch or commit), got ${positionals.length}`)
    const by = (values.as as string | undefined)?.trim() || ctx.env.USER || ctx.env.LOGNAME || 'cli'
    const store = await ctx.openStore()
    try {
      // A revision not catalogued yet is catalogued from the repository: --repo, else the one dice index read, else repo.path.
      const dir = values.repo ? resolve(ctx.cwd, values.repo as string) : (await store.getMeta(META_ROOT)) ?? resolve(ctx.cwd, ctx.config.repo.path)
      const { deploy: d, indexed } = await recordDeploy({ store, config: ctx.config, clock: ctx.clock, rev: positionals[0]!, host: values.host as string | undefined, by, dir })
      if (values.json) writeJson(ctx.stdout, { ...d, at: new Date(d.at).toISOString(), indexed })
      else {
        ctx.stdout.write(`deployed ${d.rev} (${d.commit.slice(0, 12)}) to ${d.hostPattern === '*' ? 'every host' : `hosts ${d.hostPattern}`} at ${new Date(d.at).toISOString()}` +
          `${indexed ? `; catalogued it: ${indexed.statements} statements, ${indexed.parsed} files read` : ''}\n`)
      }
      return 0
    } finally {
      await store.close()
    }
  },
}
