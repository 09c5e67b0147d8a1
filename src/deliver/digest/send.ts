import type { Store } from '../../store/store.js'
import type { Notifier } from '../notifier.js'
import type { MessageKind } from '../outbox/kinds.js'
import type { DigestPayload } from './build.js'
import { nextTurn } from '../../core/next-turn.js'

/** Digest marks written a call (one transaction) at a time. */
const MARKS_PER_WRITE = 5000

/** How far a digest in several messages got: parts posted, and where the first one is (its thread). */
interface Progress { sent: number; ts: string | null; channel: string | null }

/**
 * The digest message kind: post the digest's first message, then each further part as a reply in its thread;
 * once all are out, move the marks and mark the item sent — marks move only then, so until then its content is
 * still owed. A failure part-way keeps how far it got with the item, and the retry continues from there.
 */
export function digestKind(o: { store: Store; notifier: Notifier; stats: { digests: number } }): MessageKind {
  return {
    async send(item, ctx) {
      if (!ctx.sending(item)) return null
      const p = item.payload as DigestPayload
      const parts = p.parts ?? [{ text: p.text ?? '', blocks: p.blocks ?? [] }]
      const before = (item.result as { progress?: Progress } | null)?.progress
      const at: Progress = { sent: before?.sent ?? 0, ts: before?.ts ?? null, channel: before?.channel ?? null }
      for (; at.sent < parts.length; at.sent++) {
        const part = parts[at.sent]!
        const r = await o.notifier.send({ to: at.sent > 0 ? at.channel ?? p.to : p.to, text: part.text, blocks: part.blocks, threadTs: at.sent > 0 ? at.ts ?? undefined : undefined })
        if (!r.ok) return { ...r, progress: at }
        if (at.sent === 0) (at.ts = r.ts ?? null), (at.channel = r.channel ?? null)
        // A crash from here on resumes after this part instead of posting it again (after the last: with the marks).
        await o.store.noteProgress(item.id, ctx.holder, { progress: { ...at, sent: at.sent + 1 } })
      }
      // A fallback digest of a large catalog marks ~10^5 statements: a part at a time, so `dice run` answers
      // meanwhile (each part moves and leaves the item in one transaction: a crash part-way and the retry moves the rest).
      for (let moved = MARKS_PER_WRITE, n = 0; moved === MARKS_PER_WRITE; n++) {
        if (n > 0) await nextTurn()
        moved = await o.store.moveOutboxMarks(item.id, MARKS_PER_WRITE)
      }
      // An item enqueued by an older Dice carries its marks in its payload (marks only move forward: setting them again is safe).
      const old = p.marks ?? []
      for (let i = 0; i < old.length; i += MARKS_PER_WRITE) {
        if (i > 0) await nextTurn()
        await o.store.setDigestMarks(old.slice(i, i + MARKS_PER_WRITE))
      }
      await o.store.markSent(item.id, ctx.holder, ctx.now(), { ts: at.ts, channel: at.channel, parts: parts.length })
      o.stats.digests++
      return null
    },
  }
}
