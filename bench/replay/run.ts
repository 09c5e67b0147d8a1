/**
 * Replay benchmark: `dice replay` of N generated log lines (syslog layout, read with the default `auto`
 * format) against a catalog of M statements, into a fresh SQLite file, end to end: a real child process,
 * startup, parsing, multiline, matching, counting and the final flush included. Baselines over the same
 * file, measured in the same run: `wc -l`, and a plain Node line count (64 KB reads, each line decoded to
 * a string, nothing else). Two level mixes:
 *   warn     88% WARN/ERROR lines: every line is matched against the whole catalog and most are counted
 *            (worst case: ~400k distinct statement × host × bucket / unowned keys to store per 1M lines)
 *   typical  85% INFO/DEBUG, 15% WARN/ERROR, 1% of statements #channel-annotated (counted at any level)
 * Wall time and CPU time (user+sys of the child) are both reported: on a shared machine wall time moves
 * with the load, CPU time much less.
 *
 *   node --import tsx bench/replay/run.ts                          # 1M lines, 10k statements, both mixes
 *   node --import tsx bench/replay/run.ts --lines 200000 --mix typical
 *   … --runs 5          # `dice replay --no-deliver` five times per mix, each on a fresh catalog; the median is shown (default 3)
 *
 * Builds dist/ first (the CLI runs the compiled code). Generated logs are cached in bench/out/.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'
import { makeCatalog, makeLines, rng } from '../match/generate.js'
import { openStore } from '../../src/store/registry.js'
import { planWith, statementsOf, writeCatalogDb } from './catalog.js'
import { syslogLine, writeLog } from '../process/inputs.js'
import { NODE_COUNT } from '../process/measure.js'
import type { Statement } from '../../src/core/types.js'
import { buildDist } from '../../src/testutil/build-dist.js'

const ROOT = join(fileURLToPath(import.meta.url), '..', '..', '..')
const { values: args } = parseArgs({ options: {
  lines: { type: 'string', default: '1000000' }, statements: { type: 'string', default: '10000' }, mix: { type: 'string', default: 'both' },
  runs: { type: 'string', default: '3' },
} })
/** `dice replay --no-deliver` runs per mix, each on a fresh catalog: the median is shown (single runs move by ±20% here). */
const RUNS = Math.max(1, Number(args.runs))
const N = Number(args.lines)
const M = Number(args.statements)
const OUT = join(ROOT, 'bench', 'out', `replay-${N}l-${M}s`)
type Mix = 'warn' | 'typical'
const MIXES: Mix[] = args.mix === 'both' ? ['warn', 'typical'] : [args.mix as Mix]
const AT = '2026-03-02T12:00:00Z'


async function generate(log: string, mix: Mix, templates: string[], vocabulary: Parameters<typeof makeLines>[2]): Promise<void> {
  if (existsSync(log)) return
  const r = rng(7)
  let i = 0
  await writeLog(log, (function* () {
    for (const msg of makeLines(11, templates, vocabulary, N, 0.7)) {
      const x = r()
      const level = mix === 'warn' ? (x < 0.6 ? 'ERROR' : x < 0.88 ? 'WARNING' : 'INFO') : x < 0.05 ? 'ERROR' : x < 0.15 ? 'WARNING' : x < 0.85 ? 'INFO' : 'DEBUG'
      yield syslogLine(++i, level, msg)
    }
  })())
}

function timed<T>(f: () => T): { ms: number; value: T } {
  const t = performance.now()
  const value = f()
  return { ms: performance.now() - t, value }
}

/** Run `dice replay` under bash's `time` so the child's CPU time (user+sys) is known too. */
function replay(db: string, log: string, deliver: boolean) {
  const argv = [process.execPath, join(ROOT, 'bin', 'dice.js'), '--db', db, '--at', AT, 'replay', log, '--json', ...(deliver ? [] : ['--no-deliver'])]
  const env = { ...process.env, SLACK_BOT_TOKEN: '', DICE_DATABASE_URL: '', TIMEFORMAT: 'CPU %U %S' }
  const quoted = argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')
  const r = timed(() => spawnSync('bash', ['-c', `time ${quoted} >"$OUT_JSON"`], { encoding: 'utf8', env: { ...env, OUT_JSON: `${db}.json` }, maxBuffer: 1 << 30 }))
  if (r.value.status !== 0) throw new Error(`replay failed: ${r.value.stderr}`)
  const cpu = /CPU ([\d.]+) ([\d.]+)/.exec(r.value.stderr)
  const cpuMs = cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : NaN
  return { ms: r.ms, cpuMs, summary: JSON.parse(readFileSync(`${db}.json`, 'utf8').trim().split('\n').at(-1)!) }
}

async function freshDb(name: string, statements: Statement[]): Promise<string> {
  const db = join(OUT, name)
  await writeCatalogDb(db, statements)
  planWith([process.execPath, join(ROOT, 'bin', 'dice.js')], db)
  return db
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true })
  await buildDist(ROOT)
  const { templates, vocabulary } = makeCatalog(3, M)
  const statements = statementsOf(templates)
  const fmt = (n: number) => n.toLocaleString('en-US')
  const out: string[] = [`${fmt(N)} lines per file (syslog layout, --format auto), ${fmt(M)} statements, SQLite, Node ${process.version}, ${process.platform}/${process.arch}, ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)} at start`, '']
  out.push('| mix | run | wall ms | lines/s (wall) | CPU ms | lines/s per CPU-s | wall vs Node line count |', '|---|---|---:|---:|---:|---:|---:|')
  for (const mix of MIXES) {
    const log = join(OUT, `app-${mix}.log`)
    await generate(log, mix, templates, vocabulary)
    const wc = timed(() => execFileSync('wc', ['-l', log], { encoding: 'utf8' }))
    const node = timed(() => execFileSync(process.execPath, ['-e', NODE_COUNT, log], { encoding: 'utf8' }))
    if (Number(node.value) !== N) throw new Error(`node count ${node.value} != ${N}`)
    const db = await freshDb(`dice-${mix}.db`, statements)
    const runs = [replay(db, log, false)]
    const again = replay(db, log, false)
    for (let r = 1; r < RUNS; r++) {
      const x = replay(await freshDb(`dice-${mix}-${r}.db`, statements), log, false)
      if (JSON.stringify({ ...x.summary, ms: 0 }) !== JSON.stringify({ ...runs[0]!.summary, ms: 0 })) throw new Error(`run ${r + 1} summary differs`)
      runs.push(x)
    }
    const byWall = [...runs].sort((a, b) => a.ms - b.ms)
    const median = byWall[byWall.length >> 1]!
    const first = runs[0]!
    const withDelivery = replay(await freshDb(`dice-${mix}-deliver.db`, statements), log, true)
    if (first.summary.lines !== N) throw new Error(`replay read ${first.summary.lines} lines, expected ${N}`)
    if (again.summary.lines !== 0) throw new Error(`second replay read ${again.summary.lines} lines, expected 0`)
    const store = await openStore({ dbFile: db })
    const stored = (await store.totals()).reduce((s, t) => s + t.count, 0)
    await store.close()
    // A line nothing tells apart from several statements' messages is counted for each of them (issue 16): at least `counted`.
    if (stored < first.summary.counted) throw new Error(`stored ${stored} < counted ${first.summary.counted}`)
    const rate = (ms: number) => Math.round(N / (ms / 1000))
    const nodeRate = rate(node.ms)
    const s = first.summary
    const row = (name: string, ms: number, cpuMs: number | null, lines: boolean) =>
      `| ${mix} | ${name} | ${fmt(Math.round(ms))} | ${lines ? fmt(rate(ms)) : '—'} | ${cpuMs === null || Number.isNaN(cpuMs) ? '—' : fmt(Math.round(cpuMs))} | ` +
      `${lines && cpuMs !== null && !Number.isNaN(cpuMs) ? fmt(rate(cpuMs)) : '—'} | ${lines ? (rate(ms) / nodeRate).toFixed(2) : '—'} |`
    out.push(
      row('`wc -l` (baseline)', wc.ms, null, true),
      row('plain Node line count (baseline)', node.ms, null, true),
      row(RUNS > 1 ? `\`dice replay --no-deliver\` (median of ${RUNS} runs: ${runs.map((x) => fmt(Math.round(x.ms))).join(', ')} ms)` : '`dice replay --no-deliver`', median.ms, median.cpuMs, true),
      row('`dice replay` (delivery on, console notifier)', withDelivery.ms, withDelivery.cpuMs, true),
      row('`dice replay` again, unchanged file (adds nothing)', again.ms, again.cpuMs, false),
    )
    process.stderr.write(`${mix}: ${(statSync(log).size / 1e6).toFixed(0)} MB; matched ${fmt(s.matched)}, counted ${fmt(s.counted)} (= stored), ` +
      `unowned ${fmt(s.unowned)}, below_level ${fmt(s.below_level)}, malformed ${fmt(s.malformed)}\n`)
  }
  process.stdout.write(out.join('\n') + '\n')
}

await main()
