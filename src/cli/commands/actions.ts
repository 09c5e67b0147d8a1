import type { Command } from '../command.js'
import { SPECS } from './specs.js'
import { writeJson, type CliContext } from '../context.js'
import { UsageError } from '../../core/errors.js'
import { Actions, type Actor } from '../../route/actions.js'
import type { Notifier } from '../../deliver/notifier.js'
import { createNotifier } from '../../deliver/registry.js'
import { People } from '../../people/people.js'
import { slackFromEnv } from '../../deliver/slack/api.js'
import { slackUserNames } from '../../people/names.js'
import type { Store } from '../../store/store.js'

/**
 * The CLI side of Slack's buttons. The actor is `--as WHO` or $USER; CLI operators hold the database
 * already, so they are trusted (no owner/admin check), and every action is audited under their name.
 */

function actorOf(ctx: CliContext, values: Record<string, any>): Actor {
  const id = (values.as as string | undefined) ?? ctx.env.USER ?? ctx.env.LOGNAME ?? 'cli'
  if (!id.trim()) throw new UsageError('--as: expected a name')
  return { id: id.trim(), trusted: true }
}

function oneId(cmd: string, positionals: string[]): string {
  if (positionals.length !== 1) throw new UsageError(`${cmd}: expected one statement ID (see \`dice catalog\`), got ${positionals.length}`)
  return positionals[0]!
}

/** Open the store, build Actions (with the configured notifier for hand-overs), run `f`, close. */
async function withActions<T>(ctx: CliContext, f: (a: Actions, store: Store) => Promise<T>, notify = false): Promise<T> {
  const store = await ctx.openStore()
  try {
    const notifier = notify ? await loadNotifier(ctx) : null
    // With a bot token, names given on the command line (--to, --user) are checked against Slack.
    const people = new People({ store, config: ctx.config, clock: ctx.clock, slack: slackFromEnv(ctx.env) })
    return await f(new Actions({ store, config: ctx.config, clock: ctx.clock, notifier, people }), store)
  } finally {
    await store.close()
  }
}

/** The notifier `dice run` would use: Slack with a token, else a webhook, else the console (on stderr here). */
async function loadNotifier(ctx: CliContext): Promise<Notifier> {
  return createNotifier({ config: ctx.config, env: ctx.env, out: ctx.stderr })
}

/**
 * Names for the raw Slack user ids among `ids` (hand-overs to people not in `people`): config, the directory
 * and users.info answers the store keeps, else the people resolver (users.list, which fills the store) when
 * SLACK_BOT_TOKEN is set.
 */
export async function slackNames(ctx: CliContext, store: Store, ids: Iterable<string | null | undefined>): Promise<Map<string, string>> {
  const slack = slackFromEnv(ctx.env)
  const people = slack ? new People({ store, config: ctx.config, clock: ctx.clock, slack }) : null
  return slackUserNames(ids, { config: ctx.config, store, lookup: people && (async (id) => (await people.resolve(id)).name) })
}

const fmtTime = (ms: number | null) => (ms == null ? '-' : new Date(ms).toISOString())

/** `dice snooze ID --for DURATION [--count N] [--channel C | --everyone]`. */
export const snooze: Command = {
  ...SPECS.snooze,
  async run(ctx, { values, positionals }) {
    const id = oneId('snooze', positionals)
    if (values.for == null && values.count == null && !values['until-worse']) throw new UsageError('snooze: --for DURATION (1h, 1d, 1w, 90m), --count N or --until-worse is required')
    let count: number | undefined
    if (values.count != null) {
      count = Number(values.count)
      if (!/^\d+$/.test(String(values.count)) || !(count > 0)) throw new UsageError(`--count: expected a positive whole number, got ${JSON.stringify(values.count)}`)
    }
    if (values.channel && values.everyone) throw new UsageError('snooze: --channel and --everyone cannot be combined')
    const row = await withActions(ctx, (a) => a.snooze({ statementId: id, actor: actorOf(ctx, values), for: values.for, count, channel: values.channel, everyone: values.everyone, untilWorse: values['until-worse'] }))
    if (values.json) writeJson(ctx.stdout, row)
    else {
      const who = row.scope === 'user' ? `for ${row.scopeId}` : row.scope === 'channel' ? `for #${row.scopeId}` : 'for everyone'
      const until = [row.until != null ? `until ${fmtTime(row.until)}` : null, row.remaining != null ? `for the next ${row.remaining} occurrences` : null,
        row.wakeOn === 'worse' ? 'until it gets worse (its next spike)' : null].filter(Boolean).join(' or ')
      ctx.stdout.write(`snoozed ${id} ${who} ${until}\n`)
    }
    return 0
  },
}

/** `dice mute ID [--user U | --channel C]`: for everyone unless a user or channel is named. */
export const mute: Command = {
  ...SPECS.mute,
  async run(ctx, { values, positionals }) {
    const id = oneId('mute', positionals)
    if (values.user && values.channel) throw new UsageError('mute: --user and --channel cannot be combined')
    const scope = values.user ? 'user' : values.channel ? 'channel' : 'all'
    const row = await withActions(ctx, (a) => a.mute({ statementId: id, actor: actorOf(ctx, values), scope, scopeId: values.user ?? values.channel }))
    if (values.json) writeJson(ctx.stdout, row)
    else ctx.stdout.write(`muted ${id} ${scope === 'all' ? 'for everyone' : scope === 'user' ? `for ${row.scopeId}` : `for #${row.scopeId}`}\n`)
    return 0
  },
}

/** `dice unmute ID [--user U | --channel C]`: lifts every mute and snooze of the statement unless narrowed. */
export const unmute: Command = {
  ...SPECS.unmute,
  async run(ctx, { values, positionals }) {
    const id = oneId('unmute', positionals)
    if (values.user && values.channel) throw new UsageError('unmute: --user and --channel cannot be combined')
    const actor = actorOf(ctx, values)
    const scope = values.user ? 'user' as const : values.channel ? 'channel' as const : undefined
    const scopeId = values.user ?? values.channel
    const r = await withActions(ctx, async (a) => {
      const mutes = await a.unmute({ statementId: id, actor, scope, scopeId })
      const snoozes = await a.unsnooze({ statementId: id, actor, scope, scopeId: scopeId?.replace(/^#/, '') })
      return { mutes, snoozes }
    })
    if (values.json) writeJson(ctx.stdout, { statementId: id, removed: r })
    else ctx.stdout.write(`unmuted ${id}: ${r.mutes} mute(s), ${r.snoozes} snooze(s) lifted\n`)
    return 0
  },
}

/** `dice reassign ID --to WHO` ("it wasn't me"), `dice reassign ID --undo`. */
export const reassign: Command = {
  ...SPECS.reassign,
  async run(ctx, { values, positionals }) {
    const id = oneId('reassign', positionals)
    const actor = actorOf(ctx, values)
    if (values.undo) {
      if (values.to) throw new UsageError('reassign: --undo and --to cannot be combined')
      const before = await withActions(ctx, (a) => a.undo({ statementId: id, actor }))
      if (values.json) writeJson(ctx.stdout, { statementId: id, removed: before })
      else ctx.stdout.write(before ? `override of ${id} removed (was ${before.to})\n` : `${id} had no override\n`)
      return 0
    }
    if (!values.to) throw new UsageError('reassign: --to WHO is required (or --undo)')
    const r = await withActions(ctx, (a) => a.reassign({ statementId: id, actor, to: values.to, reason: values.reason }), true)
    if (values.json) writeJson(ctx.stdout, { statementId: id, before: r.before, after: r.after, notified: r.notified })
    else {
      ctx.stdout.write(`${id} now goes to ${r.after.to}${r.before ? ` (was ${r.before.to})` : ''}\n`)
      if (!r.notified.ok) ctx.stderr.write(`dice: could not tell ${r.notified.to}: ${r.notified.error}\n`)
    }
    return 0
  },
}

/** `dice overrides [--json]`: the blame overrides in force. */
export const overrides: Command = {
  ...SPECS.overrides,
  async run(ctx, { values, positionals }) {
    if (positionals.length) throw new UsageError(`overrides: unexpected argument ${JSON.stringify(positionals[0])}`)
    const rows = await withActions(ctx, async (_a, store) => {
      const list = await store.listOverrides()
      const names = await slackNames(ctx, store, list.flatMap((o) => [o.to, o.by]))
      const out = []
      for (const o of list) {
        const s = await store.getStatement(o.statementId)
        // `to` and `by` stay as stored (the id `dice reassign` and the router use); the names sit beside them.
        out.push({
          ...o, createdAt: new Date(o.createdAt).toISOString(), file: s?.file ?? null, line: s?.line ?? null, template: s?.template ?? null,
          toName: names.get(o.to) ?? null, byName: names.get(o.by) ?? null,
        })
      }
      return out
    })
    const named = (who: string, name: string | null) => (name ? `${name} (${who})` : who)
    if (values.json) writeJson(ctx.stdout, rows)
    else if (!rows.length) ctx.stdout.write('no overrides\n')
    else for (const r of rows) ctx.stdout.write(`${r.statementId}  ${r.file ?? '?'}:${r.line ?? '?'}  → ${named(r.to, r.toName)}  (by ${named(r.by, r.byName)}, ${r.createdAt}${r.reason ? `, ${r.reason}` : ''})\n`)
    return 0
  },
}
