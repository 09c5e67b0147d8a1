import type { Config, RouteRule } from '../config/schema.js'
import type { Clock } from '../core/clock.js'
import { atLeast } from '../core/levels.js'
import type { Hit, Level, Owner, Statement } from '../core/types.js'
import { globToRegExp } from '../catalog/select.js'
import { personFor } from '../catalog/people.js'
import type { MuteRow, SnoozeRow, Store } from '../store/store.js'
import { resolveOwner } from './owner.js'

/** Why a target was left out. */
export type SuppressReason = 'muted' | 'snoozed' | 'level'

/** Where one hit goes. */
export interface RouteDecision {
  statementId: string
  /** Level used for the threshold: the entry's, else the statement's. */
  level: Level | null
  owner: Owner
  /** Channels (names without `#`) that get a real-time message, mutes and snoozes applied. */
  channels: string[]
  /** Digest recipient: a person key (blame email, annotation name, override target, rule person), or null. */
  person: string | null
  /** Channel whose digest gets it when nobody owns it (`route.fallbackChannel`), or null. */
  fallbackChannel: string | null
  /** Targets dropped, and why. */
  suppressed: Array<{ target: string; reason: SuppressReason }>
}

/** The digest recipient of a statement: a person, a channel (fallback or rule), or nobody. */
export type DigestTarget = { kind: 'person'; key: string } | { kind: 'channel'; channel: string }

interface CompiledRule {
  test: (file: string) => boolean
  minLevel: Level | null
  channel: string | null
  person: string | null
}

/** How long cached overrides/mutes/snoozes may be before `route()` refreshes them in the background. */
const STALE_MS = 5_000

const bare = (channel: string) => channel.replace(/^#/, '')

/**
 * Decides targets for hits and digest entries. Overrides, mutes and snoozes are cached in memory so
 * `route()` is synchronous on the hot path; `refresh()` re-reads them (Slack actions call it at once, and
 * it runs again in the background whenever the cache is older than a few seconds, which is how other
 * instances' actions arrive).
 *
 * Rules (`route.rules`, CODEOWNERS-style): every rule whose path glob matches the statement's file and whose
 * `minLevel` the hit reaches applies; each rule `channel` adds a real-time channel, and the LAST matching
 * rule `person` owns the statement unless an annotation or an override names someone (a configured owner
 * is a stronger signal than `git blame`, a person's own word stronger than configuration).
 */
export class Router {
  private store: Store
  private config: Config
  private clock: Clock
  private rules: CompiledRule[]
  private overrides = new Map<string, string>()
  private mutes = new Map<string, MuteRow[]>()
  private snoozes = new Map<string, SnoozeRow[]>()
  /** Person key → Slack id, learned from configuration and look-ups, so user-scoped actions match either. */
  private slackIds = new Map<string, string>()
  /** Channel name → Slack channel id, learned from posts. */
  private channelIds = new Map<string, string>()
  private refreshedAt = -Infinity
  private refreshing: Promise<void> | null = null

  constructor(o: { store: Store; config: Config; clock: Clock }) {
    this.store = o.store
    this.config = o.config
    this.clock = o.clock
    this.rules = o.config.route.rules.map(compileRule)
    for (const [key, p] of Object.entries(o.config.people)) if (p.slack) this.slackIds.set(key.toLowerCase(), p.slack)
  }

  /** Re-read overrides, mutes and active snoozes from the store. Concurrent calls share one read. */
  refresh(): Promise<void> {
    if (this.refreshing) return this.refreshing
    this.refreshing = (async () => {
      try {
        const [overrides, mutes, snoozes] = await Promise.all([
          this.store.listOverrides(), this.store.listMutes(), this.store.activeSnoozes(this.clock()),
        ])
        this.overrides = new Map(overrides.map((o) => [o.statementId, o.to]))
        this.mutes = groupBy(mutes)
        this.snoozes = groupBy(snoozes)
        this.refreshedAt = performance.now()
      } finally {
        this.refreshing = null
      }
    })()
    return this.refreshing
  }

  /** Remember a channel's Slack id (Slack actions name channels by id, annotations by name). */
  noteChannel(name: string, id: string | null): void {
    if (!id) return
    if (this.channelIds.size > 100_000) this.channelIds.clear()
    this.channelIds.set(bare(name).toLowerCase(), id)
  }

  /** Remember a person's Slack id (user-scoped mutes and snoozes are stored under either). */
  noteUser(key: string, slackId: string | null): void {
    if (!slackId) return
    if (this.slackIds.size > 100_000) this.slackIds.clear()
    this.slackIds.set(key.toLowerCase(), slackId)
  }

  /** The owner of a statement: annotation, override, last matching rule person, blame, none. */
  ownerOf(s: Statement, level: Level | null = s.level): Owner {
    const owner = resolveOwner(s, this.overrides)
    if (owner.kind === 'annotation' || owner.kind === 'override') return owner
    let person: string | null = null
    for (const r of this.rules) if (r.person && r.test(s.file) && (!r.minLevel || atLeast(level, r.minLevel))) person = r.person
    return person ? { kind: 'override', who: person } : owner
  }

  /**
   * A `#channel`-annotated statement is the channel's: it goes there in real time and to nobody's digest,
   * unless a person was named for it explicitly (`@person`, an override, a route rule) — `git blame` alone
   * does not pull it into the last author's digest.
   */
  channelOnly(s: Statement, owner: Owner): boolean {
    return s.channels.length > 0 && owner.kind !== 'annotation' && owner.kind !== 'override'
  }

  /** Statements with `#channel` or `@person` annotations are delivered at any level. */
  isAnnotated(s: Statement): boolean {
    return s.channels.length > 0 || s.mentions.length > 0
  }

  /** True when an occurrence at `level` of `s` is delivered at all (`route.minLevel`, annotations excepted). */
  levelPasses(s: Statement, level: Level | null): boolean {
    if (this.isAnnotated(s)) return true
    const l = level ?? s.level
    // A line and statement with no level at all: the pipeline counted it, so deliver it.
    return l === null || atLeast(l, this.config.route.minLevel)
  }

  /** Where a statement's digest entries go, or null when nobody and no fallback channel. */
  digestTarget(s: Statement): DigestTarget | null {
    const owner = this.ownerOf(s)
    if (this.channelOnly(s, owner)) return null
    if (owner.who) return { kind: 'person', key: owner.who }
    return this.config.route.fallbackChannel ? { kind: 'channel', channel: bare(this.config.route.fallbackChannel) } : null
  }

  /**
   * Route one matched hit (synchronous; the hot path). Count-based snoozes on its channels are consumed here.
   */
  route(hit: Hit): RouteDecision {
    if (performance.now() - this.refreshedAt > STALE_MS) void this.refresh().catch(() => undefined)
    const s = hit.statement
    const level = hit.entry.level ?? s.level
    const owner = this.ownerOf(s, level)
    const suppressed: RouteDecision['suppressed'] = []
    const passes = this.levelPasses(s, level)
    const wanted = new Set(s.channels.map(bare))
    if (passes) for (const r of this.rules) if (r.channel && r.test(s.file) && (!r.minLevel || atLeast(level, r.minLevel))) wanted.add(r.channel)
    const channels: string[] = []
    for (const ch of wanted) {
      const why = this.suppression(s.id, { channel: ch }, 1)
      if (why) suppressed.push({ target: `#${ch}`, reason: why })
      else channels.push(ch)
    }
    let person: string | null = null
    let fallbackChannel: string | null = null
    if (!passes) suppressed.push({ target: owner.who ?? 'nobody', reason: 'level' })
    else if (this.channelOnly(s, owner)) {
      // Delivered to its channels only.
    } else if (owner.who) {
      const why = this.suppression(s.id, { person: owner.who })
      if (why) suppressed.push({ target: owner.who, reason: why })
      else person = owner.who
    } else if (this.config.route.fallbackChannel) {
      const ch = bare(this.config.route.fallbackChannel)
      const why = this.suppression(s.id, { channel: ch })
      if (why) suppressed.push({ target: `#${ch}`, reason: why })
      else fallbackChannel = ch
    }
    return { statementId: s.id, level, owner, channels, person, fallbackChannel, suppressed }
  }

  /**
   * Is `statementId` muted or snoozed for this target (a person, by key or Slack id, or a channel, by name
   * or id)? `consume` > 0 swallows that many occurrences from a count-based snooze that applies.
   */
  suppression(statementId: string, target: { person?: string; slackId?: string | null; channel?: string; channelId?: string | null }, consume = 0): 'muted' | 'snoozed' | null {
    const ids = this.idsOf(target)
    const applies = (scope: string, scopeId: string) =>
      scope === 'all' || (scope === (target.channel ? 'channel' : 'user') && ids.has(bare(scopeId).toLowerCase()))
    if (this.mutes.get(statementId)?.some((m) => applies(m.scope, m.scopeId))) return 'muted'
    const now = this.clock()
    for (const z of this.snoozes.get(statementId) ?? []) {
      if (!applies(z.scope, z.scopeId)) continue
      if (z.until !== null && z.until <= now) continue
      if (z.remaining !== null) {
        if (z.remaining <= 0) continue
        if (consume > 0) {
          z.remaining = Math.max(0, z.remaining - consume)
          void this.store.decrementSnooze(z.id, consume).catch(() => undefined)
        }
      }
      return 'snoozed'
    }
    return null
  }

  /** The snooze rows that apply to a target (digest building consumes count-based ones itself). */
  snoozesFor(statementId: string, target: { person?: string; slackId?: string | null; channel?: string }): SnoozeRow[] {
    const ids = this.idsOf(target)
    const now = this.clock()
    return (this.snoozes.get(statementId) ?? []).filter((z) =>
      (z.scope === 'all' || (z.scope === (target.channel ? 'channel' : 'user') && ids.has(bare(z.scopeId).toLowerCase())))
      && (z.until === null || z.until > now) && (z.remaining === null || z.remaining > 0))
  }

  private idsOf(target: { person?: string; slackId?: string | null; channel?: string; channelId?: string | null }): Set<string> {
    const ids = new Set<string>()
    const add = (x: string | null | undefined) => x && ids.add(bare(x).toLowerCase())
    if (target.channel) {
      add(target.channel)
      add(target.channelId)
      add(this.channelIds.get(bare(target.channel).toLowerCase()))
      return ids
    }
    add(target.person)
    add(target.slackId)
    if (target.person) {
      add(this.slackIds.get(target.person.toLowerCase()))
      const p = personFor(target.person, this.config)
      if (p) {
        add(p.key)
        add(p.slackId)
        add(p.email)
      }
    }
    return ids
  }
}

function compileRule(r: RouteRule): CompiledRule {
  const re = r.path ? globToRegExp(r.path) : null
  return {
    test: re ? (f) => re.test(f) : () => true,
    minLevel: r.minLevel ?? null,
    channel: r.channel ? bare(r.channel) : null,
    person: r.person ?? null,
  }
}

function groupBy<T extends { statementId: string }>(rows: T[]): Map<string, T[]> {
  const m = new Map<string, T[]>()
  for (const r of rows) {
    const l = m.get(r.statementId)
    if (l) l.push(r)
    else m.set(r.statementId, [r])
  }
  return m
}
