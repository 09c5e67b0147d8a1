import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { tempSqliteStore } from '../../store/testutil/stores.js'
import type { Store } from '../../store/store.js'
import { Router } from '../../route/router.js'
import { Delivery } from '../delivery.js'
import { buildDigests } from './build.js'
import { itemsPerMessage } from './blocks.js'
import { SlackNotifier } from '../slack/notifier.js'
import { SlackWebApi } from '../slack/api.js'
import { startSlackStandin, type SlackStandin } from '../testutil/slack-standin.js'
import { config, statement } from '../testutil/fixtures.js'
import type { Config } from '../../config/schema.js'
import type { Statement } from '../../core/types.js'

const MIN = 60_000
const HOUR = 60 * MIN
// Inputs, not assertions: a Monday 10:00 UTC and the days around it.
const MONDAY_10 = Date.parse('2026-11-23T10:00:00Z')
const SATURDAY_10 = Date.parse('2026-11-21T10:00:00Z')
const SUNDAY_2330 = Date.parse('2026-11-22T23:30:00Z')

let slack: SlackStandin
let store: Store
let now: number
const clock = () => now
const open: Delivery[] = []

const sky = statement({ id: 'sky', level: 'warn', template: 'the sky is crying', file: 'src/sky.c', line: 20, commit: 'c'.repeat(40) })
const hurts = statement({ id: 'hurts', level: 'error', template: 'it hurts me too: %s', file: 'src/hurts.py', line: 7, language: 'python' })
const taro = statement({ id: 'taro', level: 'error', template: 'disk %s full', file: 'src/disk.go', line: 3, blame: { email: 'taro@example.jp', name: 'Taro', commit: 'b'.repeat(40), time: '2026-01-01T00:00:00Z' } })

beforeEach(async () => {
  slack = await startSlackStandin({
    users: [
      { id: 'UPIG00001', email: 'pig@pen.mssn', name: 'Pig', tz: 'Europe/Berlin' },
      { id: 'UTARO0001', email: 'taro@example.jp', name: 'Taro', tz: 'Asia/Tokyo' },
    ],
  })
  store = (await tempSqliteStore()).store
  await store.replaceFiles([{ file: 'x', hash: 'x' }], [sky, hurts, taro], [])
})
afterEach(async () => {
  for (const d of open.splice(0)) d.stop()
  await slack.close()
  await store.close()
})

async function count(s: Statement, o: { at: number; host?: string; n?: number; sample?: string; level?: 'warn' | 'error' | 'info' }) {
  const bucket = Math.floor(o.at / 300_000) * 300_000
  await store.applyCounts({
    occurrences: [{ statementId: s.id, host: o.host ?? 'web-1', bucket, count: o.n ?? 1, firstSeen: o.at, lastSeen: o.at, level: o.level ?? s.level, samples: [o.sample ?? `${s.level} ${s.template}`] }],
    unowned: [], checkpoints: [],
  })
}

function delivery(cfg: Config = config({ repo: { url: 'https://gitlab.com/cato/dice' } })) {
  const router = new Router({ store, config: cfg, clock })
  const api = new SlackWebApi({ token: 'xoxb-test', url: slack.url })
  const d = new Delivery({ store, config: cfg, clock, notifier: new SlackNotifier(api), slack: api, router, log: () => {} })
  open.push(d)
  return d
}

const dms = () => slack.ok('chat.postMessage')
const dmTo = (user: string) => dms().filter((c) => c.body.channel === slack.channelId(`dm-${user}`))

describe('digests', () => {
  it('groups each statement once with count, hosts, time frame, sample and code link', async () => {
    now = MONDAY_10
    await count(sky, { at: MONDAY_10 - 3 * HOUR, host: 'web-1', n: 4 })
    await count(sky, { at: MONDAY_10 - 2 * HOUR, host: 'web-2', n: 6, sample: 'WARN the sky is crying <!channel>' })
    await count(hurts, { at: MONDAY_10 - HOUR, host: 'db-1', n: 2 })
    const [d] = await buildDigests({ store, config: config({ repo: { url: 'https://gitlab.com/cato/dice' } }), clock, preview: true, user: 'pig@pen.mssn' })
    // Both new: the ERROR before the WARN, however many more WARNs.
    expect(d!.items.map((i) => [i.statementId, i.count, i.hosts])).toEqual([['hurts', 2, ['db-1']], ['sky', 10, ['web-1', 'web-2']]])
    const skyItem = d!.items[1]!
    expect(skyItem.lastSeen - skyItem.firstSeen).toBe(HOUR)
    expect(d!.text).toContain('×10')
    expect(d!.text).toContain('https://gitlab.com/cato/dice/-/blob/' + 'c'.repeat(40) + '/src/sky.c#L20')
    expect(JSON.stringify(d!.blocks)).not.toContain('<!channel>')
    expect(JSON.stringify(d!.blocks)).toContain('&lt;!channel&gt;')
    // One select beside each item: snooze (for a while, a count, custom), mute, not mine — the statement id in each.
    const controls = (d!.blocks as any[]).filter((b) => b.accessory).map((b) => b.accessory)
    expect(controls.map((a: any) => a.action_id)).toEqual(['dice_item', 'dice_item'])
    const values = controls[1].options.map((o: any) => JSON.parse(o.value))
    expect(values).toContainEqual({ statementId: 'sky', op: 'snooze', for: '1d' })
    expect(values).toContainEqual({ statementId: 'sky', op: 'snooze', count: 100 })
    expect(values).toContainEqual({ statementId: 'sky', op: 'mute' })
    expect(values).toContainEqual({ statementId: 'sky', op: 'reassign' })
    // Preview moves nothing.
    expect(await store.getDigestMark('pig@pen.mssn', 'sky')).toBeNull()
    expect(await store.listOutbox()).toHaveLength(0)
  })

  it('stays within Block Kit limits in every message: 50 blocks, 3000-char sections, 150-char header; nothing left out', async () => {
    now = MONDAY_10
    const many = Array.from({ length: 60 }, (_, i) => statement({ id: `m${i}`, line: i + 1, template: `event ${i} ` + 'x'.repeat(2000) }))
    await store.replaceFiles([{ file: 'src/hello.c', hash: 'h' }], many, [])
    for (const [i, s] of many.entries()) await count(s, { at: MONDAY_10 - HOUR, n: i + 1, sample: '<'.repeat(5000) })
    const [d] = await buildDigests({ store, config: config({ people: { 'pig@pen.mssn': { name: 'P'.repeat(300) } }, digest: { maxItems: 1000 } }), clock, preview: true, user: 'pig@pen.mssn' })
    expect(d!.parts).toHaveLength(2)
    for (const part of d!.parts) {
      const blocks = part.blocks as any[]
      expect(blocks.length).toBeLessThanOrEqual(50)
      for (const b of blocks) if (b.type === 'section') expect(b.text.text.length).toBeLessThanOrEqual(3000)
      expect(part.text.length).toBeLessThanOrEqual(39_000)
    }
    expect((d!.parts[0]!.blocks as any[])[0].text.text.length).toBeLessThanOrEqual(150)
    expect(d!.items).toHaveLength(60)
    expect(d!.hidden).toBe(0)
    // All new and all WARN: the biggest counts first.
    expect(d!.items[0]!.statementId).toBe('m59')
  })

  it('is not sent while the person is away, and is sent once when they are active', async () => {
    now = MONDAY_10
    await count(sky, { at: MONDAY_10 - HOUR, n: 3 })
    const d = delivery()
    slack.setPresence('UPIG00001', 'away')
    await d.tick()
    expect(dms()).toHaveLength(0)
    now += 10 * MIN
    slack.setPresence('UPIG00001', 'active')
    await d.tick()
    now += 10 * MIN
    await d.tick()
    expect(dms()).toHaveLength(1)
    expect(dms()[0]!.body.text).toContain('×3')
    expect(dms()[0]!.body.channel).toMatch(/^D/)
  })

  it('is not sent on a Saturday', async () => {
    now = SATURDAY_10
    await count(sky, { at: SATURDAY_10 - HOUR })
    await delivery().tick()
    expect(dms()).toHaveLength(0)
  })

  it("follows the person's own time zone: Tokyo's Monday starts on Sunday UTC", async () => {
    await count(taro, { at: SUNDAY_2330 - 5 * HOUR, n: 2 })
    const d = delivery()
    now = SUNDAY_2330 // Monday 08:30 in Tokyo: before 9
    await d.tick()
    expect(dmTo('UTARO0001')).toHaveLength(0)
    now = SUNDAY_2330 + HOUR // Monday 09:30 in Tokyo
    await d.tick()
    expect(dmTo('UTARO0001')).toHaveLength(1)
    // Pig in Berlin: it is Monday 01:30 there, nothing for Pig.
    expect(dms()).toHaveLength(1)
  })

  it('survives a crash between building and posting: a new instance posts it exactly once', async () => {
    now = MONDAY_10
    await count(hurts, { at: MONDAY_10 - HOUR, n: 5 })
    const cfg = config()
    // "Crashed" instance: built and enqueued, never posted.
    const built = await buildDigests({ store, config: cfg, clock, preview: false, slack: new SlackWebApi({ token: 'x', url: slack.url }) })
    expect(built.find((b) => b.target === 'pig@pen.mssn')!.status).toBe('enqueued')
    expect(dms()).toHaveLength(0)
    const b = delivery(cfg)
    await b.tick()
    await b.tick()
    await delivery(cfg).tick()
    expect(dms()).toHaveLength(1)
    expect(dms()[0]!.body.text).toContain('×5')
    expect(await store.getDigestMark('pig@pen.mssn', 'hurts')).not.toBeNull()
  })

  it('rolls what was not sent into the next working day, and never repeats what was sent', async () => {
    now = MONDAY_10
    await count(sky, { at: MONDAY_10 - HOUR, n: 3 })
    const d = delivery()
    await d.tick()
    expect(dms()).toHaveLength(1)
    // More on Monday afternoon: the Monday digest is out already, so it waits for Tuesday.
    await count(sky, { at: MONDAY_10 + 4 * HOUR, n: 7 })
    now = MONDAY_10 + 5 * HOUR
    await d.tick()
    expect(dms()).toHaveLength(1)
    // Tuesday: Pig away all day.
    slack.setPresence('UPIG00001', 'away')
    now = MONDAY_10 + 24 * HOUR
    await d.tick()
    expect(dms()).toHaveLength(1)
    // Wednesday: active.
    await count(sky, { at: MONDAY_10 + 30 * HOUR, n: 1 })
    slack.setPresence('UPIG00001', 'active')
    now = MONDAY_10 + 48 * HOUR
    await d.tick()
    expect(dms()).toHaveLength(2)
    expect(dms()[1]!.body.text).toContain('×8')
  })

  it('does not build again a digest already sent today: the later checks of the day read no occurrences, and the next working day has what came meanwhile', async () => {
    now = MONDAY_10
    await count(sky, { at: MONDAY_10 - HOUR, n: 3 })
    await delivery().tick()
    expect(dms()).toHaveLength(1)
    await count(sky, { at: MONDAY_10 + HOUR, n: 4 })
    now = MONDAY_10 + 2 * HOUR
    const calls: string[] = []
    const watched = new Proxy(store, {
      get(t, k) {
        const v = Reflect.get(t, k)
        return typeof v === 'function' ? (...a: unknown[]) => (calls.push(String(k)), v.apply(t, a)) : v
      },
    })
    const built = await buildDigests({ store: watched, config: config(), clock, preview: false, slack: new SlackWebApi({ token: 'x', url: slack.url }) })
    expect(built.map((d) => [d.target, d.status, d.items.length])).toEqual([['pig@pen.mssn', 'already-sent', 0]])
    expect(calls).not.toContain('listOccurrencesOf')
    expect(calls).not.toContain('digestMarks')
    // A preview still shows what the next digest holds.
    const [preview] = await buildDigests({ store, config: config(), clock, preview: true })
    expect(preview!.items.map((i) => [i.statementId, i.count])).toEqual([['sky', 4]])
    now = MONDAY_10 + 24 * HOUR
    await delivery().tick()
    expect(dms()).toHaveLength(2)
    expect(dms()[1]!.body.text).toContain('×4')
  })

  it('counts a bucket that is still filling once: what arrives after the digest goes in the next one', async () => {
    now = MONDAY_10 + 2 * MIN
    await count(sky, { at: MONDAY_10 + MIN, n: 3 })
    const d = delivery()
    await d.tick()
    expect(dms()).toHaveLength(1)
    expect(dms()[0]!.body.text).toContain('×3')
    // Same five-minute bucket, after the digest went out.
    await count(sky, { at: MONDAY_10 + 3 * MIN, n: 4 })
    now = MONDAY_10 + 24 * HOUR
    await d.tick()
    expect(dms()).toHaveLength(2)
    expect(dms()[1]!.body.text).toContain('×4')
    expect(dms()[1]!.body.text).not.toContain('×7')
    // Nothing new: Wednesday has nothing to send.
    now = MONDAY_10 + 48 * HOUR
    await d.tick()
    expect(dms()).toHaveLength(2)
  })

  it('sends a person unknown to Slack to the fallback channel', async () => {
    const ghost = statement({ id: 'ghost', template: 'who wrote this', blame: { email: 'gone@x.org', name: 'Gone', commit: 'c'.repeat(40), time: '2026-01-01T00:00:00Z' } })
    await store.replaceFiles([{ file: 'g', hash: 'g' }], [ghost], [])
    now = MONDAY_10
    await count(ghost, { at: MONDAY_10 - HOUR })
    await delivery(config({ route: { fallbackChannel: '#dice-fallback' } })).tick()
    const toFallback = dms().filter((c) => c.body.channel === '#dice-fallback')
    expect(toFallback).toHaveLength(1)
    expect(toFallback[0]!.body.text).toContain('who wrote this')
  })

  it('leaves out statements the person muted, and below-threshold levels', async () => {
    now = MONDAY_10
    await count(sky, { at: MONDAY_10 - HOUR })
    await count(hurts, { at: MONDAY_10 - HOUR, level: 'info' })
    await store.addMute({ statementId: 'sky', scope: 'user', scopeId: 'UPIG00001', by: 'UPIG00001', createdAt: now })
    await delivery().tick()
    expect(dms()).toHaveLength(0)
  })

  it('reads a large owner\'s statements a chunk at a time, not one statement at a time, with the same items, marks and snoozes', async () => {
    // 1,200 statements of Pig's in four buckets: two hours ago, one hour ago, the one still filling, a future one.
    const B1 = MONDAY_10 - 2 * HOUR, B2 = MONDAY_10 - HOUR, B3 = MONDAY_10, FUTURE = MONDAY_10 + HOUR
    now = MONDAY_10 + 2 * MIN
    const bulk = Array.from({ length: 1200 }, (_, i) => statement({ id: `bulk${String(i).padStart(4, '0')}`, level: 'error', file: 'src/bulk.c', line: i + 1, template: `bulk ${i} %s` }))
    await store.replaceFiles([{ file: 'src/bulk.c', hash: 'b' }], bulk, [])
    type R = { host: string; bucket: number; n: number; level: 'error' | 'info' }
    const rowsOf = (i: number): R[] => [
      { host: 'web-1', bucket: B1, n: 1 + (i % 7), level: 'error' },
      { host: 'web-2', bucket: B2, n: 2, level: 'error' },
      ...(i % 3 === 0 ? [{ host: 'web-1', bucket: B3, n: 3, level: 'error' as const }] : []),
      ...(i % 11 === 0 ? [{ host: 'web-3', bucket: FUTURE, n: 5, level: 'error' as const }] : []), // after now: not yet
      ...(i % 13 === 0 ? [{ host: 'db-1', bucket: B2, n: 4, level: 'info' as const }] : []), // below route.minLevel
    ]
    const at = (r: R) => r.bucket + 30_000 + (r.host === 'web-2' ? 1 : 0)
    await store.applyCounts({
      occurrences: bulk.flatMap((s, i) => rowsOf(i).map((r) => ({ statementId: s.id, host: r.host, bucket: r.bucket, count: r.n, firstSeen: at(r), lastSeen: at(r), level: r.level, samples: [`${s.id}@${r.host}`] }))),
      unowned: [], checkpoints: [],
    })
    // Earlier digests: none, through B1, through B2, B2 partly (1 of it sent), through everything.
    const person = 'pig@pen.mssn'
    const marked = (i: number) => [null, B1, B2, B2 - 1, FUTURE, null][i % 6]!
    await store.setDigestMarks(bulk.flatMap((s, i) => {
      const m = marked(i)
      if (m === null) return []
      return [{ person, statementId: s.id, through: m }, ...(i % 6 === 3 ? [{ person, statementId: `${s.id}#p${B2}`, through: 1 }] : [])]
    }))
    await store.addMute({ statementId: 'bulk0005', scope: 'all', scopeId: '*', by: 'U', createdAt: 0 })
    const counted = await store.addSnooze({ statementId: 'bulk0011', scope: 'all', scopeId: '*', until: null, remaining: 1, by: 'U', createdAt: 0 })
    await store.addSnooze({ statementId: 'bulk0017', scope: 'all', scopeId: '*', until: now + HOUR, remaining: null, by: 'U', createdAt: 0 })

    // What each statement's own queries give, worked out from the rows above.
    const bucketMs = 300_000
    const expected = bulk.flatMap((s, i) => {
      const mark = marked(i) ?? -Infinity
      const rows = rowsOf(i).filter((r) => r.bucket <= now && r.level !== 'info' && r.bucket > mark)
      if (!rows.length) return []
      // bulk0011's count-based snooze of 1 swallows one of them.
      const count = rows.reduce((n, r) => n + r.n, 0) - (i % 6 === 3 && rows.some((r) => r.bucket === B2) ? 1 : 0) - (s.id === 'bulk0011' ? 1 : 0)
      const newest = Math.max(...rows.map((r) => r.bucket))
      const last = rows.find((r) => r.bucket === newest)!
      const marks = newest + bucketMs <= now ? [{ person, statementId: s.id, through: newest }]
        : [{ person, statementId: s.id, through: newest - 1 }, { person, statementId: `${s.id}#p${newest}`, through: last.n }]
      return [{ id: s.id, count, hosts: [...new Set(rows.map((r) => r.host))].sort(), firstSeen: Math.min(...rows.map(at)), lastSeen: at(last), sample: `${s.id}@${last.host}`, marks }]
    })
    const suppressed = expected.filter((e) => e.id === 'bulk0005' || e.id === 'bulk0017')
    // New ones (no mark for them yet) first, then (all ERROR here) the biggest counts.
    const items = expected.filter((e) => !suppressed.includes(e)).sort((a, b) => Number(marked(bulk.findIndex((s) => s.id === b.id)) === null) - Number(marked(bulk.findIndex((s) => s.id === a.id)) === null) || b.count - a.count || a.id.localeCompare(b.id))
    const fit = itemsPerMessage(config().digest.maxItems)
    expect(suppressed).toHaveLength(2)
    expect(items.length).toBeGreaterThan(700)

    // Every store call counted: a few per digest, however many statements.
    const calls = new Map<string, number>()
    const countingStore = new Proxy(store, {
      get(t, k) {
        const v = Reflect.get(t, k)
        return typeof v === 'function' ? (...a: unknown[]) => (calls.set(String(k), (calls.get(String(k)) ?? 0) + 1), v.apply(t, a)) : v
      },
    })
    // Every item listed (the default digest.maxMessages lists 400 of these ~1,000: the test after the next shows the bound).
    const [d] = await buildDigests({ store: countingStore, config: config({ digest: { maxMessages: 100 } }), clock, preview: false })
    expect(calls.get('getDigestMark') ?? 0).toBe(0)
    expect(calls.get('listOccurrences') ?? 0).toBe(0)
    expect(calls.get('digestMarks')).toBe(1)
    // The occurrences of the statements counted in a bucket past their mark (not those marked through FUTURE, nor
    // through B2 with nothing later), 100 a query (a query holds the thread) of each part of 500, without samples; then
    // the listed items' rows with their samples (one call)
    const parts = [0, 500, 1000].map((p) => bulk.slice(p, p + 500).filter((_, j) => Math.max(...rowsOf(p + j).map((r) => r.bucket)) > (marked(p + j) ?? -Infinity)).length)
    expect(parts).toEqual([341, 341, 136])
    expect(calls.get('listOccurrencesOf')).toBe(parts.reduce((n, k) => n + Math.ceil(k / 100), 0) + 1)
    // (one of them reads the deploy records: which revision each occurrence came from, docs/alerts/versions.md; one the
    // placeholder values of the digest's items, a query per 500 statements inside statementValues)
    expect(calls.get('statementValues')).toBe(1)
    expect(calls.get('statementsByIds')).toBe(3) // the counted statements, 500 a read
    expect(calls.get('outboxStatus')).toBe(1) // today's digest not sent yet: built
    expect([...calls.values()].reduce((a, b) => a + b, 0)).toBeLessThan(35) // calls per 100 or 500 statements, not per statement (1,200)

    expect(d!.status).toBe('enqueued')
    expect(d!.items.map((i) => ({ id: i.statementId, count: i.count, hosts: i.hosts, firstSeen: i.firstSeen, lastSeen: i.lastSeen, sample: i.sample, level: i.level })))
      .toEqual(items.map(({ marks: _m, ...e }) => ({ ...e, level: 'error' })))
    expect(d!.hidden).toBe(0)
    expect(d!.parts).toHaveLength(Math.ceil(items.length / fit))
    // Marks: every item's and the muted/snoozed ones'.
    const [queued] = await store.listOutbox({ kind: 'digest' })
    const byKey = (m: { statementId: string }) => m.statementId
    expect((queued!.payload as { marks?: unknown }).marks).toBeUndefined()
    expect((await store.outboxMarks(queued!.id)).sort((a, b) => byKey(a).localeCompare(byKey(b))))
      .toEqual([...suppressed, ...items].flatMap((e) => e.marks).sort((a, b) => byKey(a).localeCompare(byKey(b))))
    // bulk0011 (count 7) used up its count-based snooze of 1 and the other 6 are delivered (among the items, so no mark above).
    expect((await store.activeSnoozes(now)).map((z) => z.id)).not.toContain(counted.id)
  })

  it('counts what nobody can receive a part at a time: every statement once with its count, nothing twice, only the sums kept', async () => {
    // 1,200 statements nobody owns (no blame author, no fallback channel), all counted two hours ago; the first 100
    // were counted as undeliverable by an earlier digest.
    now = MONDAY_10
    const B1 = MONDAY_10 - 2 * HOUR
    const orphans = Array.from({ length: 1200 }, (_, i) => statement({ id: `orphan${String(i).padStart(4, '0')}`, level: 'error', file: 'src/orphan.c', line: i + 1, template: `orphan ${i} %s`, blame: null }))
    await store.replaceFiles([{ file: 'src/orphan.c', hash: 'o' }], orphans, [])
    const n = (i: number) => 1 + (i % 5)
    await store.applyCounts({
      occurrences: orphans.map((s, i) => ({ statementId: s.id, host: `web-${i % 3}`, bucket: B1, count: n(i), firstSeen: B1 + 1, lastSeen: B1 + 2, level: 'error' as const, samples: ['x'] })),
      unowned: [], checkpoints: [],
    })
    await store.setDigestMarks(orphans.slice(0, 100).map((s) => ({ person: 'undeliverable:(nobody)', statementId: s.id, through: B1 })))
    // A preview lists every item, and counts nothing.
    const [preview] = await buildDigests({ store, config: config(), clock, preview: true })
    expect(preview!.items.map((i) => i.statementId).sort()).toEqual(orphans.slice(100).map((s) => s.id))
    // Each only counted (what `dice digest --preview` shows of a digest nobody can receive: their number): no sample read, no hosts.
    expect(preview!.items.every((i) => i.sample === null && i.hosts.length === 0 && i.count === n(Number(i.statementId.slice(6))))).toBe(true)
    expect(await store.listUndeliverable()).toEqual([])
    const calls = new Map<string, number>()
    const countingStore = new Proxy(store, {
      get(t, k) {
        const v = Reflect.get(t, k)
        return typeof v === 'function' ? (...a: unknown[]) => (calls.set(String(k), (calls.get(String(k)) ?? 0) + 1), v.apply(t, a)) : v
      },
    })
    const log: string[] = []
    const built = await buildDigests({ store: countingStore, config: config(), clock, preview: false, log: (l) => log.push(l) })

    const fresh = orphans.slice(100)
    const occurrences = fresh.reduce((a, _, k) => a + n(k + 100), 0)
    expect(built.map((d) => ({ target: d.target, status: d.status, items: d.items.length, counted: d.counted }))).toEqual([
      { target: '(nobody)', status: 'undeliverable', items: 0, counted: { statements: 1100, occurrences } },
    ])
    // Counted as found, 500 statements a part (500, 500, 200), under marks read once.
    expect(calls.get('addUndeliverable')).toBe(3)
    expect(calls.get('setDigestMarks')).toBe(3)
    expect(calls.get('digestMarks')).toBe(1)
    const rows = await store.listUndeliverable({ limit: 5000 })
    expect(rows).toHaveLength(1100)
    expect(new Map(rows.map((r) => [r.statementId, r.count]))).toEqual(new Map(fresh.map((s, k) => [s.id, n(k + 100)])))
    expect(rows.every((r) => r.intended === 'nobody' && r.reason === 'no_owner')).toBe(true)
    expect(log).toEqual([expect.stringContaining(`${occurrences} occurrences of 1100 statements undeliverable`)])

    // The next check has nothing new: nothing is counted twice, and no statement's occurrences are read to find that out
    // (each was last counted in the bucket its mark has).
    const read: string[] = []
    const reading = new Proxy(store, {
      get(t, k) {
        const v = Reflect.get(t, k)
        if (k === 'listOccurrencesOf') return (q: { statements: Array<{ statementId: string }> }) => (read.push(...q.statements.map((x) => x.statementId)), v.apply(t, [q]))
        return typeof v === 'function' ? v.bind(t) : v
      },
    })
    now = MONDAY_10 + 10 * MIN
    expect(await buildDigests({ store: reading, config: config(), clock, preview: false })).toEqual([])
    expect((await store.listUndeliverable({ limit: 5000 })).reduce((a, r) => a + r.count, 0)).toBe(occurrences)
    expect(read).toEqual([])
    // Two of them counted again, an hour later: only theirs are read, and only the new lines counted.
    const B2 = MONDAY_10 - HOUR
    await store.applyCounts({
      occurrences: [orphans[7]!, orphans[700]!].map((s) => ({ statementId: s.id, host: 'web-9', bucket: B2, count: 4, firstSeen: B2 + 1, lastSeen: B2 + 2, level: 'error' as const, samples: ['y'] })),
      unowned: [], checkpoints: [],
    })
    const again = await buildDigests({ store: reading, config: config(), clock, preview: false })
    expect(again.map((d) => d.counted)).toEqual([{ statements: 2, occurrences: 8 }])
    expect(read.sort()).toEqual(['orphan0007', 'orphan0700'])
    expect((await store.listUndeliverable({ limit: 5000 })).reduce((a, r) => a + r.count, 0)).toBe(occurrences + 8)
  })

  it('builds a fallback digest of 1,200 statements as they are found: the best listed, with values, from every part; every one marked and counted', async () => {
    // 1,200 statements nobody owns, route.fallbackChannel set; the three new ERRORs sit in different parts of 500
    // (the first, the second, the last), the rest are WARNs the channel had before, each a different count.
    now = MONDAY_10
    const B1 = MONDAY_10 - 2 * HOUR
    const errAt = new Set([250, 750, 1150])
    const orphans = Array.from({ length: 1200 }, (_, i) => statement({ id: `orphan${String(i).padStart(4, '0')}`, level: errAt.has(i) ? 'error' : 'warn', file: 'src/orphan.c', line: i + 1, template: `orphan ${i} peer %s`, blame: null }))
    await store.replaceFiles([{ file: 'src/orphan.c', hash: 'o' }], orphans, [])
    const n = (i: number) => 10 + i
    await store.applyCounts({
      occurrences: orphans.map((s, i) => ({ statementId: s.id, host: `web-${i % 3}`, bucket: B1, count: n(i), firstSeen: B1 + 1, lastSeen: B1 + 2, level: s.level, samples: [`${s.level} orphan ${i}`] })),
      unowned: [], checkpoints: [],
      values: [{ statementId: 'orphan1150', bucket: B1, lists: [{ v: ['203.0.113.9'], c: [n(1150)], e: [0], o: 0 }] }],
    })
    const warns = orphans.filter((_, i) => !errAt.has(i))
    await store.setDigestMarks(warns.map((s) => ({ person: '#dice-fallback', statementId: s.id, through: B1 - 24 * HOUR })))
    const cfg = config({ route: { fallbackChannel: '#dice-fallback' }, digest: { maxItems: 20, maxMessages: 2 } })
    const calls: string[] = []
    const watched = new Proxy(store, {
      get(t, k) {
        const v = Reflect.get(t, k)
        return typeof v === 'function' ? (...a: unknown[]) => (calls.push(String(k)), v.apply(t, a)) : v
      },
    })
    // The event loop turns while it builds (`dice run` answers HTTP and Slack meanwhile): over synchronous SQLite
    // nothing else would let it.
    const turns: string[] = []
    setImmediate(() => turns.push('turn'))
    const [preview] = await buildDigests({ store: watched, config: cfg, clock, preview: true })
    turns.push('built')
    expect(turns).toEqual(['turn', 'built'])
    // Built as found: occurrences of the first part are read before the last statements are.
    expect(calls.indexOf('listOccurrencesOf')).toBeLessThan(calls.lastIndexOf('statementsByIds'))
    // Listed: the three new ERRORs (most frequent first), then the most frequent WARNs, from every part.
    const listed = ['orphan1150', 'orphan0750', 'orphan0250', ...warns.slice(-37).map((s) => s.id).reverse()]
    expect(preview!.items.slice(0, 40).map((i) => i.statementId)).toEqual(listed)
    expect(preview!.items).toHaveLength(1200)
    expect(preview!.hidden).toBe(1160)
    expect(preview!.items[0]!.values?.[0]).toMatchObject({ label: 'peer', top: [{ value: '203.0.113.9', count: n(1150) }] })
    expect(preview!.items[0]!.note).toContain('Nobody owns this')

    // One warning check per intended recipient ('nobody' here), not one per statement carried.
    const seen = vi.spyOn(store, 'firstSeen')
    await delivery(cfg).tick()
    expect(seen.mock.calls.filter(([key]) => key.startsWith('undeliverable:'))).toHaveLength(1)
    const toFallback = () => dms().filter((c) => slack.channelId(String(c.body.channel)) === slack.channelId('dice-fallback'))
    const posts = toFallback()
    expect(posts).toHaveLength(2)
    expect(posts[0]!.body.text).toContain('1,200 statements (3 new)')
    expect(JSON.stringify(posts[0]!.body.blocks)).toContain('`203.0.113.9`')
    // Every statement marked (nothing comes back) and counted as undeliverable to nobody, with its count.
    for (const s of [orphans[0]!, orphans[499]!, orphans[1199]!]) expect(await store.getDigestMark('#dice-fallback', s.id)).toBe(B1)
    const rows = await store.listUndeliverable({ limit: 5000 })
    expect(new Map(rows.map((r) => [r.statementId, r.count]))).toEqual(new Map(orphans.map((s, i) => [s.id, n(i)])))
    now = MONDAY_10 + 24 * HOUR
    await delivery(cfg).tick()
    expect(toFallback()).toHaveLength(2)
  })

  it("hands a statement over to a Slack id (\"it wasn't me\") into that person's one digest, not a second one", async () => {
    now = MONDAY_10
    await count(sky, { at: MONDAY_10 - HOUR })
    await count(taro, { at: MONDAY_10 - HOUR })
    // The reassign modal's user picker gives a Slack id; Pig's own statements are keyed by blame email.
    await store.setOverride({ statementId: 'taro', to: 'UPIG00001', by: 'UTARO0001', reason: null, createdAt: now })
    const previews = await buildDigests({ store, config: config(), clock, preview: true, slack: new SlackWebApi({ token: 'xoxb-test', url: slack.url }) })
    const toPig = previews.filter((p) => p.to === 'UPIG00001')
    expect(toPig).toHaveLength(1)
    expect(toPig[0]!.items.map((i) => i.statementId).sort()).toEqual(['sky', 'taro'])
    await delivery().tick()
    expect(dmTo('UPIG00001')).toHaveLength(1)
  })

  it('delivers a 60-statement digest the same day, new ones and ERRORs first, continued in its thread, the top saying how many', async () => {
    now = MONDAY_10
    // 20 noisy WARNs Pig has had in digests before, 10 ERRORs Pig has had before, 20 new WARNs, 10 new ERRORs.
    const mk = (prefix: string, level: 'warn' | 'error', n: number) =>
      Array.from({ length: n }, (_, i) => statement({ id: `${prefix}${String(i).padStart(2, '0')}`, level, file: `src/${prefix}.c`, line: i + 1, template: `${prefix} ${i} %s` }))
    const oldWarn = mk('oldwarn', 'warn', 20)
    const oldErr = mk('olderr', 'error', 10)
    const newWarn = mk('newwarn', 'warn', 20)
    const newErr = mk('newerr', 'error', 10)
    const all = [...oldWarn, ...oldErr, ...newWarn, ...newErr]
    await store.replaceFiles([{ file: 'src/x.c', hash: 'x' }], all, [])
    const last = MONDAY_10 - 3 * 24 * HOUR
    await store.setDigestMarks([...oldWarn, ...oldErr].map((s) => ({ person: 'pig@pen.mssn', statementId: s.id, through: last })))
    for (const [i, s] of oldWarn.entries()) await count(s, { at: MONDAY_10 - HOUR, n: 5000 + i })
    for (const [i, s] of oldErr.entries()) await count(s, { at: MONDAY_10 - HOUR, n: 300 + i })
    for (const [i, s] of newWarn.entries()) await count(s, { at: MONDAY_10 - HOUR, n: 50 + i })
    for (const [i, s] of newErr.entries()) await count(s, { at: MONDAY_10 - HOUR, n: 1 + i })
    await delivery(config({ digest: { maxItems: 40 } })).tick()

    const msgs = dmTo('UPIG00001')
    expect(msgs).toHaveLength(2)
    const [top, reply] = msgs
    const ids = (c: typeof top) => (c!.body.blocks as any[]).filter((b) => b.type === 'section').map((b) => JSON.parse(b.accessory.options[0].value).statementId)
    // digest.maxItems a message; the rest is a reply in the first message's thread, the same day.
    expect(ids(top)).toHaveLength(40)
    expect(ids(reply)).toHaveLength(20)
    expect(reply!.body.thread_ts).toBe([...slack.messages.values()].find((m) => m.channel === reply!.body.channel && !m.threadTs)!.ts)
    const shown = [...ids(top), ...ids(reply)]
    expect(new Set(shown)).toEqual(new Set(all.map((s) => s.id)))
    // New ERRORs (fewest occurrences of all) first, then new WARNs, then what Pig had before: ERRORs, then WARNs.
    const byCount = (xs: typeof all) => [...xs].reverse().map((s) => s.id)
    expect(shown).toEqual([...byCount(newErr), ...byCount(newWarn), ...byCount(oldErr), ...byCount(oldWarn)])
    expect(JSON.stringify(top!.body.blocks)).toContain('60 statements (30 new)')
    expect(JSON.stringify(top!.body.blocks)).toContain('40 here, 20 more in 1 reply in this thread')
    expect(JSON.stringify(reply!.body.blocks)).toContain('continued: 41–60 of 60')
    // Everything was delivered: nothing is left for tomorrow.
    now = MONDAY_10 + 24 * HOUR
    await delivery(config({ digest: { maxItems: 40 } })).tick()
    expect(dmTo('UPIG00001')).toHaveLength(2)
  })

  it('takes at most digest.maxMessages messages: the least important past them are counted in the last one, and nothing rolls over', async () => {
    now = MONDAY_10
    // 150 of Pig's statements: 5 new ERRORs, then 145 WARNs Pig has had before, each a different count.
    const errs = Array.from({ length: 5 }, (_, i) => statement({ id: `err${i}`, level: 'error', file: 'src/e.c', line: i + 1, template: `err ${i}` }))
    const warns = Array.from({ length: 145 }, (_, i) => statement({ id: `warn${String(i).padStart(3, '0')}`, level: 'warn', file: 'src/w.c', line: i + 1, template: `warn ${i}` }))
    await store.replaceFiles([{ file: 'src/x.c', hash: 'x' }], [...errs, ...warns], [])
    await store.setDigestMarks(warns.map((s) => ({ person: 'pig@pen.mssn', statementId: s.id, through: MONDAY_10 - 3 * 24 * HOUR })))
    for (const [i, s] of errs.entries()) await count(s, { at: MONDAY_10 - HOUR, n: 1 + i })
    for (const [i, s] of warns.entries()) await count(s, { at: MONDAY_10 - HOUR, n: 1000 + i })
    const cfg = config({ digest: { maxItems: 20, maxMessages: 3 } })
    const [preview] = await buildDigests({ store, config: cfg, clock, preview: true })
    expect(preview!.parts).toHaveLength(3)
    expect(preview!.hidden).toBe(90)
    await delivery(cfg).tick()

    const msgs = dmTo('UPIG00001')
    expect(msgs).toHaveLength(3)
    const ids = (c: (typeof msgs)[number]) => (c.body.blocks as any[]).filter((b) => b.type === 'section').map((b) => JSON.parse(b.accessory.options[0].value).statementId)
    // The 60 listed are the new ERRORs, then the most frequent WARNs; the 90 least frequent WARNs are counted, not listed.
    const listed = msgs.flatMap(ids)
    expect(listed).toEqual([...errs.map((s) => s.id).reverse(), ...warns.slice(90).map((s) => s.id).reverse()])
    const notListed = warns.slice(0, 90).reduce((n, _, i) => n + 1000 + i, 0)
    const text = (c: (typeof msgs)[number]) => JSON.stringify(c.body.blocks)
    expect(text(msgs[0]!)).toContain('150 statements (5 new)')
    expect(text(msgs[0]!)).toContain('20 here, 40 more in 2 replies in this thread')
    expect(text(msgs[0]!)).toContain(`90 more statements with ${notListed.toLocaleString('en-US')} occurrences not listed`)
    expect(text(msgs[2]!)).toContain(`… and 90 more statements with ${notListed.toLocaleString('en-US')} occurrences not listed here`)
    expect((msgs[2]!.body.blocks as unknown[]).length).toBeLessThanOrEqual(50)
    // Counted as delivered: none of the 150 comes back in the next working day's digest.
    now = MONDAY_10 + 24 * HOUR
    await delivery(cfg).tick()
    expect(dmTo('UPIG00001')).toHaveLength(3)
    for (const s of warns.slice(0, 90)) expect(await store.getDigestMark('pig@pen.mssn', s.id)).not.toBeNull()
  })

  it('continues a digest that failed part-way from the part it reached, in the same thread', async () => {
    now = MONDAY_10
    const many = Array.from({ length: 5 }, (_, i) => statement({ id: `p${i}`, level: 'error', line: i + 1, template: `event ${i}` }))
    await store.replaceFiles([{ file: 'src/hello.c', hash: 'h' }], many, [])
    for (const s of many) await count(s, { at: MONDAY_10 - HOUR })
    const cfg = config({ digest: { maxItems: 2 } })
    // The second message fails once (retryable): the first is not posted again.
    const api = new SlackWebApi({ token: 'xoxb-test', url: slack.url })
    const real = new SlackNotifier(api)
    let sends = 0
    const notifier = { name: 'slack', send: (m: Parameters<typeof real.send>[0]) => (++sends === 2 ? Promise.resolve({ ok: false as const, retryable: true, error: 'service_unavailable' }) : real.send(m)) }
    const d = new Delivery({ store, config: cfg, clock, notifier, slack: api, router: new Router({ store, config: cfg, clock }), log: () => {} })
    open.push(d)
    await d.tick()
    expect(dmTo('UPIG00001')).toHaveLength(1)
    now += 60_000
    await d.tick()
    expect(dmTo('UPIG00001')).toHaveLength(3)
    const threads = dmTo('UPIG00001').map((c) => c.body.thread_ts ?? null)
    expect(threads[0]).toBeNull()
    expect(threads[1]).toBe(threads[2])
    expect(await store.getDigestMark('pig@pen.mssn', 'p4')).not.toBeNull()
  })
})
