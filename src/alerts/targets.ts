import type { Statement } from '../core/types.js'
import type { Router } from '../route/router.js'

/**
 * Who an alert about `s` goes to, as outbox recipients: a person key, or a channel written `#name`. First the
 * statement's digest target as the router decides it (owner, else `route.fallbackChannel`); a `#channel`-only
 * statement (no person named for it) has none and goes to its channels. `channels` adds the statement's
 * `#channel`s to its owner (spikes are told where the statement is watched).
 */
export function alertTargets(router: Router, s: Statement, o: { channels?: boolean } = {}): string[] {
  const out = new Set<string>()
  const t = router.digestTarget(s)
  if (t?.kind === 'person') out.add(t.key)
  else if (t?.kind === 'channel') out.add(`#${t.channel}`)
  if (!t || o.channels) for (const c of s.channels) out.add(`#${c.replace(/^#/, '')}`)
  return [...out]
}

/** True for a recipient written `#channel`. */
export const isChannel = (target: string): boolean => target.startsWith('#')
