import { describe, expect, it } from 'vitest'
import { tempPostgresStore } from '../store/testutil/stores.js'
import { Router } from '../route/router.js'
import { Delivery } from './delivery.js'
import { SlackNotifier } from './slack/notifier.js'
import { SlackWebApi } from './slack/api.js'
import { slackBed } from './testutil/bed.js'
import { config, hit, statement } from './testutil/fixtures.js'

const MONDAY_10 = Date.parse('2026-11-23T10:00:00Z')
const bed = slackBed()
const { stores, deliveries: open } = bed
let now = MONDAY_10
const clock = () => now
// Separate processes never share a millisecond clock exactly.
const skewed = (ms: number) => () => now + ms

async function instances(n: number) {
  const { store, url } = await tempPostgresStore()
  stores.push(store)
  const out: Delivery[] = []
  for (let i = 0; i < n; i++) {
    // Each instance has its own connection pool, like separate `dice run` processes.
    const own = i === 0 ? store : (await import('../store/registry.js')).openStore({ databaseUrl: url })
    const s = await own
    if (i > 0) stores.push(s)
    const cfg = config()
    const api = new SlackWebApi({ token: 'xoxb-test', url: bed.slack.url })
    const d = new Delivery({ store: s, config: cfg, clock: skewed(i), notifier: new SlackNotifier(api), slack: api, router: new Router({ store: s, config: cfg, clock: skewed(i) }), instanceId: `i${i}`, log: () => {} })
    open.push(d)
    out.push(d)
  }
  return { store, ds: out }
}

describe('several instances on one PostgreSQL database', () => {
  it('send a due digest exactly once when they check at the same time', async () => {
    const { store, ds } = await instances(3)
    const s = statement({ id: 'hurts', level: 'error', template: 'it hurts me too' })
    await store.replaceFiles([{ file: 'src/hello.c', hash: 'h' }], [s], [])
    const at = MONDAY_10 - 3_600_000
    await store.applyCounts({ occurrences: [{ statementId: 'hurts', host: 'web-1', bucket: Math.floor(at / 300_000) * 300_000, count: 4, firstSeen: at, lastSeen: at, level: 'error', samples: ['x'] }], unowned: [], checkpoints: [] })
    // The scheduler lease lets one of them build; the others still drain the outbox.
    await Promise.all(ds.map((d) => d.tick()))
    await Promise.all(ds.map((d) => d.tick()))
    expect(bed.slack.ok('chat.postMessage')).toHaveLength(1)
    expect(bed.slack.ok('chat.postMessage')[0]!.body.text).toContain('×4')
  })

  it('post one real-time message per statement × channel × window when all see the same first hit', async () => {
    const { store, ds } = await instances(3)
    const s = statement({ id: 'hello', level: 'info', template: 'hello cruel world', channels: ['hello-worlders'] })
    await store.replaceFiles([{ file: 'src/hello.c', hash: 'h' }], [s], [])
    for (const d of ds) d.onHit(hit(s, { time: now }))
    await Promise.all(ds.map((d) => d.idle()))
    for (const d of ds) d.onHit(hit(s, { time: now }))
    await Promise.all(ds.map((d) => d.idle()))
    expect(bed.slack.ok('chat.postMessage')).toHaveLength(1)
    // The others adopted the posted message: every later change is an update of that one message.
    const ts = bed.slack.ok('chat.postMessage')[0]!.body && [...bed.slack.messages.values()][0]!.ts
    expect(bed.slack.ok('chat.update').length).toBeGreaterThanOrEqual(1)
    for (const u of bed.slack.ok('chat.update')) expect(u.body.ts).toBe(ts)
  })
})

describe('several instances racing on many statements at once', () => {
  it('still post exactly one message per statement × channel', async () => {
    const { store, ds } = await instances(3)
    const many = Array.from({ length: 30 }, (_, i) => statement({ id: `s${i}`, line: i + 1, level: 'info', template: `event ${i}`, channels: [`ops-${i % 3}`] }))
    await store.replaceFiles([{ file: 'src/hello.c', hash: 'h' }], many, [])
    for (const s of many) for (const d of ds) d.onHit(hit(s, { time: now }))
    await Promise.all(ds.map((d) => d.idle()))
    const posted = bed.slack.ok('chat.postMessage').map((c) => c.body.text.split('\n')[0])
    expect(posted).toHaveLength(30)
    expect(new Set(posted).size).toBe(30)
  })
})

describe('several instances adding to one channel message', () => {
  it("counts every instance's occurrences in the message, with every instance's hosts", async () => {
    const { store, ds } = await instances(3)
    const s = statement({ id: 'tun', level: 'warn', template: 'tunnel %s went down', channels: ['net-ops'] })
    await store.replaceFiles([{ file: 'src/gw.c', hash: 'h' }], [s], [])
    ds[0]!.onHit(hit(s, { time: now, host: 'gw-0' }))
    await ds[0]!.idle()
    // Then all three see a burst at the same time, each from its own hosts.
    for (let round = 0; round < 5; round++) {
      for (const [i, d] of ds.entries()) for (let k = 0; k < 4; k++) d.onHit(hit(s, { time: now, host: `gw-${i}` }))
      await Promise.all(ds.map((d) => d.idle()))
    }
    now += 2_000
    for (const d of ds) d.onHit(hit(s, { time: now, host: 'gw-9' }))
    await Promise.all(ds.map((d) => d.idle()))
    expect(bed.slack.ok('chat.postMessage')).toHaveLength(1)
    const final = [...bed.slack.messages.values()][0]!.text
    expect(final).toContain(`×${1 + 5 * 3 * 4 + 3}`)
    for (const h of ['gw-0', 'gw-1', 'gw-2', 'gw-9']) expect(final).toContain(h)
  })
})
