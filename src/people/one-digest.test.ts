import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { tempSqliteStore } from '../store/testutil/stores.js'
import type { Store } from '../store/store.js'
import { Router } from '../route/router.js'
import { Delivery } from '../deliver/delivery.js'
import { SlackNotifier } from '../deliver/slack/notifier.js'
import { SlackWebApi } from '../deliver/slack/api.js'
import { startSlackStandin, type SlackStandin } from '../deliver/testutil/slack-standin.js'
import { config, statement } from '../deliver/testutil/fixtures.js'
import type { Statement } from '../core/types.js'

const MONDAY_10 = Date.parse('2026-11-23T10:00:00Z')
const HOUR = 3_600_000
const riley = { email: 'riley@pen.mssn', name: 'Riley Jones', commit: 'c'.repeat(40), time: '2026-01-01T00:00:00Z' }

let slack: SlackStandin
let store: Store
beforeEach(async () => {
  slack = await startSlackStandin({ users: [{ id: 'URILEY0001', name: 'riley', real_name: 'Riley Jones', email: 'riley@pen.mssn', tz: 'UTC' }] })
  store = (await tempSqliteStore()).store
})
afterEach(async () => {
  await slack.close()
  await store.close()
})

async function count(s: Statement, at: number): Promise<void> {
  await store.applyCounts({
    occurrences: [{ statementId: s.id, host: 'web-1', bucket: Math.floor(at / 300_000) * 300_000, count: 3, firstSeen: at, lastSeen: at, level: s.level, samples: ['x'] }],
    unowned: [], checkpoints: [],
  })
}

describe('one person, one digest', () => {
  it('gives riley ONE digest for an @riley annotation, a statement riley last touched, and one handed to riley\'s Slack id — with no people entry', async () => {
    const annotated = statement({ id: 'annotated', mentions: ['riley'], blame: null, line: 1 })
    const blamed = statement({ id: 'blamed', blame: riley, line: 2 })
    const handed = statement({ id: 'handed', line: 3 })
    await store.replaceFiles([{ file: 'src/hello.c', hash: 'h' }], [annotated, blamed, handed], [])
    await store.setOverride({ statementId: 'handed', to: 'URILEY0001', by: 'U0PIG00001', reason: null, createdAt: 0 })
    for (const s of [annotated, blamed, handed]) await count(s, MONDAY_10 - HOUR)
    const cfg = config()
    const clock = () => MONDAY_10
    const router = new Router({ store, config: cfg, clock })
    const api = new SlackWebApi({ token: 'xoxb-test', url: slack.url })
    const d = new Delivery({ store, config: cfg, clock, notifier: new SlackNotifier(api), slack: api, router, log: () => {} })
    try {
      await d.tick()
    } finally {
      d.stop()
    }
    const posts = slack.ok('chat.postMessage')
    expect(posts).toHaveLength(1)
    expect(posts[0]!.body.channel).toBe(slack.channelId('dm-URILEY0001'))
    const text = String(posts[0]!.body.text)
    expect(text).toContain('Riley Jones')
    const digests = await store.listOutbox({ kind: 'digest' })
    expect(digests.map((i) => i.dedupKey)).toEqual(['digest:riley@pen.mssn:2026-11-23'])
    // Sent: its marks moved from the item to riley's digest marks.
    expect(await store.outboxMarks(digests[0]!.id)).toEqual([])
    const marked = [...(await store.digestMarks('riley@pen.mssn')).keys()].map((k) => k.replace(/#p\d+$/, ''))
    expect(new Set(marked)).toEqual(new Set(['annotated', 'blamed', 'handed']))
  })
})
