import type { Config } from '../config/schema.js'
import { personFor } from '../catalog/people.js'
import type { Statement } from '../core/types.js'
import type { Message, Notifier } from '../deliver/notifier.js'
import type { SendContext, SendFailure } from '../deliver/outbox/kinds.js'
import type { People } from '../people/people.js'
import type { SilenceTarget, Silences } from '../deliver/silences.js'
import type { OutboxItem, Store } from '../store/store.js'
import { isChannel } from './targets.js'

/** Where one alert goes now: the notifier's address, the zone its times are shown in, who it is for. */
export interface Address {
  /** Slack user id or channel (a person key when Slack is off). */
  to: string
  tz: string
  /** The person key when the recipient is a person (the fallback channel stands in for one unknown to Slack). */
  person: string | null
  /** What mutes and snoozes are checked against. */
  silence: SilenceTarget
}

/**
 * The send step every alert kind shares: resolve a recipient through the one people resolver, apply the one
 * silence stage (muted or snoozed for that person or channel: not sent), send, and mark the outbox item sent
 * with the message's ts so a later edit can find it.
 */
export class AlertSender {
  constructor(readonly o: { store: Store; config: Config; notifier: Notifier; silences: Silences; people: People }) {}

  /**
   * The address of a recipient (`#channel` or a person key); null when a person is unknown to Slack and no
   * fallback channel is configured. Slack look-up failures throw: the worker retries the item.
   */
  async address(target: string): Promise<Address | null> {
    const tz = this.o.config.digest.defaultTimezone
    if (isChannel(target)) return { to: target.slice(1), tz, person: null, silence: { channel: target.slice(1) } }
    const r = await this.o.people.resolve(target)
    if (!r.known) {
      const fb = this.o.config.route.fallbackChannel?.replace(/^#/, '')
      return fb ? { to: fb, tz, person: null, silence: { channel: fb } } : null
    }
    return { to: r.slackId ?? r.key, tz: r.tz, person: r.key, silence: { person: r.key, slackId: r.slackId } }
  }

  /** Muted or snoozed for this address (a snooze by count is not consumed: an alert is not an occurrence). */
  silenced(statementId: string, a: Address): boolean {
    return this.o.silences.has(statementId) && this.o.silences.check(statementId, a.silence) !== null
  }

  /** Is the recipient the author git blame names for `s` (so the message can say "you")? */
  isAuthor(s: Statement, a: Address): boolean {
    const email = s.blame?.email
    if (!email || !a.person) return false
    return email.toLowerCase() === a.person.toLowerCase() || personFor(email, this.o.config)?.key === a.person
  }

  /**
   * Send `m` for `item` and mark it sent (result: ts and channel); the failure when it did not go. `posted`
   * runs before the item is marked sent (a message edited later keeps its ts there).
   */
  async deliver(item: OutboxItem, ctx: SendContext, m: Message, posted?: (ts: string, channel: string | null) => Promise<void>): Promise<SendFailure | null> {
    if (!ctx.sending(item)) return null
    const r = await this.o.notifier.send(m)
    if (!r.ok) return r
    if (posted && r.ts) await posted(r.ts, r.channel ?? null)
    await this.o.store.markSent(item.id, ctx.holder, ctx.now(), { ts: r.ts ?? null, channel: r.channel ?? null })
    return null
  }

  /** Mark `item` done without sending (everything in it silenced, or nothing left to say). */
  async skip(item: OutboxItem, ctx: SendContext, why: string): Promise<null> {
    if (ctx.sending(item)) await this.o.store.markSent(item.id, ctx.holder, ctx.now(), { skipped: why })
    return null
  }
}

/** A failure the worker does not retry (the item is marked dead with this reason). */
export const undeliverable = (target: string): SendFailure => ({ ok: false, retryable: false, error: `undeliverable: ${target} is unknown to Slack and route.fallbackChannel is not set` })
