import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { tempSqliteStore } from '../store/testutil/stores.js'
import type { Store } from '../store/store.js'
import { People } from './people.js'
import { SlackWebApi } from './slack/api.js'
import { startSlackStandin, type SlackStandin } from './testutil/slack-standin.js'
import { config } from './testutil/fixtures.js'

let slack: SlackStandin
let store: Store
let now = 0
const clock = () => now
beforeEach(async () => {
  slack = await startSlackStandin({ users: [{ id: 'UPIG00001', email: 'pig@pen.mssn', name: 'Pig', tz: 'Europe/Berlin' }, { id: 'UELM00001', name: 'Elmore', tz: 'America/Chicago' }] })
  store = (await tempSqliteStore()).store
  now = Date.now()
})
afterEach(async () => {
  await slack.close()
  await store.close()
})

const api = () => new SlackWebApi({ token: 'xoxb-test', url: slack.url })

describe('People', () => {
  it('looks a blame email up in Slack once, caches it in the store, and looks again after slack.userCacheHours', async () => {
    const cfg = config({ slack: { userCacheHours: 1 } })
    const r = await new People({ store, config: cfg, clock, slack: api() }).resolve('pig@pen.mssn')
    expect(r).toMatchObject({ key: 'pig@pen.mssn', slackId: 'UPIG00001', tz: 'Europe/Berlin', known: true })
    // A new instance (fresh memory) answers from the store.
    await new People({ store, config: cfg, clock, slack: api() }).resolve('pig@pen.mssn')
    expect(slack.calls.filter((c) => c.method === 'users.lookupByEmail')).toHaveLength(1)
    now += 2 * 3_600_000
    await new People({ store, config: cfg, clock, slack: api() }).resolve('pig@pen.mssn')
    expect(slack.calls.filter((c) => c.method === 'users.lookupByEmail')).toHaveLength(2)
  })

  it('prefers configured people (Slack id, time zone, aliases) and reads the zone with users.info', async () => {
    const cfg = config({ people: { elmore: { slack: 'UELM00001', aliases: ['ej@pen.mssn'] }, 'pig@pen.mssn': { tz: 'Asia/Tokyo' } } })
    const p = new People({ store, config: cfg, clock, slack: api() })
    expect(await p.resolve('ej@pen.mssn')).toMatchObject({ key: 'elmore', slackId: 'UELM00001', tz: 'America/Chicago' })
    expect(slack.calls.filter((c) => c.method === 'users.info')).toHaveLength(1)
    expect(await p.resolve('pig@pen.mssn')).toMatchObject({ slackId: 'UPIG00001', tz: 'Asia/Tokyo' })
  })

  it('marks people Slack does not know as unknown (negative answers cached too)', async () => {
    const p = new People({ store, config: config(), clock, slack: api() })
    expect(await p.resolve('gone@x.org')).toMatchObject({ known: false, slackId: null, tz: 'UTC' })
    await new People({ store, config: config(), clock, slack: api() }).resolve('gone@x.org')
    expect(slack.calls.filter((c) => c.method === 'users.lookupByEmail')).toHaveLength(1)
  })

  it('without Slack everyone is deliverable by key, zone from config or the default', async () => {
    const p = new People({ store, config: config({ digest: { defaultTimezone: 'Europe/Paris' } }), clock, slack: null })
    expect(await p.resolve('x@y')).toMatchObject({ key: 'x@y', slackId: null, tz: 'Europe/Paris', known: true })
  })
})
