import type { OutboxItem } from '../../store/store.js'
import type { SendResult } from '../notifier.js'

/**
 * A send that did not go through, and whether trying again later can help. `progress` is kept with the item
 * for its next attempt (how far a message in several parts got), as `result.progress`.
 */
export type SendFailure = Extract<SendResult, { ok: false }> & { progress?: unknown }

/** What the outbox worker lends a message kind while it sends one item. */
export interface SendContext {
  /** The instance holding the item's lease (what `markSent` and `release` check). */
  holder: string
  now(): number
  /**
   * Call right before the item goes to the notifier: false when the worker is closing and gave the item back
   * (another instance or the restart sends it). From then on the item is in flight and stays leased to us.
   */
  sending(item: OutboxItem): boolean
}

/**
 * One kind of outbox message (a real-time channel post, a digest): how an item of that kind is sent. It
 * marks the item sent itself (its own bookkeeping goes in the same step) and answers null, or answers the
 * failure for the worker's retry policy. Null also when there was nothing to send or the item was given back.
 */
export interface MessageKind {
  send(item: OutboxItem, ctx: SendContext): Promise<SendFailure | null>
}

/** Message kinds by outbox `kind`: the worker dispatches through this, never on a `kind` switch. */
export type MessageKinds = Readonly<Record<string, MessageKind>>
