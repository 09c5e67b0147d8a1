import { createHmac, timingSafeEqual } from 'node:crypto'
import { DiceError, ErrorCode } from '../../core/errors.js'

/** A Slack request that failed verification: answered 401, nothing else happens. */
export class SlackSignatureError extends DiceError {
  constructor(message: string) {
    super(ErrorCode.SlackSignature, message, 1)
    this.name = 'SlackSignatureError'
  }
}

/** What verification needs from a request: the two headers and the exact raw body bytes. */
export interface RawSlackRequest {
  /** `X-Slack-Request-Timestamp` (epoch seconds). */
  timestamp: string | undefined
  /** `X-Slack-Signature` (`v0=<hex>`). */
  signature: string | undefined
  body: string | Buffer
}

/** Slack's tolerance: requests older (or further in the future) than this are refused. */
export const MAX_AGE_MS = 5 * 60_000
/** How long a seen signature is remembered: a request stamped up to 5 minutes ahead stays valid for 10 minutes after arrival. */
export const REPLAY_WINDOW_MS = 2 * MAX_AGE_MS

/** `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{body}`, as Slack signs requests. */
export function slackSignature(secret: string, timestamp: string | number, body: string | Buffer): string {
  const h = createHmac('sha256', secret)
  h.update(`v0:${timestamp}:`)
  h.update(body)
  return `v0=${h.digest('hex')}`
}

/**
 * Verify a Slack request as Slack documents it. Pure: `now` (epoch ms) is passed in. Throws
 * SlackSignatureError on a missing/stale timestamp or a bad signature; returns nothing when it holds.
 */
export function verifySlack(secret: string, req: RawSlackRequest, now: number): void {
  if (!secret) throw new SlackSignatureError('no signing secret configured')
  const ts = req.timestamp ?? ''
  if (!/^\d{1,12}$/.test(ts)) throw new SlackSignatureError('missing or malformed X-Slack-Request-Timestamp')
  if (Math.abs(now - Number(ts) * 1000) > MAX_AGE_MS) throw new SlackSignatureError('stale request timestamp')
  const got = Buffer.from(req.signature ?? '', 'utf8')
  const want = Buffer.from(slackSignature(secret, ts, req.body), 'utf8')
  // Equal lengths first: timingSafeEqual throws on a length mismatch.
  if (got.length !== want.length || !timingSafeEqual(got, want)) throw new SlackSignatureError('bad signature')
}

/**
 * Remembers signatures seen within the timestamp window, so a captured request cannot be replayed.
 * Bounded: beyond `cap` entries the oldest are dropped (they are nearly expired anyway).
 */
export class ReplayGuard {
  private seen = new Map<string, number>()

  constructor(private cap = 10_000, private windowMs = REPLAY_WINDOW_MS) {}

  /** True the first time a signature is offered within the window; false for a replay. */
  firstSeen(signature: string, now: number): boolean {
    this.expire(now)
    if (this.seen.has(signature)) return false
    this.seen.set(signature, now)
    while (this.seen.size > this.cap) this.seen.delete(this.seen.keys().next().value!)
    return true
  }

  get size(): number {
    return this.seen.size
  }

  private expire(now: number): void {
    // Insertion order is arrival order, so expired entries are at the front.
    for (const [sig, at] of this.seen) {
      if (now - at <= this.windowMs) break
      this.seen.delete(sig)
    }
  }
}
