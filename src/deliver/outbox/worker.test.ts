import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { tempSqliteStore } from '../../store/testutil/stores.js'
import type { OutboxItem, Store } from '../../store/store.js'
import type { MessageKind, SendFailure } from './kinds.js'
import { OutboxWorker } from './worker.js'

let store: Store
let now = 1_000_000
const clock = () => now
beforeEach(async () => {
  store = (await tempSqliteStore()).store
  now = 1_000_000
})
afterEach(async () => store.close())

const enqueue = (key: string, kind: string) => store.enqueue({ dedupKey: key, kind, recipient: 'ops', payload: { key }, notBefore: now, createdAt: now })

/** A kind that records what it was given, marks it sent, and fails when told to. */
function recording(fail?: (item: OutboxItem) => SendFailure | null): MessageKind & { seen: string[] } {
  const seen: string[] = []
  return {
    seen,
    async send(item, ctx) {
      if (!ctx.sending(item)) return null
      seen.push(item.dedupKey)
      const f = fail?.(item) ?? null
      if (!f) await store.markSent(item.id, ctx.holder, ctx.now())
      return f
    },
  }
}

function worker(kinds: Record<string, MessageKind>, log: string[] = []) {
  return new OutboxWorker({ store, clock, holder: 'me', kinds, leaseMs: 60_000, stats: { failures: 0, retries: 0 }, log: (l) => log.push(l) })
}

describe('OutboxWorker', () => {
  it('hands each item to the kind registered for it', async () => {
    const a = recording()
    const b = recording()
    await enqueue('a1', 'alpha')
    await enqueue('b1', 'beta')
    await enqueue('a2', 'alpha')
    await worker({ alpha: a, beta: b }).pump()
    expect(a.seen).toEqual(['a1', 'a2'])
    expect(b.seen).toEqual(['b1'])
    expect(await store.listOutbox({ status: 'sent' })).toHaveLength(3)
  })

  it('marks an item of no known kind dead, saying why', async () => {
    await enqueue('x', 'mystery')
    await worker({}).pump()
    const [item] = await store.listOutbox()
    expect(item).toMatchObject({ status: 'dead', result: { error: 'unknown outbox kind mystery' } })
  })

  it('retries a retryable failure after Retry-After and gives up on the others', async () => {
    const k = recording((item) => (item.dedupKey === 'busy' ? { ok: false, retryable: true, retryAfterMs: 30_000, error: 'ratelimited' } : { ok: false, retryable: false, error: 'channel_not_found' }))
    await enqueue('busy', 'k')
    await enqueue('gone', 'k')
    const log: string[] = []
    const w = worker({ k }, log)
    await w.pump()
    w.stop()
    const [busy, gone] = await store.listOutbox()
    expect(busy).toMatchObject({ status: 'pending', notBefore: now + 30_000, result: { error: 'ratelimited' } })
    expect(gone).toMatchObject({ status: 'dead', result: { error: 'channel_not_found' } })
    expect(log).toEqual(['k to ops failed for good: channel_not_found'])
    // Not due before Retry-After; due after.
    await worker({ k }).pump()
    expect(k.seen).toEqual(['busy', 'gone'])
    now += 30_000
    await worker({ k }).pump()
    expect(k.seen).toEqual(['busy', 'gone', 'busy'])
  })

  it('sends the other items when one throws (a deadlock, a lost connection), and has that one due again shortly', async () => {
    const k = recording()
    const flaky: MessageKind = {
      async send(item, ctx) {
        if (item.dedupKey === 'boom') throw new Error('deadlock detected')
        return k.send(item, ctx)
      },
    }
    for (const key of ['a', 'boom', 'c']) await enqueue(key, 'k')
    const log: string[] = []
    const w = worker({ k: flaky }, log)
    await w.pump()
    w.stop()
    expect(k.seen).toEqual(['a', 'c'])
    expect(log).toEqual(['outbox: k to ops: deadlock detected'])
    const boom = (await store.listOutbox()).find((i) => i.dedupKey === 'boom')!
    expect(boom).toMatchObject({ status: 'pending', notBefore: now + 1000, result: { error: 'deadlock detected' } })
  })

  it('on close gives back what it claimed and has not started, due at once for whoever comes next', async () => {
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const started: string[] = []
    const slow: MessageKind = {
      async send(item, ctx) {
        if (!ctx.sending(item)) return null
        started.push(item.dedupKey)
        await gate
        await store.markSent(item.id, ctx.holder, ctx.now())
        return null
      },
    }
    for (const k of ['p1', 'p2', 'p3']) await enqueue(k, 'slow')
    const w = worker({ slow })
    const drain = w.pump()
    while (!started.length) await new Promise((r) => setTimeout(r, 5))
    await w.close()
    release()
    await drain
    expect(started).toEqual(['p1'])
    const items = await store.listOutbox()
    expect(items.map((i) => [i.dedupKey, i.status])).toEqual([['p1', 'sent'], ['p2', 'pending'], ['p3', 'pending']])
    expect(items[1]!.result).toEqual({ released: 'shutdown' })
    const next = recording()
    await worker({ slow: next }).pump()
    expect(next.seen).toEqual(['p2', 'p3'])
  })

  it('shares one drain between concurrent calls and drains again for a call made during it', async () => {
    const k = recording()
    await enqueue('one', 'k')
    const w = worker({ k })
    const first = w.pump()
    expect(w.busy).toBe(true)
    await enqueue('two', 'k')
    const second = w.pump()
    await Promise.all([first, second])
    expect(k.seen).toEqual(['one', 'two'])
    expect(w.busy).toBe(false)
  })
})

describe('OutboxWorker leases', () => {
  it('keeps an item it is still sending past the lease (heartbeat), and another instance takes it over once that stops', async () => {
    const real = () => Date.now()
    await store.enqueue({ dedupKey: 'slow', kind: 'k', recipient: 'ops', payload: {}, notBefore: 0, createdAt: 0 })
    let finish!: () => void
    const hanging: MessageKind = { send: (item, ctx) => (ctx.sending(item), new Promise((r) => (finish = () => r(null)))) }
    const a = new OutboxWorker({ store, clock: real, holder: 'a', kinds: { k: hanging }, leaseMs: 300, stats: { failures: 0, retries: 0 }, log: () => {} })
    const other = recording()
    const b = new OutboxWorker({ store, clock: real, holder: 'b', kinds: { k: other }, leaseMs: 300, stats: { failures: 0, retries: 0 }, log: () => {} })
    const sending = a.pump()
    while (!finish) await new Promise((r) => setTimeout(r, 5))
    // Three leases long: a's heartbeat keeps it.
    for (let i = 0; i < 9; i++) {
      await new Promise((r) => setTimeout(r, 100))
      await b.pump()
    }
    expect(other.seen).toEqual([])
    // a dies mid-send (no more heartbeats): b has it one lease later.
    a.stop()
    const died = Date.now()
    while (!other.seen.length && Date.now() - died < 3000) {
      await new Promise((r) => setTimeout(r, 50))
      await b.pump()
    }
    expect(other.seen).toEqual(['slow'])
    finish()
    await sending
    expect((await store.listOutbox())[0]).toMatchObject({ status: 'sent' })
  })
})
