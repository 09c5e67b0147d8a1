import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Statement } from '../core/types.js'
import { statement } from '../deliver/testutil/fixtures.js'
import { startSlackStandin, type SlackStandin } from '../deliver/testutil/slack-standin.js'
import { tempPostgresStore, tempSqliteStore } from '../store/testutil/stores.js'
import { openStore } from '../store/registry.js'
import type { Store } from '../store/store.js'
import { expectations } from './expectations.js'
import { alertConfig, alertHarness, dmsTo, occ } from './testutil/harness.js'

const PIG = 'U0PIG12345'
const T = Date.parse('2026-03-10T14:00:00Z')
const H = 3_600_000
const blame = { email: 'pig@pen.mssn', name: 'Pig', commit: 'c'.repeat(40), time: '2026-03-01T10:00:00Z' }
const heartbeat = statement({ id: 'hb', level: 'info', template: 'heartbeat %d', mentions: [], blame, expect: { count: 1, everyMs: H } })

let slack: SlackStandin
const stores: Store[] = []
let now = T
const clock = () => now
const cfg = (silence: Record<string, unknown> = {}) => alertConfig({ alerts: { silence: { enabled: true, ...silence } } })

beforeEach(async () => {
  slack = await startSlackStandin({ users: [{ id: PIG, email: 'pig@pen.mssn', tz: 'UTC' }] })
  now = T
})
afterEach(async () => {
  await slack.close()
  for (const s of stores.splice(0)) await s.close()
})

async function catalog(statements: Statement[], s?: Store): Promise<Store> {
  const store = s ?? (await tempSqliteStore()).store
  stores.push(store)
  await store.replaceFiles([{ file: 'src/hello.c', hash: 'h' }], statements, [])
  return store
}
const seen = (store: Store, id: string, at: number, n = 1) => store.applyCounts({ unowned: [], checkpoints: [], occurrences: [occ(id, 'cron-1', at, n)] })
const texts = () => dmsTo(slack, PIG).map((c) => c.body.text.split('\n')[0])

describe('expected silence', () => {
  it('tells the owner once when a statement expected hourly has not logged for an hour, and once when it is back', async () => {
    const store = await catalog([heartbeat])
    await seen(store, 'hb', T - 2 * H)
    const h = alertHarness({ store, config: cfg(), slack, clock })
    await h.round()
    expect(texts()).toEqual(['expected at least 1/h: `heartbeat %d` — not seen since 12:00 (2 h)'])
    now += 10 * 60_000
    await h.round()
    expect(texts()).toHaveLength(1)
    await seen(store, 'hb', now - 1000)
    await h.round()
    now += 60_000
    await h.round()
    expect(texts()).toEqual(['expected at least 1/h: `heartbeat %d` — not seen since 12:00 (2 h)', 'back after 2 h 9 min: `heartbeat %d` (expected at least 1/h) — seen again at 14:09'])
  })

  it('waits a whole period before calling a statement it never saw silent', async () => {
    const store = await catalog([heartbeat])
    const h = alertHarness({ store, config: cfg(), slack, clock })
    await h.round()
    now = T + 59 * 60_000
    await h.round()
    expect(texts()).toEqual([])
    now = T + 61 * 60_000
    await h.round()
    expect(texts()).toEqual(['expected at least 1/h: `heartbeat %d` — not seen since 14:00 (1 h 1 min)'])
  })

  it('takes N per period from a config rule: two elections in 15 minutes are too few for 3/15m', async () => {
    const elected = statement({ id: 'el', line: 20, level: 'info', template: 'leader elected: %s', blame })
    const store = await catalog([elected])
    await seen(store, 'el', T - 20 * 60_000, 5)
    await seen(store, 'el', T - 5 * 60_000, 2)
    await alertHarness({ store, config: cfg({ rules: [{ template: 'leader elected: %s', expect: '3/15m' }] }), slack, clock }).round()
    expect(texts()).toEqual(['expected at least 3/15m: `leader elected: %s` — only 2 in the last 15 min, the last at 13:55'])
  })

  it('tells nobody who muted or snoozed the statement', async () => {
    const store = await catalog([heartbeat])
    await seen(store, 'hb', T - 2 * H)
    await store.addSnooze({ statementId: 'hb', scope: 'user', scopeId: PIG, until: T + 24 * H, remaining: null, by: PIG, createdAt: T })
    await alertHarness({ store, config: cfg(), slack, clock }).round()
    expect(texts()).toEqual([])
    expect((await store.listOutbox({ kind: 'alert.silence' }))[0]).toMatchObject({ status: 'sent', result: { skipped: 'muted or snoozed' } })
  })

  it('tells once when two instances on one PostgreSQL schema watch', async () => {
    const { store: pg, url } = await tempPostgresStore()
    const pg2 = await openStore({ databaseUrl: url })
    stores.push(pg2)
    await catalog([heartbeat], pg)
    await seen(pg, 'hb', T - 2 * H)
    const a = alertHarness({ store: pg, config: cfg(), slack, clock, instanceId: 'i1' })
    const b = alertHarness({ store: pg2, config: cfg(), slack, clock, instanceId: 'i2' })
    await Promise.all([a.round(), b.round()])
    now += 120_000
    await Promise.all([b.round(), a.round()])
    expect(texts()).toHaveLength(1)
  })

  it('reads expectations from annotations first, then the last config rule naming the statement (by id, template or path)', () => {
    const list = [
      heartbeat,
      statement({ id: 'a', file: 'src/cron/nightly.c', template: 'backup done' }),
      statement({ id: 'b', file: 'src/web.c', template: 'backup done' }),
      statement({ id: 'c', file: 'src/web.c', template: 'other' }),
    ]
    const got = expectations(list, [
      { path: 'src/cron/**', expect: '1/1d' },
      { template: 'backup done', expect: '2/1d' },
      { statement: 'hb', expect: '1/1d' },
      { statement: 'c', template: 'nope', expect: '1/h' },
    ])
    expect(Object.fromEntries(got)).toEqual({ hb: { count: 1, everyMs: H }, a: { count: 2, everyMs: 24 * H }, b: { count: 2, everyMs: 24 * H } })
  })
})
