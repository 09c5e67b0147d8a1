/**
 * A statement's usual count per time bucket: an exponentially weighted average over its buckets, pure
 * arithmetic on three numbers (docs/alerts/spikes.md says why this baseline). `m` is the weighted sum and
 * `w` the weight folded so far (1 − (1 − α)^n after n buckets), so `m / w` is the average corrected for a
 * short history: the first buckets weigh as a plain mean instead of being pulled towards zero.
 */
export interface Rate {
  m: number
  w: number
  /** The last bucket folded in (its start, epoch ms). */
  through: number
  /** The first bucket folded in: how long the statement has a history. */
  since: number
}

/** α per bucket for a half-life: after `halfLifeMs` of buckets, an old count weighs half. */
export function alphaFor(bucketMs: number, halfLifeMs: number): number {
  return 1 - 2 ** (-bucketMs / halfLifeMs)
}

/** An empty history: its first fold, of any bucket, starts it. */
export function newRate(): Rate {
  return { m: 0, w: 0, through: -1, since: 0 }
}

/**
 * Fold bucket `bucket` with `count` into `r` (in place): the buckets skipped since `r.through` count as zeros,
 * folded in closed form, so a statement silent for a week costs the same as one that logged a minute ago.
 * Buckets at or before `r.through` are ignored (already folded).
 */
export function fold(r: Rate, bucket: number, count: number, alpha: number, bucketMs: number): void {
  if (bucket <= r.through) return
  // The first bucket folded starts the history; nothing before it counts as zeros.
  const first = r.through < r.since
  if (first) r.since = bucket
  const zeros = first ? 0 : Math.max(0, Math.round((bucket - r.through) / bucketMs) - 1)
  if (zeros > 0) {
    const d = (1 - alpha) ** zeros
    r.m *= d
    r.w = 1 - d * (1 - r.w)
  }
  r.m = (1 - alpha) * r.m + alpha * count
  r.w = (1 - alpha) * r.w + alpha
  r.through = bucket
}

/**
 * The usual count per bucket as of `bucket` (the buckets between `r.through` and it counted as zeros, not
 * folded); 0 with no history.
 */
export function usual(r: Rate, bucket: number, alpha: number, bucketMs: number): number {
  if (r.w === 0) return 0
  const zeros = Math.max(0, Math.round((bucket - r.through) / bucketMs) - 1)
  const d = (1 - alpha) ** zeros
  return (r.m * d) / (1 - d * (1 - r.w))
}
