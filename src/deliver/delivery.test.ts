import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Pacer } from './realtime/pace.js'
import { tempSqliteStore } from '../store/testutil/stores.js'
import type { Store } from '../store/store.js'
import { Router } from '../route/router.js'
import { Delivery, FIRST_DIGEST_CHECK_MS, LEASE_MS } from './delivery.js'
import { SlackNotifier } from './slack/notifier.js'
import { ConsoleNotifier } from './console/notifier.js'
import { PassThrough } from 'node:stream'
import { SlackWebApi } from './slack/api.js'
import { startSlackStandin, type SlackStandin } from './testutil/slack-standin.js'
import { config, hit, statement } from './testutil/fixtures.js'
import type { Config } from '../config/schema.js'

let slack: SlackStandin
let store: Store
let t0: number
let now: number
const clock = () => now
const open: Delivery[] = []

beforeEach(async () => {
  slack = await startSlackStandin()
  store = (await tempSqliteStore()).store
  t0 = Date.now()
  now = t0
})
afterEach(async () => {
  for (const d of open.splice(0)) d.stop()
  await slack.close()
  await store.close()
})

const hello = statement({ id: 'hello', level: 'info', template: 'hello cruel world %d', channels: ['hello-worlders'], callee: 'INFO_LOG', commit: 'c'.repeat(40) })

async function delivery(cfg: Config = config({ repo: { url: 'https://github.com/cato/dice' } }), updateEveryMs = 100) {
  await store.replaceFiles([{ file: 'src/hello.c', hash: 'h' }], [hello], [])
  const router = new Router({ store, config: cfg, clock })
  await router.refresh()
  const api = new SlackWebApi({ token: 'xoxb-test', url: slack.url })
  const d = new Delivery({ store, config: cfg, clock, notifier: new SlackNotifier(api), slack: api, router, updateEveryMs, log: () => {} })
  open.push(d)
  return d
}

const posts = () => slack.ok('chat.postMessage')
const updates = () => slack.ok('chat.update')

describe('real-time channel delivery', () => {
  it('posts a channel message for an annotated statement hit, at any level, within a second', async () => {
    const d = await delivery()
    const started = performance.now()
    d.onHit(hit(hello, { raw: 'INFO hello cruel world 7', host: 'web-1', time: now }))
    while (!posts().length && performance.now() - started < 5000) await new Promise((r) => setTimeout(r, 5))
    const latency = performance.now() - started
    expect(posts()).toHaveLength(1)
    expect(latency).toBeLessThan(1000)
    const body = posts()[0]!.body
    expect(body.channel).toBe('#hello-worlders')
    expect(body.text).toContain('hello cruel world %d')
    expect(body.text).toContain('INFO hello cruel world 7')
    expect(JSON.stringify(body.blocks)).toContain('https://github.com/cato/dice/blob/' + 'c'.repeat(40) + '/src/hello.c#L10')
  })

  it('posts channel messages with a median latency under one second (SQLite store, real HTTP)', async () => {
    const d = await delivery()
    const many = Array.from({ length: 40 }, (_, i) => statement({ id: `m${i}`, line: i + 1, template: `event ${i}`, channels: [`ops-${i % 4}`] }))
    await store.replaceFiles([{ file: 'src/hello.c', hash: 'h' }], many, [])
    const sentAt = new Map<string, number>()
    for (const s of many) {
      sentAt.set(`[WARN] event ${s.line - 1}`, Date.now())
      d.onHit(hit(s, { time: now }))
      await new Promise((r) => setTimeout(r, 10))
    }
    await d.idle()
    const lat = posts().map((c) => c.at - sentAt.get(c.body.text.split('\n')[0])!).sort((a, b) => a - b)
    expect(lat).toHaveLength(40)
    const median = lat[20]!
    process.stderr.write(`real-time latency over 40 posts: median ${median} ms, max ${lat.at(-1)} ms\n`)
    expect(median).toBeLessThan(1000)
  })

  it('a flood of one statement posts once and then updates that message in place, coalesced', async () => {
    const d = await delivery()
    for (let i = 0; i < 300; i++) {
      d.onHit(hit(hello, { raw: `INFO hello cruel world ${i}`, host: `web-${i % 3}`, time: now + i }))
      if (i % 50 === 0) await new Promise((r) => setTimeout(r, 60))
    }
    await d.idle()
    expect(posts()).toHaveLength(1)
    expect(updates().length).toBeGreaterThanOrEqual(1)
    // Coalesced: far fewer updates than hits.
    expect(updates().length).toBeLessThan(20)
    const msg = [...slack.messages.values()][0]!
    expect(msg.text).toContain('×300')
    expect(msg.text).toMatch(/web-0, web-1, web-2|web-1, web-0|web-0/)
    for (const u of updates()) expect(u.body.ts).toBe(msg.ts)
  })

  it('a backfill posts its flood once at tick with the final count, never editing it', async () => {
    await store.replaceFiles([{ file: 'src/hello.c', hash: 'h' }], [hello], [])
    const cfg = config()
    const router = new Router({ store, config: cfg, clock })
    await router.refresh()
    const api = new SlackWebApi({ token: 'xoxb-test', url: slack.url })
    const d = new Delivery({ store, config: cfg, clock, notifier: new SlackNotifier(api), slack: api, router, updateEveryMs: 50, log: () => {}, backfill: true })
    open.push(d)
    // The same flood as above, read over many turns of the event loop as a replay reads chunks.
    for (let i = 0; i < 300; i++) {
      d.onHit(hit(hello, { raw: `INFO hello cruel world ${i}`, host: `web-${i % 3}`, time: now + i }))
      if (i % 50 === 0) await new Promise((r) => setTimeout(r, 60))
    }
    expect(posts()).toHaveLength(0)
    await d.tick()
    expect(posts()).toHaveLength(1)
    expect(updates()).toHaveLength(0)
    expect(posts()[0]!.body.text).toContain('×300')
  })

  it('paces new posts per channel at realtime.maxPostsPerSecond after a burst', async () => {
    const d = await delivery(config({ realtime: { maxPostsPerSecond: 10 } }))
    const many = Array.from({ length: 30 }, (_, i) => statement({ id: `p${i}`, line: i + 1, template: `event ${i}`, channels: ['ops'] }))
    await store.replaceFiles([{ file: 'src/hello.c', hash: 'h' }], many, [])
    for (const s of many) d.onHit(hit(s, { time: now }))
    await d.idle()
    const at = posts().map((c) => c.at)
    expect(at).toHaveLength(30)
    // 20 at once, then 10 more at 10 per second: about a second more.
    expect(at[29]! - at[0]!).toBeGreaterThanOrEqual(850)
    expect(at[19]! - at[0]!).toBeLessThan(850)
  })

  it('does not pace posts to the console notifier (no rate limit to protect): a replay is not held up', async () => {
    const cfg = config({ realtime: { maxPostsPerSecond: 1 } })
    const many = Array.from({ length: 30 }, (_, i) => statement({ id: `c${i}`, line: i + 1, template: `event ${i}`, channels: ['ops'] }))
    await store.replaceFiles([{ file: 'src/hello.c', hash: 'h' }], many, [])
    const router = new Router({ store, config: cfg, clock })
    await router.refresh()
    const out = new PassThrough()
    let text = ''
    out.on('data', (b: Buffer) => (text += b.toString()))
    const d = new Delivery({ store, config: cfg, clock, notifier: new ConsoleNotifier(out), router, updateEveryMs: 100, log: () => {} })
    open.push(d)
    // Paced at 1/s after a burst of 20, the last 10 posts would wait about 10 s: the pacer is never asked.
    const waits = vi.spyOn(Pacer.prototype, 'wait')
    for (const s of many) d.onHit(hit(s, { time: now }))
    await d.idle()
    expect(waits).not.toHaveBeenCalled()
    waits.mockRestore()
    expect(d.stats.posts).toBe(30)
    expect(text.match(/── #ops ──/g)).toHaveLength(30)
  })

  it('posts a statement without #channel in real time when a route.rules rule names a channel for its file', async () => {
    const cfg = config({ route: { rules: [{ path: 'src/net/**', channel: '#net' }] } })
    const plain = statement({ id: 'plain', file: 'src/net/conn.c', template: 'connection lost', channels: [] })
    const other = statement({ id: 'other', file: 'src/db/pool.c', line: 2, template: 'pool exhausted', channels: [] })
    const d = await delivery(cfg)
    await store.replaceFiles([{ file: 'src/net/conn.c', hash: 'n' }, { file: 'src/db/pool.c', hash: 'p' }], [plain, other], [])
    d.onHit(hit(plain, { time: now }))
    d.onHit(hit(other, { time: now }))
    await d.idle()
    expect(posts().map((c) => c.body.channel)).toEqual(['#net'])
    expect(posts()[0]!.body.text).toContain('connection lost')
  })

  it('lists 20 hosts and counts the others once each', async () => {
    const d = await delivery()
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 30; i++) d.onHit(hit(hello, { host: `h${i}`, time: now }))
      await d.idle()
    }
    const msg = [...slack.messages.values()][0]!
    expect(msg.text).toContain('×90')
    expect(msg.text).toContain('+10 more')
  })

  it('after the update window a new message is posted', async () => {
    const d = await delivery(config({ realtime: { updateWindowSeconds: 60 } }))
    d.onHit(hit(hello, { time: now }))
    await d.idle()
    now += 61_000
    d.onHit(hit(hello, { time: now }))
    await d.idle()
    expect(posts()).toHaveLength(2)
  })

  it('on 429 waits Retry-After, then delivers exactly once', async () => {
    const d = await delivery()
    slack.failNext('chat.postMessage', { status: 429, retryAfter: 1 })
    d.onHit(hit(hello, { time: now }))
    await d.idle()
    const all = slack.calls.filter((c) => c.method === 'chat.postMessage')
    expect(all.map((c) => c.status)).toEqual([429, 200])
    expect(all[1]!.at - all[0]!.at).toBeGreaterThanOrEqual(950)
    expect(posts()).toHaveLength(1)
    expect(await store.listOutbox({ status: 'sent' })).toHaveLength(1)
  })

  it('keeps one abort listener per background loop however long it runs (no listener per round)', async () => {
    const { getEventListeners } = (await import('node:events')).EventEmitter
    await store.replaceFiles([{ file: 'src/hello.c', hash: 'h' }], [hello], [])
    const api = new SlackWebApi({ token: 'xoxb-test', url: slack.url })
    const d = new Delivery({ store, config: config(), clock, notifier: new SlackNotifier(api), slack: api, router: new Router({ store, config: config(), clock }), pollMs: 10, log: () => {} })
    open.push(d)
    const ac = new AbortController()
    d.start(ac.signal)
    await new Promise((r) => setTimeout(r, 400))
    const listeners = getEventListeners(ac.signal, 'abort').length
    ac.abort()
    // The outbox loop, the digest loop and stop(): three, not one more every 10 ms round.
    expect(listeners).toBeLessThanOrEqual(3)
  })

  it('checks digests FIRST_DIGEST_CHECK_MS after start, not while the first lines arrive', async () => {
    await store.replaceFiles([{ file: 'src/hello.c', hash: 'h' }], [hello], [])
    const checks: number[] = []
    const counting = new Proxy(store, {
      get: (t, k) => (k === 'tryLease' ? (name: string, ...rest: [string, number, number]) => {
        if (name === 'digest-scheduler') checks.push(Date.now())
        return t.tryLease(name, ...rest)
      } : Reflect.get(t, k)),
    }) as Store
    const api = new SlackWebApi({ token: 'xoxb-test', url: slack.url })
    const d = new Delivery({ store: counting, config: config(), clock, notifier: new SlackNotifier(api), slack: api, router: new Router({ store: counting, config: config(), clock }), pollMs: 10, log: () => {} })
    open.push(d)
    const ac = new AbortController()
    const started = Date.now()
    d.start(ac.signal)
    // The outbox loop runs at once; the digest check does not.
    await new Promise((r) => setTimeout(r, 100))
    expect(checks).toEqual([])
    await vi.waitFor(() => expect(checks).toHaveLength(1), { timeout: 10_000, interval: 20 })
    expect(checks[0]! - started).toBeGreaterThanOrEqual(FIRST_DIGEST_CHECK_MS - 20)
    ac.abort()
  })

  it('counts a 429 waited out inside the Slack client in its retries metric', async () => {
    const d = await delivery()
    slack.failNext('chat.postMessage', { status: 429, retryAfter: 1 })
    d.onHit(hit(hello, { time: now }))
    await d.idle()
    expect(d.metrics()).toMatchObject({ posts: 1, retries: 1, failures: 0 })
  })

  it('renders <!channel> and <https://evil|click> from log text inert', async () => {
    const evil = statement({ id: 'evil', template: 'user said %s', channels: ['ops'] })
    const d = await delivery()
    await store.replaceFiles([{ file: 'src/evil.c', hash: 'e' }], [{ ...evil, file: 'src/evil.c' }], [])
    d.onHit(hit({ ...evil, file: 'src/evil.c' }, { raw: 'WARN user said <!channel> <https://evil|click> & more', host: '<!here>', time: now }))
    await d.idle()
    const body = posts()[0]!.body
    const all = JSON.stringify(body)
    expect(all).not.toContain('<!channel>')
    expect(all).not.toContain('<!here>')
    expect(all).not.toContain('<https://evil')
    expect(body.text).toContain('&lt;!channel&gt; &lt;https://evil|click&gt; &amp; more')
  })

  it('a restarted instance keeps updating the same message from the stored state', async () => {
    const a = await delivery()
    a.onHit(hit(hello, { time: now }))
    await a.idle()
    a.stop()
    const b = await delivery()
    b.onHit(hit(hello, { time: now + 1 }))
    b.onHit(hit(hello, { time: now + 2 }))
    await b.idle()
    expect(posts()).toHaveLength(1)
    expect(updates().length).toBeGreaterThanOrEqual(1)
    expect(updates().at(-1)!.body.text).toContain('×3')
  })

  it('posts a fresh message when the old one was deleted in Slack', async () => {
    const d = await delivery()
    d.onHit(hit(hello, { time: now }))
    await d.idle()
    slack.messages.clear()
    d.onHit(hit(hello, { time: now }))
    await d.idle()
    d.onHit(hit(hello, { time: now }))
    await d.idle()
    expect(posts()).toHaveLength(2)
  })

  it('a channel mute or snooze keeps the statement out of that channel', async () => {
    const d = await delivery()
    await store.addMute({ statementId: 'hello', scope: 'channel', scopeId: 'hello-worlders', by: 'U1', createdAt: now })
    await d.tick()
    d.onHit(hit(hello, { time: now }))
    await d.idle()
    expect(posts()).toHaveLength(0)
  })

  it('an occurrence from while a snooze was in force is not posted after the snooze ended (a replay of old logs)', async () => {
    const d = await delivery()
    await store.addSnooze({ statementId: 'hello', scope: 'channel', scopeId: 'hello-worlders', until: now - 3_600_000, remaining: null, by: 'U1', createdAt: now - 7_200_000 })
    await d.tick()
    d.onHit(hit(hello, { time: now - 5_400_000 }))
    await d.idle()
    expect(posts()).toHaveLength(0)
    d.onHit(hit(hello, { time: now - 1_800_000, raw: 'INFO hello cruel world after' }))
    await d.idle()
    expect(posts()).toHaveLength(1)
    expect(posts()[0]!.body.text).toContain('hello cruel world after')
    expect(posts()[0]!.body.text).not.toContain('×2')
  })

  it('a count-based snooze swallows that many hits, then delivery resumes', async () => {
    const d = await delivery()
    await store.addSnooze({ statementId: 'hello', scope: 'all', scopeId: '*', until: null, remaining: 2, by: 'U1', createdAt: now })
    await d.tick()
    d.onHit(hit(hello, { time: now }))
    d.onHit(hit(hello, { time: now }))
    await d.idle()
    expect(posts()).toHaveLength(0)
    d.onHit(hit(hello, { time: now }))
    await d.idle()
    expect(posts()).toHaveLength(1)
  })
})

describe('graceful shutdown', () => {
  it('gives back the posts it claimed but has not sent, so the next instance posts them at once, each once', async () => {
    const cfg = config({ realtime: { maxPostsPerSecond: 1 } })
    const a = await delivery(cfg)
    const many = Array.from({ length: 25 }, (_, i) => statement({ id: `q${i}`, file: 'src/many.c', line: i + 1, template: `event ${i}`, channels: ['ops'] }))
    await store.replaceFiles([{ file: 'src/many.c', hash: 'm' }], many, [])
    for (const s of many) a.onHit(hit(s, { time: now }))
    const draining = a.idle()
    // 20 go out at once (the burst); the next 5 are claimed and wait for the pace of one a second.
    const claimed = async () => (await store.listOutbox({ status: 'claimed' })).length
    for (let i = 0; i < 200 && !(posts().length >= 20 && (await claimed()) === 5); i++) await new Promise((r) => setTimeout(r, 10))
    expect(await claimed()).toBe(5)
    await a.close()
    expect(await claimed()).toBe(0)
    // Without the give-back they would stay leased to the closed instance for two minutes.
    const b = await delivery(cfg)
    const t = performance.now()
    await b.idle()
    // Sent before the closed instance's lease could have run out: given back, not taken over.
    expect(performance.now() - t).toBeLessThan(LEASE_MS)
    await draining
    expect(posts()).toHaveLength(25)
    expect(new Set(posts().map((c) => c.body.text.split('\n')[0])).size).toBe(25)
    expect(await store.listOutbox({ status: 'sent' })).toHaveLength(25)
  })
})
