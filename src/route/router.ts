import type { Config } from '../config/schema.js'
import type { Clock } from '../core/clock.js'
import { atLeast } from '../core/levels.js'
import type { Hit, Level, Owner, Statement } from '../core/types.js'
import type { Store } from '../store/store.js'
import { Ownership, storedCodeOwners } from './owner.js'

/** Why a target was left out. */
export type SuppressReason = 'muted' | 'snoozed' | 'level'

/** Where one hit goes. */
export interface RouteDecision {
  statementId: string
  /** Level used for the threshold: the entry's, else the statement's. */
  level: Level | null
  owner: Owner
  /** Channels (names without `#`) that want a real-time message (the silence stage removes muted/snoozed ones). */
  channels: string[]
  /** Digest recipient: a person key (blame email, annotation name, override target, rule person), or null. */
  person: string | null
  /** Channel whose digest gets it: a CODEOWNERS team's channel, else `route.fallbackChannel` when nobody owns it; or null. */
  fallbackChannel: string | null
  /** Targets dropped, and why. */
  suppressed: Array<{ target: string; reason: SuppressReason }>
}

/** The digest recipient of a statement: a person, a channel (fallback or rule), or nobody. */
export type DigestTarget = { kind: 'person'; key: string } | { kind: 'channel'; channel: string }

/** How long cached overrides may be before `route()` refreshes them in the background. */
const STALE_MS = 5_000

const bare = (channel: string) => channel.replace(/^#/, '')

/**
 * Decides targets for hits and digest entries: who owns a statement, which channels want it, whose digest
 * it goes to. Overrides are cached in memory so `route()` is synchronous on the hot path; `refresh()`
 * re-reads them (Slack actions call it at once, and it runs again in the background whenever the cache is
 * older than a few seconds, which is how other instances' actions arrive). Mutes and snoozes are not the
 * router's: the silence stage (`deliver/silences.ts`) takes its decision and removes silenced targets.
 *
 * Rules (`route.rules`, CODEOWNERS-style): every rule whose path glob matches the statement's file and whose
 * `minLevel` the hit reaches applies; each rule `channel` adds a real-time channel, and the LAST matching
 * rule `person` owns the statement unless an annotation or an override names someone (a configured owner
 * is a stronger signal than `git blame`, a person's own word stronger than configuration).
 */
export class Router {
  private store: Store
  private config: Config
  private ownership: Ownership
  private codeowners: string | null = null
  private overrides = new Map<string, string>()
  private refreshedAt = -Infinity
  private refreshing: Promise<void> | null = null

  constructor(o: { store: Store; config: Config; clock: Clock }) {
    this.store = o.store
    this.config = o.config
    this.ownership = new Ownership(o.config)
  }

  /** Re-read overrides (and the stored CODEOWNERS) from the store. Concurrent calls share one read. */
  refresh(): Promise<void> {
    if (this.refreshing) return this.refreshing
    this.refreshing = (async () => {
      try {
        const [overrides, codeowners] = await Promise.all([this.store.listOverrides(), storedCodeOwners(this.store)])
        if (codeowners !== this.codeowners) (this.codeowners = codeowners), (this.ownership = new Ownership(this.config, codeowners))
        this.overrides = new Map(overrides.map((o) => [o.statementId, o.to]))
        this.refreshedAt = performance.now()
      } finally {
        this.refreshing = null
      }
    })()
    return this.refreshing
  }

  /** The owner of a statement (`Ownership.ownerOf`: annotation, override, rule, CODEOWNERS, blame, none). */
  ownerOf(s: Statement, level: Level | null = s.level): Owner {
    return this.ownership.ownerOf(s, this.overrides, level)
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
    if (owner.who?.startsWith('#')) return { kind: 'channel', channel: bare(owner.who) }
    if (owner.who) return { kind: 'person', key: owner.who }
    return this.config.route.fallbackChannel ? { kind: 'channel', channel: bare(this.config.route.fallbackChannel) } : null
  }

  /** Route one matched hit (synchronous; the hot path): every target that wants it, before silences. */
  route(hit: Hit): RouteDecision {
    if (performance.now() - this.refreshedAt > STALE_MS) void this.refresh().catch(() => undefined)
    const s = hit.statement
    const level = hit.entry.level ?? s.level
    const owner = this.ownerOf(s, level)
    const suppressed: RouteDecision['suppressed'] = []
    const passes = this.levelPasses(s, level)
    const wanted = new Set(s.channels.map(bare))
    // A line as likely from other statements (issue 16 ties) goes to their channels too.
    if (hit.also) for (const o of hit.also) for (const ch of o.channels) wanted.add(bare(ch))
    if (passes) for (const ch of this.ownership.ruleChannels(s, level)) wanted.add(ch)
    let person: string | null = null
    let fallbackChannel: string | null = null
    if (!passes) suppressed.push({ target: owner.who ?? 'nobody', reason: 'level' })
    else if (this.channelOnly(s, owner)) {
      // Delivered to its channels only.
    } else if (owner.who?.startsWith('#')) fallbackChannel = bare(owner.who) // a CODEOWNERS team's channel digest
    else if (owner.who) person = owner.who
    else if (this.config.route.fallbackChannel) fallbackChannel = bare(this.config.route.fallbackChannel)
    return { statementId: s.id, level, owner, channels: [...wanted], person, fallbackChannel, suppressed }
  }
}
