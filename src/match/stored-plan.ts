import type { Store } from '../store/store.js'
import { decodePlan, encodePlan, type MatcherPlan } from './matcher.js'

/**
 * The catalog's built matcher index in the store (meta key `matcher.index`, snapshot.ts): written by `dice index`
 * when the catalog changes, and by the first replay or run that built its matcher without one, so later starts
 * load it instead of building (see Matcher.build). A cache: a missing or stale one is ignored and rebuilt.
 */
export const PLAN_META_KEY = 'matcher.index'

/** The stored plan, or null (none yet, or unreadable). */
export async function storedPlan(store: Store): Promise<MatcherPlan | null> {
  try {
    return decodePlan(await store.getMeta(PLAN_META_KEY))
  } catch {
    return null
  }
}

/** Store the index of `m` unless it was loaded from the stored one. Failing to write it changes nothing else. */
export async function keepPlan(store: Store, m: { readonly planned: boolean; plan(): MatcherPlan }): Promise<void> {
  if (m.planned) return
  try {
    await store.setMeta(PLAN_META_KEY, encodePlan(m.plan()))
  } catch {
    // Read-only or busy store: the next start builds the index again.
  }
}
