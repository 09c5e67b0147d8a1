import type { PlaceholderValues } from '../../core/top-values.js'
import { labeled, moreText } from '../../deliver/values.js'
import type { Config } from '../../config/schema.js'
import { occurrenceRevisions } from '../../catalog/live.js'
import type { Owner, Statement } from '../../core/types.js'
import { codeLink } from '../../core/links.js'
import { isSlackUserId } from '../../core/slack-ids.js'
import { personFor } from '../../catalog/people.js'
import { loadOwners } from '../../route/owner.js'
import { slackUserNames } from '../../people/names.js'
import { lastDayStart, searchText } from '../../stats/statements.js'
import { META_COMMIT } from '../../catalog/meta.js'
import type { AuditRow, MuteRow, OutboxItem, OverrideRow, SnoozeRow, StatementTotal, Store, TieRow, UndeliverableRow, UnownedRow } from '../../store/store.js'

const HOUR = 3_600_000
const MAX_ROWS = 500

/** HTML escaping for text and attribute values: everything shown may come from logs or code. */
export function html(v: unknown): string {
  return String(v ?? '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')
}

/** An inline SVG sparkline of hourly counts (oldest first). */
export function sparkline(counts: readonly number[], w = 120, h = 24): string {
  const max = Math.max(1, ...counts)
  const step = counts.length > 1 ? w / (counts.length - 1) : w
  const pts = counts.map((c, i) => `${(i * step).toFixed(1)},${(h - 2 - (c / max) * (h - 4)).toFixed(1)}`).join(' ')
  const total = counts.reduce((a, b) => a + b, 0)
  return `<svg class="spark" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="${total} in the last 24 hours">` +
    `<title>${total} in the last 24 h (hourly)</title><polygon fill="currentColor" fill-opacity="0.12" stroke="none" points="0,${h} ${pts} ${w},${h}"/>` +
    `<polyline fill="none" stroke="currentColor" stroke-width="1.5" stroke-linejoin="round" points="${pts}"/></svg>`
}

// A stored time beyond what a Date holds (an old huge snooze) shows as '—' rather than failing the page.
const fmt = (ms: number | null | undefined) => (ms == null || !Number.isFinite(new Date(ms).getTime()) ? '—' : new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + 'Z')
const lastSeen = (t: StatementTotal | undefined) =>
  t ? `${fmt(t.lastSeen)}<div class="muted">${t.count} total · ${t.hosts.length} host${t.hosts.length === 1 ? '' : 's'}</div>` : '<span class="muted">never</span>'
const scopeText = (scope: string, id: string) => (scope === 'all' ? 'everyone' : scope === 'channel' ? `#${id}` : id)
const short = (v: unknown) => {
  const s = v == null ? '' : JSON.stringify(v)
  return s.length > 160 ? s.slice(0, 157) + '…' : s
}

/** One audit row's change in words (snooze/mute/override rows are known shapes; anything else as JSON). */
function change(a: AuditRow): string {
  const one = (v: unknown): string => {
    if (v == null) return '—'
    if (Array.isArray(v)) return v.length ? v.map(one).join('; ') : '—'
    if (typeof v !== 'object') return short(v)
    const o = v as Record<string, unknown>
    if ('to' in o) return `owner ${o.to}${o.reason ? ` (“${o.reason}”)` : ''}`
    if ('scope' in o) {
      const parts = [`for ${scopeText(String(o.scope), String(o.scopeId))}`]
      if (o.until != null) parts.push(`until ${fmt(Number(o.until))}`)
      if (o.remaining != null) parts.push(`${o.remaining} more`)
      return parts.join(', ')
    }
    return short(v)
  }
  return `${one(a.before)} → ${one(a.after)}`
}

/** Everything the page shows, read from the store in one go. */
export interface PageData {
  now: number
  q: string
  statements: Statement[]
  overrides: OverrideRow[]
  hourly: Map<string, number[]>
  /** All-time totals (last seen, hosts) of the statements the catalog table lists (`loadPageData` reads no others). */
  totals: Map<string, StatementTotal>
  unowned: UnownedRow[]
  outbox: OutboxItem[]
  snoozes: SnoozeRow[]
  mutes: MuteRow[]
  audit: AuditRow[]
  commit: string | null
  /** Names Slack gave the raw Slack user ids among override targets and actors (from the `users` cache). */
  names?: Map<string, string>
  /** Owner of each statement (`Ownership.ownerOf`: annotation, override, rule, CODEOWNERS, blame). */
  owners?: Map<string, Owner>
  /** The catalog table's rows as `loadPageData` ranked them (else ranked from the fields above when rendered). */
  rows?: CatalogRow[]
  /** Occurrences that could not reach their owner, per statement × intended recipient, open ones first. */
  undeliverable?: UndeliverableRow[]
  /** Lines counted on one statement that others could as well have printed (Store.listTies). */
  ties?: TieRow[]
  /** Per statement, the deployed revisions its last 24 h of occurrences came from (docs/alerts/versions.md). */
  revisions?: Map<string, string[]>
  /** Statements only deployed revisions have (removed from the work tree's catalog), with occurrences in the last 24 h. */
  removed?: Set<string>
  /** The top values of each placeholder in the last 24 h, per statement seen then. */
  values?: Map<string, PlaceholderValues[]>
}

/** Read the page's data: last 24 h of occurrences by hour, unowned shapes of the last week, and so on. */
export async function loadPageData(store: Store, now: number, q: string, config: Config): Promise<PageData> {
  const since = now - 24 * HOUR
  const start = lastDayStart(now)
  const [statements, overrides, day, unowned, pending, claimed, snoozes, mutes, audit, commit, undeliverable, ties] = await Promise.all([
    store.listStatements(), store.listOverrides(), store.windowCounts({ start, hours: 24 }), store.listUnowned({ since: now - 7 * 24 * HOUR, limit: 50 }),
    store.listOutbox({ status: 'pending', limit: 100 }), store.listOutbox({ status: 'claimed', limit: 100 }), store.activeSnoozes(now), store.listMutes(),
    store.listAudit(100), store.getMeta(META_COMMIT), store.listUndeliverable({ limit: MAX_ROWS }),
    store.listTies(),
  ])
  // Deployed revisions: which revision each statement's occurrences came from, and the statements only an old
  // revision still has (removed on main, logged by hosts that run it).
  const deploys = await store.listDeploys()
  const revisions = new Map<string, string[]>()
  const removed = new Set<string>()
  if (deploys.length) {
    // The rows themselves (which host logged when): the newest 100k of the day.
    const occ = await store.listOccurrences({ since, limit: 100_000 })
    const byStatement = new Map<string, typeof occ>()
    for (const o of occ) {
      const l = byStatement.get(o.statementId)
      if (l) l.push(o)
      else byStatement.set(o.statementId, [o])
    }
    for (const [id, rows] of byStatement) revisions.set(id, occurrenceRevisions(rows, deploys))
    const have = new Set(statements.map((s) => s.id))
    for (const id of byStatement.keys()) {
      if (have.has(id) || removed.size >= MAX_ROWS) continue
      const s = await store.getStatement(id)
      if (s) (statements.push(s), removed.add(id))
    }
  }
  // Summed by the store: read row by row, the page counted only the newest 100k rows of the day (at 5-minute
  // buckets, ~350 statement × host pairs logging all day), and took seconds to.
  // What the rows rank on: per statement, its last 24 h in all (`day`, one row a statement from the store). By hour
  // only for the rows listed, once ranked: a row per statement × hour for the whole catalog was up to 24 per statement
  // on a day everything logs (RESULTS, "Session 16"). Two reads: under ingest, a listed row's hours may hold a flush
  // its rank did not.
  const names = await slackUserNames(overrides.flatMap((o) => [o.to, o.by]), { store })
  const ownerOf = await loadOwners(store, config)
  // Totals and values of the rows the page lists only: read for every statement, a 100k-statement catalog's page
  // took ~2 s and ~300 MB more per view, most of it for rows it never showed.
  // Owners are worked out as the rows are made: a map of every statement's owner was ~15 MB per view at 100k.
  const rows = catalogRows({ q, statements, names }, config, { ownerOf, day })
  const listed = rows.slice(0, MAX_ROWS)
  const hourly = new Map<string, number[]>()
  for (const r of listed) if (day.has(r.s.id)) hourly.set(r.s.id, Array<number>(24).fill(0))
  const byHour = hourly.size ? await store.hourlyCounts({ start, hours: 24, statementIds: [...hourly.keys()] }) : []
  for (const h of byHour) hourly.get(h.statementId)![(h.hour - start) / HOUR] += h.count
  for (const r of listed) r.counts = hourly.get(r.s.id) ?? NO_HOURS
  const shown = listed.map((r) => r.s.id)
  const totals = shown.length ? await store.totals({ statementIds: shown }) : []
  const seen = shown.filter((id) => day.has(id)).map((statementId) => ({ statementId, since }))
  const values = seen.length ? await store.statementValues({ statements: seen, until: now, top: PAGE_VALUES }) : new Map<string, PlaceholderValues[]>()
  return { now, q, statements, rows, undeliverable, ties, revisions, removed, overrides, hourly, values, totals: new Map(totals.map((t) => [t.statementId, t])), unowned, outbox: [...pending, ...claimed], snoozes, mutes, audit, commit: commit || null, names }
}

/** One statement of the catalog table: its owner and its last 24 h by hour (oldest first) and in all. */
export interface CatalogRow { s: Statement; owner: Owner; counts: readonly number[]; n: number }

/** The hours of a statement not counted in the last 24 h: one read-only list for all (most of a large catalog). */
const NO_HOURS: readonly number[] = Object.freeze(Array<number>(24).fill(0))
const NOBODY: Owner = Object.freeze({ kind: 'none', who: null, via: 'none' })

/** Whose name Slack gave a raw Slack user id (`people` first, then the `users` cache), or null. */
function nameFor(who: string, config: Config, names: ReadonlyMap<string, string> | undefined): string | null {
  if (!isSlackUserId(who)) return null
  const p = personFor(who, config)
  return p ? (p.name ?? p.key) : (names?.get(who) ?? null)
}

/**
 * The catalog table's rows: the statements the search `q` finds (in id, file, message, call, owner and its name,
 * #channels), busiest in the last 24 h first. Every one of them, not only those the page lists (MAX_ROWS): made
 * once per request, and lean (a 100k-statement page made two of them, with every statement's search text, ~170 MB).
 */
function catalogRows(
  d: Pick<PageData, 'q' | 'statements' | 'owners' | 'names'>, config: Config,
  o: { ownerOf?: (s: Statement) => Owner; hourly?: ReadonlyMap<string, readonly number[]>; day?: ReadonlyMap<string, number> },
): CatalogRow[] {
  // The rows rank on `day` (each statement's 24 h in all; loadPageData fills in the hours of the rows it lists) or,
  // without it, on the sum of `hourly`.
  const { ownerOf, hourly, day } = o
  const q = d.q.trim().toLowerCase()
  const rows: CatalogRow[] = []
  // Indexed loops: this runs once per request, mostly before V8 optimizes it, and an unoptimized for…of makes an
  // object per element (112 MB over a 100k-statement catalog's 24 hours each).
  for (let i = 0; i < d.statements.length; i++) {
    const s = d.statements[i]!
    const owner = (ownerOf !== undefined ? ownerOf(s) : d.owners?.get(s.id)) ?? NOBODY
    if (q && !searchHay(s, owner, config, d.names).includes(q)) continue
    const counts = (day === undefined ? hourly?.get(s.id) : undefined) ?? NO_HOURS
    let n = day?.get(s.id) ?? 0
    for (let h = 0; h < counts.length; h++) n += counts[h]!
    rows.push({ s, owner, counts, n })
  }
  return rows.sort((a, b) => b.n - a.n || a.s.file.localeCompare(b.s.file) || a.s.line - b.s.line)
}

/** What a search looks in for a statement: searchText and its owner's name (the page's filter box gets it too). */
const searchHay = (s: Statement, owner: Owner, config: Config, names: PageData['names']) =>
  searchText(s, owner, [owner.who && nameFor(owner.who, config, names)])

/** Values shown per placeholder on the page. */
const PAGE_VALUES = 5

/** A statement's placeholder values, one line per placeholder: `peer: 203.0.113.9 ×812, … +3 more` (escaped). */
function valuesHtml(s: Statement, values: PlaceholderValues[] | undefined): string {
  const vs = labeled(s.template, values)
  if (!vs.length) return ''
  const lines = vs.map((v) => `<div>${html(v.label)}: ${v.top.map((t) => `<code>${html(t.value)}</code> ×${t.count}`).join(', ')}${v.more || v.inexact ? ` <span class="muted">${html(moreText(v, v.top.length))}</span>` : ''}</div>`)
  return `<div class="small values" title="values in the last 24 hours">${lines.join('')}</div>`
}

/** Render the whole page. Pure: data in, HTML out. */
export function renderPage(d: PageData, config: Config): string {
  // Made on first use: only the few statements of hand-overs, snoozes, ties and the undeliverable are looked up.
  let byId: Map<string, Statement> | null = null
  // A hand-over to someone not in `people` stores their raw Slack id: show their name, the id on hover.
  const person = (who: string) => {
    const name = nameFor(who, config, d.names)
    return name ? `<span title="${html(who)}">${html(name)}</span>` : html(who)
  }
  const q = d.q.trim().toLowerCase()
  const rows = d.rows ?? catalogRows(d, config, { hourly: d.hourly })
  const shown = rows.slice(0, MAX_ROWS)
  const label = (id: string) => {
    const s = (byId ??= new Map(d.statements.map((x) => [x.id, x]))).get(id)
    return s ? `<code>${html(s.template ?? s.callee)}</code> <span class="muted">${html(s.file)}:${s.line}</span>` : `<code>${html(id)}</code>`
  }
  const link = (s: Statement) => {
    const url = codeLink(config.repo, s)
    const text = `${html(s.file)}:${s.line}`
    return url ? `<a href="${html(url)}" rel="noreferrer">${text}</a>` : text
  }
  // The same message logged in several places: a line without file, line or logger cannot say which (issue 16).
  // Such lines are counted once, on one of them, and reach the owners of all (Store ties).
  // Counted for the listed rows' templates only: a map of every template was ~7 MB per view at 100k statements.
  const copies = new Map<string, number>()
  for (let i = 0; i < shown.length; i++) {
    const s = shown[i]!.s
    if (s.matchable && s.template) copies.set(s.template, 0)
  }
  for (let i = 0; i < d.statements.length; i++) {
    const s = d.statements[i]!
    const n = s.matchable && s.template ? copies.get(s.template) : undefined
    if (n !== undefined) copies.set(s.template!, n + 1)
  }
  const tiedHere = new Map<string, TieRow[]>()
  const tiedElsewhere = new Map<string, TieRow[]>()
  for (const t of d.ties ?? []) {
    for (const [m, k] of [[tiedHere, t.statementId], [tiedElsewhere, t.alsoId]] as const) {
      const l = m.get(k)
      if (l) l.push(t)
      else m.set(k, [t])
    }
  }
  const ids = (xs: string[]) => xs.map((x) => `<code>${html(x)}</code>`).join(', ')
  const revs = (id: string) => {
    const r = d.revisions?.get(id)
    return r?.length ? `<div class="muted">on ${html(r.join(', '))}</div>` : ''
  }
  const notes = (s: Statement): string => {
    const k = s.matchable && s.template ? (copies.get(s.template) ?? 1) : 1
    const here = tiedHere.get(s.id)
    const there = tiedElsewhere.get(s.id)
    return (d.removed?.has(s.id) ? ' · <span class="tie" title="removed from the work tree; hosts that run an older revision still log it">only in deployed revisions</span>' : '') +
      (s.via ? ` · via ${html(s.via)}` : '') + (!s.matchable && s.reason ? ` · not matchable: ${html(s.reason)}` : '') +
      (k > 1 ? ` · <span class="tie" title="lines that do not say their file, line or logger are ambiguous: each is counted once, on the first in catalog order, and goes to the owners of all">same message in ${k} places</span>` : '') +
      (here ? ` · <span class="tie">ambiguous: ${Math.max(...here.map((t) => t.count))} line(s) counted here could be from ${ids(here.map((t) => t.alsoId))}</span>` : '') +
      (there ? ` · <span class="tie">ambiguous: its lines may be counted on ${ids([...new Set(there.map((t) => t.statementId))])}</span>` : '')
  }
  const catalog = shown.map(({ s, owner, counts, n }) => `<tr class="stmt" data-search="${html(searchHay(s, owner, config, d.names))}" data-id="${html(s.id)}">
<td><span class="lvl lvl-${html(s.level ?? 'none')}">${html(s.level ?? '?')}</span></td>
<td class="tmpl"><code>${html(s.template ?? '(not a literal message)')}</code>${s.channels.map((c) => ` <span class="chan">#${html(c)}</span>`).join('')}<div class="muted small">${html(s.id)} · ${html(s.callee)}${notes(s)}</div>${valuesHtml(s, d.values?.get(s.id))}</td>
<td class="where">${link(s)}</td>
<td class="owner">${owner.who ? person(owner.who) : '<span class="muted">nobody</span>'} <span class="muted small">${html(owner.via)}</span></td>
<td class="num">${n}</td><td>${sparkline(counts)}</td><td class="small">${lastSeen(d.totals.get(s.id))}${revs(s.id)}</td></tr>`).join('\n')
  const table = (head: string[], body: string[], empty: string) => body.length
    ? `<table><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${body.join('\n')}</tbody></table>`
    : `<p class="muted">${empty}</p>`
  // Nothing vanishes silently: what could not reach its owner is listed with the reason, open ones first.
  const lost = d.undeliverable ?? []
  const open = lost.filter((u) => u.clearedAt === null)
  const undeliverable = lost.map((u) => `<tr class="lost${u.clearedAt === null ? '' : ' fixed'}"><td>${label(u.statementId)}</td><td>${u.intended === 'nobody' ? '<span class="muted">nobody</span>' : person(u.intended)}</td>` +
    `<td><code>${html(u.reason)}</code>${u.detail ? `<div class="muted small">${html(u.detail)}</div>` : ''}${u.clearedAt === null ? '' : `<div class="small">fixed ${fmt(u.clearedAt)}</div>`}</td><td class="num">${u.count}</td><td>${fmt(u.lastSeen)}</td></tr>`)
  const unowned = d.unowned.map((u) => `<tr><td><span class="lvl lvl-${html(u.level ?? 'none')}">${html(u.level ?? '?')}</span></td><td><code>${html(u.shape)}</code> <span class="muted small" title="dice mute / snooze / reassign take this id">shape:${html(u.shapeHash)}</span><div class="muted small">${html(u.samples[0] ?? '')}</div></td><td>${html(u.host)}</td><td class="num">${u.count}</td><td>${fmt(u.lastSeen)}</td></tr>`)
  const outbox = d.outbox.map((o) => `<tr><td>${html(o.kind)}</td><td>${html(o.recipient)}</td><td>${html(o.status)}</td><td class="num">${o.attempts}</td><td>${fmt(o.notBefore)}</td></tr>`)
  const snoozes = d.snoozes.map((z) => `<tr><td>${label(z.statementId)}</td><td>${html(scopeText(z.scope, z.scopeId))}</td><td>${fmt(z.until)}</td><td class="num">${z.remaining ?? '—'}</td><td>${html(z.by)}</td></tr>`)
  const mutes = d.mutes.map((m) => `<tr><td>${label(m.statementId)}</td><td>${html(scopeText(m.scope, m.scopeId))}</td><td>${html(m.by)}</td><td>${fmt(m.createdAt)}</td></tr>`)
  const overrides = d.overrides.map((o) => `<tr><td>${label(o.statementId)}</td><td>${person(o.to)}</td><td>${person(o.by)}</td><td>${html(o.reason ?? '')}</td><td>${fmt(o.createdAt)}</td></tr>`)
  const audit = d.audit.map((a) => `<tr><td>${fmt(a.at)}</td><td>${html(a.actor)}</td><td>${html(a.action)}</td><td>${a.statementId ? label(a.statementId) : ''}</td><td class="small">${html(change(a))}</td></tr>`)
  const total24 = rows.reduce((a, r) => a + r.n, 0)
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Dice — log statements and their owners</title>
<style>
:root{--fg:#1d2330;--muted:#6b7280;--line:#e5e7eb;--bg:#f7f8fa;--card:#fff;--accent:#4f46e5}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header{background:#111827;color:#fff;padding:14px 24px;display:flex;gap:24px;align-items:baseline;flex-wrap:wrap}
header h1{font-size:18px;margin:0}header .stats{color:#cbd5e1;font-size:13px}
nav{display:flex;flex-wrap:wrap;gap:2px 14px}nav a{color:#c7d2fe;text-decoration:none;font-size:13px}
main{padding:16px 24px;max-width:1400px}
section{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 16px;margin:0 0 16px}
h2{font-size:15px;margin:4px 0 10px}h2 .muted{font-weight:normal}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:6px 8px;border-top:1px solid var(--line);vertical-align:top}
th{font-size:12px;color:var(--muted);font-weight:600;border-top:0}
code{font:12.5px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace;word-break:break-word}
.muted{color:var(--muted)}.small{font-size:12px}.num{text-align:right;font-variant-numeric:tabular-nums}
/* The message is what people read: it takes the room; long paths and emails wrap in their narrower columns. */
.tmpl{width:46%;min-width:28ch}.where{max-width:26ch;overflow-wrap:anywhere}.owner{max-width:22ch;overflow-wrap:anywhere}
.spark{color:var(--accent);display:block}
/* A phone: one card per statement, the message first and full width, no sideways scrolling. */
@media (max-width:720px){main{padding:8px}section{padding:8px 10px}header{padding:10px 12px}
#catalog table,#catalog tbody,#catalog tr,#catalog td{display:block;width:auto;max-width:none}#catalog thead{display:none}
#catalog tr{border-top:1px solid var(--line);padding:6px 0}#catalog td{border:0;padding:2px 0}
#catalog td:first-child,#catalog td.num{display:inline-block;margin-right:8px}
section:not(#catalog)>table{display:block;overflow-x:auto}}
.chan{background:#eef2ff;color:#3730a3;border-radius:4px;padding:0 5px;font-size:12px}
.lvl{display:inline-block;min-width:44px;text-align:center;border-radius:4px;padding:1px 6px;font-size:11px;font-weight:600;text-transform:uppercase;background:#e5e7eb}
.lvl-warn{background:#fef3c7;color:#92400e}.lvl-error{background:#fee2e2;color:#991b1b}.lvl-fatal{background:#7f1d1d;color:#fff}
.lvl-info,.lvl-notice{background:#dbeafe;color:#1e40af}
form{display:flex;gap:8px;margin-bottom:10px}input[type=search]{flex:1;max-width:420px;padding:6px 10px;border:1px solid #cbd5e1;border-radius:6px;font-size:14px}
button{padding:6px 12px;border-radius:6px;border:1px solid #cbd5e1;background:#fff;cursor:pointer}
a{color:var(--accent)}
header a.alarm{color:#fecaca;font-weight:600}tr.fixed{opacity:.55}
</style></head><body>
<header><h1>Dice</h1><span class="stats">${d.statements.length} log statements · ${total24} occurrences in the last 24 h${q ? ' (filtered)' : ''} · ${fmt(d.now)}${open.length ? ` · <a class="alarm" href="#undeliverable">${open.length} undeliverable</a>` : ''}</span>
<nav><a href="#catalog">Catalog</a><a href="#undeliverable">Undeliverable</a><a href="#unowned">Unowned</a><a href="#digests">Digests</a><a href="#snoozes">Snoozes</a><a href="#mutes">Mutes</a><a href="#overrides">Overrides</a><a href="#audit">Audit</a></nav></header>
<main>
<section id="catalog"><h2>Catalog <span class="muted" id="count">${shown.length}${rows.length > shown.length ? ` of ${rows.length}` : ''} shown</span></h2>
<form method="get" action="/"><input type="search" id="q" name="q" value="${html(d.q)}" placeholder="Filter by message, file, owner, #channel…" autocomplete="off"><button type="submit">Search</button></form>
${table(['level', 'message', 'code', 'owner', '24 h', 'last 24 h by hour', 'last seen'], shown.length ? [catalog] : [], q ? 'No statement matches this search.' : 'The catalog is empty: run <code>dice index</code>.')}
</section>
<section id="undeliverable"><h2>Undeliverable <span class="muted">(occurrences that could not reach their owner: who they were meant for, and why)</span></h2>
${table(['statement', 'meant for', 'reason', 'count', 'last seen'], undeliverable, 'Nothing: every occurrence reached its owner.')}</section>
<section id="unowned"><h2>Unowned error shapes <span class="muted">(warnings and errors that match no statement, last 7 days)</span></h2>
${table(['level', 'shape / sample', 'host', 'count', 'last seen'], unowned, 'None.')}</section>
<section id="digests"><h2>Pending digests and messages</h2>${table(['kind', 'recipient', 'status', 'attempts', 'not before'], outbox, 'Nothing waiting.')}</section>
<section id="snoozes"><h2>Snoozes</h2>${table(['statement', 'for', 'until', 'remaining', 'by'], snoozes, 'No active snoozes.')}</section>
<section id="mutes"><h2>Mutes</h2>${table(['statement', 'for', 'by', 'since'], mutes, 'No mutes.')}</section>
<section id="overrides"><h2>Overrides <span class="muted">("it wasn't me")</span></h2>${table(['statement', 'now goes to', 'by', 'reason', 'since'], overrides, 'No overrides.')}</section>
<section id="audit"><h2>Audit log</h2>${table(['when', 'who', 'what', 'statement', 'before → after'], audit, 'No actions yet.')}</section>
</main>
<script>
(function(){var q=document.getElementById('q'),rows=document.querySelectorAll('tr.stmt'),count=document.getElementById('count');
function f(){var t=q.value.trim().toLowerCase(),n=0;rows.forEach(function(r){var show=!t||r.getAttribute('data-search').indexOf(t)>=0;r.hidden=!show;if(show)n++});count.textContent=n+' shown'}
q.addEventListener('input',f);})();
</script>
</body></html>`
}
