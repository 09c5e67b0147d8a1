import { afterEach, describe, expect, it } from 'vitest'
import type { Store } from '../store/store.js'
import { tempSqliteStore } from '../store/testutil/stores.js'
import { currentDeploy } from './deploy.js'
import { firstSeenMessage } from './first-seen.js'
import { statement } from '../deliver/testutil/fixtures.js'
import { alertConfig } from './testutil/harness.js'

describe('the deploy first-seen alerts count from', () => {
  let store: Store
  afterEach(async () => store?.close())

  it('is the newest revision dice deploy put live, from its first deploy (more hosts of the same rollout are the same deploy); else the indexed commit', async () => {
    store = (await tempSqliteStore()).store
    await store.setMeta('catalog.commit', 'c'.repeat(40))
    await store.setMeta('catalog.commitAt', '50')
    expect(await currentDeploy(store)).toEqual({ commit: 'c'.repeat(40), at: 50 })
    await store.addDeploy({ rev: 'v1', commit: '1'.repeat(40), hostPattern: '*', at: 100, by: 'cd' })
    await store.addDeploy({ rev: 'v2', commit: '2'.repeat(40), hostPattern: 'canary-*', at: 200, by: 'cd' })
    await store.addDeploy({ rev: 'v2', commit: '2'.repeat(40), hostPattern: '*', at: 300, by: 'cd' })
    expect(await currentDeploy(store)).toEqual({ commit: '2'.repeat(40), at: 200, rev: 'v2' })
  })

  it('names the revision in the first-seen DM, escaped for Slack', () => {
    const m = firstSeenMessage({
      addr: { to: 'U0PIG12345', tz: 'UTC', person: 'pig@pen.mssn', silence: { person: 'pig@pen.mssn', slackId: 'U0PIG12345' } as never },
      config: alertConfig(), commit: 'abc1234def'.padEnd(40, '0'), rev: 'v1.5<0>', deployAt: Date.parse('2026-03-10T14:02:00Z'), now: Date.parse('2026-03-10T14:05:00Z'),
      items: [{ s: statement({ id: 's1', template: 'cache entry %s evicted twice' }), hosts: 3, you: true }], more: 0, channel: false,
    })
    expect(m.text.split('\n')[0]).toBe('first seen since v1.5&lt;0&gt; (abc1234, deployed 14:02): `cache entry %s evicted twice` — added by you in aaaaaaa, 3 hosts so far')
  })
})
