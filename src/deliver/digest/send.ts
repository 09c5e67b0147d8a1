import type { Store } from '../../store/store.js'
import type { Notifier } from '../notifier.js'
import type { MessageKind } from '../outbox/kinds.js'
import type { DigestPayload } from './build.js'

/**
 * The digest message kind: post the built digest, then move its marks and mark the item sent — marks move
 * only once the digest is out, so until then its content is still owed.
 */
export function digestKind(o: { store: Store; notifier: Notifier; stats: { digests: number } }): MessageKind {
  return {
    async send(item, ctx) {
      if (!ctx.sending(item)) return null
      const p = item.payload as DigestPayload
      const r = await o.notifier.send({ to: p.to, text: p.text, blocks: p.blocks })
      if (!r.ok) return r
      await o.store.setDigestMarks(p.marks)
      await o.store.markSent(item.id, ctx.holder, ctx.now(), { ts: r.ts ?? null, channel: r.channel ?? null })
      o.stats.digests++
      return null
    },
  }
}
