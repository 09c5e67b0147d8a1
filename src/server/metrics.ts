import type { Store } from '../store/store.js'
import { META_INDEXED_AT } from '../catalog/meta.js'

/** Why an occurrence can miss its owner (people: unknown, ambiguous, deactivated; nobody owns it; Slack refused the channel). */
const UNDELIVERABLE_REASONS = ['unknown', 'ambiguous', 'deactivated', 'no_owner', 'channel_not_found', 'not_in_channel', 'is_archived']

/** Anything with numbers to expose: the Pipeline, the Delivery, the server's own counters. */
export type MetricsSource = () => Record<string, number | Record<string, number>>

const name = (s: string) => s.replace(/[^a-zA-Z0-9_]/g, '_').replace(/^(\d)/, '_$1')
const label = (s: string) => String(s).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')

/** Collects samples and writes the Prometheus text exposition format (one HELP/TYPE per family). */
class Exposition {
  private families = new Map<string, { help: string; type: string; lines: string[] }>()

  add(metric: string, type: 'counter' | 'gauge', help: string, value: number, labels: Record<string, string> = {}): void {
    if (!Number.isFinite(value)) return
    const m = name(metric)
    let f = this.families.get(m)
    if (!f) this.families.set(m, (f = { help, type, lines: [] }))
    const l = Object.entries(labels).map(([k, v]) => `${name(k)}="${label(v)}"`).join(',')
    f.lines.push(`${m}${l ? `{${l}}` : ''} ${value}`)
  }

  toString(): string {
    let out = ''
    for (const [m, f] of this.families) out += `# HELP ${m} ${f.help}\n# TYPE ${m} ${f.type}\n${f.lines.join('\n')}\n`
    return out
  }
}

/**
 * Flatten a component's numbers: `{ gauge: n }` → `prefix_gauge n`; `{ source: { name: n } }` (the
 * Pipeline's per-source counters) → `prefix_name{by="source"} n`.
 */
function addSource(e: Exposition, prefix: string, help: string, by: string, m: Record<string, number | Record<string, number>>): void {
  for (const [k, v] of Object.entries(m)) {
    if (typeof v === 'number') e.add(`${prefix}_${k}`, 'gauge', `${help} ${k.replace(/_/g, ' ')}`, v)
    else if (v && typeof v === 'object') for (const [kk, vv] of Object.entries(v)) if (typeof vv === 'number') e.add(`${prefix}_${kk}`, 'gauge', `${help} ${kk.replace(/_/g, ' ')} per ${by}`, vv, { [by]: k })
  }
}

/**
 * Render /metrics: lines per source and result (from the store's counters: every instance's, durable),
 * this process's pipeline and delivery numbers, outbox depth and deliveries by kind, digest outbox size,
 * catalog size and index age.
 */
export async function renderMetrics(o: {
  store: Store
  now: number
  pipeline?: MetricsSource | null
  delivery?: MetricsSource | null
  server?: Record<string, number>
}): Promise<string> {
  const e = new Exposition()
  const [counters, outbox, indexAt, statements, lost] = await Promise.all([
    o.store.counters(), o.store.outboxCounts(), o.store.getMeta(META_INDEXED_AT), o.store.countStatements(), o.store.undeliverableTotals(),
  ])
  for (const c of counters) {
    const result = c.name === 'lines' ? 'read' : c.name
    e.add('dice_lines_total', 'counter', 'Log lines by source and result (read, matched, unmatched, bad…), all instances.', c.value, { source: c.source, result })
  }
  let sent = 0
  for (const b of outbox) {
    e.add('dice_outbox_items', 'gauge', 'Outbox items by kind and status.', b.count, { kind: b.kind, status: b.status })
    if (b.status === 'sent') sent += b.count
  }
  e.add('dice_deliveries_total', 'counter', 'Messages delivered (outbox items sent), all instances.', sent)
  const depth = outbox.filter((b) => b.status === 'pending' || b.status === 'claimed').reduce((a, b) => a + b.count, 0)
  e.add('dice_outbox_queue_depth', 'gauge', 'Outbox items waiting (pending or claimed).', depth)
  const digests = outbox.filter((b) => b.kind.includes('digest') && b.status === 'pending').reduce((a, b) => a + b.count, 0)
  e.add('dice_digest_outbox_pending', 'gauge', 'Digests waiting in the outbox.', digests)
  e.add('dice_catalog_statements', 'gauge', 'Log statements in the catalog.', statements)
  // Every reason from the start (at 0), so an alert on an increase needs no series to appear first.
  const byReason = new Map<string, number>(UNDELIVERABLE_REASONS.map((r) => [r, 0]))
  for (const l of lost) byReason.set(l.reason, (byReason.get(l.reason) ?? 0) + l.count)
  for (const [reason, n] of byReason) e.add('dice_undeliverable_total', 'counter', 'Occurrences that could not reach their owner, by reason, all instances.', n, { reason })
  // Absent until the first `dice index` (an alert on absent() tells "never indexed" from "indexed long ago").
  if (indexAt) {
    const at = /^\d+$/.test(indexAt) ? Number(indexAt) : Date.parse(indexAt)
    if (Number.isFinite(at)) e.add('dice_index_age_seconds', 'gauge', 'Seconds since the catalog was last indexed.', Math.max(0, (o.now - at) / 1000))
  }
  if (o.pipeline) addSource(e, 'dice_pipeline', 'This process\'s pipeline:', 'source', o.pipeline())
  if (o.delivery) addSource(e, 'dice_delivery', 'This process\'s delivery:', 'key', o.delivery())
  for (const [k, v] of Object.entries(o.server ?? {})) e.add(`dice_http_${k}_total`, 'counter', `HTTP ${k.replace(/_/g, ' ')}.`, v)
  return e.toString()
}
