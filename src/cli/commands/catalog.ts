import type { Command } from '../command.js'
import { SPECS } from './specs.js'
import { writeJson } from '../context.js'
import { UsageError } from '../../core/errors.js'
import type { Config } from '../../config/schema.js'
import type { CatalogEntry, Statement } from '../../core/types.js'
import { loadOwners } from '../../route/owner.js'
import { globToRegExp } from '../../catalog/select.js'
import { personFor } from '../../catalog/people.js'
import { slackNames } from './actions.js'
import { outputWidth, renderTable, shortenWhere, type Column } from '../table.js'

/** One `dice catalog --json` element: the contract's keys in its order, then `via` and `reason`. */
export interface CatalogJson {
  id: string
  file: string
  line: number
  language: string
  level: Statement['level']
  template: string | null
  matchable: boolean
  channels: string[]
  mentions: string[]
  owner: { kind: CatalogEntry['owner']['kind']; who: string | null; via: CatalogEntry['owner']['via'] }
  blame: Statement['blame']
  /** The logging wrapper the call goes through (`debugPrint`), or null. */
  via: string | null
  /** Why the statement is not matchable (`the message is a parameter of logBanner`), or null. */
  reason: string | null
}

/** Shape a catalog entry exactly as the contract prints it. */
export function toCatalogJson(e: CatalogEntry): CatalogJson {
  return {
    id: e.id, file: e.file, line: e.line, language: e.language, level: e.level, template: e.template,
    matchable: e.matchable, channels: e.channels, mentions: e.mentions, owner: { kind: e.owner.kind, who: e.owner.who, via: e.owner.via },
    blame: e.blame ? {
      email: e.blame.email, name: e.blame.name, commit: e.blame.commit, time: e.blame.time,
      ...(e.blame.bot ? { bot: true } : {}), ...(e.blame.skipped?.length ? { skipped: e.blame.skipped } : {}),
    } : null,
    via: e.via ?? null, reason: e.matchable ? null : (e.reason ?? null),
  }
}

/** True when `who` names the same configured person (or the same text) as the `--owner` filter. */
function sameOwner(who: string | null, wanted: string, config: Config): boolean {
  if (!who) return wanted === 'none' || wanted === '-'
  if (who.toLowerCase() === wanted.replace(/^@/, '').toLowerCase()) return true
  const a = personFor(who, config)
  return a !== null && a === personFor(wanted, config)
}

/** The filters given, as typed: `--owner tom --file 'src/**'`. */
function filters(values: Record<string, any>): string {
  return [values.owner != null && `--owner ${values.owner}`, values.file != null && `--file ${values.file}`].filter(Boolean).join(' ')
}

/** `dice catalog [--json] [--owner WHO] [--file GLOB]`: list the catalog with resolved owners. */
export const catalog: Command = {
  ...SPECS.catalog,
  async run(ctx, { values, positionals }) {
    // A stray argument (`dice catalog src/net`) would otherwise list everything as if it filtered.
    if (positionals.length) throw new UsageError(`catalog: unexpected argument ${JSON.stringify(positionals[0])} (filter with --file GLOB or --owner WHO)`)
    const store = await ctx.openStore()
    let entries: CatalogEntry[]
    let names = new Map<string, string>()
    try {
      const [statements, ownerOf] = await Promise.all([store.listStatements(), loadOwners(store, ctx.config)])
      entries = statements.map((s) => ({ ...s, owner: ownerOf(s) }))
      // Only the table shows names; --json keeps the owner as stored.
      if (!values.json) names = await slackNames(ctx, store, entries.map((e) => e.owner.who))
    } finally {
      await store.close()
    }
    const all = entries.length
    if (values.file) {
      const re = globToRegExp(values.file)
      entries = entries.filter((e) => re.test(e.file))
    }
    if (values.owner) entries = entries.filter((e) => sameOwner(e.owner.who, values.owner, ctx.config))
    if (values.json) {
      writeJson(ctx.stdout, entries.map(toCatalogJson))
      return 0
    }
    if (!all) ctx.stdout.write('(the catalog is empty: run `dice index` in your repository first)\n')
    else if (!entries.length) ctx.stdout.write(`(no statement matches ${filters(values)}; the catalog has ${all} statements: \`dice catalog\` lists them all)\n`)
    else ctx.stdout.write(table(entries, names, outputWidth(ctx.stdout, ctx.env)))
    return 0
  },
}

/** Columns of the table: ids and levels whole, paths shortened in the middle (never the line number). */
const COLUMNS: Column[] = [
  { head: 'ID', fixed: true },
  { head: 'LEVEL', fixed: true },
  { head: 'WHERE', min: 20, shorten: shortenWhere },
  { head: 'OWNER', min: 12 },
  { head: 'MESSAGE', min: 24 },
]

/** A readable table, one statement per line, fitted to `width` characters (Infinity: nothing is cut). */
export function table(entries: CatalogEntry[], names: ReadonlyMap<string, string> = new Map(), width = Infinity): string {
  const rows = entries.map((e) => [
    e.id,
    e.level ?? '-',
    `${e.file}:${e.line}`,
    e.owner.who ? `${names.get(e.owner.who) ?? e.owner.who}${e.owner.via === 'blame' ? '' : ` (${e.owner.via})`}` : '-',
    [
      e.template === null ? `<${e.callee}>` : JSON.stringify(e.template), ...(e.via ? [`via ${e.via}`] : []), ...e.channels.map((c) => `#${c}`),
      ...(!e.matchable && e.reason ? [`(not matchable: ${e.reason})`] : []),
    ].join(' '),
  ])
  return [...renderTable(COLUMNS, rows, width), `${entries.length} statements`].join('\n') + '\n'
}
