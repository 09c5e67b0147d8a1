import { describe, expect, it } from 'vitest'
import type { Notifier } from './notifier.js'

/** What a contract run needs from one implementation: the notifier and what reached the other side. */
export interface NotifierHarness {
  notifier: Notifier
  /** Messages as received (text already in the receiver's representation). */
  received(): Promise<Array<{ to: string; text: string; update: boolean }>>
  close(): Promise<void>
}

/** The behaviour every Notifier shares (Hono's common.case.test pattern): run it from each implementation's test. */
export function runNotifierContract(name: string, make: () => Promise<NotifierHarness>): void {
  describe(`${name} notifier contract`, () => {
    it('delivers a message and answers ok with a ts to update it by', async () => {
      const h = await make()
      try {
        const r = await h.notifier.send({ to: 'ops', text: 'first &lt;b&gt;' })
        expect(r.ok).toBe(true)
        if (!r.ok) return
        expect(typeof r.ts).toBe('string')
        const u = await h.notifier.send({ to: r.channel ?? 'ops', text: 'second', updateTs: r.ts })
        expect(u.ok).toBe(true)
        const got = await h.received()
        expect(got.map((m) => m.update)).toEqual([false, true])
        expect(got[0]!.text).toContain('first')
        expect(got[1]!.text).toContain('second')
      } finally {
        await h.close()
      }
    })

    it('has a name', async () => {
      const h = await make()
      expect(h.notifier.name).toMatch(/^[a-z]+$/)
      await h.close()
    })
  })
}
