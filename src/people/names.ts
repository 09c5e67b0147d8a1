import { personFor } from '../catalog/people.js'
import type { Config } from '../config/schema.js'
import { isSlackUserId } from '../core/slack-ids.js'
import type { Store } from '../store/store.js'

/**
 * Names to show for the raw Slack user ids among `ids` (hand-over targets and actors): the configured person
 * with that Slack id (their `name`, else their key), else the name Slack gave as the store keeps it (the
 * users.list directory, the users.info cache), else `lookup` (a live look-up) when given. Ids with no known
 * name, and everything that is not a raw Slack id, are left out: they show as they are.
 */
export async function slackUserNames(
  ids: Iterable<string | null | undefined>,
  o: { config?: Pick<Config, 'people'> | null; store: Pick<Store, 'getUser' | 'slackUsers'>; lookup?: ((id: string) => Promise<string | null>) | null },
): Promise<Map<string, string>> {
  const names = new Map<string, string>()
  const wanted = [...new Set(ids)].filter((id): id is string => !!id && isSlackUserId(id))
  if (!wanted.length) return names
  const directory = new Map((await o.store.slackUsers().catch(() => ({ users: [] }))).users.map((u) => [u.id, u.realName ?? u.displayName ?? u.handle]))
  for (const id of wanted) {
    const p = o.config ? personFor(id, o.config) : null
    const name = p ? (p.name ?? p.key)
      : directory.get(id) ?? (await o.store.getUser(id).catch(() => null))?.name ?? (o.lookup ? await o.lookup(id).catch(() => null) : null)
    if (name && name !== id) names.set(id, name)
  }
  return names
}
