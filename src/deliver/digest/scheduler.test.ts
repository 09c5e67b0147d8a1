import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { tempSqliteStore } from '../../store/testutil/stores.js'
import type { Store } from '../../store/store.js'
import { config } from '../testutil/fixtures.js'
import { DigestScheduler } from './scheduler.js'

let store: Store
beforeEach(async () => {
  store = (await tempSqliteStore()).store
})
afterEach(async () => store.close())

describe('DigestScheduler', () => {
  it('builds on one instance at a time; another takes over once the holder is gone two check intervals', async () => {
    let now = 1_000_000
    const built: string[] = []
    const cfg = config({ digest: { checkEveryMinutes: 10 } })
    const on = (holder: string) => new DigestScheduler({ store, config: cfg, clock: () => now, holder, build: async () => void built.push(holder) })
    const a = on('a')
    const b = on('b')
    expect(await a.check()).toBe(true)
    expect(await b.check()).toBe(false)
    now += 10 * 60_000
    expect(await a.check()).toBe(true)
    expect(await b.check()).toBe(false)
    // a stops checking: after two intervals its lease is gone.
    now += 20 * 60_000
    expect(await b.check()).toBe(true)
    expect(built).toEqual(['a', 'a', 'b'])
  })
})
