import type { Config } from '../../config/schema.js'
import type { Statement } from '../../core/types.js'
import type { OutboxEntry, RealtimeWindow, Store } from '../../store/store.js'
import type { Notifier } from '../notifier.js'
import type { MessageKind } from '../outbox/kinds.js'
import type { Pacer } from './pace.js'
import { MAX_HOST_ROWS } from './accumulate.js'
import { realtimeMessage, windowStateWithValues } from './message.js'
import { CHANNEL_REFUSALS } from '../digest/undeliverable.js'

/** Outbox kind of real-time channel posts. */
export const REALTIME_KIND = 'realtime'

/** Payload of a real-time outbox item: which window to post. The text is built when it is posted, from the stored sums. */
export interface RealtimePayload { statementId: string; channel: string; windowStart: number; seq: number }

/** The outbox item posting a window that was just opened (one per statement × channel × window). */
export function realtimePost(w: RealtimeWindow, now: number): OutboxEntry {
  const payload: RealtimePayload = { statementId: w.statementId, channel: w.channel, windowStart: w.windowStart, seq: w.seq }
  return { dedupKey: `rt:${w.statementId}:${w.channel}:${w.windowStart}:${w.seq}`, kind: REALTIME_KIND, recipient: w.channel, payload, notBefore: now, createdAt: now }
}

/**
 * The real-time message kind: post a window's message with the counts every instance committed to it,
 * record its ts (before the item is marked sent, so a re-claimed item that was in fact posted is skipped),
 * then let `posted` bring it up to date with what was committed meanwhile.
 */
export function realtimeKind(o: {
  store: Store
  notifier: Notifier
  config: Config
  /** Paces posts per channel; null when the notifier has no rate limit to protect. */
  pacer: Pacer | null
  statement: (id: string) => Promise<Statement | null>
  stats: { posts: number }
  posted: (w: RealtimeWindow) => void
}): MessageKind {
  return {
    async send(item, ctx) {
      const p = item.payload as RealtimePayload
      if (o.pacer) await o.pacer.wait(p.channel)
      if (!ctx.sending(item)) return null
      const w = await o.store.realtimeWindow(p.statementId, p.channel, p.seq)
      const sums = w && !w.ts && w.windowStart === p.windowStart ? await o.store.realtimeCounts({ ...w, hostLimit: MAX_HOST_ROWS }) : null
      if (!w || !sums) {
        // Posted already (a crash after posting, before marking sent), or its window is gone.
        await o.store.markSent(item.id, ctx.holder, ctx.now(), { skipped: true })
        return null
      }
      const r = await o.notifier.send(realtimeMessage(await windowStateWithValues(o.store, w, sums, o.config.match.bucketSeconds), await o.statement(p.statementId), o.config))
      if (!r.ok && CHANNEL_REFUSALS.has(r.error)) {
        // A typo'd #channel or a bot nobody invited: the occurrences go to the owner's digest (or the fallback)
        // from now on, and the web page and /metrics show why, until the channel takes a post again.
        await o.store.addUndeliverable([{
          statementId: p.statementId, intended: `#${p.channel}`, reason: r.error, count: sums.count, at: ctx.now(),
          detail: `Slack answered ${r.error} to a post in #${p.channel}: fix the channel name in the annotation, or invite the bot`,
        }])
      }
      if (!r.ok) return r
      await o.store.clearUndeliverable(`#${p.channel}`, ctx.now())
      const posted = { ...w, ts: r.ts ?? `sent.${item.id}`, channelId: r.channel ?? null, shown: sums.count }
      await o.store.recordRealtimePost(posted)
      await o.store.markSent(item.id, ctx.holder, ctx.now(), { ts: posted.ts, channel: posted.channelId })
      o.stats.posts++
      o.posted(posted)
      return null
    },
  }
}
