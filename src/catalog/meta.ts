// Meta keys written by the indexer, read by other stages: here, so that reading one does not load the indexer.
/** Store meta key: the commit the catalog was indexed at. */
export const META_COMMIT = 'catalog.commit'

/** Store meta key: the work tree the catalog was indexed from (`dice deploy` re-indexes a revision from it). */
export const META_ROOT = 'catalog.root'

/** Store meta key: epoch ms of the last completed `dice index` (changed catalog or not). */
export const META_INDEXED_AT = 'index.at'

/** Store meta key: epoch ms at which the catalog's commit last changed — when the current deploy began. */
export const META_COMMIT_AT = 'catalog.commitAt'

/** Store meta key: epoch ms of the newest `dice deploy` (POST /api/deploy): `dice run` reloads its catalog when it moves. */
export const META_DEPLOYED_AT = 'deploy.at'

/**
 * Meta keys the indexer and `dice deploy` write once they are done: the catalog's statements may have changed
 * exactly when one of them did. (The two `catalog.*` keys are no longer written; a store an older Dice indexed
 * may still hold them.)
 */
const CATALOG_KEYS = [META_INDEXED_AT, META_COMMIT, 'catalog.statements', 'catalog.fingerprint', META_DEPLOYED_AT]

/** What the catalog's meta keys say now; a different answer means the statements may have changed. */
export async function catalogStamp(store: { getMeta(key: string): Promise<string | null> }): Promise<string> {
  return JSON.stringify(await Promise.all(CATALOG_KEYS.map((k) => store.getMeta(k))))
}
