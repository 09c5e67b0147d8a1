import { describe, expect, it } from 'vitest'
import { tempPostgresStore, tempSqliteStore } from '../store/testutil/stores.js'
import { openStore } from '../store/registry.js'
import type { Store } from '../store/store.js'
import { Router } from '../route/router.js'
import { Delivery } from './delivery.js'
import { SlackNotifier } from './slack/notifier.js'
import { SlackWebApi } from './slack/api.js'
import { slackBed } from './testutil/bed.js'
import { config, statement } from './testutil/fixtures.js'
import { parserFor, Pipeline } from '../ingest/pipeline.js'
import { Counter, OccurrenceKey } from '../ingest/counter.js'
import { VALUES_K } from '../core/top-values.js'
import { statementDetail } from '../stats/statements.js'
import { loadPageData, renderPage } from '../server/web/page.js'
import { buildDigests } from './digest/build.js'

const T0 = Date.parse('2026-11-23T10:00:00Z')
const REGEX = 'regex:^(?<level>[A-Z]+) (?<host>\\S+) (?<message>.*)$'
const ipsec = statement({
  id: 'ipsec', file: 'src/net/ipsec.c', line: 120, template: 'IKE SA negotiation failed with peer %s: NO_PROPOSAL_CHOSEN',
  channels: ['ipsec-debug'], callee: 'WARN_LOG',
})
const line = (peer: string) => `WARN gw-1 IKE SA negotiation failed with peer ${peer}: NO_PROPOSAL_CHOSEN`

/** 812 + 40 + 20 + 5 + 2 + 1 lines from six peers, interleaved. */
function flood(): string[] {
  const peers: Array<[string, number]> = [['203.0.113.9', 812], ['198.51.100.4', 40], ['192.0.2.77', 20], ['192.0.2.5', 5], ['192.0.2.6', 2], ['192.0.2.7', 1]]
  const out: string[] = []
  for (let round = 0; out.length < 880; round++) for (const [p, n] of peers) if (round < n) out.push(line(p))
  return out
}

describe('placeholder values: the IPsec story', () => {
  const bed = slackBed()
  const { stores, deliveries: open } = bed

  async function service(store: Store, s = ipsec, cfg = config()) {
    await store.replaceFiles([{ file: 'src/net/ipsec.c', hash: 'h' }], [s], [])
    const router = new Router({ store, config: cfg, clock: () => T0 })
    await router.refresh()
    const api = new SlackWebApi({ token: 'xoxb-test', url: bed.slack.url })
    const d = new Delivery({ store, config: cfg, clock: () => T0, notifier: new SlackNotifier(api), slack: api, router, updateEveryMs: 50, log: () => {} })
    open.push(d)
    const p = new Pipeline({ store, config: cfg, clock: () => T0, statements: [s], sink: d })
    return { d, p, parser: parserFor(REGEX, cfg), cfg }
  }

  it('a flood from many peers is one channel message naming the top peers with their counts', async () => {
    const { store } = await tempSqliteStore()
    stores.push(store)
    const { d, p, parser } = await service(store)
    for (const text of flood()) p.push('gw', { text }, parser)
    p.endSource('gw')
    await p.flush({ final: true })
    await d.idle()
    const posts = bed.slack.ok('chat.postMessage')
    expect(posts).toHaveLength(1)
    const last = [...posts, ...bed.slack.ok('chat.update')].sort((a, b) => a.at - b.at).at(-1)!.body
    const text = JSON.stringify(last.blocks)
    expect(text).toContain('×880')
    expect(last.text).toContain('peer: `203.0.113.9` ×812, `198.51.100.4` ×40, `192.0.2.77` ×20, +3 more')
    expect(text).toContain('peer: `203.0.113.9` ×812, `198.51.100.4` ×40, `192.0.2.77` ×20, +3 more')
  })

  it('the digest line, the statement API and the web page show the same values', async () => {
    const { store } = await tempSqliteStore()
    stores.push(store)
    // Owned by its blame author (no #channel: a channel statement goes to a digest only when a person is named).
    const cfg = config({ people: { 'pig@pen.mssn': { slack: 'UPIG00001', tz: 'UTC' } } })
    const { p, parser } = await service(store, { ...ipsec, channels: [] }, cfg)
    for (const text of flood()) p.push('gw', { text }, parser)
    p.endSource('gw')
    await p.flush({ final: true })
    const detail = await statementDetail(store, T0 + 60_000, 'ipsec', cfg)
    expect(detail!.values).toEqual([{ placeholder: 0, label: 'peer', more: 0, inexact: false, top: [
      { value: '203.0.113.9', count: 812 }, { value: '198.51.100.4', count: 40 }, { value: '192.0.2.77', count: 20 },
      { value: '192.0.2.5', count: 5 }, { value: '192.0.2.6', count: 2 }, { value: '192.0.2.7', count: 1 }] }])
    const page = renderPage(await loadPageData(store, T0 + 60_000, '', cfg), cfg)
    expect(page).toContain('peer: <code>203.0.113.9</code> ×812, <code>198.51.100.4</code> ×40')
    const api = new SlackWebApi({ token: 'xoxb-test', url: bed.slack.url })
    const digests = await buildDigests({ store, config: cfg, clock: () => T0 + 3_600_000, slack: api, preview: true })
    expect(digests.length).toBeGreaterThan(0)
    const all = JSON.stringify(digests)
    expect(all).toContain('peer: `203.0.113.9` ×812, `198.51.100.4` ×40, `192.0.2.77` ×20, +3 more')
  })

  it('values from a log line cannot mention, link or format in Slack, nor inject HTML in the page', async () => {
    const { store } = await tempSqliteStore()
    stores.push(store)
    const { d, p, parser, cfg } = await service(store)
    const evil = ['<!channel>', '<https://evil.example|click here>', '@channel *bold* `tick`', '@channel *bold* `tick`', '<script>alert(1)</script>']
    for (const v of evil) p.push('gw', { text: line(v) }, parser)
    p.endSource('gw')
    await p.flush({ final: true })
    await d.idle()
    const last = [...bed.slack.ok('chat.postMessage'), ...bed.slack.ok('chat.update')].sort((a, b) => a.at - b.at).at(-1)!.body
    const blocks = JSON.stringify(last.blocks)
    for (const t of [blocks, last.text as string]) {
      expect(t).not.toContain('<!channel>')
      expect(t).not.toContain('<https://evil')
      expect(t).not.toContain('<script>')
      expect(t).toContain('`&lt;!channel&gt;` ×1')
      expect(t).toContain('`&lt;https://evil.example|click here&gt;` ×1')
      expect(t).toContain('`@channel *bold* ˋtickˋ` ×2')
    }
    const page = renderPage(await loadPageData(store, T0 + 60_000, '', cfg), cfg)
    expect(page).not.toContain('<script>alert(1)')
    expect(page).toContain('<code>&lt;script&gt;alert(1)&lt;/script&gt;</code>')
  })
})

describe('placeholder values: bounded and merged', () => {
  it('a million distinct values keep at most VALUES_K per placeholder in memory', () => {
    const c = new Counter(3)
    const key = new OccurrenceKey('ipsec')
    const e = { n: 1, raw: 'x', message: 'x', level: 'warn' as const, time: T0, host: null, file: null, line: null, logger: null }
    for (let i = 0; i < 1_000_000; i++) {
      c.occurrenceOf(key, 'gw-1', T0, T0, 'warn', e)
      c.valuesOf(key, T0, { values: [`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, i % 3 === 0 ? 'hot' : `cold-${i}`] })
    }
    const { values } = c.drain()
    expect(values).toHaveLength(1)
    expect(values[0]!.lists).toHaveLength(2)
    for (const l of values[0]!.lists) expect(l.v.length).toBeLessThanOrEqual(VALUES_K)
    expect(values[0]!.lists[1]!.v[0]).toBe('hot')
  })

  it('two instances on one PostgreSQL add their values to the same statement × bucket, and the stored lists stay bounded', async () => {
    const { store: a, url } = await tempPostgresStore()
    const b = await openStore({ databaseUrl: url })
    try {
      const cfg = config()
      await a.replaceFiles([{ file: 'src/net/ipsec.c', hash: 'h' }], [ipsec], [])
      const pa = new Pipeline({ store: a, config: cfg, clock: () => T0, statements: [ipsec] })
      const pb = new Pipeline({ store: b, config: cfg, clock: () => T0, statements: [ipsec] })
      const parser = parserFor(REGEX, cfg)
      // Five rounds of concurrent flushes: both add to the same rows at once.
      for (let round = 0; round < 5; round++) {
        for (let i = 0; i < 100; i++) pa.push('a', { text: line('203.0.113.9') }, parser)
        for (let i = 0; i < 20; i++) pb.push('b', { text: line('203.0.113.9') }, parser)
        for (let i = 0; i < 30; i++) pb.push('b', { text: line('198.51.100.4') }, parser)
        // Distinct values on both sides: the stored lists are cut back to VALUES_K.
        for (let i = 0; i < 15; i++) pa.push('a', { text: line(`192.0.2.${round * 20 + i}`) }, parser)
        pa.endSource('a')
        pb.endSource('b')
        await Promise.all([pa.flush({ final: true }), pb.flush({ final: true })])
      }
      for (const s of [a, b]) {
        const v = (await s.statementValues({ statements: [{ statementId: 'ipsec' }] })).get('ipsec')!
        expect(v[0]!.top.slice(0, 2)).toEqual([{ value: '203.0.113.9', count: 600 }, { value: '198.51.100.4', count: 150 }])
        expect(v[0]!.top.length).toBeLessThanOrEqual(VALUES_K)
        expect(v[0]!.inexact).toBe(true)
      }
      const total = (await a.totals()).find((t) => t.statementId === 'ipsec')!.count
      expect(total).toBe(5 * 165)
    } finally {
      await b.close()
      await a.close()
    }
  })
})
