import type { Clock } from '../../core/clock.js'
import { DiceError, ErrorCode } from '../../core/errors.js'
import type { Statement } from '../../core/types.js'
import type { Actions, Actor } from '../../route/actions.js'
import { slackEscape as esc } from '../../core/escape.js'
import type { SlackApi } from '../../deliver/slack/api.js'
import { isSlackUserId, mentionOrText as who } from '../../core/slack-ids.js'
import type { Scope, Store } from '../../store/store.js'
import type { MessageRef, ModalMeta, SlackAction } from './action.js'
import { annotateMessage, homeView, reassignModal, snoozeModal } from './views.js'

/** The slice of Dice's one Slack client the handlers call (errors are thrown as `SlackCallError`). */
export type SlackWeb = Pick<SlackApi, 'call'>

type Act = Exclude<SlackAction, { kind: 'url_verification' } | { kind: 'home' } | { kind: 'invalid_submission' } | { kind: 'ignore' }>

const MAX_REMEMBERED = 500
const human = (ms: number) => {
  const units: Array<[number, string]> = [[604_800_000, 'week'], [86_400_000, 'day'], [3_600_000, 'hour'], [60_000, 'minute']]
  for (const [u, name] of units) if (ms >= u && ms % u === 0) return `${ms / u} ${name}${ms / u === 1 ? '' : 's'}`
  return `${Math.round(ms / 60_000)} minutes`
}
const label = (s: Statement) => `\`${esc((s.template ?? s.callee).slice(0, 120))}\``

/**
 * Does the work behind a verified, acknowledged Slack request: runs the Action, then tells the user
 * (message updated in place, an ephemeral note, or a refreshed App Home). Never sees the HTTP request.
 */
export class SlackActionHandler {
  private actions: Actions
  private store: Store
  private clock: Clock
  private slack: SlackWeb | null
  private log: (line: string) => void
  /** Blocks of messages whose "it wasn't me" modal is open, to update them after submission. Bounded. */
  private pending = new Map<string, { blocks: unknown[]; text?: string }>()

  constructor(o: { actions: Actions; store: Store; clock: Clock; slack: SlackWeb | null; log?: (line: string) => void }) {
    this.actions = o.actions
    this.store = o.store
    this.clock = o.clock
    this.slack = o.slack
    this.log = o.log ?? (() => {})
  }

  /** Handle one action; failures the user should know about become an ephemeral explanation. */
  async handle(a: SlackAction): Promise<void> {
    if (a.kind === 'url_verification' || a.kind === 'invalid_submission' || a.kind === 'ignore') return
    if (a.kind === 'home') return this.publishHome(a.user)
    try {
      await this.act(a)
    } catch (e) {
      const known = e instanceof DiceError && (e.code === ErrorCode.Permission || e.code === ErrorCode.NotFound || e.code === ErrorCode.Usage)
      if (!known) this.log(`slack action ${a.kind} failed: ${(e as Error).stack ?? e}`)
      const text = known ? `Dice could not do that: ${esc((e as Error).message)}` : 'Dice could not do that (an internal error; the operator can see it in the logs).'
      await this.tell(a.user, a.channel?.id ?? null, text)
    }
  }

  private async act(click: Act): Promise<void> {
    const s = await this.actions.statement(click.statementId)
    const a = await this.postedFrom(s, click)
    const actor: Actor = { id: a.user, channel: a.channel, isMember: (c) => this.isMember(s.id, c, a.user), email: () => this.emailOf(a.user) }
    const meta = (scope: Scope | null = null): ModalMeta => ({
      statementId: s.id, channel: a.channel, message: a.message ? { channel: a.message.channel, ts: a.message.ts } : null, scope,
    })
    switch (a.kind) {
      case 'reassign_open':
        // views.open first: the trigger id expires about 3 seconds after the click.
        await this.call('views.open', { trigger_id: a.triggerId, view: reassignModal(s, meta()) })
        if (a.message?.blocks) this.remember(a.message, a.message.blocks)
        return
      case 'snooze_custom':
        await this.call('views.open', { trigger_id: a.triggerId, view: snoozeModal(s, meta(a.scope)) })
        if (a.message?.blocks) this.remember(a.message, a.message.blocks)
        return
      case 'snooze': {
        const scope = a.scope ?? this.defaultScope(s, a.channel)
        const channel = scope === 'channel' ? this.channelKey(s, a.channel) : undefined
        const row = await this.actions.snooze({ statementId: s.id, actor, for: a.forMs ?? undefined, count: a.count ?? undefined, channel, everyone: scope === 'all', untilWorse: a.untilWorse })
        const span = [row.until != null && a.forMs != null ? `for ${human(a.forMs)}` : null, row.remaining != null ? `for the next ${row.remaining} occurrences` : null,
          row.wakeOn === 'worse' ? 'until it gets worse' : null].filter(Boolean).join(' or ')
        const target = row.scope === 'user' ? 'for you' : row.scope === 'channel' ? `for #${esc(row.scopeId)}` : 'for everyone'
        return this.done(a, s, `:zzz: ${label(s)} snoozed ${target} ${span} by ${who(a.user)}.`, row.scope === 'user')
      }
      case 'unsnooze': {
        const n = await this.actions.unsnooze({ statementId: s.id, actor, scope: a.scope ?? undefined, scopeId: a.scopeId ?? undefined })
        return this.done(a, s, `:bell: ${label(s)}: ${n} snooze${n === 1 ? '' : 's'} lifted by ${who(a.user)}.`, true)
      }
      case 'mute': {
        const scope = a.scope === 'channel' ? 'channel' : a.scope
        const row = await this.actions.mute({ statementId: s.id, actor, scope, scopeId: scope === 'channel' ? this.channelKey(s, a.channel) : undefined })
        const target = row.scope === 'user' ? 'for you' : row.scope === 'channel' ? `for #${esc(row.scopeId)}` : 'for everyone'
        return this.done(a, s, `:no_bell: ${label(s)} muted ${target} by ${who(a.user)}. Undo from the Dice App Home.`, row.scope === 'user')
      }
      case 'unmute': {
        const n = await this.actions.unmute({ statementId: s.id, actor, scope: a.scope ?? undefined, scopeId: a.scopeId ?? undefined })
        return this.done(a, s, `:bell: ${label(s)}: ${n} mute${n === 1 ? '' : 's'} lifted by ${who(a.user)}.`, true)
      }
      case 'reassign': {
        const r = await this.actions.reassign({ statementId: s.id, actor, to: a.to, reason: a.reason })
        await this.rememberUser(r.after.to)
        const target = (await this.actions.slackIdOf(r.after.to)) ?? r.after.to
        const note = `:leftwards_arrow_with_hook: ${label(s)} handed over to ${who(target)} by ${who(a.user)} ("it wasn't me")${r.before ? `, was ${who(r.before.to)}` : ''}.`
        // The original message shows the hand-over in place, for everyone who sees it.
        if (a.message) await this.update(a.message, s.id, note)
        else await this.tell(a.user, a.channel?.id ?? null, note)
        if (!r.notified.ok) this.log(`could not tell ${r.notified.to} about the hand-over of ${s.id}: ${r.notified.error}`)
        return
      }
      case 'undo_override': {
        const before = await this.actions.undo({ statementId: s.id, actor })
        return this.done(a, s, before ? `:leftwards_arrow_with_hook: ${label(s)}: hand-over to ${who(before.to)} undone by ${who(a.user)}.` : `${label(s)} had no hand-over.`, true)
      }
    }
  }

  /** Publish the App Home tab for `user`: their snoozes, mutes and hand-overs. */
  async publishHome(user: string): Promise<void> {
    const now = this.clock()
    // Everything the user is known by (Slack id, people key, email), lower case: App Home shows all of it.
    const names = await this.actions.namesOf(user)
    const known = (x: string | null) => x != null && names.has(x.replace(/^@/, '').toLowerCase())
    const [snoozes, mutes, overrides, statements] = await Promise.all([
      this.store.activeSnoozes(now), this.store.listMutes(), this.store.listOverrides(), this.store.listStatements(),
    ])
    const mine = (by: string, scope: Scope | null, scopeId: string | null) => known(by) || (scope === 'user' && known(scopeId))
    const view = homeView({
      user, now, statements: new Map(statements.map((s) => [s.id, s])),
      snoozes: snoozes.filter((z) => mine(z.by, z.scope, z.scopeId)),
      mutes: mutes.filter((m) => mine(m.by, m.scope, m.scopeId)),
      overrides: overrides.filter((o) => known(o.by) || known(o.to)),
      link: (s) => this.actions.codeLink(s),
    })
    await this.call('views.publish', { user_id: user, view })
  }

  /** Tell the actor: App Home republished; a DM message or shared change updated in place; else ephemeral. */
  private async done(a: Act, s: Statement, note: string, personal: boolean): Promise<void> {
    if (a.fromHome) return this.publishHome(a.user)
    const inDm = a.message?.channel.startsWith('D') ?? false
    if (a.message && (!personal || inDm)) return this.update(a.message, s.id, note)
    await this.tell(a.user, a.channel?.id ?? a.message?.channel ?? null, note)
  }

  /**
   * The click with its channel named as the statement names it, when Dice posted the clicked message there
   * for one of the statement's channels: Slack's name may differ (`ipsec-debug-prod` for `#ipsec-debug`) or be
   * missing (only the id), and a channel snooze or mute must be stored under the name the router compares.
   * The clicker saw the message in that channel, so acting there counts as acting from inside it.
   */
  private async postedFrom<T extends Act>(s: Statement, a: T): Promise<T> {
    const id = a.channel?.id ?? a.message?.channel
    if (!id || (a.channel?.name && s.channels.includes(a.channel.name))) return a
    const name = await this.actions.postedChannel(s, { id, ts: a.message?.ts ?? null })
    return name ? { ...a, channel: { id, name } } : a
  }

  private defaultScope(s: Statement, channel: ActOrigin['channel']): Scope {
    return channel && s.channels.some((c) => c === channel.name || c === channel.id) ? 'channel' : 'user'
  }

  private channelKey(s: Statement, channel: ActOrigin['channel']): string {
    // Statements name channels as annotated (`#ipsec-debug`); the router compares those names.
    const named = s.channels.find((c) => c === channel?.name || c === channel?.id)
    return named ?? channel?.name ?? channel?.id ?? s.channels[0] ?? 'unknown'
  }

  /**
   * Is `user` in the channel Dice posts `statementId` to? Slack needs the channel id, which the real-time
   * state row keeps once the first message went out; before that, only a click in the channel counts.
   */
  private async isMember(statementId: string, channel: string, user: string): Promise<boolean> {
    if (!this.slack) return false
    const rt = await this.store.getRealtime(statementId, channel)
    const id = (rt?.state as { channelId?: string | null } | null)?.channelId
    if (!id) return false
    let cursor: string | undefined
    for (let page = 0; page < 20; page++) {
      const r = await this.slack.call('conversations.members', { channel: id, limit: 1000, ...(cursor ? { cursor } : {}) })
      if (r.ok === false) return false
      if ((r.members as string[] | undefined)?.includes(user)) return true
      cursor = (r.response_metadata as { next_cursor?: string } | undefined)?.next_cursor || undefined
      if (!cursor) return false
    }
    return false
  }

  /**
   * A hand-over to someone not in `people` stores their bare Slack id: keep their Slack profile in the `users`
   * cache (the rows delivery's people look-ups keep), so the web page and `dice overrides` can show a name.
   */
  private async rememberUser(key: string): Promise<void> {
    if (!this.slack || !isSlackUserId(key)) return
    try {
      if ((await this.store.getUser(key))?.name) return
      const r = (await this.slack.call('users.info', { user: key })) as { ok?: boolean; user?: SlackProfile }
      const u = r?.ok === false ? null : r?.user
      if (!u || u.deleted) return
      const name = u.real_name || u.profile?.real_name || u.name || null
      await this.store.putUser({ key, slackId: u.id ?? key, name, email: u.profile?.email ?? null, tz: u.tz ?? null, fetchedAt: this.clock() })
    } catch (e) {
      this.log(`could not look up Slack user ${key}: ${(e as Error).message}`)
    }
  }

  /** The clicker's email from their Slack profile (users.info), or null. */
  private async emailOf(user: string): Promise<string | null> {
    if (!this.slack) return null
    const r = (await this.slack.call('users.info', { user })) as { ok?: boolean; user?: { profile?: { email?: unknown } } }
    const email = r?.ok === false ? null : r?.user?.profile?.email
    return typeof email === 'string' && email ? email : null
  }

  private remember(m: MessageRef, blocks: unknown[]): void {
    const k = `${m.channel} ${m.ts}`
    this.pending.delete(k)
    this.pending.set(k, { blocks, text: m.text })
    while (this.pending.size > MAX_REMEMBERED) this.pending.delete(this.pending.keys().next().value!)
  }

  private async update(m: MessageRef, statementId: string, note: string): Promise<void> {
    const k = `${m.channel} ${m.ts}`
    const kept = this.pending.get(k)
    const blocks = m.blocks ?? kept?.blocks
    this.pending.delete(k)
    // The message's own text stays its notification fallback; else the note, without mrkdwn marks
    // (underscores kept: they belong to emoji names and identifiers).
    const text = m.text ?? kept?.text ?? note.replace(/[*`]/g, '')
    await this.call('chat.update', { channel: m.channel, ts: m.ts, text, blocks: annotateMessage(blocks, m.text, statementId, note) })
  }

  private async tell(user: string, channel: string | null, text: string): Promise<void> {
    if (channel) await this.call('chat.postEphemeral', { channel, user, text })
    // No channel (App Home, modal): a direct message instead.
    else await this.call('chat.postMessage', { channel: user, text })
  }

  private async call(method: string, args: Record<string, unknown>): Promise<void> {
    if (!this.slack) return this.log(`slack ${method} skipped: no SLACK_BOT_TOKEN`)
    try {
      const r = await this.slack.call(method, args)
      if (r && r.ok === false) this.log(`slack ${method} failed: ${r.error}`)
    } catch (e) {
      this.log(`slack ${method} failed: ${(e as Error).message}`)
    }
  }
}

type ActOrigin = Extract<SlackAction, { kind: 'snooze' }>
type SlackProfile = { id?: string; name?: string; real_name?: string; deleted?: boolean; tz?: string; profile?: { real_name?: string; email?: string } }
