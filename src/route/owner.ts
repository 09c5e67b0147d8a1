import { personFor } from '../catalog/people.js'
import type { Config } from '../config/schema.js'
import type { Owner, Statement } from '../core/types.js'
import type { Store } from '../store/store.js'
import { isSlackUserId } from '../core/slack-ids.js'

/**
 * Who owns a statement, in the documented order: a `@person` annotation, else a stored override
 * ("it wasn't me"), else the last author from `git blame`, else nobody.
 * Channel-only annotations do not name an owner: the channel gets it in real time, the owner's digest too.
 */
export function resolveOwner(s: Statement, overrides: ReadonlyMap<string, string>): Owner {
  if (s.mentions.length) return { kind: 'annotation', who: s.mentions[0]! }
  const o = overrides.get(s.id)
  if (o) return { kind: 'override', who: o }
  if (s.blame?.email) return { kind: 'blame', who: s.blame.email }
  return { kind: 'none', who: null }
}

/**
 * Names to show for the raw Slack user ids among `ids` (hand-over targets and actors): the configured person
 * with that Slack id (their `name`, else their key), else the name Slack gave as kept in the `users` cache
 * (filled by delivery's people look-ups and by Slack hand-overs), else `lookup` (a live users.info) when given.
 * Ids with no known name, and everything that is not a raw Slack id, are left out: they show as they are.
 */
export async function slackUserNames(
  ids: Iterable<string | null | undefined>,
  o: { config?: Pick<Config, 'people'> | null; store: Pick<Store, 'getUser'>; lookup?: ((id: string) => Promise<string | null>) | null },
): Promise<Map<string, string>> {
  const names = new Map<string, string>()
  for (const id of new Set(ids)) {
    if (!id || !isSlackUserId(id) || names.has(id)) continue
    const p = o.config ? personFor(id, o.config) : null
    const name = p ? (p.name ?? p.key) : ((await o.store.getUser(id).catch(() => null))?.name ?? (o.lookup ? await o.lookup(id).catch(() => null) : null))
    if (name && name !== id) names.set(id, name)
  }
  return names
}
