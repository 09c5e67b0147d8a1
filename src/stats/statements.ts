import type { Level, Owner, Statement } from '../core/types.js'
import type { Config } from '../config/schema.js'
import { loadOwners } from '../route/owner.js'
import type { Store } from '../store/store.js'
import { placeholderLabels } from '../match/labels.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR
/** The first of the 24 hours the page and the list count as the last 24 h: the hour of `now` and the 23 before it. */
export const lastDayStart = (now: number): number => Math.floor(now / HOUR) * HOUR - 23 * HOUR

/** Hours of per-hour counts a statement's detail gives. */
export const DETAIL_HOURS = 48
/** Most recent sample lines a statement's detail gives. */
export const DETAIL_SAMPLES = 20

/** One statement with its counts: an item of `GET /api/statements` and of `dice stats --json`. */
export interface StatementStats {
  id: string
  file: string
  line: number
  level: Level | null
  template: string | null
  channels: string[]
  owner: Owner
  /** Occurrences counted, all time (as far as retention keeps them). */
  total: number
  /** Occurrences in the hour of `generatedAt` and the 23 before it (the page's 24 hours). */
  last24h: number
  hosts: string[]
  firstSeen: string | null
  lastSeen: string | null
}

/** `GET /api/statements/ID`, `dice stats ID --json`: the statement, hourly counts and recent raw lines. */
export interface StatementDetail extends StatementStats {
  /** Per hour, oldest first, the last DETAIL_HOURS hours (`hour` is the hour's start). */
  hourly: Array<{ hour: string; count: number }>
  /** Recent raw lines as logged, newest 5-minute bucket first (`bucket`: its start; a few lines are kept per bucket and host). */
  samples: Array<{ bucket: string; host: string; text: string }>
  /**
   * Per placeholder (in template order, `placeholder` its 0-based position, `label` its name as shown), the values it
   * took in the buckets of the last 24 hours: the most counted first, how many more, `inexact` when the bound
   * (VALUES_K per placeholder per bucket) dropped some (counts are then lower bounds). Raw log text: escape to render.
   */
  values: Array<{ placeholder: number; label: string; top: Array<{ value: string; count: number }>; more: number; inexact: boolean }>
}

const iso = (ms: number | null | undefined) => (ms == null || !Number.isFinite(ms) ? null : new Date(ms).toISOString())

/** The text a search (`?q=`, the page's filter box) looks in: id, file, message, logger call, owner, #channels. */
export function searchText(s: Statement, owner: Owner, extra: Array<string | null | undefined> = []): string {
  return [s.id, s.file, s.template ?? '', s.callee, owner.who ?? '', ...extra.map((x) => x ?? ''), ...s.channels.map((c) => '#' + c)].join(' ').toLowerCase()
}

/**
 * A page bound (`limit`, `offset`) as given on the command line or in a query string: a whole number ≥ 0, null when
 * absent, or what is wrong with it (naming `name`).
 */
export function pageBound(name: string, v: string | null | undefined): number | null | string {
  if (v == null) return null
  return /^\d{1,9}$/.test(v) ? Number(v) : `${name}: expected a whole number ≥ 0, got ${JSON.stringify(v.slice(0, 40))}`
}

/** A page of the statement list: `count` is every statement that matched, `statements` those from `offset`, `limit` of them. */
export interface StatementPage { count: number; statements: StatementStats[] }

/**
 * Every statement (or those whose searchText contains `q`) with totals, busiest in the last 24 h first; of those,
 * `limit` from `offset` (default: all). Ranked on counts summed by the store; hosts and time frames are read for the
 * page's statements only (a 100k-statement catalog's every host × level row took seconds and ~300 MB per request).
 */
export async function listStatementStats(store: Store, now: number, q = '', config: Pick<Config, 'route'>, page: { offset?: number; limit?: number | null } = {}): Promise<StatementPage> {
  const [statements, ownerOf, all, day] = await Promise.all([
    store.listStatements(), loadOwners(store, config), store.counts({ until: now }), store.windowCounts({ start: lastDayStart(now), hours: 24 }),
  ])
  const needle = q.trim().toLowerCase()
  const ranked: Array<{ s: Statement; owner: Owner; total: number; last24h: number }> = []
  for (const s of statements) {
    const owner = ownerOf(s)
    if (needle && !searchText(s, owner).includes(needle)) continue
    ranked.push({ s, owner, total: all.get(s.id) ?? 0, last24h: day.get(s.id) ?? 0 })
  }
  ranked.sort((a, b) => b.last24h - a.last24h || b.total - a.total || a.s.file.localeCompare(b.s.file) || a.s.line - b.s.line)
  const from = page.offset ?? 0
  const shown = ranked.slice(from, page.limit == null ? undefined : from + page.limit)
  const counted = shown.filter((r) => r.total > 0).map((r) => r.s.id)
  const totals = new Map(counted.length ? (await store.totals({ until: now, statementIds: counted })).map((t) => [t.statementId, t]) : [])
  return {
    count: ranked.length,
    statements: shown.map(({ s, owner, total, last24h }) => {
      const t = totals.get(s.id)
      return {
        id: s.id, file: s.file, line: s.line, level: s.level, template: s.template, channels: s.channels, owner,
        total, last24h, hosts: t?.hosts ?? [], firstSeen: iso(t?.firstSeen), lastSeen: iso(t?.lastSeen),
      }
    }),
  }
}

/** One statement's detail, or null when the catalog has no statement `id`. */
export async function statementDetail(store: Store, now: number, id: string, config: Pick<Config, 'route'>): Promise<StatementDetail | null> {
  const s = await store.getStatement(id)
  if (!s) return null
  const [ownerOf, all, rows, vals] = await Promise.all([
    loadOwners(store, config), store.totals({ until: now, statementIds: [id] }),
    store.listOccurrences({ statementId: id, since: now - DETAIL_HOURS * HOUR, until: now, limit: 100_000 }),
    store.statementValues({ statements: [{ statementId: id, since: now - DAY }], until: now }),
  ])
  const labels = s.template ? placeholderLabels(s.template) : []
  const values = (vals.get(id) ?? []).map((v, i) => ({ placeholder: i, label: labels[i] ?? `value ${i + 1}`, ...v })).filter((v) => v.top.length)
  const owner = ownerOf(s)
  const t = all.find((x) => x.statementId === id)
  const start = Math.floor(now / HOUR) * HOUR - (DETAIL_HOURS - 1) * HOUR
  const counts = Array<number>(DETAIL_HOURS).fill(0)
  for (const r of rows) {
    // A bucket counts in the hour it started (or was first seen in, when it began before the window).
    const i = Math.floor((Math.max(r.bucket, r.firstSeen) - start) / HOUR)
    if (i >= 0 && i < DETAIL_HOURS) counts[i]! += r.count
  }
  // Rows come newest bucket first; each keeps its first few raw lines.
  const samples = rows.flatMap((r) => r.samples.map((text) => ({ bucket: iso(r.bucket)!, host: r.host, text }))).slice(0, DETAIL_SAMPLES)
  return {
    id: s.id, file: s.file, line: s.line, level: s.level, template: s.template, channels: s.channels, owner,
    // The last 24 of its hours, as the list and the page count them.
    total: t?.count ?? 0, last24h: counts.slice(DETAIL_HOURS - 24).reduce((a, b) => a + b, 0), hosts: t?.hosts ?? [],
    firstSeen: iso(t?.firstSeen), lastSeen: iso(t?.lastSeen),
    hourly: counts.map((count, i) => ({ hour: iso(start + i * HOUR)!, count })),
    samples,
    values,
  }
}
