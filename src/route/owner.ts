import type { Config, RouteRule } from '../config/schema.js'
import { atLeast } from '../core/levels.js'
import type { Level, Owner, Statement } from '../core/types.js'
import { globToRegExp } from '../catalog/select.js'
import type { Store } from '../store/store.js'
import { META_CODEOWNERS } from '../catalog/codeowners-file.js'
import { parseCodeOwners, type CodeOwners } from './codeowners.js'

interface CompiledRule {
  test: (file: string) => boolean
  minLevel: Level | null
  channel: string | null
  person: string | null
}

const bare = (channel: string) => channel.replace(/^#/, '')

/**
 * Who owns a statement — the one rule every part of Dice uses (routing, digests, Slack permissions,
 * `dice catalog`, `dice overrides`, the web page, App Home). In this order:
 *  1. a `// @person` annotation (the code's own word),
 *  2. a stored override ("it wasn't me": a person's own word about a statement),
 *  3. the last matching `route.rules` person (configuration),
 *  4. CODEOWNERS (`.github/`, root, `docs/`): the first owner of the last matching line that Dice can use —
 *     `@user` (a handle), an email, or `@org/team` through `route.teams`,
 *  5. `git blame`'s author (bot commits and formatting-only commits skipped at index time), unless a bot,
 *  6. nobody.
 * Rules and CODEOWNERS are configured overrides of blame: their `kind` is `override`, `via` says which.
 */
export class Ownership {
  private rules: CompiledRule[]
  private codeowners: CodeOwners | null
  private teams: Config['route']['teams']

  constructor(config: Pick<Config, 'route'>, codeowners: string | null = null) {
    this.rules = config.route.rules.map(compileRule)
    this.codeowners = codeowners && config.route.codeowners ? parseCodeOwners(codeowners) : null
    this.teams = config.route.teams
  }

  /** The owner of `s` for an occurrence at `level` (rules may have a `minLevel`). */
  ownerOf(s: Statement, overrides: ReadonlyMap<string, string>, level: Level | null = s.level): Owner {
    if (s.mentions.length) return { kind: 'annotation', who: s.mentions[0]!, via: 'annotation' }
    const o = overrides.get(s.id)
    if (o) return { kind: 'override', who: o, via: 'override' }
    let person: string | null = null
    for (const r of this.rules) if (r.person && r.test(s.file) && (!r.minLevel || atLeast(level, r.minLevel))) person = r.person
    if (person) return { kind: 'override', who: person, via: 'rule' }
    const team = this.codeOwner(s.file)
    if (team) return { kind: 'override', who: team, via: 'codeowners' }
    if (s.blame?.email && !s.blame.bot) return { kind: 'blame', who: s.blame.email, via: 'blame' }
    return { kind: 'none', who: null, via: 'none' }
  }

  /** Channels `route.rules` add for an occurrence of `s` at `level`. */
  ruleChannels(s: Statement, level: Level | null): string[] {
    const out: string[] = []
    for (const r of this.rules) if (r.channel && r.test(s.file) && (!r.minLevel || atLeast(level, r.minLevel))) out.push(r.channel)
    return out
  }

  /** The CODEOWNERS owner of `file` Dice can deliver to: a handle, an email, or a mapped team's channel/person. */
  private codeOwner(file: string): string | null {
    for (const o of this.codeowners?.ownersOf(file) ?? []) {
      if (o.kind !== 'team') return o.name
      const t = teamOf(this.teams, o.name)
      if (t?.channel) return `#${bare(t.channel)}`
      if (t?.person) return t.person
      // A team with no mapping is not a person: the next owner on the line, else blame.
    }
    return null
  }
}

/** The `route.teams` entry of `org/team` (written with or without `@`), or null. */
export function teamOf(teams: Config['route']['teams'], name: string): Config['route']['teams'][string] | null {
  const want = name.replace(/^@/, '').toLowerCase()
  for (const [k, v] of Object.entries(teams)) if (k.replace(/^@/, '').toLowerCase() === want) return v
  return null
}

const parsed = { text: null as string | null, owners: null as string | null }

/** The repository's CODEOWNERS text as the last `dice index` stored it, or null. */
export async function storedCodeOwners(store: Pick<Store, 'getMeta'>): Promise<string | null> {
  const raw = await store.getMeta(META_CODEOWNERS)
  if (raw === parsed.text) return parsed.owners
  let text: string | null = null
  try {
    text = raw ? (JSON.parse(raw) as { text?: string }).text ?? null : null
  } catch {
    text = null
  }
  parsed.text = raw
  parsed.owners = text
  return text
}

/**
 * `ownerOf` over what the store holds now (overrides, CODEOWNERS): for commands and pages that read once
 * (`dice catalog`, `dice overrides`, the web page, Slack permission checks). `dice run`'s router keeps its own copy.
 */
export async function loadOwners(store: Pick<Store, 'getMeta' | 'listOverrides'>, config: Pick<Config, 'route'>): Promise<(s: Statement) => Owner> {
  const [overrides, codeowners] = await Promise.all([store.listOverrides(), storedCodeOwners(store)])
  const byId = new Map(overrides.map((o) => [o.statementId, o.to]))
  const ownership = new Ownership(config, codeowners)
  return (s) => ownership.ownerOf(s, byId)
}

function compileRule(r: RouteRule): CompiledRule {
  const re = r.path ? globToRegExp(r.path) : null
  return {
    test: re ? (f) => re.test(f) : () => true,
    minLevel: r.minLevel ?? null,
    channel: r.channel ? bare(r.channel) : null,
    person: r.person ?? null,
  }
}
