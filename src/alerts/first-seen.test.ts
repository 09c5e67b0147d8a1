import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Statement } from '../core/types.js'
import { statement } from '../deliver/testutil/fixtures.js'
import { startSlackStandin, type SlackStandin } from '../deliver/testutil/slack-standin.js'
import { tempPostgresStore, tempSqliteStore } from '../store/testutil/stores.js'
import { openStore } from '../store/registry.js'
import type { Store } from '../store/store.js'
import { META_COMMIT_AT } from '../catalog/meta.js'
import { META_WATCHING_SINCE } from './first-seen.js'
import { alertConfig, alertHarness, dmsTo, occ } from './testutil/harness.js'

const PIG = 'U0PIG12345'
const ELMORE = 'U0ELM12345'
const DEPLOY = Date.parse('2026-03-10T14:02:00Z')
const B = 'b'.repeat(40)
const C = 'c'.repeat(40)
const blame = (email: string, name: string) => ({ email, name, commit: C, time: '2026-03-09T10:00:00Z' })

let slack: SlackStandin
let store: Store
const stores: Store[] = []
let now = DEPLOY + 60_000
const clock = () => now

beforeEach(async () => {
  slack = await startSlackStandin({ users: [{ id: PIG, email: 'pig@pen.mssn', tz: 'UTC' }, { id: ELMORE, email: 'elmore@pen.mssn', tz: 'UTC' }] })
  store = (await tempSqliteStore()).store
  stores.push(store)
  now = DEPLOY + 60_000
})
afterEach(async () => {
  await slack.close()
  for (const s of stores.splice(0)) await s.close()
})

/** A catalog at commit B, deployed at DEPLOY, on a store Dice has watched for a day. */
async function deployed(s: Store, statements: Statement[]): Promise<void> {
  await s.replaceFiles([...new Set(statements.map((x) => x.file))].map((file) => ({ file, hash: 'h' })), statements, [])
  await s.setMeta('catalog.commit', B)
  await s.setMeta(META_COMMIT_AT, String(DEPLOY))
  await s.setMeta(META_WATCHING_SINCE, String(DEPLOY - 86_400_000))
}

const evicted = statement({ id: 'evicted', template: 'cache entry %s evicted twice', blame: blame('pig@pen.mssn', 'Pig') })
const steady = statement({ id: 'steady', line: 20, template: 'slow disk %s', blame: blame('pig@pen.mssn', 'Pig') })

describe('first seen since the deploy', () => {
  it('tells the owner once, within a round, when a statement never seen before logs after the deploy', async () => {
    await deployed(store, [evicted, steady])
    const h = alertHarness({ store, config: alertConfig(), slack, clock })
    await h.round()
    expect(dmsTo(slack, PIG)).toHaveLength(0)
    await store.applyCounts({ unowned: [], checkpoints: [], occurrences: [occ('evicted', 'web-1', now - 5000, 2), occ('evicted', 'web-2', now - 4000)] })
    await h.round()
    const dms = dmsTo(slack, PIG)
    expect(dms).toHaveLength(1)
    expect(dms[0]!.body.text).toBe('first seen since bbbbbbb (deployed 14:02): `cache entry %s evicted twice` — added by you in ccccccc, 2 hosts so far\nsrc/hello.c:10')
    now += 10_000
    await store.applyCounts({ unowned: [], checkpoints: [], occurrences: [occ('evicted', 'web-3', now - 1000)] })
    await h.round()
    expect(dmsTo(slack, PIG)).toHaveLength(1)
  })

  it('says nothing of a statement that kept logging before the deploy, and tells one quiet for longer than quietDays', async () => {
    const woke = statement({ id: 'woke', line: 30, template: 'retrying %s', blame: blame('pig@pen.mssn', 'Pig') })
    await deployed(store, [steady, woke])
    await store.applyCounts({ unowned: [], checkpoints: [], occurrences: [occ('steady', 'web-1', DEPLOY - 3_600_000), occ('woke', 'web-1', DEPLOY - 8 * 86_400_000)] })
    await store.applyCounts({ unowned: [], checkpoints: [], occurrences: [occ('steady', 'web-1', now - 1000), occ('woke', 'web-1', now - 1000)] })
    await alertHarness({ store, config: alertConfig(), slack, clock }).round()
    const dms = dmsTo(slack, PIG)
    expect(dms).toHaveLength(1)
    expect(dms[0]!.body.text).toContain('`retrying %s`')
    expect(dms[0]!.body.text).not.toContain('slow disk')
  })

  it('groups per person: 30 new statements make one DM listing 10, and the next ones wait groupSeconds after it', async () => {
    const many = Array.from({ length: 34 }, (_, i) => statement({ id: `n${i}`, line: 100 + i, template: `new thing ${i} %d`, blame: blame('pig@pen.mssn', 'Pig') }))
    const theirs = statement({ id: 'theirs', line: 99, template: 'not pig %s', blame: blame('elmore@pen.mssn', 'Elmore') })
    await deployed(store, [...many, theirs])
    const h = alertHarness({ store, config: alertConfig({ alerts: { firstSeen: { enabled: true, groupSeconds: 60 } } }), slack, clock })
    await store.applyCounts({ unowned: [], checkpoints: [], occurrences: [...many.slice(0, 30).map((s) => occ(s.id, 'web-1', now - 1000)), occ('theirs', 'web-1', now - 1000)] })
    await h.round()
    expect(dmsTo(slack, PIG)).toHaveLength(1)
    expect(dmsTo(slack, PIG)[0]!.body.text.split('\n')[0]).toBe('30 statements first seen since bbbbbbb (deployed 14:02):')
    expect(dmsTo(slack, PIG)[0]!.body.text).toContain('and 20 more')
    expect(dmsTo(slack, PIG)[0]!.body.blocks.filter((b: any) => b.type === 'actions')).toHaveLength(10)
    expect(dmsTo(slack, ELMORE)).toHaveLength(1)
    // Four more appear 10 s later, one 30 s later: they wait for the next DM, 60 s after the first.
    for (const [dt, list] of [[10_000, many.slice(30, 33)], [20_000, many.slice(33)]] as const) {
      now += dt
      await store.applyCounts({ unowned: [], checkpoints: [], occurrences: list.map((s) => occ(s.id, 'web-2', now - 500)) })
      await h.round()
      expect(dmsTo(slack, PIG)).toHaveLength(1)
    }
    now += 30_000
    await h.round()
    expect(dmsTo(slack, PIG)).toHaveLength(2)
    expect(dmsTo(slack, PIG)[1]!.body.text.split('\n')[0]).toBe('4 statements first seen since bbbbbbb (deployed 14:02):')
  })

  it('leaves out what the person muted or snoozed, and sends nothing when that is everything', async () => {
    const other = statement({ id: 'other', line: 40, template: 'disk %s is full', blame: blame('pig@pen.mssn', 'Pig') })
    await deployed(store, [evicted, other])
    await store.addMute({ statementId: 'other', scope: 'user', scopeId: PIG, by: PIG, createdAt: DEPLOY })
    await store.addSnooze({ statementId: 'evicted', scope: 'user', scopeId: 'pig@pen.mssn', until: now + 3_600_000, remaining: null, by: 'pig', createdAt: DEPLOY })
    const h = alertHarness({ store, config: alertConfig(), slack, clock })
    await store.applyCounts({ unowned: [], checkpoints: [], occurrences: [occ('evicted', 'web-1', now - 1000), occ('other', 'web-1', now - 1000)] })
    await h.round()
    expect(dmsTo(slack, PIG)).toHaveLength(0)
    expect((await store.listOutbox({ kind: 'alert.first-seen' }))[0]).toMatchObject({ status: 'sent', result: { skipped: 'muted or snoozed' } })
  })

  it('tells nothing in the first hour Dice watches a store whose deploy it did not see (everything is new then)', async () => {
    await deployed(store, [evicted])
    await store.setMeta(META_WATCHING_SINCE, String(DEPLOY + 30_000))
    await store.applyCounts({ unowned: [], checkpoints: [], occurrences: [occ('evicted', 'web-1', now - 1000)] })
    await alertHarness({ store, config: alertConfig(), slack, clock }).round()
    expect(dmsTo(slack, PIG)).toHaveLength(0)
  })

  it('sends one DM when two instances on one PostgreSQL schema detect at once', async () => {
    const { store: pg, url } = await tempPostgresStore()
    const pg2 = await openStore({ databaseUrl: url })
    stores.push(pg, pg2)
    await deployed(pg, [evicted])
    await pg.applyCounts({ unowned: [], checkpoints: [], occurrences: [occ('evicted', 'web-1', now - 1000)] })
    const a = alertHarness({ store: pg, config: alertConfig(), slack, clock, instanceId: 'i1' })
    const b = alertHarness({ store: pg2, config: alertConfig(), slack, clock, instanceId: 'i2' })
    await Promise.all([a.round(), b.round()])
    // The lease lapses and the other instance detects afresh: the statement is recorded, nothing is repeated.
    now += 120_000
    await Promise.all([b.round(), a.round()])
    expect(dmsTo(slack, PIG)).toHaveLength(1)
  })
})
