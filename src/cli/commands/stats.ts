import type { Command } from '../command.js'
import { SPECS } from './specs.js'
import { writeJson } from '../context.js'
import { DiceError, ErrorCode, UsageError } from '../../core/errors.js'
import { listStatementStats, pageBound, statementDetail, type StatementDetail, type StatementStats } from '../../stats/statements.js'
import { moreText } from '../../deliver/values.js'
import { stripControl } from '../../core/escape.js'
import { outputWidth, renderTable, shortenWhere, type Column } from '../table.js'

const COLUMNS: Column[] = [
  { head: 'ID', fixed: true },
  { head: 'LEVEL', fixed: true },
  { head: '24H', fixed: true },
  { head: 'TOTAL', fixed: true },
  { head: 'HOSTS', min: 8 },
  { head: 'LAST SEEN', fixed: true },
  { head: 'OWNER', min: 12 },
  { head: 'WHERE', min: 20, shorten: shortenWhere },
  { head: 'MESSAGE', min: 24 },
]

const when = (iso: string | null) => (iso ? iso.slice(0, 16).replace('T', ' ') + 'Z' : '-')
const owner = (s: StatementStats) => (s.owner.who ? `${s.owner.who}${s.owner.kind === 'blame' ? '' : ` (${s.owner.kind})`}` : '-')
const message = (s: StatementStats) => [s.template === null ? '(not a literal message)' : JSON.stringify(s.template), ...s.channels.map((c) => `#${c}`)].join(' ')
const BARS = ' ▁▂▃▄▅▆▇█'

/** One line of block characters for hourly counts, scaled to the busiest hour. */
function bars(counts: number[]): string {
  const max = Math.max(1, ...counts)
  return counts.map((c) => BARS[c === 0 ? 0 : Math.max(1, Math.round((c / max) * 8))]).join('')
}

function detail(d: StatementDetail): string {
  const lines = [
    `${d.id}  ${(d.level ?? '-').toUpperCase()}  ${d.file}:${d.line}  ${message(d)}`,
    `owner: ${owner(d)}`,
    `counted: ${d.total} in all, ${d.last24h} in the last 24 h; first seen ${when(d.firstSeen)}, last seen ${when(d.lastSeen)}`,
    `hosts: ${d.hosts.join(', ') || '-'}`,
    ...d.values.map((v) => `${v.label} (24 h): ${[...v.top.map((t) => `${stripControl(t.value)} ×${t.count}`), ...(moreText(v, v.top.length) ? [moreText(v, v.top.length)] : [])].join(', ')}`),
    `per hour, last ${d.hourly.length} h (${when(d.hourly[0]!.hour)} …): |${bars(d.hourly.map((h) => h.count))}|`,
    d.samples.length ? 'recent lines:' : 'recent lines: none kept',
    ...d.samples.map((s) => `  ${when(s.bucket)} ${s.host}  ${s.text}`),
  ]
  return lines.join('\n') + '\n'
}

/** `dice stats [ID] [--search TEXT] [--json]`: what the web page and `GET /api/statements` show, on the command line. */
export const stats: Command = {
  ...SPECS.stats,
  async run(ctx, { values, positionals }) {
    if (positionals.length > 1) throw new UsageError(`stats: expected at most one statement ID, got ${positionals.length}`)
    if (positionals.length && values.search != null) throw new UsageError('stats: give an ID or --search TEXT, not both')
    if (positionals.length && values.limit != null) throw new UsageError('stats: give an ID or --limit N, not both')
    const limit = pageBound('--limit', values.limit)
    if (typeof limit === 'string') throw new UsageError(limit)
    const store = await ctx.openStore()
    try {
      const now = ctx.clock()
      if (positionals.length) {
        const d = await statementDetail(store, now, positionals[0]!, ctx.config)
        if (!d) throw new DiceError(ErrorCode.NotFound, `no log statement with id ${JSON.stringify(positionals[0])} in the catalog (see \`dice catalog\`)`, 1)
        if (values.json) writeJson(ctx.stdout, d, true)
        else ctx.stdout.write(detail(d))
        return 0
      }
      const { count, statements: list } = await listStatementStats(store, now, values.search ?? '', ctx.config, { limit })
      if (values.json) {
        // The same document GET /api/statements answers.
        const page = limit === null ? {} : { offset: 0, limit }
        writeJson(ctx.stdout, { generatedAt: new Date(now).toISOString(), q: values.search ?? '', count, ...page, statements: list }, true)
        return 0
      }
      if (!count) {
        const all = values.search != null ? (await store.countStatements()) : 0
        ctx.stdout.write(all ? `(no statement matches --search ${values.search}; the catalog has ${all} statements)\n` : '(the catalog is empty: run `dice index` in your repository first)\n')
        return 0
      }
      const rows = list.map((s) => [s.id, s.level ?? '-', String(s.last24h), String(s.total), s.hosts.join(',') || '-', when(s.lastSeen), owner(s), `${s.file}:${s.line}`, message(s)])
      const more = count > list.length ? ` (the ${list.length} busiest of ${count})` : ''
      ctx.stdout.write([...renderTable(COLUMNS, rows, outputWidth(ctx.stdout, ctx.env)), `${list.length} statements${more}, ${list.reduce((a, s) => a + s.last24h, 0)} occurrences in the last 24 h`].join('\n') + '\n')
      return 0
    } finally {
      await store.close()
    }
  },
}
