/**
 * Alerts bench (issue 17): how well the spike and expected-silence detectors find what was injected, and what
 * alerts cost per line.
 *
 * 1. Detection. Generated counts with known truth, in a SQLite store, through the real code path: per 5-minute
 *    bucket the occurrences of every statement are committed with `Store.applyCounts` (as the pipeline does), then
 *    one round of `AlertRunner.check()` runs at that time (the `dice run` detector loop under its lease, `--at`
 *    style: the clock is the bucket's end + 15 s). What it enqueues (outbox items of kind alert.spike — the post,
 *    not its edits — and alert.silence) is compared with the injected truth.
 *    - Spikes: statements with Poisson counts around a base rate λ per bucket (0.05 … 50, with a ±50% daily wave);
 *      from the second day, episodes of 1–3 buckets at ×3 … ×100 their rate are injected. An injected episode is
 *      "over threshold" when its expected count is ≥ factor × λ and ≥ floor (what the detector is configured to
 *      tell). Recall per multiplier and rate; precision = detections that fall on an injected episode (any
 *      multiplier) ÷ all detections.
 *    - Silence: heartbeat statements with an expectation (config rule by id); from the second day, gaps (no
 *      occurrence at all) of 20 min (shorter than the period: must not alert), 2 h and 5 h are injected. A
 *      detection is right when it comes while a gap longer than the period is on (between start + period and its
 *      end + one bucket); anything else — a short gap, a natural lull — is a false alarm.
 * 2. Per-line cost. `dice replay --no-deliver` of the typical mix (bench/process/inputs.ts: 10k statements,
 *    syslog layout, 85% INFO/DEBUG) with alerts off and with all three on (a silence rule expecting ~1% of the
 *    statements, which are then counted at every level) — interleaved, fresh catalog copy each, medians. `dice
 *    replay` runs no detector (they read committed counts in `dice run`'s loop); what alerts add per line is the
 *    counting of expected statements. The detector round itself is timed in part 1 (ms per round).
 *
 *   npm run bench:alerts                                   # 3 simulated days; 1M-line replays, 3 runs each of off / on / start-up
 *   npm run bench:alerts -- --days 2 --lines 200000 --runs 1 --skip-replay
 */
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { configSchema, type Config } from '../../src/config/schema.js'
import type { OccurrenceDelta, Statement } from '../../src/core/types.js'
import { AlertRunner } from '../../src/alerts/runner.js'
import { Router } from '../../src/route/router.js'
import { Silences } from '../../src/deliver/silences.js'
import { openStore } from '../../src/store/registry.js'
import { rng } from '../match/generate.js'
import { inputsFor } from '../process/inputs.js'
import { timed } from '../process/measure.js'
import { buildDist } from '../../src/testutil/build-dist.js'

const ROOT = join(fileURLToPath(import.meta.url), '..', '..', '..')
const { values: args } = parseArgs({ options: {
  days: { type: 'string', default: '3' }, lines: { type: 'string', default: '1000000' }, runs: { type: 'string', default: '3' },
  factor: { type: 'string', default: '10' }, floor: { type: 'string', default: '20' },
  'skip-replay': { type: 'boolean', default: false }, 'skip-detect': { type: 'boolean', default: false },
} })
const OUT = join(ROOT, 'bench', 'out', 'alerts')
const B = 300_000
const HOUR = 3_600_000
const DAY = 24 * HOUR
const T0 = Date.parse('2026-03-02T00:00:00Z')
const fmt = (n: number) => n.toLocaleString('en-US')
const pct = (a: number, b: number) => (b === 0 ? '—' : `${((100 * a) / b).toFixed(1)}%`)

/** A Poisson sample (Knuth below 30, normal approximation above). */
function poisson(r: () => number, l: number): number {
  if (l <= 0) return 0
  if (l > 30) {
    const z = Math.sqrt(-2 * Math.log(r() || 1e-12)) * Math.cos(2 * Math.PI * r())
    return Math.max(0, Math.round(l + Math.sqrt(l) * z))
  }
  const L = Math.exp(-l)
  let k = 0
  let p = 1
  do (k++, (p *= r()))
  while (p > L)
  return k - 1
}

const RATES = [0.05, 0.5, 5, 50]
const MULTIPLIERS = [3, 5, 15, 30, 100]
interface SpikeTruth { id: string; rate: number; m: number; start: number; end: number; over: boolean; found: boolean }
interface SilenceClass { name: string; rate: number; expect: string; everyMs: number; count: number }
const SILENCE_CLASSES: SilenceClass[] = [
  { name: 'λ 12/h, expect 1/h', rate: 1, expect: '1/h', everyMs: HOUR, count: 1 },
  { name: 'λ 36/h, expect 10/h', rate: 3, expect: '10/h', everyMs: HOUR, count: 10 },
  { name: 'λ 3/h, expect 1/h (rule close to the rate)', rate: 0.25, expect: '1/h', everyMs: HOUR, count: 1 },
]
const GAPS = [20 * 60_000, 2 * HOUR, 5 * HOUR]
interface Gap { id: string; cls: number; start: number; end: number; len: number; found: boolean; latency: number | null; back: boolean }

function statement(id: string): Statement {
  return { id, file: `src/${id}.c`, line: 1, endLine: 1, language: 'c', level: 'warn', template: `event ${id} %d`, matchable: true, channels: [], mentions: [], blame: null, callee: 'log' }
}

async function detection(days: number, factor: number, floor: number): Promise<{ lines: string[] }> {
  const r = rng(17)
  const spikeIds: Array<{ id: string; rate: number }> = []
  for (const rate of RATES) for (let i = 0; i < 25; i++) spikeIds.push({ id: `sp-${rate}-${i}`, rate })
  const beats: Array<{ id: string; cls: number }> = []
  SILENCE_CLASSES.forEach((_, cls) => { for (let i = 0; i < 12; i++) beats.push({ id: `hb-${cls}-${i}`, cls }) })
  const buckets = (days * DAY) / B
  // Injected truth: spikes from day 2 on, two per statement at least 6 h apart; gaps likewise.
  const spikes: SpikeTruth[] = []
  spikeIds.forEach(({ id, rate }, i) => {
    for (let k = 0; k < Math.max(1, 2 * (days - 1)); k++) {
      const start = T0 + DAY + Math.floor(((days - 1) * DAY * (k + r())) / Math.max(1, 2 * (days - 1)) / B) * B
      const m = MULTIPLIERS[(i + k) % MULTIPLIERS.length]!
      spikes.push({ id, rate, m, start, end: start + Math.floor(r() * 3) * B, over: m >= factor && m * rate >= floor, found: false })
    }
  })
  const gaps: Gap[] = []
  beats.forEach(({ id, cls }, i) => {
    for (let k = 0; k < Math.max(1, 2 * (days - 1)); k++) {
      const len = GAPS[(i + k) % GAPS.length]!
      const start = T0 + DAY + Math.floor(((days - 1) * DAY * (k + r() * 0.5)) / Math.max(1, 2 * (days - 1)) / B) * B + Math.floor(r() * B)
      gaps.push({ id, cls, start, end: start + len, len, found: false, latency: null, back: false })
    }
  })
  const config: Config = configSchema.parse({
    route: { fallbackChannel: 'bench' },
    alerts: {
      spikes: { enabled: true, factor, floor },
      silence: { enabled: true, rules: beats.map((b) => ({ statement: b.id, expect: SILENCE_CLASSES[b.cls]!.expect })) },
    },
  })
  mkdirSync(OUT, { recursive: true })
  const db = join(OUT, 'detect.db')
  for (const f of [db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true })
  const store = await openStore({ dbFile: db })
  const all = [...spikeIds.map((s) => s.id), ...beats.map((b) => b.id)]
  await store.replaceFiles(all.map((id) => ({ file: `src/${id}.c`, hash: 'h' })), all.map(statement), [])
  let now = T0
  const clock = () => now
  const router = new Router({ store, config, clock })
  const silences = new Silences({ store, config, clock })
  await router.refresh()
  const runner = new AlertRunner({ store, config, clock, router, silences, slack: null, instanceId: 'bench', log: (l) => process.stderr.write(`${l}\n`) })
  // What the detectors enqueue, as it is enqueued.
  const spikePosts: Array<{ id: string; start: number }> = []
  const silenceAlerts: Array<{ id: string; at: number; back: boolean }> = []
  const enqueue = store.enqueue.bind(store)
  store.enqueue = async (item) => {
    const fresh = await enqueue(item)
    const p = item.payload as { statementId: string; start?: number; edit?: number; back?: number | null }
    if (fresh && item.kind === 'alert.spike' && p.edit === 0 && !spikePosts.some((x) => x.id === p.statementId && x.start === p.start)) spikePosts.push({ id: p.statementId, start: p.start! })
    if (fresh && item.kind === 'alert.silence') silenceAlerts.push({ id: p.statementId, at: now, back: p.back !== null })
    return fresh
  }
  const wave = (t: number) => 1 + 0.5 * Math.sin((2 * Math.PI * (t - T0)) / DAY)
  let roundMs = 0
  let occurrences = 0
  for (let i = 0; i < buckets; i++) {
    const b = T0 + i * B
    const rows: OccurrenceDelta[] = []
    const add = (id: string, n: number, at: number) => {
      if (n > 0) rows.push({ statementId: id, host: 'h1', bucket: b, count: n, firstSeen: at, lastSeen: at, level: 'warn', samples: [] })
      occurrences += n
    }
    for (const { id, rate } of spikeIds) {
      let l = rate * wave(b)
      for (const s of spikes) if (s.id === id && b >= s.start && b <= s.end) l *= s.m
      add(id, poisson(r, l), b + Math.floor(r() * B))
    }
    for (const { id, cls } of beats) {
      // A heartbeat's lines spread over the bucket; none inside a gap.
      const n = poisson(r, SILENCE_CLASSES[cls]!.rate)
      const times = Array.from({ length: n }, () => b + Math.floor(r() * B)).filter((t) => !gaps.some((g) => g.id === id && t >= g.start && t < g.end))
      if (times.length) add(id, times.length, Math.max(...times))
    }
    await store.applyCounts({ unowned: [], checkpoints: [], occurrences: rows })
    now = b + B + 15_000
    const t = performance.now()
    await runner.check()
    roundMs += performance.now() - t
  }
  await store.close()

  // Spikes: each detection against the injected episodes.
  let spikeTp = 0
  const falseSpikes: string[] = []
  for (const d of spikePosts) {
    const hit = spikes.find((s) => s.id === d.id && d.start >= s.start && d.start <= s.end)
    if (hit) (hit.found = true), spikeTp++
    else falseSpikes.push(`${d.id}@${new Date(d.start).toISOString().slice(5, 16)}`)
  }
  const over = spikes.filter((s) => s.over)
  const lines: string[] = []
  lines.push(`${days} simulated days of 5-minute buckets (${fmt(buckets)} detector rounds, one per bucket, \`AlertRunner.check()\` on SQLite), ` +
    `${spikeIds.length} spiking statements + ${beats.length} heartbeats, ${fmt(occurrences)} occurrences; alerts.spikes factor ${factor}, floor ${floor}, ` +
    `half-life 24 h, warm-up 6 h; detector round ${(roundMs / buckets).toFixed(1)} ms on average`, '')
  lines.push(`**Spikes**: ${spikePosts.length} episodes told; precision ${pct(spikeTp, spikePosts.length)} (${spikeTp} on injected episodes, ${falseSpikes.length} elsewhere${falseSpikes.length ? `: ${falseSpikes.slice(0, 5).join(', ')}${falseSpikes.length > 5 ? ' …' : ''}` : ''}); ` +
    `recall over threshold ${pct(over.filter((s) => s.found).length, over.length)} (${over.filter((s) => s.found).length}/${over.length}), ` +
    `below threshold told ${spikes.filter((s) => !s.over && s.found).length}/${spikes.filter((s) => !s.over).length}`, '')
  lines.push(`| injected (found/injected) | ${RATES.map((x) => `λ ${x}/bucket`).join(' | ')} |`, `|---|${RATES.map(() => '---:').join('|')}|`)
  for (const m of MULTIPLIERS) {
    lines.push(`| ×${m} | ${RATES.map((rate) => {
      const c = spikes.filter((s) => s.m === m && s.rate === rate)
      return `${c.filter((s) => s.found).length}/${c.length}${c[0]?.over ? ' (over)' : ''}`
    }).join(' | ')} |`)
  }
  // Silences: each alert against the gaps.
  let silenceTp = 0
  const falseSilences: string[] = []
  for (const a of silenceAlerts.filter((a) => !a.back)) {
    const cls = SILENCE_CLASSES[beats.find((b) => b.id === a.id)!.cls]!
    const g = gaps.find((g) => g.id === a.id && g.len > cls.everyMs && a.at >= g.start && a.at <= g.end + B + 15_000)
    if (g && !g.found) (g.found = true), (g.latency = a.at - g.start), silenceTp++
    else falseSilences.push(a.id), process.env.DEBUG && process.stderr.write(`false ${a.id} ${new Date(a.at).toISOString()} gaps ${gaps.filter((g) => g.id === a.id).map((g) => `${new Date(g.start).toISOString()}+${g.len / 60000}`).join(' ')}\n`)
  }
  for (const a of silenceAlerts.filter((a) => a.back)) {
    const g = gaps.find((g) => g.id === a.id && g.found && a.at >= g.end && a.at <= g.end + SILENCE_CLASSES[g.cls]!.everyMs + B)
    if (g) g.back = true
  }
  const told = silenceAlerts.filter((a) => !a.back).length
  lines.push('', `**Expected silence**: ${told} silences told, precision ${pct(silenceTp, told)} (${silenceTp} on injected gaps longer than the period, ${falseSilences.length} elsewhere)`, '')
  lines.push('| heartbeat class | gap 20 min (no alert wanted): alerted | gap 2 h: found | gap 5 h: found | "back" told after a found gap | false alarms (no injected gap) | median alert time after the gap began |', '|---|---:|---:|---:|---:|---:|---:|')
  SILENCE_CLASSES.forEach((c, cls) => {
    const of = (len: number) => gaps.filter((g) => g.cls === cls && g.len === len)
    const short = of(GAPS[0]!)
    const shortAlerts = silenceAlerts.filter((a) => !a.back && beats.find((b) => b.id === a.id)!.cls === cls && short.some((g) => g.id === a.id && a.at >= g.start && a.at <= g.end + c.everyMs))
    const found = gaps.filter((g) => g.cls === cls && g.found)
    const fa = falseSilences.filter((id) => beats.find((b) => b.id === id)!.cls === cls).length - shortAlerts.length
    const lat = found.map((g) => g.latency!).sort((a, b) => a - b)
    lines.push(`| ${c.name} | ${shortAlerts.length}/${short.length} | ${of(GAPS[1]!).filter((g) => g.found).length}/${of(GAPS[1]!).length} | ${of(GAPS[2]!).filter((g) => g.found).length}/${of(GAPS[2]!).length} | ` +
      `${found.filter((g) => g.back).length}/${found.length} | ${fa} | ${lat.length ? `${Math.round(lat[lat.length >> 1]! / 60_000)} min` : '—'} |`)
  })
  return { lines }
}

/** `dice replay --no-deliver` of the typical mix, alerts off and on, interleaved; medians. */
async function replayCost(lines: number, runs: number): Promise<string[]> {
  await buildDist(ROOT)
  const inputs = await inputsFor(join(ROOT, 'bench', 'out', 'process'), 'typical', 10_000, lines, null)
  mkdirSync(OUT, { recursive: true })
  const off = join(OUT, 'alerts-off.yml')
  const on = join(OUT, 'alerts-on.yml')
  writeFileSync(off, 'route: { fallbackChannel: bench }\n')
  // ~1% of the catalog (bench/replay/catalog.ts puts statement i in src/mod{i % 97}/) is expected to keep logging.
  writeFileSync(on, `route: { fallbackChannel: bench }
alerts:
  firstSeen: { enabled: true }
  spikes: { enabled: true }
  silence: { enabled: true, rules: [{ path: 'src/mod1/**', expect: 1/h }] }
`)
  const env = { ...process.env, SLACK_BOT_TOKEN: '', DICE_DATABASE_URL: '' }
  const res: Record<string, Array<{ wallMs: number; cpuMs: number; counted: number }>> = { off: [], on: [], 'start-up': [] }
  const empty = join(OUT, 'empty.log')
  writeFileSync(empty, '')
  for (let i = 0; i < runs; i++) {
    for (const [name, cfg, log] of [['off', off, inputs.log], ['on', on, inputs.log], ['start-up', on, empty]] as const) {
      const db = join(OUT, `replay-${name}.db`)
      for (const f of [db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true })
      copyFileSync(inputs.db, db)
      const json = join(OUT, `replay-${name}.json`)
      const run = timed([process.execPath, join(ROOT, 'bin', 'dice.js'), '--config', cfg, '--db', db, '--at', '2026-03-02T12:00:00Z', 'replay', log, '--no-deliver', '--json'], { env, stdout: json })
      const summary = JSON.parse(execFileSync('tail', ['-n', '1', json], { encoding: 'utf8' }))
      res[name]!.push({ wallMs: run.wallMs, cpuMs: run.cpuMs, counted: summary.counted })
    }
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!
  const out = ['| alerts | wall ms (median) | lines/s (wall) | CPU ms (median) | lines per CPU-s | lines per CPU-s after start-up | counted | runs (wall ms) |', '|---|---:|---:|---:|---:|---:|---:|---|']
  const startCpu = med(res['start-up']!.map((x) => x.cpuMs))
  for (const name of ['off', 'on', 'start-up'] as const) {
    const rs = res[name]!
    const w = med(rs.map((x) => x.wallMs))
    const c = med(rs.map((x) => x.cpuMs))
    const n = name === 'start-up' ? 0 : lines
    out.push(`| ${name === 'start-up' ? 'on, empty file (start-up)' : name} | ${fmt(Math.round(w))} | ${n ? fmt(Math.round(n / (w / 1000))) : '—'} | ${fmt(Math.round(c))} | ${n ? fmt(Math.round(n / (c / 1000))) : '—'} | ` +
      `${n ? fmt(Math.round(n / ((c - startCpu) / 1000))) : '—'} | ${fmt(rs[0]!.counted)} | ${rs.map((x) => fmt(Math.round(x.wallMs))).join(', ')} |`)
  }
  return out
}

async function main(): Promise<void> {
  const out: string[] = [`Node ${process.version}, ${cpus()[0]?.model ?? '?'} × ${cpus().length}, load average ${loadavg()[0]!.toFixed(1)} at start`, '']
  if (!args['skip-detect']) out.push(...(await detection(Number(args.days), Number(args.factor), Number(args.floor))).lines, '')
  if (!args['skip-replay']) out.push(`Per-line cost: \`dice replay --no-deliver\` of the typical mix, ${fmt(Number(args.lines))} lines, 10k statements, alerts off / on interleaved, ${args.runs} runs each`, '', ...(await replayCost(Number(args.lines), Number(args.runs))))
  process.stdout.write(out.join('\n') + '\n')
}

await main()
