import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { defaultConfig } from '../config/load.js'
import type { Store } from '../store/store.js'
import { STORE_KINDS } from '../store/testutil/stores.js'
import { withCatalogCache } from './cached.js'
import { indexRepository } from './indexer.js'
import { META_INDEXED_AT } from './meta.js'
import { ALICE, BOB, TempRepo } from './testutil/repo.js'
import { counting } from './testutil/counting.js'

const sorted = (l: ReadonlyArray<{ id: string }>) => l.map((s) => s.id).sort()

describe.each(STORE_KINDS)('withCatalogCache ($name)', ({ open }) => {
  let store: Store
  let repo: TempRepo
  beforeEach(async () => {
    store = await open()
    repo = TempRepo.create()
    repo.write('src/a.js', 'function f(p) {\n  console.error("disk %s full", p)\n  console.warn("queue %d behind", p)\n}\n').commit(ALICE)
    await indexRepository({ dir: repo.dir, store, config: defaultConfig() })
  })
  afterEach(async () => store.close())

  it('answers catalog reads from memory, the same as the store, while nothing is re-indexed', async () => {
    const { store: inner, reads } = counting(store)
    const cached = withCatalogCache(inner)
    const direct = await store.listStatements()
    expect(direct).toHaveLength(2)
    expect(await cached.listStatements()).toEqual(direct)
    expect(await cached.listStatements()).toEqual(direct)
    const [a, b] = direct
    expect(sorted(await cached.statementsByIds([b!.id, 'nope', a!.id, b!.id]))).toEqual(sorted(await store.statementsByIds([b!.id, 'nope', a!.id, b!.id])))
    expect(await cached.getStatement(a!.id)).toEqual(await store.getStatement(a!.id))
    expect(await cached.getStatement('nope')).toBeNull()
    // One read of the list; the unknown id went to the store (it may be an old revision's).
    expect(reads).toEqual({ listStatements: 1, statementsByIds: 0, getStatement: 1 })
    // Every other method is the store's own.
    expect(cached.kind).toBe(store.kind)
    expect(await cached.countStatements()).toBe(2)
  })

  it('reads the new catalog as soon as an index finished, without waiting for a poll', async () => {
    const { store: inner, reads } = counting(store)
    const cached = withCatalogCache(inner)
    expect(await cached.listStatements()).toHaveLength(2)
    repo.write('src/b.js', 'function g(p) {\n  console.error("cache %s evicted", p)\n}\n').commit(BOB)
    await indexRepository({ dir: repo.dir, store, config: defaultConfig() })
    const after = await cached.listStatements()
    expect(after.map((s) => s.template).sort()).toEqual(['cache %s evicted', 'disk %s full', 'queue %d behind'])
    const added = after.find((s) => s.template === 'cache %s evicted')!
    expect((await cached.getStatement(added.id))?.file).toBe('src/b.js')
    expect(sorted(await cached.statementsByIds([added.id]))).toEqual([added.id])
    expect(reads.listStatements).toBe(2)
  })

  it("keeps no list read while an index finished (it may mix two catalogs)", async () => {
    let n = 0
    // An index finishing during the first read (a value no index wrote: Date.now() may be the beforeEach index's own).
    const { store: inner, reads } = counting(store, { duringList: async () => void (n++ === 0 && (await store.setMeta(META_INDEXED_AT, 'finished-during-the-read'))) })
    const cached = withCatalogCache(inner)
    await cached.listStatements()
    await cached.listStatements()
    await cached.listStatements()
    // The first read was not kept; the second was, under the new stamp.
    expect(reads.listStatements).toBe(2)
  })

  it("a caller's changes to its list do not reach the next caller", async () => {
    const cached = withCatalogCache(store)
    const first = await cached.listStatements()
    const ids = first.map((s) => s.id)
    first.reverse()
    first.push({ ...first[0]!, id: 'added-by-a-caller' })
    expect((await cached.listStatements()).map((s) => s.id)).toEqual(ids)
  })

  it('finds a statement only a deployed revision has through the store', async () => {
    const cached = withCatalogCache(store)
    const [s] = await cached.listStatements()
    const old = { ...s!, id: 'only-in-v1', template: 'retired %s message' }
    await store.putRevision({ rev: 'v1', commit: 'c0ffee', at: 1 }, [old])
    expect((await cached.getStatement('only-in-v1'))?.template).toBe('retired %s message')
    // statementsByIds reads the work tree's catalog only, as the store does.
    expect(await cached.statementsByIds(['only-in-v1'])).toEqual(await store.statementsByIds(['only-in-v1']))
  })
})
