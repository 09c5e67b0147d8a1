import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { tempSqliteStore } from '../store/testutil/stores.js'
import type { Store } from '../store/store.js'
import { SlackWebApi } from '../deliver/slack/api.js'
import { startSlackStandin, type SlackStandin, type StandinUser } from '../deliver/testutil/slack-standin.js'
import { config } from '../deliver/testutil/fixtures.js'
import { People } from './people.js'

/** A workspace as a grown team has one: hundreds of people over several users.list pages, leavers, bots, namesakes. */
function workspace(): StandinUser[] {
  const crowd = Array.from({ length: 480 }, (_, i) => ({ id: `U${String(100000 + i).padStart(9, '0')}`, name: `person${i}`, real_name: `Person ${i}`, email: `person${i}@pen.mssn` }))
  return [
    ...crowd.slice(0, 250),
    { id: 'UELM000001', name: 'elmore.james', display_name: 'Elmore', real_name: 'Elmore James', email: 'ej@pen.mssn', tz: 'America/Chicago' },
    ...crowd.slice(250),
    { id: 'UPIG000001', name: 'pig', real_name: 'Pig Pen', email: 'pig@pen.mssn', tz: 'Europe/Berlin' },
    { id: 'URILEY0001', name: 'riley', real_name: 'Riley Jones', email: 'riley@pen.mssn', tz: 'Asia/Tokyo' },
    // Two people Slack shows as @sam: Dice must not pick one.
    { id: 'USAM000001', name: 'sam.a', display_name: 'sam', real_name: 'Sam Adams', email: 'sam.a@pen.mssn' },
    { id: 'USAM000002', name: 'sam.b', display_name: 'Sam', real_name: 'Sam Brown', email: 'sam.b@pen.mssn' },
    { id: 'UGONE00001', name: 'gone', real_name: 'Gone Away', email: 'gone@pen.mssn', deleted: true },
    { id: 'UBOT000001', name: 'deploybot', display_name: 'deploy', is_bot: true },
    { id: 'UTARO00001', name: 'tyamada', real_name: 'Taro Yamada', email: 'taro@pen.mssn' },
  ]
}

let slack: SlackStandin
let store: Store
let now = 0
const clock = () => now
beforeEach(async () => {
  slack = await startSlackStandin({ users: workspace() })
  store = (await tempSqliteStore()).store
  now = Date.now()
})
afterEach(async () => {
  await slack.close()
  await store.close()
})

const api = () => new SlackWebApi({ token: 'xoxb-test', url: slack.url })
const people = (raw: Record<string, unknown> = {}) => new People({ store, config: config(raw), clock, slack: api() })
const calls = (method: string) => slack.calls.filter((c) => c.method === method)

describe('People: a name → one Slack user, or why not', () => {
  it('finds an @handle with no people entry through every page of users.list: username, display name, real name, any case', async () => {
    const p = people()
    expect(await p.resolve('@elmore')).toMatchObject({ known: true, slackId: 'UELM000001', key: 'ej@pen.mssn', tz: 'America/Chicago', name: 'Elmore James' })
    expect(await p.resolve('PIG')).toMatchObject({ slackId: 'UPIG000001' })
    expect(await p.resolve('taro yamada')).toMatchObject({ slackId: 'UTARO00001' })
    // 488 users at 200 a page: three pages, read once, then kept in the store for every later instance.
    expect(calls('users.list')).toHaveLength(3)
    expect(await people().resolve('riley')).toMatchObject({ slackId: 'URILEY0001' })
    expect(calls('users.list')).toHaveLength(3)
  })

  it('reports two users with the same display name as ambiguous, naming both, instead of guessing', async () => {
    const r = await people().resolve('@sam')
    expect(r).toMatchObject({ known: false, slackId: null, problem: 'ambiguous', key: 'sam' })
    expect(r.detail).toContain('USAM000001')
    expect(r.detail).toContain('USAM000002')
  })

  it('tells a deactivated account from an unknown name, and never takes a bot for a person', async () => {
    const p = people()
    expect(await p.resolve('@gone')).toMatchObject({ known: false, problem: 'deactivated' })
    expect(await p.resolve('@deploybot')).toMatchObject({ known: false, problem: 'unknown' })
    expect(await p.resolve('@nobody-here')).toMatchObject({ known: false, problem: 'unknown', detail: expect.stringContaining('users.list') })
  })

  it('takes the local part of a known email when no name matches', async () => {
    expect(await people().resolve('@taro')).toMatchObject({ known: true, slackId: 'UTARO00001' })
  })

  it('resolves a GitHub noreply address through its login, and a personal address Slack does not know to nobody', async () => {
    const p = people()
    expect(await p.resolve('4711+riley@users.noreply.github.com')).toMatchObject({ known: true, slackId: 'URILEY0001' })
    expect(await p.resolve('49699333+dependabot[bot]@users.noreply.github.com')).toMatchObject({ known: false, problem: 'unknown' })
    expect(await p.resolve('riley.j@gmail.com')).toMatchObject({ known: false, problem: 'unknown', detail: expect.stringContaining('users.lookupByEmail') })
  })

  it('gives an @handle, a blame email and a Slack id of one person the same key: one digest', async () => {
    const p = people()
    const keys = await Promise.all(['@riley', 'riley@pen.mssn', 'URILEY0001', 'Riley Jones'].map(async (w) => (await p.resolve(w)).key))
    expect(new Set(keys)).toEqual(new Set(['riley@pen.mssn']))
    // A configured person keeps their people key, whichever name reaches them.
    const c = people({ people: { riley: { slack: 'URILEY0001' } } })
    expect(new Set(await Promise.all(['@riley', 'riley@pen.mssn', 'URILEY0001'].map(async (w) => (await c.resolve(w)).key)))).toEqual(new Set(['riley']))
  })

  it('lets a people entry added later win over a cached negative answer at the next look-up', async () => {
    expect(await people({ slack: { userCacheHours: 24 } }).resolve('riley.j@gmail.com')).toMatchObject({ known: false })
    const r = await people({ slack: { userCacheHours: 24 }, people: { 'riley.j@gmail.com': { slack: 'URILEY0001' } } }).resolve('riley.j@gmail.com')
    expect(r).toMatchObject({ known: true, slackId: 'URILEY0001', key: 'riley.j@gmail.com' })
    const viaEmail = await people({ people: { riley: { email: 'riley@pen.mssn' } } }).resolve('riley')
    expect(viaEmail).toMatchObject({ known: true, slackId: 'URILEY0001', key: 'riley' })
  })

  it('answers an email from the users.list directory, and caches users.lookupByEmail answers for the rest for slack.userCacheHours, negative ones too', async () => {
    const raw = { slack: { userCacheHours: 1 } }
    expect(await people(raw).resolve('pig@pen.mssn')).toMatchObject({ key: 'pig@pen.mssn', slackId: 'UPIG000001', tz: 'Europe/Berlin' })
    // Hundreds of blame authors cost no call each: the directory lists their addresses.
    expect(calls('users.lookupByEmail')).toHaveLength(0)
    await people(raw).resolve('x@nowhere.example')
    await people(raw).resolve('x@nowhere.example')
    expect(calls('users.lookupByEmail')).toHaveLength(1)
    now += 2 * 3_600_000
    await people(raw).resolve('x@nowhere.example')
    expect(calls('users.lookupByEmail')).toHaveLength(2)
  })

  it('answers from the stored directory when it is stale and refreshes it in the background', async () => {
    const raw = { slack: { userCacheHours: 1 } }
    await people(raw).resolve('@riley')
    expect(calls('users.list')).toHaveLength(3)
    slack.setUsers([{ id: 'UNEW000001', name: 'newbie', email: 'newbie@pen.mssn' }])
    now += 2 * 3_600_000
    const p = people(raw)
    // Stale: the old directory answers at once (newbie unknown yet), a sweep starts behind it.
    expect(await p.resolve('@newbie')).toMatchObject({ known: false })
    await p.directory!.refresh()
    expect(calls('users.list').length).toBeGreaterThanOrEqual(6)
    expect(await people(raw).resolve('@newbie')).toMatchObject({ known: true, slackId: 'UNEW000001' })
  })

  it('configured people win: Slack id, time zone, aliases', async () => {
    const p = people({ people: { elmore: { slack: 'UELM000001', aliases: ['ej@pen.mssn'] }, 'pig@pen.mssn': { tz: 'Asia/Tokyo' } } })
    expect(await p.resolve('ej@pen.mssn')).toMatchObject({ key: 'elmore', slackId: 'UELM000001', tz: 'America/Chicago' })
    expect(await p.resolve('pig@pen.mssn')).toMatchObject({ slackId: 'UPIG000001', tz: 'Asia/Tokyo' })
  })

  it('without Slack everyone is deliverable by key, zone from config or the default', async () => {
    const p = new People({ store, config: config({ digest: { defaultTimezone: 'Europe/Paris' } }), clock, slack: null })
    expect(await p.resolve('x@y')).toMatchObject({ key: 'x@y', slackId: null, tz: 'Europe/Paris', known: true })
    expect(slack.calls).toHaveLength(0)
  })
})
