import type { Command } from '../command.js'
import { SPECS } from './specs.js'
import { writeJson, type CliContext } from '../context.js'
import { UsageError } from '../../core/errors.js'
import { Actions, personId, place, type Actor } from '../../route/actions.js'
import type { Notifier } from '../../deliver/notifier.js'
import { createNotifier } from '../../deliver/registry.js'
import { People } from '../../people/people.js'
import { slackFromEnv } from '../../deliver/slack/api.js'
import { slackUserNames } from '../../people/names.js'
import type { Scope, Store } from '../../store/store.js'
import type { Statement } from '../../core/types.js'

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

/** `2026-12-13 10:00 UTC`, to the nearest minute (`--json` has the exact time). */
function fmtTime(ms: number): string {
  const iso = new Date(Math.round(ms / 60_000) * 60_000).toISOString()
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`
}

/** Whose delivery a snooze, mute or unmute changes, as the flags say: no flag is everyone. */
type ScopeFlags = { scope: 'all' } | { scope: 'user'; who: string } | { scope: 'channel'; channel: string }

/**
 * The one reading of `--user WHO` / `--channel C` for snooze, mute and unmute: neither is everyone (snooze's
 * older `--everyone` says the same); two of them are a usage error.
 */
function scopeFlags(cmd: string, values: Record<string, any>): ScopeFlags {
  const given = ['user', 'channel', 'everyone'].filter((f) => values[f] != null && values[f] !== false)
  if (given.length > 1) throw new UsageError(`${cmd}: --${given[0]} and --${given[1]} cannot be combined`)
  if (values.user != null) {
    const who = String(values.user).trim()
    if (!who) throw new UsageError('--user: expected a person (Slack user id, @handle, email or people key)')
    return { scope: 'user', who }
  }
  if (values.channel != null) {
    const channel = String(values.channel).trim().replace(/^#/, '')
    if (!channel) throw new UsageError('--channel: expected a channel name')
    return { scope: 'channel', channel }
  }
  return { scope: 'all' }
}

/** A scope as stored (`scopeId`) and in words ("for everyone", "for #ops", "for Riley Jones (URILEY0001)"). */
interface Scoped { scope: Scope; scopeId: string; label: string }

/**
 * The flags' scope with `--user WHO` resolved the one way Dice resolves people (as `reassign --to`): what
 * resolves to nobody is refused (exit 1, nothing stored).
 */
async function resolveScope(a: Actions, f: ScopeFlags): Promise<Scoped> {
  if (f.scope === 'all') return { scope: 'all', scopeId: '*', label: 'for everyone' }
  if (f.scope === 'channel') return { scope: 'channel', scopeId: f.channel, label: `for #${f.channel}` }
  const r = await a.person(f.who, '--user')
  const id = personId(r)
  return { scope: 'user', scopeId: id, label: `for ${r.name && r.name !== id ? `${r.name} (${id})` : id}` }
}

/** What a statement is, for a line of output: its template (or call) and where it is. */
const what = (s: Statement) => `${s.template ?? s.callee} (${place(s)})`

/** `dice snooze ID --for DURATION [--count N] [--until-worse] [--user WHO | --channel C]`: for everyone unless a person or channel is named. */
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
    const flags = scopeFlags('snooze', values)
    const actor = actorOf(ctx, values)
    const { row, scoped, s } = await withActions(ctx, async (a) => {
      const s = await a.statement(id)
      const scoped = await resolveScope(a, flags)
      const row = await a.snooze({
        statementId: id, actor, for: values.for, count, untilWorse: values['until-worse'],
        everyone: scoped.scope === 'all', channel: scoped.scope === 'channel' ? scoped.scopeId : undefined, user: scoped.scope === 'user' ? scoped.scopeId : undefined,
      })
      return { row, scoped, s }
    })
    if (values.json) writeJson(ctx.stdout, row)
    else {
      const until = [row.until != null ? `until ${fmtTime(row.until)}` : null, row.remaining != null ? `for the next ${row.remaining} occurrences` : null,
        row.wakeOn === 'worse' ? 'until it gets worse (its next spike)' : null].filter(Boolean).join(' or ')
      ctx.stdout.write(`snoozed ${id} ${scoped.label} ${until}: ${what(s)}\n`)
    }
    return 0
  },
}

/** `dice mute ID [--user WHO | --channel C]`: for everyone unless a person or channel is named. */
export const mute: Command = {
  ...SPECS.mute,
  async run(ctx, { values, positionals }) {
    const id = oneId('mute', positionals)
    const flags = scopeFlags('mute', values)
    const actor = actorOf(ctx, values)
    const { row, scoped, s } = await withActions(ctx, async (a) => {
      const s = await a.statement(id)
      const scoped = await resolveScope(a, flags)
      return { row: await a.mute({ statementId: id, actor, scope: scoped.scope, scopeId: scoped.scopeId }), scoped, s }
    })
    if (values.json) writeJson(ctx.stdout, row)
    else ctx.stdout.write(`muted ${id} ${scoped.label}: ${what(s)}\n`)
    return 0
  },
}

/** `dice unmute ID [--user WHO | --channel C]`: lifts every mute and snooze of the statement unless a person or channel is named. */
export const unmute: Command = {
  ...SPECS.unmute,
  async run(ctx, { values, positionals }) {
    const id = oneId('unmute', positionals)
    const flags = scopeFlags('unmute', values)
    const actor = actorOf(ctx, values)
    const { r, scoped, s } = await withActions(ctx, async (a) => {
      const s = await a.statement(id)
      const scoped = await resolveScope(a, flags)
      // Everyone: every mute and snooze of the statement, whoever they were for.
      const scope = scoped.scope === 'all' ? undefined : scoped.scope
      const mutes = await a.unmute({ statementId: id, actor, scope, scopeId: scoped.scopeId })
      const snoozes = await a.unsnooze({ statementId: id, actor, scope, scopeId: scoped.scopeId })
      return { r: { mutes, snoozes }, scoped, s }
    })
    if (values.json) writeJson(ctx.stdout, { statementId: id, removed: r })
    else ctx.stdout.write(`unmuted ${id} ${scoped.label} (${r.mutes} mute(s), ${r.snoozes} snooze(s) lifted): ${what(s)}\n`)
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
