import type { Hit, Statement } from '../core/types.js'
import type { RealtimeBatch } from '../store/store.js'

/**
 * Where counted hits go on their way to delivery (the Delivery fills it). The pipeline hands each counted
 * hit over as it counts it, and commits what the sink accumulated in the same transaction as the counts of
 * the same lines: acknowledged lines are counted for delivery too, or not at all.
 */
export interface HitSink {
  /**
   * The pipeline commits for the sink from now on; `requestFlush` asks it to flush soon (real-time hits
   * are waiting). Called by the pipeline's constructor, and with null by its stop(): the sink commits its own
   * from then on, and holds nothing of the pipeline (a replay's catalog and matcher, while it delivers).
   */
  attach(requestFlush: (() => void) | null): void
  /** Whether onHit does anything with hits of `s` (ingest workers send back only those). */
  wantsHit(s: Statement): boolean
  /** One counted hit (synchronous, the hot path). Must not throw. */
  onHit(h: Hit): void
  /** What to commit with this flush's counts, taken out of the sink; undefined when nothing. */
  take(now: number): RealtimeBatch | undefined
  /** The flush failed: keep `b` for the next one. */
  putBack(b: RealtimeBatch): void
  /** `b` is committed. */
  committed(b: RealtimeBatch): void
}
