import type { Config } from '../config/schema.js'
import type { Store } from '../store/store.js'

const DAY = 86_400_000
/** Lease name: one instance prunes at a time (two concurrent roll-ups would add the same rows twice). */
export const RETENTION_LEASE = 'retention'

/**
 * Apply `retention`: occurrence buckets older than `rawDays` are rolled up to daily totals, daily totals
 * older than `keepDays` are deleted. Runs only under the retention lease; returns null when another
 * instance holds it.
 */
export async function applyRetention(o: { store: Store; config: Config; now: number; holder: string; leaseMs?: number }): Promise<{ rolledUp: number; deleted: number } | null> {
  if (!(await o.store.tryLease(RETENTION_LEASE, o.holder, o.now, o.leaseMs ?? 10 * 60_000))) return null
  const { rawDays, keepDays } = o.config.retention
  // Never delete what is still kept raw, whatever the two settings say.
  return o.store.prune(o.now - rawDays * DAY, o.now - Math.max(keepDays, rawDays) * DAY)
}
