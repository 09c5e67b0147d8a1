import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
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
    const payload = { target: 'pig', to: 'UPIG00001', text: 'digest', blocks: [] }
    await store.enqueue({ dedupKey: 'digest:pig:2026-11-23', kind: 'digest', recipient: 'UPIG00001', payload, notBefore: now, createdAt: now }, [{ person: 'pig', statementId: 's1', through: 42 }])
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

  it('moves the marks an older Dice put in the payload', async () => {
    const notifier: Notifier = { name: 'test', send: async () => ({ ok: true, ts: '1.1', channel: 'D1' }) }
    const stats = { digests: 0, failures: 0, retries: 0 }
    const marks = Array.from({ length: 12_000 }, (_, i) => ({ person: 'pig', statementId: `s${i}`, through: 42 + i }))
    const payload = { target: 'pig', to: 'UPIG00001', text: 'digest', blocks: [], marks }
    await store.enqueue({ dedupKey: 'digest:pig:2026-11-23', kind: 'digest', recipient: 'UPIG00001', payload, notBefore: now, createdAt: now })
    await new OutboxWorker({ store, clock: () => now, holder: 'me', kinds: { digest: digestKind({ store, notifier, stats }) }, leaseMs: 60_000, stats, log: () => {} }).pump()
    expect(await store.digestMarks('pig')).toEqual(new Map(marks.map((m) => [m.statementId, m.through])))
    expect(stats.digests).toBe(1)
  })

  it('a crash while the marks move: the retry posts nothing again and moves the rest', async () => {
    const sent: Message[] = []
    const notifier: Notifier = { name: 'test', send: async (m) => (sent.push(m), { ok: true, ts: `1.${sent.length}`, channel: 'D1' }) }
    const stats = { digests: 0, failures: 0, retries: 0 }
    const marks = Array.from({ length: 12_000 }, (_, i) => ({ person: 'pig', statementId: `s${i}`, through: 42 + i }))
    const payload = { target: 'pig', to: 'UPIG00001', parts: [{ text: 'one', blocks: [] }, { text: 'two', blocks: [] }] }
    await store.enqueue({ dedupKey: 'digest:pig:2026-11-23', kind: 'digest', recipient: 'UPIG00001', payload, notBefore: now, createdAt: now }, marks)
    // The first instance dies after one part of the marks moved (its store call for the second never returns).
    let moves = 0
    const dying = new Proxy(store, {
      get: (t, k) => (k === 'moveOutboxMarks' ? (id: number, n: number) => (++moves > 1 ? new Promise(() => {}) : t.moveOutboxMarks(id, n)) : Reflect.get(t, k)),
    }) as Store
    const first = new OutboxWorker({ store: dying, clock: () => now, holder: 'dead', kinds: { digest: digestKind({ store: dying, notifier, stats }) }, leaseMs: 60_000, stats, log: () => {} })
    void first.pump()
    await vi.waitFor(() => expect(moves).toBe(2))
    first.stop()
    expect(sent.map((m) => m.text)).toEqual(['one', 'two'])
    const [claimed] = await store.listOutbox({ kind: 'digest' })
    expect(claimed!.status).toBe('claimed')
    expect((await store.outboxMarks(claimed!.id)).length).toBe(12_000 - 5000)
    // Its lease runs out; another instance takes the item over.
    await new OutboxWorker({ store, clock: () => now + 120_000, holder: 'next', kinds: { digest: digestKind({ store, notifier, stats }) }, leaseMs: 60_000, stats, log: () => {} }).pump()
    expect(sent.map((m) => m.text)).toEqual(['one', 'two'])
    expect(await store.outboxMarks(claimed!.id)).toEqual([])
    expect(await store.digestMarks('pig')).toEqual(new Map(marks.map((m) => [m.statementId, m.through])))
    expect((await store.listOutbox({ kind: 'digest' }))[0]).toMatchObject({ status: 'sent' })
    expect(stats.digests).toBe(1)
  })
})
