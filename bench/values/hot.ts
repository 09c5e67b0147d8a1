/**
 * The per-line cost of keeping placeholder values (Counter.valuesOf), in one process: a Tally counts a log file
 * with values kept and with valuesOf made a no-op, alternately, six times each; CPU time of the counting only (no
 * store), medians. Catalog from bench/replay/catalog.ts, log from bench/replay (bench/out/replay-*).
 *
 *   node --import tsx bench/replay/catalog.ts /tmp/cat.db && node --import tsx bench/values/hot.ts /tmp/cat.db bench/out/replay-300000l-10000s/app-warn.log
 */
import { readFileSync } from 'node:fs'
import { defaultConfig } from '../../src/config/load.js'
import { Tally, newStream, parserFor } from '../../src/ingest/tally.js'
import { Counter } from '../../src/ingest/counter.js'
import { openStore } from '../../src/store/registry.js'

const [db, log] = process.argv.slice(2)
const store = await openStore({ dbFile: db! })
const statements = await store.listStatements()
const config = defaultConfig()
const lines = readFileSync(log!, 'utf8').split('\n')
const orig = Counter.prototype.valuesOf
function run(values: boolean): number {
  Counter.prototype.valuesOf = values ? orig : function () {}
  const t = new Tally({ config, clock: () => Date.parse('2026-03-02T12:00:00Z'), statements })
  const st = newStream<number>('x')
  const parser = parserFor('auto', config)
  const t0 = process.cpuUsage()
  for (let i = 0; i < lines.length; i++) {
    t.push(st, lines[i]!, 0, undefined, i, i + 1, parser)
    if (i % 100_000 === 99_999) t.counter.drain()
  }
  t.counter.drain()
  const u = process.cpuUsage(t0)
  return (u.user + u.system) / 1000
}
if (process.env.ONLY) { for (let r = 0; r < 4; r++) run(process.env.ONLY !== 'off'); process.exit(0) }
run(true); run(false)
const on: number[] = [], off: number[] = []
for (let r = 0; r < 6; r++) {
  if (r % 2) (off.push(run(false)), on.push(run(true)))
  else (on.push(run(true)), off.push(run(false)))
}
const med = (x: number[]) => [...x].sort((a, b) => a - b)[x.length >> 1]!
console.log(`values on ${on.map((x) => x.toFixed(0)).join(',')} median ${med(on).toFixed(0)} ms; off ${off.map((x) => x.toFixed(0)).join(',')} median ${med(off).toFixed(0)} ms`)
await store.close()
