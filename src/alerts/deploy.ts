import type { Store } from '../store/store.js'
import { META_COMMIT } from '../catalog/indexer.js'
import { META_COMMIT_AT, META_INDEXED_AT } from '../catalog/meta.js'

/** The deploy alerts compare with: the commit the catalog moved to, and when it did. */
export interface Deploy {
  commit: string
  at: number
}

/**
 * The current deploy, or null before the first `dice index` of a commit. Its time is when `dice index` first
 * saw the commit (a catalog indexed before that was recorded: its last index time).
 */
export async function currentDeploy(store: Pick<Store, 'getMeta'>): Promise<Deploy | null> {
  const [commit, at, indexed] = await Promise.all([store.getMeta(META_COMMIT), store.getMeta(META_COMMIT_AT), store.getMeta(META_INDEXED_AT)])
  const t = Number(at ?? indexed)
  if (!commit || !Number.isFinite(t) || (at ?? indexed) === null) return null
  return { commit, at: t }
}
