import type { Owner, Statement } from '../core/types.js'

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
