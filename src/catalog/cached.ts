import type { Statement } from '../core/types.js'
import type { Store } from '../store/store.js'
import { catalogStamp } from './meta.js'
import { readStatements } from './kept-statements.js'

type CatalogReads = Pick<Store, 'listStatements' | 'statementsByIds' | 'getStatement'>

/**
 * `store` with its catalog reads answered from memory while the catalog's stamp is unchanged: `dice run` holds
 * the catalog for matching anyway, and its page, JSON API, Slack App Home and digests read it again per
 * request — at 100k statements ~0.3 s and ~90 MB of driver rows each time (bench/RESULTS.md, session 15). Each
 * read still asks the store for the stamp (five meta keys), so a `dice index` run elsewhere is seen at once,
 * not at the next poll. Every other method is the store's own.
 */
export function withCatalogCache(store: Store): Store {
  let kept: { stamp: string; list: Statement[]; byId: Map<string, Statement> | null } | null = null

  /** The kept catalog if it is still current (null: read the store). */
  const current = async (): Promise<NonNullable<typeof kept> | null> => {
    if (kept === null) return null
    return (await catalogStamp(store)) === kept.stamp ? kept : null
  }

  /** The kept catalog by id, made on the first lookup by id. */
  const byIdOf = (k: NonNullable<typeof kept>): Map<string, Statement> => (k.byId ??= new Map(k.list.map((s) => [s.id, s])))

  const reads: CatalogReads = {
    async listStatements() {
      const k = await current()
      // A copy: callers may add to or sort what they get (the page adds statements only old revisions have).
      if (k !== null) return k.list.slice()
      const stamp = await catalogStamp(store)
      const list = await readStatements(store)
      // Kept only if no index or deploy finished while it was read (else the list may mix two catalogs).
      if ((await catalogStamp(store)) === stamp) kept = { stamp, list, byId: null }
      return list.slice()
    },
    async statementsByIds(ids) {
      const k = await current()
      if (k === null) return store.statementsByIds(ids)
      const byId = byIdOf(k)
      const out: Statement[] = []
      for (const id of new Set(ids)) {
        const s = byId.get(id)
        if (s !== undefined) out.push(s)
      }
      return out
    },
    async getStatement(id) {
      const k = await current()
      const s = k === null ? undefined : byIdOf(k).get(id)
      // Not in the work tree's catalog: a statement only a deployed revision has is the store's to find.
      return s ?? store.getStatement(id)
    },
  }
  const bound = new Map<PropertyKey, unknown>()
  return new Proxy(store, {
    get(target, p) {
      if (p === 'listStatements' || p === 'statementsByIds' || p === 'getStatement') return reads[p]
      const v = Reflect.get(target, p, target) as unknown
      if (typeof v !== 'function') return v
      let f = bound.get(p)
      if (f === undefined) bound.set(p, (f = (v as (...a: unknown[]) => unknown).bind(target)))
      return f
    },
  })
}
