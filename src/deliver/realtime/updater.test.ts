import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { tempSqliteStore } from '../../store/testutil/stores.js'
import type { CountBatch, Store } from '../../store/store.js'
import { SlackWebApi } from '../slack/api.js'
import { SlackNotifier } from '../slack/notifier.js'
import { config, statement } from '../testutil/fixtures.js'
import { startSlackStandin, type SlackStandin } from '../testutil/slack-standin.js'
import { realtimePost } from './post.js'
import { RealtimeUpdater } from './updater.js'

let store: Store
let slack: SlackStandin
const now = Date.parse('2026-11-23T10:00:00Z')
const s = statement({ id: 'tun', channels: ['ipsec'], template: 'tunnel %s down' })
beforeEach(async () => {
  store = (await tempSqliteStore()).store
  slack = await startSlackStandin()
  await store.replaceFiles([{ file: s.file, hash: 'h' }], [s], [])
})
afterEach(async () => {
  await slack.close()
  await store.close()
})

/** Commit `n` occurrences of `tun` for #ipsec, as a pipeline flush would. */
const commit = (n: number, at = now): Promise<void> => store.applyCounts({
  occurrences: [], unowned: [], checkpoints: [],
  realtime: { now: at, windowMs: 3_600_000, hostCap: 100, deltas: [{ statementId: 'tun', channel: 'ipsec', host: 'gw-1', count: n, firstSeen: at, lastSeen: at, sample: `tunnel gw-1 down`, level: 'warn' }], post: (w) => realtimePost(w, at) },
} satisfies CountBatch)

/** The message as if posted showing `shown`. */
async function posted(shown: number) {
  const api = new SlackWebApi({ token: 'xoxb-test', url: slack.url })
  const r = await api.postMessage({ channel: '#ipsec', text: `[WARN] ×${shown} tunnel %s down` })
  await store.recordRealtimePost({ statementId: 'tun', channel: 'ipsec', seq: 1, ts: r.ts, channelId: r.channel, shown })
  return r
}

function updater(holder: string, updateEveryMs = 50) {
  const api = new SlackWebApi({ token: 'xoxb-test', url: slack.url })
  const stats = { updates: 0, failures: 0, retries: 0 }
  const u = new RealtimeUpdater({ store, notifier: new SlackNotifier(api), config: config(), clock: () => now, holder, updateEveryMs, statement: async () => s, stats, log: () => {} })
  return Object.assign(u, { stats })
}

const text = () => [...slack.messages.values()][0]!.text

describe('RealtimeUpdater', () => {
  it('brings a posted message up to the count committed to its window, and records what it shows', async () => {
    await commit(3)
    await posted(3)
    await commit(4)
    const u = updater('a')
    u.touch({ statementId: 'tun', channel: 'ipsec', seq: 1 })
    await u.flush()
    expect(text()).toContain('×7')
    expect(await store.realtimeWindow('tun', 'ipsec')).toMatchObject({ total: 7, shown: 7 })
    // Nothing behind: no update.
    u.touch({ statementId: 'tun', channel: 'ipsec', seq: 1 })
    await u.flush()
    expect(u.stats.updates).toBe(1)
  })

  it('coalesces touches of one message into at most one update per updateEveryMs', async () => {
    await commit(1)
    await posted(1)
    const u = updater('a', 300)
    const k = { statementId: 'tun', channel: 'ipsec', seq: 1 }
    await commit(1)
    u.touch(k)
    await u.flush()
    for (let i = 0; i < 5; i++) {
      await commit(1)
      u.touch(k)
    }
    await new Promise((r) => setTimeout(r, 100))
    expect(slack.ok('chat.update')).toHaveLength(1)
    await new Promise((r) => setTimeout(r, 300))
    while (u.busy) await new Promise((r) => setTimeout(r, 20))
    expect(slack.ok('chat.update')).toHaveLength(2)
    expect(text()).toContain('×7')
  })

  it('finds with a sweep a message another (dead) instance left behind', async () => {
    await commit(5)
    await posted(5)
    // Committed by an instance that died before updating.
    await commit(9)
    const survivor = updater('b')
    await survivor.sweep()
    await survivor.flush()
    expect(text()).toContain('×14')
    expect(await store.realtimeWindowsBehind(0, 10)).toEqual([])
  })

  it('leaves a message to the instance updating it, which looks again once it has let go', async () => {
    await commit(2)
    await posted(2)
    await commit(1)
    const a = updater('a')
    const b = updater('b')
    const k = { statementId: 'tun', channel: 'ipsec', seq: 1 }
    // a holds the message's lease while it updates; b's counts land meanwhile and b finds the lease taken.
    await store.tryLease('rtu:tun:ipsec:1', 'a', now, 5000)
    await commit(6)
    b.touch(k)
    await b.flush()
    expect(slack.ok('chat.update')).toHaveLength(0)
    a.touch(k)
    await a.flush()
    expect(text()).toContain('×9')
  })

  it('closes the window of a message deleted in Slack, so the next occurrence posts a new one', async () => {
    await commit(1)
    await posted(1)
    slack.messages.clear()
    await commit(1)
    const u = updater('a')
    u.touch({ statementId: 'tun', channel: 'ipsec', seq: 1 })
    await u.flush()
    expect(u.stats.failures).toBe(1)
    await commit(1, now + 1)
    expect(await store.realtimeWindow('tun', 'ipsec')).toMatchObject({ seq: 2, total: 1, ts: '' })
  })
})
