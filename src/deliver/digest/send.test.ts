import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { tempSqliteStore } from '../../store/testutil/stores.js'
import type { Store } from '../../store/store.js'
import type { Message, Notifier, SendResult } from '../notifier.js'
import { OutboxWorker } from '../outbox/worker.js'
import { digestKind } from './send.js'

let store: Store
const now = 5_000_000
beforeEach(async () => {
  store = (await tempSqliteStore()).store
})
afterEach(async () => store.close())

describe('digest message kind', () => {
  it('moves the marks and marks the item sent only once the digest is posted', async () => {
    const sent: Message[] = []
    let answer: SendResult = { ok: false, retryable: true, retryAfterMs: 1000, error: 'service_unavailable' }
    const notifier: Notifier = { name: 'test', send: async (m) => (sent.push(m), answer) }
    const stats = { digests: 0, failures: 0, retries: 0 }
    const payload = { target: 'pig', to: 'UPIG00001', text: 'digest', blocks: [], marks: [{ person: 'pig', statementId: 's1', through: 42 }] }
    await store.enqueue({ dedupKey: 'digest:pig:2026-11-23', kind: 'digest', recipient: 'UPIG00001', payload, notBefore: now, createdAt: now })
    const w = (t: number) => new OutboxWorker({ store, clock: () => t, holder: 'me', kinds: { digest: digestKind({ store, notifier, stats }) }, leaseMs: 60_000, stats, log: () => {} })
    const first = w(now)
    await first.pump()
    first.stop()
    expect(sent).toHaveLength(1)
    expect(await store.getDigestMark('pig', 's1')).toBeNull()
    answer = { ok: true, ts: '1.1', channel: 'D1' }
    await w(now + 1000).pump()
    expect(sent.map((m) => [m.to, m.text])).toEqual([['UPIG00001', 'digest'], ['UPIG00001', 'digest']])
    expect(await store.getDigestMark('pig', 's1')).toBe(42)
    expect((await store.listOutbox())[0]).toMatchObject({ status: 'sent', result: { ts: '1.1', channel: 'D1' } })
    expect(stats.digests).toBe(1)
  })
})
