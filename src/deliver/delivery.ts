import { randomBytes } from 'node:crypto'
import type { Config } from '../config/schema.js'
import type { Clock } from '../core/clock.js'
import type { Hit, Statement } from '../core/types.js'
import type { HitSink } from '../ingest/sink.js'
import type { Router } from '../route/router.js'
import type { RealtimeBatch, Store } from '../store/store.js'
import type { Notifier } from './notifier.js'
import type { SlackApi } from './slack/api.js'
import { People } from '../people/people.js'
import { Silences } from './silences.js'
import type { MessageKinds } from './outbox/kinds.js'
import { OutboxWorker } from './outbox/worker.js'
import { Accumulator, MAX_HOST_ROWS, countDeltas, type ChannelDelta } from './realtime/accumulate.js'
import { Pacer } from './realtime/pace.js'
import { REALTIME_KIND, realtimeKind, realtimePost } from './realtime/post.js'
import { RealtimeUpdater } from './realtime/updater.js'
import { buildDigests, DIGEST_KIND } from './digest/build.js'
import { digestKind } from './digest/send.js'
import { DigestScheduler } from './digest/scheduler.js'

/** Re-exported so `dice digest`, `dice run` and the server import delivery from one module. */
export { buildDigests, type DigestPreview, type DigestPayload, type BuildDigestsOptions } from './digest/build.js'
export { slackEscape } from '../core/escape.js'
export { REALTIME_KIND } from './realtime/post.js'

/** Options of `Delivery`. */
export interface DeliveryOptions {
  store: Store
  /** The configuration `router` was built with. */
  config: Config
  clock: Clock
  notifier: Notifier
  slack?: SlackApi | null
  router: Router
  /** Mutes and snoozes (the silence stage); read from the store when not given. */
  silences?: Silences
  instanceId?: string
  /** Minimum time between two chat.update calls on one message (coalescing). Default 1000 ms. */
  updateEveryMs?: number
  /**
   * Outbox lease: how long a claimed item stays ours after our last heartbeat (renewed every third of it), so
   * another instance takes over a dead one's posts this long after it died. Default 6000 ms.
   */
  leaseMs?: number
  /** How often `start()` drains the outbox, sweeps for messages left behind and refreshes routing. Default 2000 ms. */
  pollMs?: number
  /** Where operational problems are reported (default stderr). */
  log?: (line: string) => void
  /**
   * Pace new channel posts at `realtime.maxPostsPerSecond` (token bucket per channel). Default: on for
   * every notifier but the console, which has no rate limit to protect (Slack's is about a post a second
   * per channel; a webhook may forward to Slack).
   */
  pacePosts?: boolean
  /**
   * A backfill (`dice replay`): channel messages wait for `tick()`, so each is posted once with the counts
   * of the whole file instead of being edited after every flush. Default: posted as soon as counted.
   */
  backfill?: boolean
  /** More message kinds for the outbox registry (the alerts' DMs): sent by the same worker, leases and retries. */
  kinds?: MessageKinds
}

/** Counters for /metrics and tests. */
export interface DeliveryStats {
  posts: number
  updates: number
  digests: number
  failures: number
  retries: number
}

/** Statements remembered for rendering; past it the cache starts over (they are in the store). */
const MAX_STATEMENTS = 10_000
/** Statement × channel pairs held before the counts are asked to flush early. */
const MAX_PENDING = 50_000
/** Posts a channel may get at once before `realtime.maxPostsPerSecond` paces them. */
const BURST = 20
/** A dead instance's claimed posts are another's this long after its last heartbeat, found within POLL_MS. */
export const LEASE_MS = 6_000
const POLL_MS = 2_000
/**
 * The first digest check waits this long after start: it reads every counted statement and the people, and at start
 * it ran before the server listened, holding up the first lines (`dice run`'s first POST /ingest answered ~50 ms
 * later at 10k statements; bench/RESULTS.md, "Session 16"). Digests are due for hours: a second later changes nothing.
 */
export const FIRST_DIGEST_CHECK_MS = 1_000

/**
 * Delivery as a list of small stages, Alertmanager's notify pipeline in spirit:
 *
 * route (`route/router.ts`: owner, channels, digest target) → silence (`silences.ts`: mutes, snoozes by
 * time and count) → accumulate (`realtime/accumulate.ts`: per statement × channel) → enqueue (the store
 * commits the real-time counts in the same transaction as the occurrences of the same lines, opening a
 * window and enqueuing its post when there is none) → the outbox worker (`outbox/worker.ts`: claim, lease,
 * retry) dispatching through a registry of message kinds (`realtime/post.ts`, `digest/send.ts`); posted
 * messages are brought up to date by `realtime/updater.ts`; digests are built under a lease by
 * `digest/scheduler.ts`.
 *
 * As the pipeline's HitSink (`dice run`, `dice replay`) its real-time counts are committed by the pipeline's
 * flushes; on its own (tests, tools) it commits them itself.
 */
export class Delivery implements HitSink {
  readonly instanceId: string
  readonly stats: DeliveryStats = { posts: 0, updates: 0, digests: 0, failures: 0, retries: 0 }
  private o: DeliveryOptions
  private silences: Silences
  private acc = new Accumulator()
  /** What each uncommitted batch took from the accumulator (given back when its flush fails). */
  private held = new WeakMap<RealtimeBatch, Map<string, ChannelDelta>>()
  private statements = new Map<string, Statement>()
  private worker: OutboxWorker
  private updater: RealtimeUpdater
  private digests: DigestScheduler
  /** Set by the pipeline that commits for us; null when we commit ourselves. */
  private requestFlush: (() => void) | null = null
  private selfCommit: Promise<void> | null = null
  private selfSoon = false
  private stopped = false
  private windowMs: number
  private log: (line: string) => void
  /** `route.rules` name a channel: any statement may have real-time channels, not only `#channel` ones. */
  private channelRules: boolean

  constructor(o: DeliveryOptions) {
    this.o = o
    this.instanceId = o.instanceId ?? `dice-${randomBytes(4).toString('hex')}`
    this.silences = o.silences ?? new Silences({ store: o.store, config: o.config, clock: o.clock })
    this.windowMs = o.config.realtime.updateWindowSeconds * 1000
    this.log = o.log ?? ((l) => process.stderr.write(`dice: ${l}\n`))
    this.channelRules = o.config.route.rules.some((r) => r.channel)
    const statement = (id: string) => this.statement(id)
    this.updater = new RealtimeUpdater({
      store: o.store, notifier: o.notifier, config: o.config, clock: o.clock, holder: this.instanceId, updateEveryMs: o.updateEveryMs ?? 1000,
      statement, stats: this.stats, log: this.log,
    })
    const pacer = o.pacePosts ?? o.notifier.name !== 'console' ? new Pacer(o.config.realtime.maxPostsPerSecond, BURST) : null
    const people = new People({ store: o.store, config: o.config, clock: o.clock, slack: o.slack })
    this.digests = new DigestScheduler({
      store: o.store, config: o.config, clock: o.clock, holder: this.instanceId,
      build: () => buildDigests({ store: o.store, config: o.config, clock: o.clock, router: o.router, silences: this.silences, slack: o.slack, people, preview: false, log: this.log }),
    })
    this.worker = new OutboxWorker({
      store: o.store, clock: o.clock, holder: this.instanceId, leaseMs: o.leaseMs ?? LEASE_MS, stats: this.stats, log: this.log,
      kinds: {
        [REALTIME_KIND]: realtimeKind({ store: o.store, notifier: o.notifier, config: o.config, pacer, statement, stats: this.stats, posted: (w) => this.updater.touch(w) }),
        [DIGEST_KIND]: digestKind({ store: o.store, notifier: o.notifier, stats: this.stats }),
        ...o.kinds,
      },
    })
  }

  /**
   * This process's delivery counters for /metrics. `retries` adds the 429s the Slack client waited out
   * itself (those never reach the outbox as a retryable failure).
   */
  metrics(): Record<string, number> {
    const limited = (this.o.slack as { rateLimited?: unknown } | null | undefined)?.rateLimited
    return { ...this.stats, retries: this.stats.retries + (typeof limited === 'number' ? limited : 0) }
  }

  /** HitSink: the pipeline commits our real-time counts with its own from now on. */
  attach(requestFlush: (() => void) | null): void {
    this.requestFlush = requestFlush
  }

  /**
   * HitSink: whether onHit does anything with a hit of `s` (ingest workers send back only those). Real time is
   * for channels: a statement without `#channel` gets one only from a `route.rules` channel rule. Without such
   * rules most hits (a replay's every counted line) need no routing here at all.
   */
  wantsHit(s: Statement): boolean {
    return this.channelRules || s.channels.length > 0
  }

  /** Route → silence → accumulate one counted hit (synchronous, cheap). */
  onHit(hit: Hit): void {
    if (this.stopped || !this.wantsHit(hit.statement)) return
    const d = this.silences.apply(this.o.router.route(hit), hit.time)
    if (!d.channels.length) return
    if (!this.statements.has(hit.statement.id)) {
      if (this.statements.size >= MAX_STATEMENTS) this.statements.clear()
      this.statements.set(hit.statement.id, hit.statement)
    }
    this.acc.add(hit, d.channels, d.level)
    if (!this.o.backfill || this.acc.size >= MAX_PENDING) this.commitSoon()
  }

  /** HitSink: the real-time counts to commit with this flush. */
  take(now: number): RealtimeBatch | undefined {
    if (!this.acc.size) return undefined
    const held = this.acc.drain()
    const b: RealtimeBatch = {
      now, windowMs: this.windowMs, hostCap: MAX_HOST_ROWS, deltas: countDeltas(held),
      post: (w) => realtimePost(w, now),
    }
    this.held.set(b, held)
    return b
  }

  /** HitSink: the flush failed; its hits wait for the next one. */
  putBack(b: RealtimeBatch): void {
    for (const p of this.held.get(b)?.values() ?? []) this.acc.putBack(p)
    this.held.delete(b)
  }

  /** HitSink: committed. Posted windows get their update; new windows their post (a backfill's wait for `tick()`). */
  committed(b: RealtimeBatch): void {
    this.held.delete(b)
    if (this.stopped) return
    const touched = new Set<string>()
    for (const d of b.deltas) {
      const k = `${d.statementId}\u0000${d.channel}`
      if (touched.has(k)) continue
      touched.add(k)
      if (!this.o.backfill) void this.touchCurrent(d.statementId, d.channel)
    }
    if (!this.o.backfill) void this.worker.pump()
  }

  private async touchCurrent(statementId: string, channel: string): Promise<void> {
    const w = await this.o.store.realtimeWindow(statementId, channel).catch(() => null)
    if (w?.ts) this.updater.touch(w)
  }

  private commitSoon(): void {
    if (this.requestFlush) return this.requestFlush()
    if (this.selfSoon) return
    this.selfSoon = true
    setImmediate(() => {
      this.selfSoon = false
      void this.commitOwn()
    })
  }

  /** Without a pipeline: commit the real-time counts ourselves (one at a time). */
  private commitOwn(): Promise<void> {
    if (this.selfCommit) return this.selfCommit.then(() => this.commitOwn())
    const b = this.take(this.o.clock())
    if (!b) return Promise.resolve()
    this.selfCommit = this.o.store.applyCounts({ occurrences: [], unowned: [], checkpoints: [], realtime: b })
      .then(() => this.committed(b), (e) => {
        this.putBack(b)
        this.fail('real-time counts', e)
      })
      .finally(() => (this.selfCommit = null))
    return this.selfCommit
  }

  private async statement(id: string): Promise<Statement | null> {
    const s = this.statements.get(id) ?? (await this.o.store.getStatement(id))
    if (s && !this.statements.has(id)) {
      if (this.statements.size >= MAX_STATEMENTS) this.statements.clear()
      this.statements.set(id, s)
    }
    return s
  }

  /**
   * Drain the outbox now (posts, digests; only `kinds` when given). Concurrent calls share one run; a call
   * during a run runs again after it.
   */
  pump(kinds?: string[]): Promise<void> {
    return this.worker.pump(kinds)
  }

  private fail(what: string, e: unknown): void {
    this.stats.failures++
    this.log(`${what}: ${(e as Error)?.message ?? e}`)
  }

  /**
   * Wait until every accumulated hit is committed (when we commit ourselves), posted, and its message up to
   * date (coalesced updates sent now). For replay, shutdown and tests.
   */
  async idle(): Promise<void> {
    for (let i = 0; i < 100; i++) {
      if (!this.requestFlush) await this.commitOwn()
      await this.worker.pump()
      await this.updater.flush()
      if ((this.requestFlush || !this.acc.size) && !this.updater.busy && !this.worker.busy) return
    }
  }

  /** Run the digest scheduler once (under the scheduler lease), then drain the outbox. */
  async checkDigests(): Promise<void> {
    await this.digests.check()
    await this.pump()
  }

  /** One round of everything: refresh routing, post and update real time, build due digests, drain the outbox. */
  async tick(): Promise<void> {
    await Promise.all([this.o.router.refresh(), this.silences.refresh()])
    // A backfill's windows: their messages go out now, with the final counts.
    if (this.o.backfill) await this.updater.sweep()
    await this.idle()
    await this.checkDigests()
  }

  /** Background loops until `signal` aborts: outbox, sweep and routing refresh every few seconds, digests every check interval. */
  start(signal: AbortSignal): void {
    const pause = (ms: number) => new Promise<void>((r) => {
      // Remove the listener when the timer fires: one left behind per round would pile up forever.
      const onAbort = () => (clearTimeout(t), r())
      const t = setTimeout(() => (signal.removeEventListener('abort', onAbort), r()), ms)
      signal.addEventListener('abort', onAbort, { once: true })
    })
    const every = (ms: number, fn: () => Promise<void>, firstAfter = 0) => {
      const loop = async () => {
        if (firstAfter > 0) await pause(firstAfter)
        while (!signal.aborted) {
          await fn().catch((e) => this.fail('scheduler', e))
          await pause(ms)
        }
      }
      void loop()
    }
    every(this.o.pollMs ?? POLL_MS, async () => {
      await Promise.all([this.o.router.refresh(), this.silences.refresh()])
      await this.pump()
      await this.updater.sweep()
    })
    every(this.o.config.digest.checkEveryMinutes * 60_000, () => this.checkDigests(), FIRST_DIGEST_CHECK_MS)
    signal.addEventListener('abort', () => this.stop(), { once: true })
  }

  /**
   * Graceful shutdown: stop, and give back every outbox item this instance claimed but has not started
   * sending, and the digest scheduler's lease, so a restart or another instance posts and builds at once
   * instead of after the leases.
   */
  async close(): Promise<void> {
    this.stop()
    await this.worker.close()
    await this.digests.release()
  }

  /** Stop timers (pending work stays in the store for the next instance). */
  stop(): void {
    this.stopped = true
    this.worker.stop()
    this.updater.stop()
  }
}
