import type { Config } from '../config/schema.js'
import type { Statement } from '../core/types.js'
import type { Router } from '../route/router.js'

/**
 * Who an alert about `s` goes to, as outbox recipients: a person key, or a channel written `#name`. Without
 * `channels`: the statement's digest target as the router decides it (owner, else `route.fallbackChannel`); a
 * `#channel`-only statement (no person named for it) has none and goes to its channels. With `channels` (a
 * spike: the owner and where the statement is watched): its owner — `git blame` counts here — else the
 * fallback channel, and its `#channel`s.
 */
export function alertTargets(router: Router, config: Pick<Config, 'route'>, s: Statement, o: { channels?: boolean } = {}): string[] {
  const out = new Set<string>()
  const channel = (c: string) => out.add(`#${c.replace(/^#/, '')}`)
  if (o.channels) {
    const owner = router.ownerOf(s).who
    if (owner) out.add(owner)
    else if (config.route.fallbackChannel) channel(config.route.fallbackChannel)
    for (const c of s.channels) channel(c)
    return [...out]
  }
  const t = router.digestTarget(s)
  if (t?.kind === 'person') out.add(t.key)
  else if (t?.kind === 'channel') channel(t.channel)
  else for (const c of s.channels) channel(c)
  return [...out]
}

/** True for a recipient written `#channel`. */
export const isChannel = (target: string): boolean => target.startsWith('#')
