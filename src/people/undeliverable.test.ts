import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { tempSqliteStore } from '../store/testutil/stores.js'
import type { Store } from '../store/store.js'
import { Router } from '../route/router.js'
import { Delivery } from '../deliver/delivery.js'
import { SlackNotifier } from '../deliver/slack/notifier.js'
import { SlackWebApi } from '../deliver/slack/api.js'
import { startSlackStandin, type SlackStandin } from '../deliver/testutil/slack-standin.js'
import { config, hit, statement } from '../deliver/testutil/fixtures.js'
import { renderMetrics } from '../server/metrics.js'
import { loadPageData, renderPage } from '../server/web/page.js'
import type { Config } from '../config/schema.js'
import type { Statement } from '../core/types.js'

const MONDAY_10 = Date.parse('2026-11-23T10:00:00Z')
const HOUR = 3_600_000
const DAY = 24 * HOUR

// The article's own annotation, on a workspace where nobody is called elmore.
const sky = statement({ id: 'sky', level: 'warn', template: 'the sky is crying', mentions: ['elmore'], blame: null, line: 1 })
const hurts = statement({ id: 'hurts', level: 'error', template: 'it hurts me too', line: 2 })
const bot = statement({ id: 'bot', level: 'error', template: 'lockfile drift', line: 3, blame: { email: '49699333+dependabot[bot]@users.noreply.github.com', name: 'dependabot[bot]', commit: 'd'.repeat(40), time: '2026-01-01T00:00:00Z', bot: true } })

let slack: SlackStandin
let store: Store
let now: number
const clock = () => now
const logs: string[] = []
const open: Delivery[] = []

beforeEach(async () => {
  slack = await startSlackStandin({ users: [{ id: 'UPIG000001', name: 'pig', email: 'pig@pen.mssn', tz: 'UTC' }] })
  store = (await tempSqliteStore()).store
  await store.replaceFiles([{ file: 'src/hello.c', hash: 'h' }], [sky, hurts, bot], [])
  now = MONDAY_10
  logs.length = 0
})
afterEach(async () => {
  for (const d of open.splice(0)) d.stop()
  await slack.close()
  await store.close()
})

async function count(s: Statement, at: number, n = 2): Promise<void> {
  await store.applyCounts({
    occurrences: [{ statementId: s.id, host: 'web-1', bucket: Math.floor(at / 300_000) * 300_000, count: n, firstSeen: at, lastSeen: at, level: s.level, samples: [`${s.level} ${s.template}`] }],
    unowned: [], checkpoints: [],
  })
}

function delivery(cfg: Config = config()): Delivery {
  const api = new SlackWebApi({ token: 'xoxb-test', url: slack.url })
  const d = new Delivery({ store, config: cfg, clock, notifier: new SlackNotifier(api), slack: api, router: new Router({ store, config: cfg, clock }), log: (l) => logs.push(l), updateEveryMs: 50 })
  open.push(d)
  return d
}

const page = async (cfg: Config = config()) => renderPage(await loadPageData(store, now, '', cfg), cfg)
const section = (html: string) => html.slice(html.indexOf('<section id="undeliverable">'), html.indexOf('<section id="unowned">'))
const metric = (text: string, reason: string) => Number(new RegExp(`^dice_undeliverable_total\\{reason="${reason}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN)

describe('nothing vanishes', () => {
  it('with no people map and no fallback channel, counts @elmore\'s occurrences as undeliverable on the page, in /metrics and in one warning a day', async () => {
    await count(sky, MONDAY_10 - HOUR, 3)
    await count(bot, MONDAY_10 - HOUR, 4)
    const d = delivery()
    await d.tick()
    expect(slack.ok('chat.postMessage')).toEqual([])
    expect(await store.listUndeliverable()).toEqual(expect.arrayContaining([
      expect.objectContaining({ statementId: 'sky', intended: 'elmore', reason: 'unknown', count: 3, detail: expect.stringContaining('no Slack user is called @elmore') }),
      expect.objectContaining({ statementId: 'bot', intended: 'nobody', reason: 'no_owner', count: 4, detail: expect.stringContaining('dependabot[bot]') }),
    ]))
    const html = section(await page())
    expect(html).toContain('the sky is crying')
    expect(html).toContain('elmore')
    expect(html).toMatch(/<code>unknown<\/code>/)
    expect(html).toMatch(/<td class="num">3<\/td>/)
    const m = await renderMetrics({ store, now })
    expect(metric(m, 'unknown')).toBe(3)
    expect(metric(m, 'no_owner')).toBe(4)
    expect(metric(m, 'ambiguous')).toBe(0)
    expect(logs.filter((l) => l.includes('@elmore'))).toHaveLength(1)

    // Later the same day: new occurrences are added once, no second warning.
    now += HOUR
    await count(sky, now - 60_000, 2)
    await d.tick()
    expect((await store.listUndeliverable()).find((r) => r.statementId === 'sky')!.count).toBe(5)
    expect(metric(await renderMetrics({ store, now }), 'unknown')).toBe(5)
    expect(logs.filter((l) => l.includes('@elmore'))).toHaveLength(1)
    // The next day: warned again.
    now += DAY
    await count(sky, now - 60_000, 1)
    await d.tick()
    expect(logs.filter((l) => l.includes('@elmore'))).toHaveLength(2)
  })

  it('keeps what was undeliverable for the owner: once elmore is in people, the next digest has it all', async () => {
    await count(sky, MONDAY_10 - HOUR, 3)
    await delivery().tick()
    slack.setUsers([{ id: 'UELM000001', name: 'ej', email: 'ej@pen.mssn', tz: 'UTC' }])
    now += 20 * 60_000
    await delivery(config({ people: { elmore: { slack: 'UELM000001' } } })).tick()
    const dm = slack.ok('chat.postMessage').filter((c) => c.body.channel === slack.channelId('dm-UELM000001'))
    expect(dm).toHaveLength(1)
    expect(dm[0]!.body.text).toContain('×3')
  })

  it('with route.fallbackChannel, the fallback digest names the intended owner and why', async () => {
    await count(sky, MONDAY_10 - HOUR, 3)
    await count(bot, MONDAY_10 - HOUR, 1)
    await delivery(config({ route: { fallbackChannel: '#dice-unowned' } })).tick()
    const posts = slack.ok('chat.postMessage')
    expect(posts.map((p) => p.body.channel)).toEqual(['#dice-unowned'])
    const text = String(posts[0]!.body.text)
    expect(text).toContain('Meant for @elmore: no Slack user is called @elmore')
    expect(text).toContain('Nobody owns this: its last author is a bot (dependabot[bot])')
    expect(JSON.stringify(posts[0]!.body.blocks)).toContain('Meant for @elmore')
    expect((await store.listUndeliverable()).find((r) => r.statementId === 'sky')).toMatchObject({ intended: 'elmore', count: 3 })
    expect(logs.some((l) => l.includes('went to #dice-unowned'))).toBe(true)
  })

  it('sends a typo\'d #channel\'s occurrences to the owner\'s digest with the reason, shows it on the page, and clears it once the channel works', async () => {
    slack.setChannels([{ name: 'ops' }])
    const typo = statement({ id: 'typo', level: 'info', template: 'hello cruel world %d', channels: ['opps'], blame: { email: 'pig@pen.mssn', name: 'Pig', commit: 'a'.repeat(40), time: '2026-01-01T00:00:00Z' }, line: 9 })
    await store.replaceFiles([{ file: 'src/hello.c', hash: 'h' }], [typo], [])
    const d = delivery()
    await count(typo, now - HOUR, 1)
    d.onHit(hit(typo, { time: now - HOUR, raw: 'INFO hello cruel world 7' }))
    await d.idle()
    expect(slack.calls.filter((c) => c.method === 'chat.postMessage').map((c) => c.ok)).toEqual([false])
    expect(await store.listUndeliverable()).toEqual([expect.objectContaining({ statementId: 'typo', intended: '#opps', reason: 'channel_not_found', count: 1, clearedAt: null })])
    expect(section(await page())).toContain('channel_not_found')
    expect(metric(await renderMetrics({ store, now }), 'channel_not_found')).toBe(1)

    // Its digest goes to the blamed owner, saying why.
    await d.tick()
    const dm = slack.ok('chat.postMessage').filter((c) => c.body.channel === slack.channelId('dm-UPIG000001'))
    expect(dm).toHaveLength(1)
    expect(dm[0]!.body.text).toContain('Meant for #opps: Slack refused #opps (channel_not_found)')

    // The channel is created: the next window's post goes through and the row is closed, its count kept.
    slack.setChannels([{ name: 'ops' }, { name: 'opps' }])
    now += 2 * HOUR
    d.onHit(hit(typo, { time: now, raw: 'INFO hello cruel world 8' }))
    await d.idle()
    expect(slack.ok('chat.postMessage').filter((c) => c.body.channel === '#opps')).toHaveLength(1)
    expect(await store.listUndeliverable()).toEqual([expect.objectContaining({ intended: '#opps', count: 1, clearedAt: now })])
    expect(section(await page())).toContain('fixed')
  })
})
