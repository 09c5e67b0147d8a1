import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { runDice } from '../cli/testutil.js'
import { tempDir } from '../testutil/tmp.js'
import { configSchema } from '../config/schema.js'
import type { Statement } from '../core/types.js'
import { STORE_KINDS } from '../store/testutil/stores.js'
import type { Store } from '../store/store.js'
import { indexRepository } from './indexer.js'
import { indexRevision } from './revision.js'
import { ALICE } from './testutil/repo.js'
import { twoTags } from './testutil/two-tags.js'

const byTemplate = (list: Statement[]): Record<string, Statement> => Object.fromEntries(list.map((s) => [s.template, s]))

describe.each(STORE_KINDS)('dice index --rev ($name)', ({ open }) => {
  let store: Store
  afterEach(async () => store?.close())

  it('keeps the catalog of each revision with the ids of unchanged statements shared, a changed message and a removed statement in the old one only', async () => {
    store = await open()
    const repo = twoTags()
    const config = configSchema.parse({})
    await indexRepository({ dir: repo.dir, store, config })
    const main = byTemplate(await store.listStatements())
    const v1 = await indexRevision({ dir: repo.dir, store, config, rev: 'v1' })
    const v2 = await indexRevision({ dir: repo.dir, store, config, rev: 'v2' })
    // v2 is the work tree: nothing is read again. v1 differs in one file: that one is read from git.
    expect(v2).toMatchObject({ rev: 'v2', commit: repo.git('rev-parse', 'v2').trim(), unchanged: false, files: 3, reused: 3, parsed: 0, statements: 4 })
    expect(v1).toMatchObject({ rev: 'v1', commit: repo.git('rev-parse', 'v1').trim(), files: 3, reused: 1, parsed: 2, statements: 5 })
    const { statements, members } = await store.revisionCatalog(['v1', 'v2'])
    const old = byTemplate(statements.filter((s) => members.get('v1')!.includes(s.id)))
    // Unchanged: one id in every revision and in the work tree's catalog, stored once.
    expect(old['queue %s is full']!.id).toBe(main['queue %s is full']!.id)
    expect(old['link %s down']!.id).toBe(main['link %s down']!.id)
    expect(statements.filter((s) => s.template === 'queue %s is full')).toHaveLength(1)
    // Changed and removed: v1's own statements, at v1's lines, blamed at v1.
    expect(old['cache entry %s evicted']).toMatchObject({ file: 'src/cache.c', line: 2, level: 'warn', blame: { email: ALICE.email } })
    expect(old['disk %s failing']).toMatchObject({ line: 4, level: 'error', blame: { email: ALICE.email } })
    expect(main['disk %s failing']).toBeUndefined()
    expect(main['cache entry %s evicted twice']!.id).not.toBe(old['cache entry %s evicted']!.id)
    expect([...members.get('v2')!].sort()).toEqual(Object.values(main).map((s) => s.id).sort())
    // A statement removed on main is still found by id (digests, the web page, Slack buttons render it).
    expect(await store.getStatement(old['disk %s failing']!.id)).toMatchObject({ template: 'disk %s failing' })
    // A revision is immutable: catalogued again at the same commit, nothing is read.
    expect(await indexRevision({ dir: repo.dir, store, config, rev: 'v1' })).toMatchObject({ unchanged: true, parsed: 0, statements: 5 })
    expect((await store.listRevisions()).map((r) => [r.rev, r.statements])).toEqual([['v1', 5], ['v2', 4]])
  })

  it('refuses a revision the repository does not have, naming the flag (exit 2)', async () => {
    store = await open()
    const repo = twoTags()
    await expect(indexRevision({ dir: repo.dir, store, config: configSchema.parse({}), rev: 'v9' })).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining('--rev v9: no such revision') })
    expect(await store.listRevisions()).toEqual([])
  })
})

describe('catalog.revisions', () => {
  it('is catalogued by every dice index, and adding it re-reads no file of the work tree', async () => {
    const repo = twoTags()
    const dir = tempDir('revisions-config')
    const db = join(dir, 'dice.db')
    const index = async (config: string) => {
      writeFileSync(join(dir, 'dice.yml'), config)
      const r = await runDice(['--db', db, 'index', repo.dir, '--json', '--quiet'], { cwd: dir })
      expect(r.code, r.stderr).toBe(0)
      return JSON.parse(r.stdout)
    }
    expect(await index('{}\n')).toMatchObject({ parsed: 3 })
    const again = await index('catalog:\n  revisions: [v1]\n')
    expect(again).toMatchObject({ parsed: 0, unchanged: 3 })
    expect(again.revisions).toMatchObject([{ rev: 'v1', parsed: 2, reused: 1, statements: 5 }])
  })
})
