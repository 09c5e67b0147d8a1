import { afterEach, describe, expect, it } from 'vitest'
import type { Store } from '../store/store.js'
import { tempSqliteStore } from '../store/testutil/stores.js'
import { currentDeploy } from './deploy.js'

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
})
