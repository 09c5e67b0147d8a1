import type { Config } from '../../config/schema.js'
import type { Clock } from '../../core/clock.js'
import type { Statement } from '../../core/types.js'
import type { Store } from '../../store/store.js'
import type { Notifier } from '../notifier.js'
import { MAX_HOST_ROWS } from './accumulate.js'
import { realtimeMessage, windowStateWithValues } from './message.js'

/** chat.update errors after which the message cannot be edited any more. */
const UNEDITABLE = new Set(['message_not_found', 'cant_update_message', 'edit_window_closed'])
/** How long one instance keeps a message to itself while it updates it. */
const UPDATE_LEASE_MS = 5_000
/** Messages tracked for coalescing; past it the oldest are forgotten (an update may then come sooner). */
const MAX_KEYS = 10_000
/** Windows one sweep looks at. */
const SWEEP_LIMIT = 200

interface Key { statementId: string; channel: string; seq: number }
const keyOf = (k: Key) => `${k.statementId}\u0000${k.channel}\u0000${k.seq}`

/**
 * Brings posted channel messages up to the count committed to their window: `chat.update` at most once per
 * message per `updateEveryMs`, by one instance at a time (a short per-message lease), rendering the stored
 * sums so instances never erase each other's counts. The count shown is stored with the window, so any
 * instance's `sweep()` finds a message left behind — by a crash, by another instance's lost race — and
 * finishes it.
 */
export class RealtimeUpdater {
  private timers = new Map<string, { key: Key; t: NodeJS.Timeout }>()
  private last = new Map<string, number>()
  private running = new Map<string, Promise<void>>()
  private stopped = false

  constructor(private o: {
    store: Store
    notifier: Notifier
    config: Config
    clock: Clock
    holder: string
    updateEveryMs: number
    statement: (id: string) => Promise<Statement | null>
    stats: { updates: number; failures: number; retries: number }
    log: (line: string) => void
  }) {}

  /** True while an update is scheduled or running. */
  get busy(): boolean {
    return this.timers.size > 0 || this.running.size > 0
  }

  /** Bring this window's message up to date soon (coalesced). */
  touch(k: Key, waitMs?: number): void {
    const id = keyOf(k)
    if (this.stopped || this.timers.has(id)) return
    const wait = waitMs ?? Math.max(0, (this.last.get(id) ?? -Infinity) + this.o.updateEveryMs - performance.now())
    const t = setTimeout(() => {
      this.timers.delete(id)
      void this.run(k)
    }, wait)
    this.timers.set(id, { key: k, t })
  }

  /** Touch every recent posted window whose message shows less than was committed (every instance's, a dead one's too). */
  async sweep(): Promise<void> {
    const since = this.o.clock() - 2 * this.o.config.realtime.updateWindowSeconds * 1000
    for (const w of await this.o.store.realtimeWindowsBehind(since, SWEEP_LIMIT)) this.touch(w)
  }

  /** Run every scheduled update now and wait for them (replay's end, tests, shutdown). */
  async flush(): Promise<void> {
    const due = [...this.timers.values()]
    for (const { t } of due) clearTimeout(t)
    this.timers.clear()
    await Promise.all([...due.map(({ key }) => this.run(key)), ...this.running.values()])
  }

  /** Stop scheduling (what is behind stays in the store for a sweep). */
  stop(): void {
    this.stopped = true
    for (const { t } of this.timers.values()) clearTimeout(t)
    this.timers.clear()
  }

  private run(k: Key): Promise<void> {
    const id = keyOf(k)
    const prev = this.running.get(id) ?? Promise.resolve()
    const next = prev.then(() => this.update(k)).catch((e) => {
      this.o.stats.failures++
      this.o.log(`chat.update: ${(e as Error)?.message ?? e}`)
    }).finally(() => {
      if (this.running.get(id) === next) this.running.delete(id)
    })
    this.running.set(id, next)
    return next
  }

  private async update(k: Key): Promise<void> {
    const { store, clock } = this.o
    const w = await store.realtimeWindow(k.statementId, k.channel, k.seq)
    if (!w || !w.ts || w.total <= w.shown) return
    // Another instance is updating it: it looks again once done, and sweeps catch whatever it leaves.
    const lease = `rtu:${k.statementId}:${k.channel}:${k.seq}`
    if (!(await store.tryLease(lease, this.o.holder, clock(), UPDATE_LEASE_MS))) return
    const sums = await store.realtimeCounts({ ...w, hostLimit: MAX_HOST_ROWS })
    if (!sums || sums.count <= w.shown) return void (await store.releaseLease(lease, this.o.holder))
    const r = await this.o.notifier.send({ ...realtimeMessage(await windowStateWithValues(store, w, sums, this.o.config.match.bucketSeconds), await this.o.statement(w.statementId), this.o.config), updateTs: w.ts })
    const id = keyOf(k)
    this.last.set(id, performance.now())
    if (this.last.size > MAX_KEYS) this.last.delete(this.last.keys().next().value!)
    if (r.ok) {
      this.o.stats.updates++
      await store.markRealtimeShown(w.statementId, w.channel, w.seq, sums.count)
      // Lease first, then look: an instance that committed and found the lease taken did so before we give it
      // up, so we see its count here; one that commits later takes the lease itself.
      await store.releaseLease(lease, this.o.holder)
      const now = await store.realtimeWindow(w.statementId, w.channel, w.seq)
      if (now && now.total > sums.count) this.touch(k)
    } else if (r.retryable) {
      this.o.stats.retries++
      this.touch(k, r.retryAfterMs ?? 5000)
    } else {
      this.o.stats.failures++
      this.o.log(`chat.update for ${w.statementId} in #${w.channel} failed: ${r.error}`)
      // Deleted, or too old to edit: the next occurrence posts a fresh message.
      if (UNEDITABLE.has(r.error)) await store.closeRealtimeWindow(w.statementId, w.channel, w.seq)
      await store.releaseLease(lease, this.o.holder)
    }
  }
}
