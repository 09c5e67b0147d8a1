import type { Config } from '../../config/schema.js'
import type { Clock } from '../../core/clock.js'
import type { Store } from '../../store/store.js'

/**
 * Runs `build` (the digests due now, into the outbox) on one instance at a time: whoever takes the
 * `digest-scheduler` lease builds; the lease outlives two check intervals, so a dead holder's turn passes on.
 */
export class DigestScheduler {
  constructor(private o: { store: Store; config: Config; clock: Clock; holder: string; build: () => Promise<unknown> }) {}

  /** Build what is due when this instance holds (or takes) the scheduler lease. True when it built. */
  async check(): Promise<boolean> {
    const now = this.o.clock()
    const ttl = Math.max(60_000, this.o.config.digest.checkEveryMinutes * 120_000)
    if (!(await this.o.store.tryLease('digest-scheduler', this.o.holder, now, ttl))) return false
    await this.o.build()
    return true
  }

  /**
   * Give the lease back (a stopping instance): the next `dice run` or replay builds at its first check instead of
   * waiting out the lease — a replay's final digest would otherwise be skipped by a replay right after it.
   */
  async release(): Promise<void> {
    await this.o.store.releaseLease('digest-scheduler', this.o.holder)
  }
}
