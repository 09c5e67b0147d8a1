import type { Config } from '../config/schema.js'
import type { Statement } from '../core/types.js'
import { formatExpectation, type Expectation } from '../core/expect.js'
import { expectations } from './expectations.js'
import type { Message } from '../deliver/notifier.js'
import type { MessageKind } from '../deliver/outbox/kinds.js'
import type { Router } from '../route/router.js'
import type { Store } from '../store/store.js'
import { buttons, context, plain, section, shortTime, span, templateSpan, where, wherePlain } from './messages.js'
import { undeliverable, type Address, type AlertSender } from './sender.js'
import { alertTargets, isChannel } from './targets.js'

/** Outbox kind of expected-silence messages (silent, and back). */
export const SILENCE_KIND = 'alert.silence'
/** alert_state kind: per expected statement, since when it is watched and the silence it is in. */
const STATE = 'silence'

/** What the detector keeps per expected statement. */
interface Watch {
  /** When the detector first watched it. */
  watching: number
  /** The silence it is in: since when (its last occurrence, or when watching began) — null when it is not. */
  silentSince: number | null
}
/** Outbox payload: a statement went silent, or came back. */
interface Payload { statementId: string; expect: Expectation; since: number; back: number | null; count: number }

/**
 * Expected silence (docs/alerts/silence.md). Each round, for each statement that must log at least N times
 * per period: the occurrences counted in the last period (by bucket: one overlapping the window counts whole).
 * Fewer than N, with Dice known to have been counting for a whole period (it saw the statement before then,
 * or has watched it that long), is a silence: told once; N again within a period ends it, told once more.
 */
export class SilenceDetector {
  private expected: Map<string, Expectation> | null = null

  constructor(private o: { store: Store; config: Config; router: Router; statement: (id: string) => Promise<Statement | null> }) {}

  /** The catalog changed: read the expectations again at the next round. */
  reload(): void {
    this.expected = null
  }

  /** One round at `now`; returns how many outbox items it enqueued. */
  async check(now: number): Promise<number> {
    const { store, config } = this.o
    this.expected ??= expectations(await store.listStatements(), config.alerts.silence.rules)
    if (!this.expected.size) return 0
    const ids = [...this.expected.keys()]
    const B = config.match.bucketSeconds * 1000
    // One read per distinct period, of the buckets overlapping it.
    const counts = new Map<string, number>()
    /** The newest occurrence in the window (a line stamped a little ahead of this clock included). */
    const newest = new Map<string, number>()
    /** Statements seen before their window began: Dice was counting over the whole window. */
    const covered = new Set<string>()
    const byPeriod = new Map<number, string[]>()
    for (const [id, e] of this.expected) byPeriod.set(e.everyMs, [...(byPeriod.get(e.everyMs) ?? []), id])
    for (const [every, list] of byPeriod) {
      const from = now - every
      for (const b of await store.bucketSums({ since: from - (((from % B) + B) % B), statementIds: list })) {
        if (b.bucket > now) continue
        counts.set(b.statementId, (counts.get(b.statementId) ?? 0) + b.count)
        newest.set(b.statementId, Math.max(newest.get(b.statementId) ?? 0, b.lastSeen))
      }
      for (const id of (await store.lastSeenBefore(list, from + 1)).keys()) covered.add(id)
    }
    const [watches, last] = await Promise.all([store.alertStates(STATE, { keys: ids }), store.lastSeenBefore(ids, now + 1)])
    const stored = new Map(watches.map((r) => [r.key, r.state as Watch]))
    const writes: Array<{ kind: string; key: string; state: Watch; updatedAt: number }> = []
    let n = 0
    for (const [id, e] of this.expected) {
      const w = stored.get(id) ?? { watching: now, silentSince: null }
      const before = JSON.stringify(w)
      const count = counts.get(id) ?? 0
      const seen = last.get(id)
      if (w.silentSince === null) {
        // Counting is known to have covered the whole window: the statement was seen before it, or watched that long.
        if (count < e.count && (covered.has(id) || now - w.watching >= e.everyMs)) {
          w.silentSince = seen ?? w.watching
          n += await this.enqueue(id, { statementId: id, expect: e, since: w.silentSince, back: null, count }, now)
        }
      } else if (count >= e.count) {
        n += await this.enqueue(id, { statementId: id, expect: e, since: w.silentSince, back: Math.max(seen ?? 0, newest.get(id) ?? 0) || now, count }, now)
        w.silentSince = null
      }
      if (!stored.has(id) || JSON.stringify(w) !== before) writes.push({ kind: STATE, key: id, state: w, updatedAt: now })
    }
    if (writes.length) await store.putAlertStates(writes)
    return n
  }

  private async enqueue(id: string, p: Payload, now: number): Promise<number> {
    const s = await this.o.statement(id)
    if (!s) return 0
    let n = 0
    for (const target of alertTargets(this.o.router, this.o.config, s)) {
      const key = `${p.back === null ? 'silence' : 'silence-back'}:${id}:${p.since}:${target}`
      if (await this.o.store.enqueue({ dedupKey: key, kind: SILENCE_KIND, recipient: target, payload: { ...p, target }, notBefore: now, createdAt: now })) n++
    }
    return n
  }
}

/** The expected-silence message kind: the silence or the return, through the silence stage. */
export function silenceKind(o: { config: Config; sender: AlertSender; statement: (id: string) => Promise<Statement | null> }): MessageKind {
  return {
    async send(item, ctx) {
      const p = item.payload as Payload & { target: string }
      const addr = await o.sender.address(p.target)
      if (!addr) return undeliverable(p.target)
      const s = await o.statement(p.statementId)
      if (!s) return o.sender.skip(item, ctx, 'statement gone')
      if (o.sender.silenced(s.id, addr)) return o.sender.skip(item, ctx, 'muted or snoozed')
      return o.sender.deliver(item, ctx, silenceMessage(s, p, addr, o.config, ctx.now(), isChannel(p.target)))
    },
  }
}

/** "expected at least 1/h: `…` — not seen since 12:00 (2 h)", or "back after 2 h 10 min: `…`". */
export function silenceMessage(s: Statement, p: Payload, addr: Address, config: Config, now: number, channel: boolean): Message {
  const want = `expected at least ${formatExpectation(p.expect)}`
  const line = p.back !== null ? null
    : p.expect.count > 1 && p.count > 0
      ? `${want}: ${templateSpan(s)} — only ${p.count} in the last ${span(p.expect.everyMs)}, the last at ${shortTime(p.since, now, addr.tz)}`
      : `${want}: ${templateSpan(s)} — not seen since ${shortTime(p.since, now, addr.tz)} (${span(now - p.since)})`
  const text = line ?? `back after ${span(p.back! - p.since)}: ${templateSpan(s)} (${want}) — seen again at ${shortTime(p.back!, now, addr.tz)}`
  return { to: addr.to, text: plain(`${text}\n${wherePlain(s)}`), blocks: [section(text), context(where(s, config)), buttons(s.id, channel)] }
}
