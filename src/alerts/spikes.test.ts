import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { OccurrenceDelta, Statement } from '../core/types.js'
import { statement } from '../deliver/testutil/fixtures.js'
import { startSlackStandin, type SlackStandin } from '../deliver/testutil/slack-standin.js'
import { tempPostgresStore, tempSqliteStore } from '../store/testutil/stores.js'
import { openStore } from '../store/registry.js'
import type { Store } from '../store/store.js'
import { Actions } from '../route/actions.js'
import { alertConfig, alertHarness, dmsTo, occ } from './testutil/harness.js'

const PIG = 'U0PIG12345'
const B = 300_000
/** Tuesday 14:00 UTC. */
const T = Date.parse('2026-03-10T14:00:00Z')
const blame = { email: 'pig@pen.mssn', name: 'Pig', commit: 'c'.repeat(40), time: '2026-03-01T10:00:00Z' }
const tun = statement({ id: 'tun', template: 'tunnel %s: phase %d failed', channels: ['net-ops'], mentions: [], blame })

let slack: SlackStandin
const stores: Store[] = []
let now = T
const clock = () => now

beforeEach(async () => {
  slack = await startSlackStandin({ users: [{ id: PIG, email: 'pig@pen.mssn', tz: 'UTC' }] })
  now = T
})
afterEach(async () => {
  await slack.close()
  for (const s of stores.splice(0)) await s.close()
})

/** `perBucket` occurrences in each of the `hours` before T (the statement's usual). */
function history(id: string, hours: number, perBucket: number): OccurrenceDelta[] {
  return Array.from({ length: hours * 12 }, (_, i) => ({ ...occ(id, 'gw-1', T - (i + 1) * B + 1000, perBucket) }))
}

async function catalog(statements: Statement[]): Promise<Store> {
  const { store } = await tempSqliteStore()
  stores.push(store)
  await store.replaceFiles([{ file: 'src/hello.c', hash: 'h' }], statements, [])
  return store
}

const count = (store: Store, id: string, n: number, at = now - 1000, host = 'gw-1') =>
  store.applyCounts({ unowned: [], checkpoints: [], occurrences: [occ(id, host, at, n)] })
const channelPosts = () => slack.ok('chat.postMessage').filter((c) => slack.channelId(String(c.body.channel)) === slack.channelId('net-ops'))

describe('more than usual', () => {
  it("posts to the owner and the statement's channel when a bucket is factor × its usual, edits both while it grows, and says when it ended", async () => {
    const store = await catalog([tun])
    await store.applyCounts({ unowned: [], checkpoints: [], occurrences: history('tun', 24, 5) })
    const h = alertHarness({ store, config: alertConfig({ alerts: { spikes: { enabled: true } } }), slack, clock })
    now = T + 60_000
    await count(store, 'tun', 40)
    await h.round()
    expect(dmsTo(slack, PIG)).toHaveLength(0)
    await count(store, 'tun', 80)
    await h.round()
    expect(dmsTo(slack, PIG)).toHaveLength(1)
    expect(dmsTo(slack, PIG)[0]!.body.text).toBe('`tunnel %s: phase %d failed` — ×24 over usual: 120 in 5 min at Tuesday 14:00 (usually ~5.0)\nsrc/hello.c:10')
    expect(channelPosts()).toHaveLength(1)
    // It grows: both messages are edited in place, not posted again.
    now += 30_000
    await count(store, 'tun', 120)
    await h.round()
    expect(slack.ok('chat.update').map((c) => c.body.text.split('\n')[0])).toEqual([
      '`tunnel %s: phase %d failed` — ×48 over usual: 240 in 5 min at Tuesday 14:00 (usually ~5.0)',
      '`tunnel %s: phase %d failed` — ×48 over usual: 240 in 5 min at Tuesday 14:00 (usually ~5.0)',
    ])
    // The next bucket is back to usual; once it closes the spike is over and the messages say so.
    now = T + B + 30_000
    await count(store, 'tun', 4)
    await h.round()
    expect(slack.ok('chat.update')).toHaveLength(2)
    now = T + 2 * B + 30_000
    await count(store, 'tun', 5)
    await h.round()
    expect(slack.ok('chat.update')).toHaveLength(4)
    expect(slack.ok('chat.update')[3]!.body.text.split('\n')[0]).toBe('`tunnel %s: phase %d failed` — was ×48 over usual (peak 240 in 5 min at Tuesday 14:00, usually ~5.0); back to usual since 14:05')
    expect(slack.ok('chat.postMessage')).toHaveLength(2)
  })

  it('tells nothing under the floor, under the factor, or while the statement is younger than warmupHours', async () => {
    const rare = statement({ id: 'rare', line: 20, template: 'rare %s', blame })
    const busy = statement({ id: 'busy', line: 30, template: 'busy %s', blame })
    const young = statement({ id: 'young', line: 40, template: 'young %s', blame })
    const store = await catalog([rare, busy, young])
    await store.applyCounts({ unowned: [], checkpoints: [], occurrences: [occ('rare', 'gw-1', T - 20 * 3_600_000, 1), ...history('busy', 24, 5), ...history('young', 2, 1)] })
    const h = alertHarness({ store, config: alertConfig({ alerts: { spikes: { enabled: true } } }), slack, clock })
    now = T + 60_000
    await store.applyCounts({ unowned: [], checkpoints: [], occurrences: [occ('rare', 'gw-1', now - 1000, 19), occ('busy', 'gw-1', now - 1000, 45), occ('young', 'gw-1', now - 1000, 60)] })
    await h.round()
    expect(slack.ok('chat.postMessage')).toHaveLength(0)
    // One more of the rare one reaches the floor: a statement seen once in a day, 20 times in 5 min, is a spike.
    await count(store, 'rare', 1)
    await h.round()
    expect(dmsTo(slack, PIG).map((c) => c.body.text.split(' — ')[0])).toEqual(['`rare %s`'])
  })

  it('lifts a snooze "until it gets worse" when it spikes, and tells the person; a mute keeps them out', async () => {
    const other = statement({ id: 'other', line: 50, template: 'other %s', blame })
    const store = await catalog([tun, other])
    await store.applyCounts({ unowned: [], checkpoints: [], occurrences: [...history('tun', 24, 5), ...history('other', 24, 5)] })
    const h = alertHarness({ store, config: alertConfig({ alerts: { spikes: { enabled: true } } }), slack, clock })
    const actions = new Actions({ store, config: alertConfig(), clock, router: { refresh: async () => { await h.silences.refresh() } } })
    await actions.snooze({ statementId: 'tun', actor: { id: PIG }, untilWorse: true })
    await actions.mute({ statementId: 'other', actor: { id: PIG }, scope: 'user', scopeId: PIG })
    expect((await store.activeSnoozes(now)).map((z) => [z.statementId, z.wakeOn])).toEqual([['tun', 'worse']])
    now = T + 60_000
    await count(store, 'tun', 30)
    await count(store, 'other', 100)
    await h.round()
    // Not worse yet: still snoozed, nobody told.
    expect(await store.activeSnoozes(now)).toHaveLength(1)
    await count(store, 'tun', 30)
    await h.round()
    expect(await store.activeSnoozes(now)).toHaveLength(0)
    expect(dmsTo(slack, PIG).map((c) => c.body.text.split(' — ')[0])).toEqual(['`tunnel %s: phase %d failed`'])
  })

  it('posts once per recipient when two instances on one PostgreSQL schema watch, and the other one edits the same message after taking over', async () => {
    const { store, url } = await tempPostgresStore()
    const store2 = await openStore({ databaseUrl: url })
    stores.push(store, store2)
    await store.replaceFiles([{ file: 'src/hello.c', hash: 'h' }], [tun], [])
    await store.applyCounts({ unowned: [], checkpoints: [], occurrences: history('tun', 24, 5) })
    const cfg = alertConfig({ alerts: { spikes: { enabled: true } } })
    const a = alertHarness({ store, config: cfg, slack, clock, instanceId: 'i1' })
    const b = alertHarness({ store: store2, config: cfg, slack, clock, instanceId: 'i2' })
    now = T + 60_000
    await count(store, 'tun', 120)
    await Promise.all([a.round(), b.round()])
    await Promise.all([b.round(), a.round()])
    expect(dmsTo(slack, PIG)).toHaveLength(1)
    expect(channelPosts()).toHaveLength(1)
    // i1 stops; once its lease lapses i2 detects, continues the episode and edits the messages i1 posted.
    now += 60_000
    await count(store2, 'tun', 200, now - 1000, 'gw-2')
    await b.round()
    expect(slack.ok('chat.postMessage')).toHaveLength(2)
    const edits = slack.ok('chat.update')
    expect(edits).toHaveLength(2)
    expect(edits[0]!.body.text).toContain('×64 over usual: 320 in 5 min')
    const posted = new Set([...slack.messages.values()].map((m) => m.ts))
    for (const e of edits) expect(posted.has(e.body.ts)).toBe(true)
  })
})
