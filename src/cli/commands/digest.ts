import type { Command } from '../command.js'
import { SPECS } from './specs.js'
import { Output } from '../output.js'
import { Router, type DigestTarget } from '../../route/router.js'
import type { Config } from '../../config/schema.js'
import type { Statement } from '../../core/types.js'
import { personFor } from '../../catalog/people.js'
import { Delivery, buildDigests, type DigestPreview } from '../../deliver/delivery.js'
import { DIGEST_KIND } from '../../deliver/digest/build.js'
import { createNotifier } from '../../deliver/notifier.js'
import { slackFromEnv } from '../../deliver/slack/api.js'
import { slackUnescape, stripControl } from '../../core/escape.js'

function header(d: DigestPreview, preview: boolean): string {
  const n = d.counted?.statements ?? d.items.length
  const what = `${n} statement${n === 1 ? '' : 's'}${d.parts.length > 1 ? ` in ${d.parts.length} messages (the first, then replies in its thread)` : ''}`
  const state = preview
    ? d.due ? 'due now' : `not due: ${d.reason}`
    : { enqueued: 'sent', 'dry-run': 'not sent (no Slack token: a preview; --mark-sent counts it as sent)', 'already-sent': "today's digest was already sent", 'not-due': `not due: ${d.reason}`, away: `not sent: ${d.reason}`, undeliverable: `not sent: ${d.reason}`, preview: '' }[d.status]
  // Sending skips building what is not due or already sent today: there is no count to report then, only why.
  if (!preview && (d.status === 'not-due' || d.status === 'already-sent')) return `${d.target} — ${d.localDate} ${d.tz} — ${state}`
  return `${d.target} — ${d.localDate} ${d.tz} — ${what} — ${state}`
}

/** Does a digest target belong to `who` (a key, email, alias or Slack id of the same person, or `#channel`)? */
function isFor(t: DigestTarget, who: string, config: Config): boolean {
  const w = who.trim().replace(/^@/, '').toLowerCase()
  if (t.kind === 'channel') return w.replace(/^#/, '') === t.channel.toLowerCase()
  if (t.key.toLowerCase() === w) return true
  const p = personFor(who, config)
  return p !== null && personFor(t.key, config)?.key === p.key
}

/**
 * Why `--user WHO` got no digest: they own nothing in the catalog (a typo, or a name Dice does not know), or
 * nothing of theirs happened since their last digest. The two need different next steps.
 */
async function nothingFor(who: string, router: Router, statements: Statement[], config: Config): Promise<string> {
  const mine = statements.filter((s) => {
    const t = router.digestTarget(s)
    return t !== null && isFor(t, who, config)
  }).length
  if (!mine) {
    return `${who} has no statements: none of the ${statements.length} in the catalog goes to their digest ` +
      `(\`dice catalog --owner ${who}\` lists what they own; WHO is a key, email or alias from people, or a git author email)\n`
  }
  return `no digest for ${who}: nothing new in their ${mine} statement${mine === 1 ? '' : 's'} since their last digest\n`
}

/**
 * `dice digest [--user WHO] [--preview] [--mark-sent] [--at ISO-TIME] [--json]`: build (and without --preview, send) the
 * digests due; with no Slack token or webhook, print the due ones and mark nothing unless --mark-sent.
 */
export const digest: Command = {
  ...SPECS.digest,
  async run(ctx, { values }) {
    // Before anything writes to stdout (the console notifier too): `dice digest | head` ends quietly.
    const out = new Output(ctx.stdout)
    const store = await ctx.openStore()
    try {
      const slack = slackFromEnv(ctx.env)
      const router = new Router({ store, config: ctx.config, clock: ctx.clock })
      await router.refresh()
      const preview = !!values.preview
      const log = (l: string) => ctx.stderr.write(`dice: ${l}\n`)
      // With --json, the console notifier must not write digests into the JSON on stdout.
      const notifier = createNotifier({ config: ctx.config, env: ctx.env, out: values.json ? ctx.stderr : ctx.stdout, slack })
      // Console output reaches nobody: it is a preview of what is due unless --mark-sent says it counts, so the
      // service (with a token) still sends today's digest.
      const dryRun = !preview && notifier.name === 'console' && !values['mark-sent']
      const delivery = preview || dryRun ? null : new Delivery({ store, config: ctx.config, clock: ctx.clock, notifier, slack, router, log })
      const built = await buildDigests({ store, config: ctx.config, clock: ctx.clock, router, slack, user: values.user, preview, dryRun, log })
      if (delivery) {
        await delivery.pump([DIGEST_KIND])
        delivery.stop()
      }
      if (values.json) {
        out.push(JSON.stringify(built.map(({ blocks: _b, parts, ...d }) => ({ ...d, messages: parts.length })), null, 2) + '\n')
        await out.flush()
        out.check()
        return 0
      }
      if (!built.length) out.push(values.user ? await nothingFor(values.user, router, await store.listStatements(), ctx.config) : 'no digests: nothing new since the last ones\n')
      for (const d of built) {
        out.push(`${header(d, preview)}\n`)
        if ((preview || d.status === 'dry-run') && d.items.length) for (const part of d.parts) out.push(`${stripControl(slackUnescape(part.text))}\n\n`)
        await out.flush()
        if (out.closed) break
      }
      await out.flush()
      out.check()
      if (delivery && delivery.stats.failures) return 1
      return 0
    } finally {
      await store.close()
    }
  },
}
