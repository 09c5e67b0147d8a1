import type { Store } from '../store/store.js'
import type { MatcherPlan } from './matcher.js'

/**
 * The catalog's built matcher index in the store (blob `matcher.index`, tagged with the index's catalog id:
 * snapshot.ts): written by `dice index` when the catalog changes, and by the first match, replay or run that built
 * its matcher without one, so later starts load it instead of building (see Matcher.build). A cache: a missing or
 * stale one is ignored and rebuilt.
 */
export const PLAN_KEY = 'matcher.index'

/** The stored plan, or null (none yet, or unreadable). */
export async function storedPlan(store: Store): Promise<MatcherPlan | null> {
  try {
    const b = await store.getBlob(PLAN_KEY)
    if (b === null || b.bytes.byteLength < 8) return null
    // Typed-array views need 4-byte alignment: a driver may hand back bytes at any offset of a larger buffer.
    return { id: b.tag, bytes: b.bytes.byteOffset % 4 === 0 ? b.bytes : new Uint8Array(b.bytes) }
  } catch {
    return null
  }
}

/** Store the index of `m` unless it was loaded from the stored one. Failing to write it changes nothing else. */
export async function keepPlan(store: Store, m: { readonly planned: boolean; plan(): MatcherPlan }): Promise<void> {
  if (m.planned) return
  try {
    const plan = m.plan()
    await store.setBlob(PLAN_KEY, plan.id, plan.bytes)
  } catch {
    // Read-only or busy store: the next start builds the index again.
  }
}
