/** A message Dice sends: Slack Block Kit blocks plus a plain-text fallback. */
export interface Message {
  /** Slack channel name/id, or a person's Slack user id (a DM). */
  to: string
  text: string
  blocks?: unknown[]
  /** When set, update that earlier message in place (`chat.update`). */
  updateTs?: string
  /** When set, post as a reply in the thread of that earlier message (a digest's continuation). */
  threadTs?: string
}

/** A send's outcome; on failure, whether retrying can help and how long Slack asked us to wait. */
export type SendResult =
  | { ok: true; ts?: string; channel?: string }
  | { ok: false; retryable: boolean; retryAfterMs?: number; error: string }

/** A delivery channel. Says whether a failure is worth retrying, as Alertmanager's notifiers do. */
export interface Notifier {
  name: string
  send(m: Message): Promise<SendResult>
}

/** The notifier registry (slack | webhook | console), next to the contract it fills. */
export { createNotifier } from './registry.js'
