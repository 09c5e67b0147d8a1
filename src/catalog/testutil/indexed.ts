import { afterEach, beforeEach, expect } from 'vitest'
import { defaultConfig } from '../../config/load.js'
import type { Config } from '../../config/schema.js'
import type { Statement } from '../../core/types.js'
import type { Store } from '../../store/store.js'
import { tempSqliteStore } from '../../store/testutil/stores.js'
import { indexRepository } from '../indexer.js'
import { ALICE, TempRepo } from './repo.js'

/**
 * A fresh repository and store per test (registered with beforeEach/afterEach), and `catalog()`: commit what
 * the test wrote, run `dice index`'s indexer with `catalog` settings, and return the statements.
 */
export function indexedRepo(): { repo: () => TempRepo; catalog: (catalog?: Partial<Config['catalog']>) => Promise<Statement[]> } {
  let store: Store
  let repo: TempRepo
  beforeEach(async () => {
    store = (await tempSqliteStore()).store
    repo = TempRepo.create()
  })
  afterEach(async () => store.close())
  return {
    repo: () => repo,
    async catalog(catalog = {}) {
      repo.commit(ALICE)
      const c = defaultConfig()
      const s = await indexRepository({ dir: repo.dir, store, config: { ...c, catalog: { ...c.catalog, ...catalog } } })
      expect(s.errors.filter((e) => !e.reason.startsWith('syntax errors'))).toEqual([])
      return store.listStatements()
    },
  }
}

/** The statement logged on `line` of `file`; fails listing the catalog when there is none. */
export function at(list: Statement[], file: string, line: number): Statement {
  const s = list.find((x) => x.file === file && x.line === line)
  if (!s) throw new Error(`no statement at ${file}:${line} in\n${list.map((x) => `${x.file}:${x.line} ${x.template}`).join('\n')}`)
  return s
}
