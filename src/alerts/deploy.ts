import type { Store } from '../store/store.js'
import { META_COMMIT, META_COMMIT_AT, META_INDEXED_AT } from '../catalog/meta.js'

/** The deploy alerts compare with: the revision that went live (its commit, and its name when `dice deploy` gave one), and when. */
export interface Deploy {
  commit: string
  at: number
  rev?: string | null
}

/**
 * The current deploy, or null before the first `dice index` of a commit. Recorded deploys (`dice deploy`, POST
 * /api/deploy) decide when there are any; else it is the commit `dice index` moved the catalog to, from when
 * it first saw it (a catalog indexed before that was recorded: its last index time).
 */
export async function currentDeploy(store: Pick<Store, 'getMeta' | 'listDeploys'>): Promise<Deploy | null> {
  // With `dice deploy` records, a deploy is a new revision going live: the newest deployed commit, from its first
  // record on (deploying the same commit to more hosts later in a rollout is the same deploy).
  const deploys = await store.listDeploys()
  if (deploys.length) {
    const last = deploys[deploys.length - 1]!
    let at = last.at
    for (let i = deploys.length - 1; i >= 0 && deploys[i]!.commit === last.commit; i--) at = deploys[i]!.at
    return { commit: last.commit, at, rev: last.rev }
  }
  const [commit, at, indexed] = await Promise.all([store.getMeta(META_COMMIT), store.getMeta(META_COMMIT_AT), store.getMeta(META_INDEXED_AT)])
  const t = Number(at ?? indexed)
  if (!commit || !Number.isFinite(t) || (at ?? indexed) === null) return null
  return { commit, at: t }
}
