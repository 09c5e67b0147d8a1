import type { Config } from '../config/schema.js'
import type { Person } from '../core/types.js'

/** Look-up of configured people by key, email or alias (case-insensitive). */
export interface PeopleIndex {
  /** The configured person `emailOrName` refers to, or null when nobody in `people` matches. */
  lookup(emailOrName: string | null | undefined): Person | null
  /** Every configured person. */
  all(): Person[]
}

/** Build the index once per configuration: every key, email and alias maps to its person. */
export function peopleIndex(config: Pick<Config, 'people'>): PeopleIndex {
  const byName = new Map<string, Person>()
  const everyone: Person[] = []
  for (const [key, p] of Object.entries(config.people)) {
    const person: Person = {
      key,
      slackId: p.slack ?? null,
      name: p.name ?? null,
      email: p.email ?? (key.includes('@') ? key : null),
      tz: p.tz ?? null,
    }
    everyone.push(person)
    // The key wins over another person's alias; the first person to claim an alias keeps it.
    for (const name of [key, p.email, p.slack, ...p.aliases]) {
      if (!name) continue
      const k = normalise(name)
      if (!byName.has(k) || k === normalise(key)) byName.set(k, person)
    }
  }
  return {
    lookup: (x) => (x ? byName.get(normalise(x)) ?? null : null),
    all: () => everyone.slice(),
  }
}

// `@name` and `<email>` are written both ways in annotations and blame; compare without them.
function normalise(x: string): string {
  return x.trim().replace(/^@/, '').replace(/^<(.*)>$/, '$1').toLowerCase()
}

const cache = new WeakMap<object, PeopleIndex>()

/**
 * The configured person whose key, email, Slack id or aliases match `emailOrName` (a blame email, an
 * `@mention`, a `--to` argument), or null. The index is built once per config object and reused.
 */
export function personFor(emailOrName: string | null | undefined, config: Pick<Config, 'people'>): Person | null {
  let idx = cache.get(config.people)
  if (!idx) cache.set(config.people, (idx = peopleIndex(config)))
  return idx.lookup(emailOrName)
}
