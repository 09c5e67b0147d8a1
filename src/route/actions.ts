import type { Config } from '../config/schema.js'
import { parseDuration, type Clock } from '../core/clock.js'
import { DiceError, ErrorCode, UsageError } from '../core/errors.js'
import { isShapeId, shapeStatement, type Statement } from '../core/types.js'
import { slackEscape as esc } from '../core/escape.js'
import { codeLink } from '../core/links.js'
import { isSlackUserId, mentionOrText } from '../core/slack-ids.js'
import type { MuteRow, OverrideRow, Scope, SnoozeRow, Store } from '../store/store.js'
import { People, type Recipient } from '../people/people.js'
import { loadOwners } from './owner.js'

/** Anything that re-reads snoozes, mutes and overrides (the router, the silences): called after every action. */
export interface Refreshable {
  refresh(): Promise<void>
}

/** Where a hand-over notice is sent (a delivery Notifier fits; routing does not depend on delivery). */
export interface Notifier {
  send(m: { to: string; text: string; blocks?: unknown[] }): Promise<{ ok: true } | { ok: false; error: string }>
}

/** Who acts, and from where: a Slack user id, or a CLI operator name. */
export interface Actor {
  /** Slack user id (`U…`) or person key / login name. */
  id: string
  /**
   * The Slack channel the button was clicked in, when it was one. Someone who sees a statement's
   * channel message is a member of that channel, which allows muting it for everyone.
   */
  channel?: { id?: string; name?: string } | null
  /**
   * CLI operators already hold the database: permission checks would only be theatre there, so the
   * CLI passes `trusted`. Slack actions never do.
   */
  trusted?: boolean
  /**
   * Is the actor a member of this channel (a statement's `#name`)? Slack supplies it (conversations.members
   * of the channel Dice posts that statement to); without it only the click's own channel counts.
   */
  isMember?: (channel: string) => Promise<boolean>
  /**
   * The actor's email as Slack knows it (users.info). A blamed owner is named by their git email, which
   * Dice may never have looked up in Slack yet; this lets them act as owner all the same.
   */
  email?: () => Promise<string | null>
}

/** Thrown when the actor may not do what they asked (Slack answers with an ephemeral explanation). */
export class PermissionError extends DiceError {
  constructor(message: string) {
    super(ErrorCode.Permission, message, 1)
    this.name = 'PermissionError'
  }
}

/** A snooze request: a duration, a number of further occurrences, or both (whichever ends first). */
export interface SnoozeRequest {
  statementId: string
  actor: Actor
  /** `1h`, `1d`, `1w`, `90m`… or milliseconds. */
  for?: string | number
  /** Swallow this many more occurrences. */
  count?: number
  /** Snooze for a channel (name or id) instead of for the actor. */
  channel?: string
  /** Snooze for this person (as stored: see `personId`) instead of for the actor. */
  user?: string
  /** Snooze for everyone. */
  everyone?: boolean
  /** Until the statement's next spike ("until it gets worse", docs/alerts/spikes.md), alone or with a time or count. */
  untilWorse?: boolean
}

/** The result of a hand-over ("it wasn't me"). */
export interface ReassignResult {
  statement: Statement
  before: OverrideRow | null
  after: OverrideRow
  /** Where the new owner was told, or why not. */
  notified: { ok: boolean; to: string; error?: string }
}

const MAX_COUNT = 1_000_000
const MAX_SNOOZE_MS = 365 * 86_400_000

/** Store meta key bumped by every action; `dice run` polls it and refreshes its router. */
export const ACTIONS_META_KEY = 'actions.at'

/**
 * The actions Slack buttons and the CLI offer: snooze, mute, unmute, reassign ("it wasn't me"), undo.
 * Each one checks the statement exists, checks permission, writes the store, writes an audit row
 * (who, what, when, before/after) and refreshes the router so the next occurrence sees it at once.
 */
export class Actions {
  private store: Store
  private config: Config
  private clock: Clock
  private router: Refreshable | null
  private notifier: Notifier | null
  /** The one people resolver: who `--to`, an owner or an actor is (Slack checked when it has a token). */
  readonly people: People

  constructor(o: { store: Store; config: Config; clock: Clock; router?: Refreshable | null; notifier?: Notifier | null; people?: People }) {
    this.store = o.store
    this.config = o.config
    this.clock = o.clock
    this.router = o.router ?? null
    this.notifier = o.notifier ?? null
    this.people = o.people ?? new People({ store: o.store, config: o.config, clock: o.clock, slack: null })
  }

  /**
   * The statement, or the unowned shape (`shape:<hash>`, or the bare hash) as one (`shapeStatement`): both are
   * muted, snoozed and handed over alike. A `dice_not_found` error naming the id when it is neither.
   */
  async statement(id: string): Promise<Statement> {
    const s = id && !isShapeId(id) ? await this.store.getStatement(id) : null
    if (s) return s
    const hash = isShapeId(id) ? id.slice('shape:'.length) : id
    const shape = /^[0-9a-f]{12}$/.test(hash) ? await this.store.getShape(hash) : null
    if (shape) return shapeStatement(hash, shape.shape, shape.level)
    throw new DiceError(ErrorCode.NotFound, `no log statement with id ${JSON.stringify(id)} in the catalog and no unowned shape (see \`dice catalog\`; shape ids are in the fallback digest and on the web page)`, 1)
  }

  /**
   * Snooze for a while and/or for the next N occurrences: for the actor (a Slack click) unless a person, a
   * channel or everyone is named.
   */
  async snooze(r: SnoozeRequest): Promise<SnoozeRow> {
    const s = await this.statement(r.statementId)
    const now = this.clock()
    const ms = r.for == null ? null : typeof r.for === 'number' ? r.for : parseDuration(r.for, '--for')
    if (ms != null && !(ms > 0)) throw new UsageError(`--for: expected a positive duration, got ${r.for}`)
    // Longer is a mute; and an end past what a Date can hold breaks every page and App Home that shows it.
    if (ms != null && ms > MAX_SNOOZE_MS) throw new UsageError(`--for: at most 365d, got ${r.for}; to silence it for good, mute it`)
    if (r.count != null && !(Number.isInteger(r.count) && r.count > 0 && r.count <= MAX_COUNT)) {
      throw new UsageError(`--count: expected a whole number 1-${MAX_COUNT}, got ${r.count}`)
    }
    if (ms == null && r.count == null && !r.untilWorse) throw new UsageError('snooze: give a duration (--for 1h), a count (--count N) or --until-worse')
    let scope: Scope = 'user'
    let scopeId = r.actor.id
    if (r.everyone) {
      await this.mayActForEveryone(s, r.actor, 'snooze it for everyone')
      ;(scope = 'all'), (scopeId = '*')
    } else if (r.channel) {
      ;(scope = 'channel'), (scopeId = r.channel.replace(/^#/, ''))
      if (!inChannel(r.actor, scopeId)) await this.mayActForEveryone(s, r.actor, `snooze it for #${scopeId}`)
    } else if (r.user) {
      scopeId = r.user
      if (scopeId !== r.actor.id) await this.mayActForEveryone(s, r.actor, `snooze it for ${scopeId}`)
    }
    const row = await this.store.addSnooze({
      statementId: s.id, scope, scopeId, until: ms == null ? null : now + ms, remaining: r.count ?? null, wakeOn: r.untilWorse ? 'worse' : null, by: r.actor.id, createdAt: now,
    })
    await this.audit(r.actor, 'snooze', s.id, null, row)
    return row
  }

  /** Remove snoozes of a statement (all of them, or one scope). Returns how many. */
  async unsnooze(o: { statementId: string; actor: Actor; scope?: Scope; scopeId?: string }): Promise<number> {
    const s = await this.statement(o.statementId)
    const inScope = await this.inScope(o.scope, o.scopeId)
    const before = (await this.store.activeSnoozes(this.clock())).filter((x) => x.statementId === s.id && inScope(x))
    // Your own snoozes (for you, or ones you set) are yours to lift; others' need the everyone rule.
    if (before.some((x) => x.by !== o.actor.id && (x.scope !== 'user' || x.scopeId !== o.actor.id))) await this.mayActForEveryone(s, o.actor, 'lift a snooze someone else set')
    let n = 0
    if (!o.scope) n = await this.store.removeSnoozes(s.id)
    else for (const id of new Set(before.map((x) => x.scopeId))) n += await this.store.removeSnoozes(s.id, o.scope, id)
    await this.audit(o.actor, 'unsnooze', s.id, before, null)
    return n
  }

  /**
   * Mute for good: for the actor (`scope: 'user'`, default scopeId the actor), for a channel, or for
   * everyone (`'all'`), which needs the statement's owner, a member of one of its channels, or an admin.
   */
  async mute(o: { statementId: string; actor: Actor; scope?: Scope; scopeId?: string }): Promise<MuteRow> {
    const s = await this.statement(o.statementId)
    const scope = o.scope ?? 'user'
    const scopeId = scope === 'all' ? '*' : (o.scopeId ?? o.actor.id).replace(/^#/, '')
    if (scope === 'all') await this.mayActForEveryone(s, o.actor, 'mute it for everyone')
    // A channel's own members may quiet it there (they clicked in it); anyone else needs the everyone rule.
    if (scope === 'channel' && !inChannel(o.actor, scopeId)) await this.mayActForEveryone(s, o.actor, `mute it for #${scopeId}`)
    if (scope === 'user' && scopeId !== o.actor.id) await this.mayActForEveryone(s, o.actor, `mute it for ${scopeId}`)
    const row: MuteRow = { statementId: s.id, scope, scopeId, by: o.actor.id, createdAt: this.clock() }
    await this.store.addMute(row)
    await this.audit(o.actor, 'mute', s.id, null, row)
    return row
  }

  /**
   * Lift mutes. With no scope: the actor's own mute plus, when allowed, the everyone-mute. Lifting
   * someone else's or the everyone-mute needs the same permission as setting it.
   */
  async unmute(o: { statementId: string; actor: Actor; scope?: Scope; scopeId?: string }): Promise<number> {
    const s = await this.statement(o.statementId)
    const mutes = (await this.store.listMutes()).filter((m) => m.statementId === s.id)
    let targets: MuteRow[]
    if (o.scope) {
      const inScope = await this.inScope(o.scope, o.scope === 'all' ? '*' : o.scopeId ?? o.actor.id)
      targets = mutes.filter(inScope)
    } else {
      targets = mutes.filter((m) => m.scope === 'user' && m.scopeId === o.actor.id)
      if (await this.allowedForEveryone(s, o.actor)) targets = mutes
    }
    if (targets.some((m) => m.by !== o.actor.id && !(m.scope === 'user' && m.scopeId === o.actor.id))) await this.mayActForEveryone(s, o.actor, 'unmute it for everyone')
    let n = 0
    for (const m of targets) n += await this.store.removeMute(m.statementId, m.scope, m.scopeId)
    await this.audit(o.actor, 'unmute', s.id, targets, null)
    return n
  }

  /**
   * "It wasn't me": future occurrences go to `to`. The new owner is told who handed it over, with a
   * link to the code. Anyone may hand a statement on (the blame guess is often wrong and the audit log
   * shows who did it); the previous override is kept in the audit row for undo.
   */
  async reassign(o: { statementId: string; actor: Actor; to: string; reason?: string | null }): Promise<ReassignResult> {
    const s = await this.statement(o.statementId)
    const to = o.to.trim().replace(/^@/, '')
    if (!to) throw new UsageError('--to: expected a person (Slack user id, email or name)')
    // An `@person` comment in the code outranks an override (annotation → override → blame): storing one
    // would report a hand-over that never takes effect.
    if (s.mentions.length) {
      throw new UsageError(`${s.id} is annotated @${s.mentions.join(' @')} at ${s.file}:${s.line}; the annotation decides who gets it, so change that comment in the code`)
    }
    const r = await this.person(to, '--to')
    const row: OverrideRow = { statementId: s.id, to: personId(r), by: o.actor.id, reason: o.reason ?? null, createdAt: this.clock() }
    const before = await this.store.setOverride(row)
    await this.audit(o.actor, 'reassign', s.id, before, row)
    const notified = await this.tellNewOwner(s, row, r)
    return { statement: s, before, after: row, notified }
  }

  /**
   * Who `who` is (a Slack id, `@handle`, handle, email or `people` key), resolved the one way Dice resolves
   * people; a `dice_not_found` error (exit 1) naming `flag` when it is nobody, so nothing is stored for them.
   */
  async person(who: string, flag: string): Promise<Recipient> {
    const r = await this.people.resolve(who)
    if (!r.known) throw new DiceError(ErrorCode.NotFound, `${flag} ${who}: ${r.detail ?? 'Slack has nobody by that name'}; nothing was changed`, 1)
    return r
  }

  /**
   * Which stored mutes/snoozes a scope names: all of them with no scope; `all` the everyone ones; a channel by
   * name (with or without `#`); a person by any name they are known by (key, Slack id, email, alias), so
   * `--user riley` lifts what a click by riley's Slack id or an older `--user riley@…` set.
   */
  private async inScope(scope?: Scope, scopeId?: string): Promise<(x: { scope: Scope; scopeId: string }) => boolean> {
    if (!scope) return () => true
    if (scope === 'all') return (x) => x.scope === 'all'
    if (scope === 'channel' || !scopeId) {
      const id = scopeId?.replace(/^#/, '')
      return (x) => x.scope === scope && (!id || x.scopeId === id)
    }
    const names = await this.namesOf(scopeId)
    return (x) => x.scope === 'user' && names.has(x.scopeId.toLowerCase())
  }

  /** Remove the override, so ownership falls back to annotation/blame. Returns the removed override. */
  async undo(o: { statementId: string; actor: Actor }): Promise<OverrideRow | null> {
    const s = await this.statement(o.statementId)
    const before = await this.store.removeOverride(s.id)
    await this.audit(o.actor, 'undo_override', s.id, before, null)
    return before
  }

  /**
   * The channel, as the code or a route rule names it (`ipsec-debug`), that Dice posted a statement's message
   * for into Slack channel `clicked.id`, whatever Slack calls that channel (`ipsec-debug-prod`, or no name at
   * all in the payload): the real-time row of each of the statement's channels keeps the Slack channel id and
   * ts of its message. The row whose ts is the clicked message wins; else the one posting to that channel id.
   * Null when Dice posted the statement to none of its channels there.
   */
  async postedChannel(s: Statement, clicked: { id?: string | null; ts?: string | null }): Promise<string | null> {
    if (!clicked.id) return null
    const names = new Set<string>()
    for (const c of s.channels) names.add(c.replace(/^#/, ''))
    for (const r of this.config.route.rules) if (r.channel) names.add(r.channel.replace(/^#/, ''))
    let sameChannel: string | null = null
    for (const name of names) {
      const rt = await this.store.getRealtime(s.id, name)
      const channelId = (rt?.state as { channelId?: string | null } | null)?.channelId
      if (!rt || channelId !== clicked.id) continue
      if (clicked.ts && rt.ts === clicked.ts) return name
      sameChannel ??= name
    }
    return sameChannel
  }

  /** A web link to the statement's line, when `repo.url` is configured. */
  codeLink(s: Statement): string | null {
    return codeLink(this.config.repo, s)
  }

  /** Every name `who` is known by (the key digests use, Slack id, email, configured key and aliases), lower case. */
  async namesOf(who: string): Promise<Set<string>> {
    const names = new Set<string>([who])
    const r = await this.people.resolve(who).catch(() => null)
    const p = r?.person
    for (const x of [r?.key, r?.slackId, r?.email, p?.key, p?.slackId, p?.email, ...(p ? this.config.people[p.key]?.aliases ?? [] : [])]) if (x) names.add(x)
    return new Set([...names].map((x) => x.replace(/^@/, '').toLowerCase()))
  }

  /** The Slack user id of a person key, handle, email or id, when Slack (or `people`) knows one. */
  async slackIdOf(who: string): Promise<string | null> {
    const r = await this.people.resolve(who).catch(() => null)
    return r?.slackId ?? (isSlackUserId(who) ? who : null)
  }

  /** True when `actor` may act on a statement for everyone (owner, channel member, admin). */
  async allowedForEveryone(s: Statement, actor: Actor): Promise<boolean> {
    if (actor.trusted) return true
    if (this.config.slack.admins.includes(actor.id)) return true
    if (actor.channel && s.channels.some((c) => c === actor.channel?.name || c === actor.channel?.id)) return true
    if (actor.isMember) for (const c of s.channels) if (await actor.isMember(c).catch(() => false)) return true
    const owner = (await loadOwners(this.store, this.config))(s)
    if (!owner.who) return false
    // A CODEOWNERS team delivered to a channel: its members act for it, as for a `#channel` statement.
    if (owner.who.startsWith('#')) return !!actor.isMember && (await actor.isMember(owner.who.slice(1)).catch(() => false))
    const names = await this.namesOf(owner.who)
    if (names.has(actor.id.toLowerCase())) return true
    const email = actor.email ? await actor.email().catch(() => null) : null
    if (!email) return false
    if (names.has(email.toLowerCase())) return true
    const [mine, theirs] = await Promise.all([this.people.resolve(email).catch(() => null), this.people.resolve(owner.who).catch(() => null)])
    return !!mine && !!theirs && mine.key === theirs.key
  }

  private async mayActForEveryone(s: Statement, actor: Actor, what: string): Promise<void> {
    if (await this.allowedForEveryone(s, actor)) return
    const where = s.channels.length ? `, a member of #${s.channels.join(' or #')}` : ''
    throw new PermissionError(`only the statement's owner${where} or a Dice admin may ${what} (${place(s)})`)
  }

  private async tellNewOwner(s: Statement, o: OverrideRow, r: Recipient): Promise<ReassignResult['notified']> {
    // A person, never a channel: with Slack their DM, without it their key (the console prints `@key`).
    const to = r.slackId ?? (isSlackUserId(o.to) ? o.to : r.key)
    if (!this.notifier) return { ok: false, to, error: 'no notifier' }
    const by = mentionOrText(o.by)
    const link = this.codeLink(s)
    const where = link ? `<${link}|${esc(place(s))}>` : esc(place(s))
    const text = `${by} handed you a log statement ("it wasn't me"): \`${esc(s.template ?? s.callee)}\` at ${where}.` +
      (o.reason ? ` Reason: ${esc(o.reason)}` : '') + ' Its occurrences will now come to you.'
    try {
      const r = await this.notifier.send({
        to, text,
        blocks: [
          { type: 'section', text: { type: 'mrkdwn', text } },
          { type: 'actions', elements: [{ type: 'button', action_id: 'dice_undo_override', text: { type: 'plain_text', text: 'Not mine either (undo)' }, value: JSON.stringify({ statementId: s.id }) }] },
        ],
      })
      return r.ok ? { ok: true, to } : { ok: false, to, error: r.error }
    } catch (e) {
      return { ok: false, to, error: (e as Error).message }
    }
  }

  private async audit(actor: Actor, action: string, statementId: string, before: unknown, after: unknown): Promise<void> {
    const at = this.clock()
    await this.store.addAudit({ at, actor: actor.id, action, statementId, before: before ?? null, after: after ?? null })
    // Other processes (a running `dice run` when the CLI acts, other instances) poll this to refresh.
    await this.store.setMeta(ACTIONS_META_KEY, String(at) + ':' + Math.random().toString(36).slice(2, 8))
    // Apply at once: the router re-reads snoozes, mutes and overrides before the next occurrence.
    await this.router?.refresh()
  }
}

/**
 * The id a person is stored under in an override, mute or snooze: their `people` key when configured, else
 * their Slack id (stable when a name or email changes), else the name as resolved.
 */
export function personId(r: Recipient): string {
  return r.person?.key ?? r.slackId ?? r.key
}

/** Where a statement is, for messages: `file:line`, or what an unowned shape is. */
export function place(s: Statement): string {
  return s.file ? `${s.file}:${s.line}` : `${s.id}, lines that match no statement`
}

/** True when the actor acts from inside `channel` (name or id). */
function inChannel(actor: Actor, channel: string): boolean {
  return !!actor.channel && (actor.channel.name === channel || actor.channel.id === channel)
}

