import type { Clock } from '../../core/clock.js'
import type { OutboxItem, Store } from '../../store/store.js'
import type { MessageKinds, SendContext } from './kinds.js'

/** Options of an OutboxWorker. */
export interface OutboxWorkerOptions {
  store: Store
  clock: Clock
  /** This instance's id: the lease holder. */
  holder: string
  kinds: MessageKinds
  /**
   * How long a claimed item is ours before another instance may take it over, unless renewed: a heartbeat
   * renews every item held every `leaseMs / 3`, so a live instance keeps what it is sending however long that
   * takes (pacing, Slack's 429s) and a dead one's items are taken over `leaseMs` after its last heartbeat.
   */
  leaseMs: number
  /** Counters the worker adds its retries and failures to. */
  stats: { failures: number; retries: number }
  log: (line: string) => void
}

/** Items claimed per round. */
const CLAIM = 20
/** When sending an item threw (not a notifier's answer: the store, a bug), it is due again this much later. */
const RETRY_AFTER_ERROR_MS = 1000

/**
 * Drains the outbox: claims due items under a lease (`Store.claim`, SKIP LOCKED on PostgreSQL), hands each
 * to its message kind, and applies one retry policy to what failed — retryable failures come back after
 * Retry-After or an exponential backoff, the rest are marked dead. `close()` gives back what was claimed but
 * not started, so a restart or another instance sends it at once instead of after the lease.
 */
export class OutboxWorker {
  private pumping: Promise<void> | null = null
  private pumpAgain = false
  private stopped = false
  private releasing = false
  /** Claimed and not yet handed to a notifier: what `close()` gives back. */
  private claimed = new Map<number, OutboxItem>()
  /** Claimed and not finished (sent, released, or left after a failed round): what the heartbeat renews. */
  private held = new Set<number>()
  private heartbeat: NodeJS.Timeout | null = null
  private timers = new Set<NodeJS.Timeout>()
  private ctx: SendContext

  constructor(private o: OutboxWorkerOptions) {
    this.ctx = {
      holder: o.holder,
      now: () => o.clock(),
      sending: (item) => {
        if (this.releasing) return false
        this.claimed.delete(item.id)
        return true
      },
    }
  }

  /** True while a drain runs. */
  get busy(): boolean {
    return this.pumping !== null
  }

  /** Drain the outbox now (only `kinds` when given). Concurrent calls share one run; a call during a run runs again after it. */
  pump(kinds?: string[]): Promise<void> {
    if (this.pumping) {
      this.pumpAgain = true
      return this.pumping
    }
    this.pumping = (async () => {
      try {
        do {
          this.pumpAgain = false
          while (!this.releasing) {
            const items = await this.o.store.claim({ kinds, limit: CLAIM, holder: this.o.holder, now: this.o.clock(), leaseMs: this.o.leaseMs })
            if (!items.length) break
            for (const item of items) (this.claimed.set(item.id, item), this.held.add(item.id))
            this.beat()
            for (const item of items) {
              if (this.releasing) break
              try {
                await this.send(item)
              } catch (e) {
                // One item's trouble (a deadlock, a lost connection) is not the others': it is tried again shortly.
                this.o.stats.failures++
                this.o.log(`outbox: ${item.kind} to ${item.recipient}: ${(e as Error)?.message ?? e}`)
                await this.o.store.release(item.id, this.o.holder, this.o.clock() + RETRY_AFTER_ERROR_MS, false, { error: String((e as Error)?.message ?? e) }).catch(() => undefined)
                this.later(RETRY_AFTER_ERROR_MS, () => void this.pump())
              } finally {
                this.claimed.delete(item.id)
                this.held.delete(item.id)
              }
            }
          }
        } while (this.pumpAgain && !this.stopped)
      } catch (e) {
        this.o.stats.failures++
        this.o.log(`outbox: ${(e as Error)?.message ?? e}`)
      } finally {
        // Items left after a failed round stay leased (retried when the lease runs out); forget them here.
        if (!this.releasing) this.claimed.clear()
        this.held.clear()
        this.beat()
        this.pumping = null
      }
    })()
    return this.pumping
  }

  /** Renew the lease of every item held every `leaseMs / 3` while there are any; stop when there are none. */
  private beat(): void {
    if (this.held.size && !this.heartbeat && !this.stopped) {
      this.heartbeat = setInterval(() => {
        const ids = [...this.held]
        if (!ids.length) return
        this.o.store.renewClaims(ids, this.o.holder, this.o.clock() + this.o.leaseMs)
          .catch((e) => this.o.log(`outbox heartbeat: ${(e as Error).message}`))
      }, Math.max(50, Math.floor(this.o.leaseMs / 3)))
      this.heartbeat.unref()
    } else if ((!this.held.size || this.stopped) && this.heartbeat) {
      clearInterval(this.heartbeat)
      this.heartbeat = null
    }
  }

  private async send(item: OutboxItem): Promise<void> {
    const { store, holder, clock } = this.o
    const kind = this.o.kinds[item.kind]
    if (!kind) return store.release(item.id, holder, clock(), true, { error: `unknown outbox kind ${item.kind}` })
    const r = await kind.send(item, this.ctx)
    if (!r) return
    if (r.retryable) {
      this.o.stats.retries++
      const wait = Math.max(1000, r.retryAfterMs ?? Math.min(300_000, 1000 * 2 ** Math.min(item.attempts, 8)))
      await store.release(item.id, holder, clock() + wait, false, { error: r.error, ...(r.progress === undefined ? {} : { progress: r.progress }) })
      this.later(wait, () => void this.pump())
    } else {
      this.o.stats.failures++
      this.o.log(`${item.kind} to ${item.recipient} failed for good: ${r.error}`)
      await store.release(item.id, holder, clock(), true, { error: r.error })
    }
  }

  private later(ms: number, fn: () => void): void {
    if (this.stopped) return
    const t = setTimeout(() => {
      this.timers.delete(t)
      fn()
    }, ms)
    this.timers.add(t)
  }

  /** Give back every item claimed but not started, due at once (`result` says why it came back). */
  async close(): Promise<void> {
    this.stop()
    this.releasing = true
    const items = [...this.claimed.values()]
    this.claimed.clear()
    const now = this.o.clock()
    for (const item of items) {
      await this.o.store.release(item.id, this.o.holder, Math.min(now, item.notBefore), false, { released: 'shutdown' })
        .catch((e) => this.o.log(`release on shutdown: ${(e as Error).message}`))
    }
  }

  /** Stop retry timers (pending work stays in the store). */
  stop(): void {
    this.stopped = true
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
    this.beat()
  }
}
