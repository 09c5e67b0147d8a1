import type { Config } from '../config/schema.js'
import type { Clock } from '../core/clock.js'
import { personFor } from '../catalog/people.js'
import type { RouteDecision } from '../route/router.js'
import type { MuteRow, Scope, SnoozeRow, Store } from '../store/store.js'

/** Who a silence is checked for: a channel (name as the code names it, or Slack's id) or a person. */
export type SilenceTarget =
  | { channel: string; channelId?: string | null }
  | { person: string; slackId?: string | null }

/** Why a target does not get a statement. */
export type Silenced = 'muted' | 'snoozed' | null

/** One mute or snooze with every id its scope is known by (lower case, no `#`), worked out at refresh. */
interface Silence {
  scope: Scope
  ids: Set<string>
  mute: MuteRow | null
  snooze: SnoozeRow | null
}

/** How long the cached silences may be before a check refreshes them in the background (other instances' actions). */
const STALE_MS = 5_000
/**
 * How far back ended time snoozes are kept: an occurrence from while one was in force is not delivered after it
 * ended (a digest built days later, a replay of old logs). Older ones are forgotten.
 */
export const SNOOZE_HISTORY_MS = 31 * 86_400_000
const SLACK_ID = /^[UW][A-Z0-9]{6,}$/

const bare = (x: string) => x.replace(/^#/, '').toLowerCase()

/**
 * Mutes and snoozes (by time and by count), for real time and digests alike: one in-memory copy of the
 * store's, refreshed by actions at once and every few seconds otherwise. A silence names its scope the way
 * it was set (a Slack user id from a click, a person key from the CLI, a channel name or Slack channel id);
 * at refresh each is expanded to every id the same person or channel is known by — configured people, the
 * `users` cache the people look-ups keep, the channel ids real-time posts recorded — so a check matches
 * whichever the caller has. Nothing is written back into the router: everything comes from the store.
 */
export class Silences {
  private byStatement = new Map<string, Silence[]>()
  private refreshedAt = -Infinity
  private refreshing: Promise<void> | null = null

  constructor(private o: { store: Store; config: Config; clock: Clock }) {}

  /** Re-read mutes and active snoozes. Concurrent calls share one read. */
  refresh(): Promise<void> {
    if (this.refreshing) return this.refreshing
    this.refreshing = (async () => {
      try {
        const { store, clock } = this.o
        const [mutes, snoozes, channels] = await Promise.all([store.listMutes(), store.snoozesEndingAfter(clock() - SNOOZE_HISTORY_MS), store.channelIds()])
        const userIds = [...new Set([...mutes, ...snoozes].filter((x) => x.scope === 'user' && SLACK_ID.test(x.scopeId)).map((x) => x.scopeId))]
        const users = userIds.length ? await store.usersBySlackId(userIds) : []
        const byStatement = new Map<string, Silence[]>()
        const add = (statementId: string, s: Silence) => {
          const l = byStatement.get(statementId)
          if (l) l.push(s)
          else byStatement.set(statementId, [s])
        }
        const ids = (scope: Scope, scopeId: string) => this.scopeIds(scope, scopeId, channels, users)
        for (const m of mutes) add(m.statementId, { scope: m.scope, ids: ids(m.scope, m.scopeId), mute: m, snooze: null })
        // Ended time snoozes stay, for occurrences from while they were in force; a used-up count snooze goes.
        for (const z of snoozes) if (z.remaining === null || z.remaining > 0) add(z.statementId, { scope: z.scope, ids: ids(z.scope, z.scopeId), mute: null, snooze: z })
        this.byStatement = byStatement
        this.refreshedAt = performance.now()
      } finally {
        this.refreshing = null
      }
    })()
    return this.refreshing
  }

  /** True when some mute or snooze names `statementId` (the hot path skips everything else when not). */
  has(statementId: string): boolean {
    if (performance.now() - this.refreshedAt > STALE_MS) void this.refresh().catch(() => undefined)
    return this.byStatement.has(statementId)
  }

  /**
   * Is `statementId` muted or snoozed for `target`? `consume` > 0 swallows that many occurrences from a
   * count-based snooze that applies (written back to the store). `at`, an occurrence's time, also finds a snooze
   * that has ended since but was in force then: what happened during a snooze is not delivered after it.
   */
  check(statementId: string, target: SilenceTarget, consume = 0, at?: number): Silenced {
    const list = this.byStatement.get(statementId)
    if (!list) return null
    const applies = this.appliesTo(target)
    if (list.some((s) => s.mute && applies(s))) return 'muted'
    const now = this.o.clock()
    for (const s of list) {
      const z = s.snooze
      if (!z || !applies(s)) continue
      if (z.until !== null && z.until <= now) {
        if (at !== undefined && at >= z.createdAt && at < z.until) return 'snoozed'
        continue
      }
      if (z.remaining !== null) {
        if (z.remaining <= 0) continue
        if (consume > 0) {
          z.remaining = Math.max(0, z.remaining - consume)
          void this.o.store.decrementSnooze(z.id, consume).catch(() => undefined)
        }
      }
      return 'snoozed'
    }
    return null
  }

  /** The snoozes in force for a target (digest building consumes count-based ones itself). */
  snoozesFor(statementId: string, target: SilenceTarget): SnoozeRow[] {
    const now = this.o.clock()
    return this.snoozesOf(statementId, target).filter((z) => (z.until === null || z.until > now) && (z.remaining === null || z.remaining > 0))
  }

  /** Every stored snooze of `statementId` that applies to `target`, in force or ended. */
  private snoozesOf(statementId: string, target: SilenceTarget): SnoozeRow[] {
    const list = this.byStatement.get(statementId)
    if (!list) return []
    const applies = this.appliesTo(target)
    return list.flatMap((s) => (s.snooze && applies(s) ? [s.snooze] : []))
  }

  /**
   * The time snoozes of `statementId` for `target` that have ended, as `[from, until)` spans: occurrences in them
   * were snoozed and are left out of digests built after (counted as "while snoozed"). A snooze lifted early
   * (Unsnooze, a spike) is gone from the store, and what followed its lifting is delivered.
   */
  endedSnoozes(statementId: string, target: SilenceTarget): Array<{ from: number; until: number }> {
    const now = this.o.clock()
    return this.snoozesOf(statementId, target).flatMap((z) => (z.until !== null && z.until <= now ? [{ from: z.createdAt, until: z.until }] : []))
  }

  private appliesTo(target: SilenceTarget): (s: Silence) => boolean {
    const ids = this.targetIds(target)
    const kind: Scope = 'channel' in target ? 'channel' : 'user'
    return (s) => s.scope === 'all' || (s.scope === kind && [...s.ids].some((x) => ids.has(x)))
  }

  /**
   * The silence stage: `d` with its silenced channels, person and fallback channel taken out and listed in
   * `suppressed`. Each channel's count-based snooze swallows one occurrence. `at` is the occurrence's time: a
   * snooze in force then counts though it has ended since (a replay of old logs).
   */
  apply(d: RouteDecision, at?: number): RouteDecision {
    if (!this.has(d.statementId)) return d
    const suppressed = [...d.suppressed]
    const channels: string[] = []
    for (const ch of d.channels) {
      const why = this.check(d.statementId, { channel: ch }, 1, at)
      if (why) suppressed.push({ target: `#${ch}`, reason: why })
      else channels.push(ch)
    }
    let { person, fallbackChannel } = d
    if (person) {
      const why = this.check(d.statementId, { person }, 0, at)
      if (why) (suppressed.push({ target: person, reason: why }), (person = null))
    } else if (fallbackChannel) {
      const why = this.check(d.statementId, { channel: fallbackChannel }, 0, at)
      if (why) (suppressed.push({ target: `#${fallbackChannel}`, reason: why }), (fallbackChannel = null))
    }
    return { ...d, channels, person, fallbackChannel, suppressed }
  }

  private scopeIds(scope: Scope, scopeId: string, channels: Array<{ channel: string; channelId: string }>, users: Array<{ key: string; slackId: string | null; email: string | null }>): Set<string> {
    const ids = new Set<string>()
    const add = (x: string | null | undefined) => x && ids.add(bare(x))
    add(scopeId)
    if (scope === 'channel') {
      for (const c of channels) if (bare(c.channelId) === bare(scopeId) || bare(c.channel) === bare(scopeId)) (add(c.channel), add(c.channelId))
    } else if (scope === 'user') {
      const p = personFor(scopeId, this.o.config)
      if (p) (add(p.key), add(p.slackId), add(p.email))
      for (const u of users) if (u.slackId === scopeId) (add(u.key), add(u.email))
    }
    return ids
  }

  private targetIds(t: SilenceTarget): Set<string> {
    const ids = new Set<string>()
    const add = (x: string | null | undefined) => x && ids.add(bare(x))
    if ('channel' in t) {
      add(t.channel)
      add(t.channelId)
      return ids
    }
    add(t.person)
    add(t.slackId)
    const p = personFor(t.person, this.o.config)
    if (p) (add(p.key), add(p.slackId), add(p.email))
    return ids
  }
}
