/**
 * What a large digest writes besides its messages, on SQLite and PostgreSQL, for each build given: its marks (one per
 * statement it covers) from enqueue to "moved once posted", and the undeliverable counts of a check that finds ~10^5
 * statements nobody can receive. Each build's own store code (`dist/store/registry.js`), fresh stores, rounds
 * interleaved.
 *
 *   node --import tsx bench/deliver/marks.ts [--rows 78474] [--rounds 2] [--variant before=/tmp/old/dist] [--pg postgres://postgres@127.0.0.1:5432/test]
 *
 * A build whose store has `moveOutboxMarks` stages the marks with the item and moves them in SQL; an older one
 * carries them in the payload, which the sender reads back and sets 5,000 a call (what `deliver/digest/send.ts` did).
 */
import { rmSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { fileURLToPath, pathToFileURL } from 'node:url'
import pg from 'pg'
import type { Store } from '../../src/store/store.js'

const ROOT = join(fileURLToPath(import.meta.url), '..', '..', '..')
const { values: args } = parseArgs({ options: {
  rows: { type: 'string', default: '78474' }, rounds: { type: 'string', default: '2' },
  variant: { type: 'string', multiple: true, default: [] }, pg: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
} })
const N = Number(args.rows)
const PART = 5000
const VARIANTS = [{ label: 'this', dist: join(ROOT, 'dist') }, ...args.variant!.map((v) => {
  const eq = v.indexOf('=')
  if (eq < 0) throw new Error(`--variant LABEL=PATH/dist, got ${v}`)
  return { label: v.slice(0, eq), dist: resolve(v.slice(eq + 1)) }
})]

type Open = (o: { dbFile?: string; databaseUrl?: string }) => Promise<Store>
/** An older build's store: enqueue without marks (they went in the payload). */
type Old = { enqueue(item: Parameters<Store['enqueue']>[0]): Promise<boolean> }

/** Statement ids as the catalog makes them (16 hex digits). */
const ids = Array.from({ length: N }, (_, i) => ((i * 2654435761) % 2 ** 32).toString(16).padStart(16, '0'))
const marks = ids.map((statementId) => ({ person: '#dice-fallback', statementId, through: 1772446500000 }))

async function measure(open: Open, where: 'sqlite' | 'postgres'): Promise<{ enqueue: number; move: number; undeliverable: number }> {
  const file = join(tmpdir(), `dice-marks-bench-${process.pid}.db`)
  const schema = `marks_bench_${process.pid}_${Date.now()}`
  const store = where === 'sqlite' ? await open({ dbFile: file }) : await open({ databaseUrl: `${args.pg}?schema=${schema}` })
  try {
    const item = { dedupKey: 'digest:#dice-fallback:2026-03-02', kind: 'digest', recipient: 'dice-fallback', notBefore: 0, createdAt: 0 }
    let t = performance.now()
    const staged = typeof store.moveOutboxMarks === 'function'
    if (staged) await store.enqueue({ ...item, payload: { target: '#dice-fallback', to: 'dice-fallback', parts: [] } }, marks)
    else await (store as unknown as Old).enqueue({ ...item, payload: { target: '#dice-fallback', to: 'dice-fallback', parts: [], marks } })
    const enqueue = performance.now() - t
    t = performance.now()
    const [queued] = await store.listOutbox({ kind: 'digest' })
    if (staged) for (let moved = PART; moved === PART;) moved = await store.moveOutboxMarks(queued!.id, PART)
    else {
      const m = (queued!.payload as { marks: typeof marks }).marks
      for (let i = 0; i < m.length; i += PART) await store.setDigestMarks(m.slice(i, i + PART))
    }
    const move = performance.now() - t
    if ((await store.digestMarks('#dice-fallback')).size !== N) throw new Error('not every mark moved')
    t = performance.now()
    for (let i = 0; i < N; i += PART) {
      await store.addUndeliverable(ids.slice(i, i + PART).map((statementId) => ({ statementId, intended: 'nobody', reason: 'unknown', detail: 'no owner', count: 3, at: 1772446500000 })))
    }
    return { enqueue, move, undeliverable: performance.now() - t }
  } finally {
    await store.close()
    for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true })
    if (where === 'postgres') {
      const c = new pg.Client({ connectionString: args.pg })
      await c.connect()
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      await c.end()
    }
  }
}

console.log(`${cpus()[0]?.model.trim()}, ${cpus().length} cores, Node ${process.version}; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}; ${N.toLocaleString('en-US')} marks and undeliverable rows, ${PART} a call`)
const rows: string[] = []
for (let r = 1; r <= Number(args.rounds); r++) {
  for (const v of VARIANTS) {
    const { openStore } = await import(pathToFileURL(join(v.dist, 'store', 'registry.js')).href) as { openStore: Open }
    for (const where of ['sqlite', 'postgres'] as const) {
      const m = await measure(openStore, where)
      rows.push(`| ${v.label} | ${where} | ${Math.round(m.enqueue).toLocaleString('en-US')} | ${Math.round(m.move).toLocaleString('en-US')} | ${Math.round(m.undeliverable).toLocaleString('en-US')} |`)
      console.log(`round ${r} ${v.label} ${where}: enqueue ${Math.round(m.enqueue)} ms, marks moved ${Math.round(m.move)} ms, undeliverable ${Math.round(m.undeliverable)} ms`)
    }
  }
}
console.log('\n| build | store | enqueue (with its marks), ms | marks moved once posted, ms | undeliverable counts, ms |\n|---|---|---:|---:|---:|')
for (const r of rows) console.log(r)
