import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { tempSqliteStore } from '../../store/testutil/stores.js'
import type { Store } from '../../store/store.js'
import { OutboxWorker } from '../outbox/worker.js'
import { SlackWebApi } from '../slack/api.js'
import { SlackNotifier } from '../slack/notifier.js'
import { config, statement } from '../testutil/fixtures.js'
import { startSlackStandin, type SlackStandin } from '../testutil/slack-standin.js'
import { REALTIME_KIND, realtimeKind, realtimePost } from './post.js'

let store: Store
let slack: SlackStandin
const now = Date.parse('2026-11-23T10:00:00Z')
const s = statement({ id: 'tun', channels: ['ipsec'], template: 'tunnel %s down' })
beforeEach(async () => {
  store = (await tempSqliteStore()).store
  slack = await startSlackStandin()
})
afterEach(async () => {
  await slack.close()
  await store.close()
})

const commit = (host: string, n: number) => store.applyCounts({
  occurrences: [], unowned: [], checkpoints: [],
  realtime: { now, windowMs: 3_600_000, hostCap: 100, deltas: [{ statementId: 'tun', channel: 'ipsec', host, count: n, firstSeen: now, lastSeen: now, sample: `tunnel ${host} <!channel> down`, level: 'warn' }], post: (w) => realtimePost(w, now) },
})

function worker(posted: unknown[] = []) {
  const api = new SlackWebApi({ token: 'xoxb-test', url: slack.url })
  const kind = realtimeKind({ store, notifier: new SlackNotifier(api), config: config(), pacer: null, statement: async () => s, stats: { posts: 0 }, posted: (w) => void posted.push(w) })
  return new OutboxWorker({ store, clock: () => now, holder: 'me', kinds: { [REALTIME_KIND]: kind }, leaseMs: 60_000, stats: { failures: 0, retries: 0 }, log: () => {} })
}

describe('real-time message kind', () => {
  it("posts a window's message with every instance's stored counts, escaped, and records its ts before marking the item sent", async () => {
    await commit('gw-1', 2)
    await commit('gw-2', 3)
    const posted: unknown[] = []
    await worker(posted).pump()
    const [call] = slack.ok('chat.postMessage')
    expect(call!.body.channel).toBe('#ipsec')
    expect(call!.body.text).toContain('×5')
    expect(call!.body.text).toContain('gw-1, gw-2')
    expect(JSON.stringify(call!.body)).not.toContain('<!channel>')
    const w = await store.realtimeWindow('tun', 'ipsec')
    expect(w).toMatchObject({ shown: 5, channelId: slack.channelId('ipsec') })
    expect(w!.ts).toMatch(/^\d+\.\d+$/)
    expect(posted).toEqual([w])
    expect((await store.listOutbox())[0]).toMatchObject({ status: 'sent', result: { ts: w!.ts } })
  })

  it('skips an item whose window was posted already (re-claimed after a crash between posting and marking it sent)', async () => {
    await commit('gw-1', 1)
    await store.recordRealtimePost({ statementId: 'tun', channel: 'ipsec', seq: 1, ts: '1.1', channelId: 'C1', shown: 1 })
    await worker().pump()
    expect(slack.ok('chat.postMessage')).toEqual([])
    expect((await store.listOutbox())[0]).toMatchObject({ status: 'sent', result: { skipped: true } })
  })
})
