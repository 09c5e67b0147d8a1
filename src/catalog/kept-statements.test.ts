import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { serialize } from 'node:v8'
import { defaultConfig } from '../config/load.js'
import { KEPT_STATEMENTS_BLOB, type Store } from '../store/store.js'
import { STORE_KINDS } from '../store/testutil/stores.js'
import { indexRepository } from './indexer.js'
import { readStatements } from './kept-statements.js'
import { liveCatalog } from './live.js'
import { ALICE, BOB, TempRepo } from './testutil/repo.js'
import { counting } from './testutil/counting.js'

describe.each(STORE_KINDS)('the kept statements ($name)', ({ open }) => {
  let store: Store
  let repo: TempRepo
  beforeEach(async () => {
    store = await open()
    repo = TempRepo.create()
    repo.write('src/a.js', 'function f(p) {\n  console.error("disk %s full", p) // #storage\n  console.warn("queue %d behind", p)\n}\n').commit(ALICE)
    repo.write('src/b.py', 'import logging\nlog = logging.getLogger()\ndef g(x):\n    log.error("cache %s evicted", x)  # @bob\n').commit(BOB)
    await indexRepository({ dir: repo.dir, store, config: defaultConfig() })
  })
  afterEach(async () => store.close())

  it('a later start reads the statements from the kept blob instead of the rows, and gets the same list', async () => {
    const rows = await store.listStatements()
    expect(rows).toHaveLength(3)
    const { store: s, reads } = counting(store)
    const lists = () => reads.listStatements!
    expect(await readStatements(s)).toEqual(rows)
    expect(lists()).toBe(1)
    const kept = await readStatements(s)
    expect(lists()).toBe(1)
    expect(kept).toEqual(rows)
    // Shaped as the store's reader shapes them: one frozen empty list for no channels or mentions.
    const queue = kept.find((x) => x.template === 'queue %d behind')!
    expect(Object.isFrozen(queue.channels) && Object.isFrozen(queue.mentions)).toBe(true)
    expect(kept.find((x) => x.template === 'disk %s full')!.channels).toEqual(['storage'])
    expect((await liveCatalog(s)).statements).toEqual(rows)
    expect(lists()).toBe(1)
  })

  it('reads the rows again once an index changed a statement, even one that keeps the count', async () => {
    const { store: s, reads } = counting(store)
    const lists = () => reads.listStatements!
    await readStatements(s)
    repo.write('src/a.js', 'function f(p) {\n  console.error("disk %s is full", p) // #storage\n  console.warn("queue %d behind", p)\n}\n').commit(ALICE)
    await indexRepository({ dir: repo.dir, store, config: defaultConfig() })
    const after = await readStatements(s)
    expect(lists()).toBe(2)
    expect(after.map((x) => x.template).sort()).toEqual(['cache %s evicted', 'disk %s is full', 'queue %d behind'])
    expect(after).toEqual(await store.listStatements())
  })

  it('does not take the blob after the statements changed without the catalog stamp moving (a bare replaceFiles)', async () => {
    const { store: s } = counting(store)
    const before = await readStatements(s)
    const changed = before.map((x) => (x.template === 'queue %d behind' ? { ...x, template: 'queue %d far behind' } : x))
    // Same files, same count, no meta key written: only replaceFiles' own drop of the blob tells.
    await store.replaceFiles([...new Set(changed.map((x) => x.file))].map((file) => ({ file, hash: 'h2' })), changed, [])
    expect((await readStatements(s)).map((x) => x.template)).toContain('queue %d far behind')
  })

  it('a blob it cannot read, or one tagged for another catalog, costs a read of the rows and nothing else', async () => {
    const rows = await store.listStatements()
    const { store: s, reads } = counting(store)
    const lists = () => reads.listStatements!
    await readStatements(s)
    const { tag } = (await store.getBlob(KEPT_STATEMENTS_BLOB))!
    for (const bytes of [new Uint8Array([0xff, 0x0f, 1, 2, 3, 4, 5, 6]), serialize({ not: 'a list' }), serialize(rows.slice(1))]) {
      await store.setBlob(KEPT_STATEMENTS_BLOB, tag, bytes)
      expect(await readStatements(s)).toEqual(rows)
    }
    await store.setBlob(KEPT_STATEMENTS_BLOB, `another ${tag}`, serialize(rows.slice(1)))
    expect(await readStatements(s)).toEqual(rows)
    expect(lists()).toBe(5)
    // The last read kept a good blob again.
    expect(await readStatements(s)).toEqual(rows)
    expect(lists()).toBe(5)
  })
})
