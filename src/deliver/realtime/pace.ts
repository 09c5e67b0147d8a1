/** Keys (channels) whose buckets are kept; past it the oldest state is forgotten (a full bucket again). */
const MAX_KEYS = 10_000

/**
 * A token bucket per key: at most `rate` per second after a burst of `burst` (Slack allows about one post
 * a second per channel, with short bursts). `wait(key)` resolves when the next post to `key` may go.
 */
export class Pacer {
  private buckets = new Map<string, { tokens: number; at: number }>()

  constructor(private rate: number, private burst = 20, private now: () => number = () => performance.now()) {}

  /** Take one token for `key`, waiting for it when the bucket is empty. */
  async wait(key: string): Promise<void> {
    const t = this.now()
    let b = this.buckets.get(key)
    if (!b) {
      if (this.buckets.size >= MAX_KEYS) this.buckets.clear()
      this.buckets.set(key, (b = { tokens: this.burst, at: t }))
    }
    b.tokens = Math.min(this.burst, b.tokens + ((t - b.at) / 1000) * this.rate)
    b.at = t
    b.tokens -= 1
    if (b.tokens < 0) await new Promise<void>((r) => setTimeout(r, (-b.tokens / this.rate) * 1000))
  }
}
