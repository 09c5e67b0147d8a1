import type { Statement } from '../core/types.js'
import type { DeployRow, Store } from '../store/store.js'
import { readStatements, type KeptReads } from './kept-statements.js'

/**
 * Which revision runs where, for matching (docs/alerts/versions.md): the deploy rules in force, newest first
 * (a host runs the revision of the first rule whose glob it matches), and the statement ids of each revision
 * they name. Plain data: it goes to ingest workers as it is.
 */
export interface RevisionPrefs {
  rules: Array<{ pattern: string; rev: string }>
  members: Record<string, string[]>
}

/** The catalog to match against: the work tree's statements, then those only live revisions have (each id once). */
export interface LiveCatalog {
  statements: Statement[]
  /** Null when no deploy is recorded: one catalog, nothing per line. */
  prefs: RevisionPrefs | null
}

/** `*` and `?` over a host name (no other character is special). */
export function hostGlob(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i')
}

/**
 * The deploy rules in force, newest first: per host pattern its newest deploy; a deploy to every host (`*`) ends
 * the rules before it (every host runs what it says, until a later deploy says otherwise).
 */
export function deployRules(deploys: readonly DeployRow[]): Array<{ pattern: string; rev: string; at: number }> {
  const out: Array<{ pattern: string; rev: string; at: number }> = []
  const seen = new Set<string>()
  for (let i = deploys.length - 1; i >= 0; i--) {
    const d = deploys[i]!
    if (seen.has(d.hostPattern)) continue
    seen.add(d.hostPattern)
    out.push({ pattern: d.hostPattern, rev: d.rev, at: d.at })
    if (d.hostPattern === '*') break
  }
  return out
}

/**
 * The revision `host` ran at time `t` from the deploy records (oldest first): the newest deploy at or before `t`
 * whose glob matches the host; null when none does (the host is not covered by any deploy).
 */
export function revisionAt(deploys: readonly DeployRow[], host: string, t: number, globs = new Map<string, RegExp>()): string | null {
  for (let i = deploys.length - 1; i >= 0; i--) {
    const d = deploys[i]!
    if (d.at > t) continue
    let re = globs.get(d.hostPattern)
    if (!re) globs.set(d.hostPattern, (re = hostGlob(d.hostPattern)))
    if (re.test(host)) return d.rev
  }
  return null
}

/**
 * The live catalog: the work tree's statements (`read`: by default from the kept blob when current, else the rows:
 * catalog/kept-statements.ts) and, when deploys are recorded, the statements of every revision
 * a rule in force names that the work tree does not have (a statement unchanged between revisions has one id:
 * it is there once). A line from a host that still runs an old revision thus lands on a statement removed since.
 */
export async function liveCatalog<S extends Pick<Store, 'listDeploys' | 'revisionCatalog'> & KeptReads>(
  store: S, read: (store: S) => Promise<Statement[]> = readStatements): Promise<LiveCatalog> {
  const [statements, deploys] = await Promise.all([read(store), store.listDeploys()])
  if (!deploys.length) return { statements, prefs: null }
  const rules = deployRules(deploys)
  const revs = [...new Set(rules.map((r) => r.rev))]
  const { statements: theirs, members } = await store.revisionCatalog(revs)
  const have = new Set(statements.map((s) => s.id))
  const extra = theirs.filter((s) => !have.has(s.id))
  const all = extra.length ? [...statements, ...extra] : statements
  // A host's revision decides only between statements a line fits equally well: in practice, one message under
  // several ids (another level, a renamed file). Only those ids are kept per revision, so the sets stay small.
  const copies = new Map<string, number>()
  for (const s of all) if (s.template !== null) copies.set(s.template, (copies.get(s.template) ?? 0) + 1)
  const tied = new Set(all.filter((s) => s.template !== null && copies.get(s.template)! > 1).map((s) => s.id))
  return {
    statements: all,
    prefs: { rules: rules.map(({ pattern, rev }) => ({ pattern, rev })), members: Object.fromEntries([...members].map(([rev, ids]) => [rev, ids.filter((id) => tied.has(id))])) },
  }
}

/** Per host, the ids of the revision it runs (null: none known), cached (bounded). */
export class HostRevisions {
  private readonly rules: Array<{ re: RegExp; rev: string }>
  private readonly sets = new Map<string, Set<string>>()
  private readonly cache = new Map<string, Set<string> | null>()

  constructor(prefs: RevisionPrefs) {
    this.rules = prefs.rules.map((r) => ({ re: hostGlob(r.pattern), rev: r.rev }))
    for (const [rev, ids] of Object.entries(prefs.members)) this.sets.set(rev, new Set(ids))
  }

  /** The statement ids of the revision `host` runs, or null. */
  of(host: string): Set<string> | null {
    let s = this.cache.get(host)
    if (s !== undefined) return s
    const rule = this.rules.find((r) => r.re.test(host))
    s = rule ? this.sets.get(rule.rev) ?? null : null
    if (this.cache.size >= 10_000) this.cache.clear()
    this.cache.set(host, s)
    return s
  }
}

/**
 * The revisions `rows` (occurrences: host × bucket, last seen at `lastSeen`) came from, from the deploy records
 * (oldest first): what each host ran when it last logged in that bucket. Sorted; none when no deploy covers them.
 */
export function occurrenceRevisions(rows: ReadonlyArray<{ host: string; bucket: number; lastSeen: number }>, deploys: readonly DeployRow[]): string[] {
  if (!deploys.length) return []
  const globs = new Map<string, RegExp>()
  const out = new Set<string>()
  const seen = new Set<string>()
  for (const r of rows) {
    const k = `${r.host}\u0000${r.bucket}`
    if (seen.has(k)) continue
    seen.add(k)
    const rev = revisionAt(deploys, r.host, r.lastSeen, globs)
    if (rev !== null) out.add(rev)
  }
  return [...out].sort()
}
