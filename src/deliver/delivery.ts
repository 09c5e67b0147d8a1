import { randomBytes } from 'node:crypto'
import type { Config } from '../config/schema.js'
import type { Clock } from '../core/clock.js'
import type { Hit, Statement } from '../core/types.js'
import type { OutboxItem, RealtimeCountDelta, RealtimeCounts, Store } from '../store/store.js'
import type { Router } from '../route/router.js'
import type { Notifier } from './notifier.js'
import type { MessageKinds, SendContext, SendFailure } from './outbox/kinds.js'
import { OutboxWorker } from './outbox/worker.js'
import { Pacer } from './realtime/pace.js'
import { digestKind } from './digest/send.js'
import type { SlackApi } from './slack/api.js'
import { People } from './people.js'
import { Silences } from './silences.js'
import { buildDigests, DIGEST_KIND } from './digest/build.js'
import { MAX_HOSTS, realtimeMessage, type RealtimeState } from './realtime/message.js'
import { Accumulator, MAX_HOST_ROWS, type ChannelDelta } from './realtime/accumulate.js'
import { DigestScheduler } from './digest/scheduler.js'

/** Re-exported so `dice digest`, `dice run` and the server import delivery from one module. */
export { buildDigests, type DigestPreview, type DigestPayload, type BuildDigestsOptions } from './digest/build.js'
export { slackEscape } from '../core/escape.js'

/** Outbox kind of real-time channel posts. */
export const REALTIME_KIND = 'realtime'

/** Payload of a real-time outbox item: which state row to post. The text is built when it is posted. */
interface RealtimePayload { statementId: string; channel: string; windowStart: number; seq?: number }

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
  /** Outbox lease: how long a claimed item is ours before another instance may take it over. */
  leaseMs?: number
  /** How often `start()` drains the outbox and refreshes the router. Default 5000 ms. */
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
   * How long hits may wait before they are folded into their channel messages. Default 0: at the next turn
   * of the event loop (`dice run`: near real time). A backfill (`dice replay`) waits longer, so a message is
   * posted once with the counts of many seconds of log instead of being edited after every chunk read; a
   * replay that ends sooner posts at `tick()`, with its final counts.
   */
  realtimeEveryMs?: number
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

const MAX_STATES = 10_000
const MAX_PENDING = 50_000
/** chat.update errors after which the message cannot be edited any more. */
const UNEDITABLE = new Set(['message_not_found', 'cant_update_message', 'edit_window_closed'])
/** Posts a channel may get at once before `realtime.maxPostsPerSecond` paces them. */
const BURST = 20

/**
 * Real-time channel messages and the digest scheduler.
 *
 * Real time: `onHit` (synchronous, from the pipeline) routes the hit and folds it into a per statement ×
 * channel accumulator; an async round then, per key, opens a window (first hit: a state row and an outbox
 * item under the dedup key `rt:<statement>:<channel>:<window start>:<window seq>`) or adds to the open one. The outbox
 * item is posted at once by the worker; later hits in the window only add to the counts, and the message is
 * edited in place with chat.update at most once per `updateEveryMs`. The state row (store.putRealtime)
 * carries the window and the message's ts, so a restarted instance keeps editing the same message. A post is
 * recorded (ts in the state row) before the outbox item is marked sent, so a re-claimed item that was in
 * fact posted is not posted again.
 *
 * Counts, hosts and last seen are additive in the store (store.addRealtimeCounts): every instance on one
 * database adds only what it saw since its last write, and each post or update renders the stored sums, so
 * no instance erases another's counts. After each post or update the sums are read again and the message
 * updated once more if they grew meanwhile: whichever send lands last, the message ends at the full count.
 *
 * Digests: `tick()` (and the loop `start()` runs every `digest.checkEveryMinutes`) takes the scheduler
 * lease, builds what is due into the outbox, then drains it.
 */
export class Delivery {
  readonly instanceId: string
  readonly stats: DeliveryStats = { posts: 0, updates: 0, digests: 0, failures: 0, retries: 0 }
  private o: DeliveryOptions
  private digests: DigestScheduler
  private silences: Silences
  private pending = new Accumulator()
  private states = new Map<string, RealtimeState>()
  /** Windows this instance opened (key + window start): its memory is the truth for them. */
  private ownWindows = new Set<string>()
  private statements = new Map<string, Statement>()
  private lastUpdate = new Map<string, number>()
  private updateTimers = new Map<string, NodeJS.Timeout>()
  private timers = new Set<NodeJS.Timeout>()
  private rtChain: Promise<void> = Promise.resolve()
  private rtScheduled = false
  private stopped = false
  private worker: OutboxWorker
  /** Paces new channel posts; null when the notifier has no rate limit to protect. */
  private pacer: Pacer | null
  private windowMs: number
  private updateEveryMs: number
  private log: (line: string) => void
  /** `route.rules` name a channel: any statement may have real-time channels, not only `#channel` ones. */
  private channelRules: boolean
  private realtimeEveryMs: number

  constructor(o: DeliveryOptions) {
    this.o = o
    this.instanceId = o.instanceId ?? `dice-${randomBytes(4).toString('hex')}`
    const people = new People({ store: o.store, config: o.config, clock: o.clock, slack: o.slack })
    this.silences = o.silences ?? new Silences({ store: o.store, config: o.config, clock: o.clock })
    this.windowMs = o.config.realtime.updateWindowSeconds * 1000
    this.updateEveryMs = o.updateEveryMs ?? 1000
    this.log = o.log ?? ((l) => process.stderr.write(`dice: ${l}\n`))
    this.pacer = o.pacePosts ?? o.notifier.name !== 'console' ? new Pacer(o.config.realtime.maxPostsPerSecond, BURST) : null
    const kinds: MessageKinds = {
      [REALTIME_KIND]: { send: (item, ctx) => this.sendRealtime(item, ctx) },
      [DIGEST_KIND]: digestKind({ store: o.store, notifier: o.notifier, stats: this.stats }),
      ...o.kinds,
    }
    this.digests = new DigestScheduler({
      store: o.store, config: o.config, clock: o.clock, holder: this.instanceId,
      build: () => buildDigests({ store: o.store, config: o.config, clock: o.clock, router: o.router, silences: this.silences, slack: o.slack, people, preview: false }),
    })
    this.worker = new OutboxWorker({ store: o.store, clock: o.clock, holder: this.instanceId, kinds, leaseMs: o.leaseMs ?? 120_000, stats: this.stats, log: this.log })
    this.channelRules = o.config.route.rules.some((r) => r.channel)
    this.realtimeEveryMs = o.realtimeEveryMs ?? 0
  }

  /**
   * This process's delivery counters for /metrics. `retries` adds the 429s the Slack client waited out
   * itself (those never reach the outbox as a retryable failure).
   */
  metrics(): Record<string, number> {
    const limited = (this.o.slack as { rateLimited?: unknown } | null | undefined)?.rateLimited
    return { ...this.stats, retries: this.stats.retries + (typeof limited === 'number' ? limited : 0) }
  }

  /**
   * Whether onHit does anything with a hit of `s` (ingest workers send back only those). Real time is for
   * channels: a statement without `#channel` gets one only from a `route.rules` channel rule. Without such rules
   * most hits (a replay's every counted line) need no routing here at all.
   */
  wantsHit(s: Statement): boolean {
    return this.channelRules || s.channels.length > 0
  }

  /** Real-time path: synchronous, cheap. Posting happens in the background (see `idle()`). */
  onHit(hit: Hit): void {
    if (this.stopped || !this.wantsHit(hit.statement)) return
    const d = this.silences.apply(this.o.router.route(hit))
    if (!d.channels.length) return
    // Never drop a hit: at the cap the accumulator is processed now rather than grown.
    if (this.pending.size >= MAX_PENDING) this.scheduleRealtime(true)
    this.pending.add(hit, d.channels, d.level)
    this.scheduleRealtime()
  }

  private scheduleRealtime(now = false): void {
    if (this.rtScheduled && !now) return
    this.rtScheduled = true
    const run = () => {
      this.rtScheduled = false
      this.rtChain = this.rtChain.then(() => this.processRealtime()).catch((e) => this.fail('real-time', e))
    }
    if (now) run()
    else if (this.realtimeEveryMs > 0) this.later(this.realtimeEveryMs, run)
    else setImmediate(run)
  }

  private async processRealtime(): Promise<void> {
    if (!this.pending.size) return
    const batch = this.pending.drain()
    const now = this.o.clock()
    let opened = false
    let retry = false
    for (const [key, p] of batch) {
      const { channel } = p
      const statementId = p.statement.id
      this.statements.set(statementId, p.statement)
      let st = await this.state(key, statementId, channel)
      // A window another instance opened and has not posted yet: its ts appears in the store once it has.
      if (st && !st.ts && !this.ownWindows.has(`${key}\u0000${st.windowStart}`)) st = (await this.reload(key, statementId, channel)) ?? st
      if (!st || now >= st.windowStart + this.windowMs) {
        // One instance opens a window (and posts); the others add to it. The lease lasts the window.
        if (!(await this.o.store.tryLease(`rt:${statementId}:${channel}`, this.instanceId, now, this.windowMs))) {
          const theirs = await this.reload(key, statementId, channel)
          if (theirs && now < theirs.windowStart + this.windowMs) {
            if (await this.addCounts(theirs, p)) await this.afterAdd(key, theirs)
            else retry = true
          } else {
            // Their state row is not written yet: keep the hits and look again shortly.
            this.pending.putBack(p)
            retry = true
          }
          continue
        }
        const seq = (st?.seq ?? 0) + 1
        st = {
          statementId, channel, channelId: null, ts: '', windowStart: now, seq, count: 0, hosts: [], hostsMore: 0,
          firstSeen: p.lastSeen, lastSeen: p.lastSeen, sample: p.sample, level: p.level, sentCount: 0,
        }
        this.ownWindows.add(`${key}\u0000${now}`)
        if (this.ownWindows.size > MAX_STATES) this.ownWindows.delete(this.ownWindows.values().next().value!)
        // The window's row first, then its counts, then the outbox item: whoever posts it finds all three.
        await this.saveState(key, st)
        // Counts the store refused are added next round (then shown by an update); the post goes out anyway.
        if (!(await this.addCounts(st, p))) retry = true
        const payload: RealtimePayload = { statementId, channel, windowStart: now, seq }
        await this.o.store.enqueue({ dedupKey: `rt:${statementId}:${channel}:${now}:${seq}`, kind: REALTIME_KIND, recipient: channel, payload, notBefore: now, createdAt: now })
        opened = true
      } else if (await this.addCounts(st, p)) {
        await this.afterAdd(key, st)
      } else {
        retry = true
      }
    }
    if (retry) this.later(100, () => this.scheduleRealtime())
    if (opened) void this.pump()
  }

  /**
   * Add this instance's hits to the window's stored counts. False (hits kept for the next round) when the
   * store refused: a hit is never dropped, and never added twice (the write is one transaction).
   */
  private async addCounts(st: RealtimeState, p: ChannelDelta): Promise<boolean> {
    // Past the cap of stored hosts, hosts the window does not have yet are counted under ''.
    const known = st.hosts.length + st.hostsMore >= MAX_HOST_ROWS ? new Set([...st.hosts, ...(st.moreHosts ?? [])]) : null
    const rows = new Map<string, RealtimeCountDelta>()
    for (const [host, d] of p.hosts) {
      const h = known && !known.has(host) ? '' : host
      const r = rows.get(h)
      const sample = host === p.sampleHost ? p.sample : null
      if (!r) {
        rows.set(h, { statementId: st.statementId, channel: st.channel, windowStart: st.windowStart, seq: st.seq ?? 0, host: h, count: d.count,
          firstSeen: d.firstSeen, lastSeen: d.lastSeen, sample, level: sample === null ? null : p.level })
        continue
      }
      r.count += d.count
      r.firstSeen = Math.min(r.firstSeen, d.firstSeen)
      r.lastSeen = Math.max(r.lastSeen, d.lastSeen)
      if (sample !== null) (r.sample = sample), (r.level = p.level)
    }
    try {
      await this.o.store.addRealtimeCounts([...rows.values()])
      return true
    } catch (e) {
      this.fail('real-time counts', e)
      this.pending.putBack(p)
      return false
    }
  }

  /**
   * After adding to a window: update its message. A window whose post this instance has not seen yet is
   * looked up again: either its poster read our counts after posting, or we see its ts here (we wrote
   * before looking, it read after recording the ts), so no addition is left unshown.
   */
  private async afterAdd(key: string, st: RealtimeState): Promise<void> {
    if (!st.ts) {
      const fresh = await this.reload(key, st.statementId, st.channel)
      if (!fresh?.ts || fresh.windowStart !== st.windowStart || (fresh.seq ?? 0) !== (st.seq ?? 0)) return
    }
    this.scheduleUpdate(key)
  }

  /** The stored sums of a window (every instance's counts), shown in `st`; null when none are stored. */
  private async sums(st: RealtimeState): Promise<RealtimeCounts | null> {
    const c = await this.o.store.realtimeCounts({ statementId: st.statementId, channel: st.channel, windowStart: st.windowStart, seq: st.seq ?? 0, hostLimit: MAX_HOST_ROWS })
    if (!c) return null
    st.count = c.count
    st.firstSeen = c.firstSeen
    st.lastSeen = c.lastSeen
    st.hosts = c.hosts.slice(0, MAX_HOSTS)
    st.moreHosts = c.hosts.slice(MAX_HOSTS)
    st.hostsMore = Math.max(0, c.hostCount - st.hosts.length)
    if (c.sample !== null) st.sample = c.sample
    if (c.level) st.level = c.level
    return c
  }

  private async reload(key: string, statementId: string, channel: string): Promise<RealtimeState | null> {
    this.states.delete(key)
    return this.state(key, statementId, channel)
  }

  private async state(key: string, statementId: string, channel: string): Promise<RealtimeState | null> {
    const mem = this.states.get(key)
    if (mem) return mem
    const row = await this.o.store.getRealtime(statementId, channel)
    if (!row?.state) return null
    const st = { ...(row.state as RealtimeState), ts: row.ts, windowStart: row.windowStart }
    this.remember(key, st)
    return st
  }

  private remember(key: string, st: RealtimeState): void {
    if (!this.states.has(key) && this.states.size >= MAX_STATES) {
      // Evict the oldest; it is in the store and is read back when its statement fires again.
      const oldest = this.states.keys().next().value
      if (oldest !== undefined) this.states.delete(oldest)
    }
    this.states.set(key, st)
  }

  private async saveState(key: string, st: RealtimeState): Promise<void> {
    this.remember(key, st)
    await this.o.store.putRealtime({ statementId: st.statementId, channel: st.channel, ts: st.ts, windowStart: st.windowStart, state: st })
  }

  private async statement(id: string): Promise<Statement | null> {
    const s = this.statements.get(id) ?? (await this.o.store.getStatement(id))
    if (s) {
      if (this.statements.size >= MAX_STATES) this.statements.clear()
      this.statements.set(id, s)
    }
    return s
  }

  /** Coalesce chat.update: at most one per message per `updateEveryMs`. */
  private scheduleUpdate(key: string): void {
    if (this.updateTimers.has(key) || this.stopped) return
    const wait = Math.max(0, (this.lastUpdate.get(key) ?? -Infinity) + this.updateEveryMs - performance.now())
    const t = setTimeout(() => {
      this.updateTimers.delete(key)
      this.rtChain = this.rtChain.then(() => this.update(key)).catch((e) => this.fail('update', e))
    }, wait)
    this.updateTimers.set(key, t)
  }

  private async update(key: string): Promise<void> {
    const st = this.states.get(key)
    if (!st || !st.ts) return
    // Render what every instance has added, not what this one saw. `sentCount` is what this instance last
    // showed: counts only grow within a window, so a larger sum means the message is behind.
    const sums = await this.sums(st)
    if (!sums || sums.count <= st.sentCount) return
    const s = await this.statement(st.statementId)
    const count = st.count
    const r = await this.o.notifier.send({ ...realtimeMessage(st, s, this.o.config), updateTs: st.ts })
    this.lastUpdate.set(key, performance.now())
    if (this.lastUpdate.size > MAX_STATES) this.lastUpdate.delete(this.lastUpdate.keys().next().value!)
    if (r.ok) {
      this.stats.updates++
      st.sentCount = Math.max(st.sentCount, count)
      // Another instance's older update may have landed after ours, or counts grew while we sent: look again.
      await this.catchUp(key, st)
    } else if (r.retryable) {
      this.stats.retries++
      this.later(r.retryAfterMs ?? 5000, () => this.scheduleUpdate(key))
    } else {
      this.stats.failures++
      this.log(`chat.update for ${st.statementId} in #${st.channel} failed: ${r.error}`)
      if (UNEDITABLE.has(r.error)) {
        // Deleted, or too old to edit: close the window so the next occurrence posts a fresh message —
        // unless another instance has already moved on to a newer message (never close theirs).
        const row = await this.o.store.getRealtime(st.statementId, st.channel)
        if (row && row.ts === st.ts && row.windowStart === st.windowStart) {
          st.windowStart = 0
          await this.saveState(key, st)
        } else this.states.delete(key)
      }
    }
  }

  /**
   * Drain the outbox now (posts, digests; only `kinds` when given). Concurrent calls share one run; a call
   * during a run runs again after it.
   */
  pump(kinds?: string[]): Promise<void> {
    return this.worker.pump(kinds)
  }

  /** The real-time message kind: paced per channel, posted on the real-time chain. */
  private async sendRealtime(item: OutboxItem, ctx: SendContext): Promise<SendFailure | null> {
    // Pace new posts per channel (Slack allows about one a second per channel, with short bursts).
    if (this.pacer) await this.pacer.wait((item.payload as RealtimePayload).channel)
    // On the real-time chain: no accumulation round may read or write this state while it is posted.
    return this.onChain(() => this.postRealtime(item, ctx))
  }

  /** Update again when the stored sums are ahead of what this instance last showed. */
  private async catchUp(key: string, st: RealtimeState): Promise<void> {
    const now = await this.o.store.realtimeCounts({ statementId: st.statementId, channel: st.channel, windowStart: st.windowStart, seq: st.seq ?? 0, hostLimit: 0 })
    if (now && now.count > st.sentCount) this.scheduleUpdate(key)
  }

  private onChain<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.rtChain.then(fn)
    this.rtChain = run.then(() => undefined, (e) => this.fail('real-time', e))
    return run
  }

  /** Post one real-time outbox item; null when done (posted or nothing to do), else the failed result. */
  private async postRealtime(item: OutboxItem, ctx: SendContext): Promise<SendFailure | null> {
    const now = () => this.o.clock()
    const p = item.payload as RealtimePayload
    if (!ctx.sending(item)) return null
    const key = `${p.statementId}\u0000${p.channel}`
    // From the store, not memory: the window may be another instance's, or newer than what we remember.
    const st = await this.reload(key, p.statementId, p.channel)
    if (!st || st.windowStart !== p.windowStart || (st.seq ?? 0) !== (p.seq ?? 0) || st.ts) {
      // Posted already (crash after posting, before marking sent) or superseded by a newer window.
      await this.o.store.markSent(item.id, this.instanceId, now(), { skipped: true })
      return null
    }
    await this.sums(st)
    const count = st.count
    const r = await this.o.notifier.send(realtimeMessage(st, await this.statement(p.statementId), this.o.config))
    if (!r.ok) return r
    st.ts = r.ts ?? `sent.${item.id}`
    st.channelId = r.channel ?? null
    st.sentCount = count
    await this.saveState(key, st)
    this.lastUpdate.set(key, performance.now())
    await this.o.store.markSent(item.id, this.instanceId, now(), { ts: st.ts, channel: st.channelId })
    this.stats.posts++
    // Counts added while we posted (here or by other instances) go out as an update.
    await this.catchUp(key, st)
    return null
  }

  private later(ms: number, fn: () => void): void {
    if (this.stopped) return
    const t = setTimeout(() => {
      this.timers.delete(t)
      fn()
    }, ms)
    this.timers.add(t)
  }

  private fail(what: string, e: unknown): void {
    this.stats.failures++
    this.log(`${what}: ${(e as Error)?.message ?? e}`)
  }

  /** Wait until every accumulated hit is posted or applied (coalesced updates sent now). For replay and tests. */
  async idle(): Promise<void> {
    for (let i = 0; i < 100; i++) {
      this.scheduleRealtime(true)
      await this.rtChain
      await this.pump()
      for (const [key, t] of this.updateTimers) {
        clearTimeout(t)
        this.updateTimers.delete(key)
        this.rtChain = this.rtChain.then(() => this.update(key)).catch((e) => this.fail('update', e))
      }
      await this.rtChain
      if (!this.pending.size && !this.updateTimers.size && !this.worker.busy) return
    }
  }

  /** Run the digest scheduler once (under the scheduler lease), then drain the outbox. */
  async checkDigests(): Promise<void> {
    await this.digests.check()
    await this.pump()
  }

  /** One round of everything: refresh routing, flush real time, build due digests, drain the outbox. */
  async tick(): Promise<void> {
    await Promise.all([this.o.router.refresh(), this.silences.refresh()])
    await this.idle()
    await this.checkDigests()
  }

  /** Background loops until `signal` aborts: outbox and router refresh every few seconds, digests every check interval. */
  start(signal: AbortSignal): void {
    const every = (ms: number, fn: () => Promise<void>) => {
      const loop = async () => {
        while (!signal.aborted) {
          await fn().catch((e) => this.fail('scheduler', e))
          await new Promise<void>((r) => {
            // Remove the listener when the timer fires: one left behind per round would pile up forever.
            const onAbort = () => (clearTimeout(t), r())
            const t = setTimeout(() => (signal.removeEventListener('abort', onAbort), r()), ms)
            signal.addEventListener('abort', onAbort, { once: true })
          })
        }
      }
      void loop()
    }
    every(this.o.pollMs ?? 5_000, async () => {
      await Promise.all([this.o.router.refresh(), this.silences.refresh()])
      await this.pump()
    })
    every(this.o.config.digest.checkEveryMinutes * 60_000, () => this.checkDigests())
    signal.addEventListener('abort', () => this.stop(), { once: true })
  }

  /**
   * Graceful shutdown: stop, and give back every outbox item this instance claimed but has not started
   * sending, so a restart or another instance posts it at once instead of after the lease (`leaseMs`).
   */
  async close(): Promise<void> {
    this.stop()
    await this.worker.close()
  }

  /** Stop timers (pending work stays in the store for the next instance). */
  stop(): void {
    this.stopped = true
    this.worker.stop()
    for (const t of this.updateTimers.values()) clearTimeout(t)
    for (const t of this.timers) clearTimeout(t)
    this.updateTimers.clear()
    this.timers.clear()
  }
}

