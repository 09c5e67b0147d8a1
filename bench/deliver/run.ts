/**
 * Delivery benchmark: this checkout against the build before delivery was reshaped into stages (54988f1), in one
 * run, each build with its own `dice index` of the same small repository and the same logs.
 *
 *   throughput  `dice replay LOG` with delivery on: lines/s (wall, and per CPU-second of the child) through the console
 *               notifier (no token) and through the Slack Web API stand-in (SLACK_BOT_TOKEN + DICE_SLACK_API_URL)
 *   latency     `dice run` with the stand-in: one line at a time POSTed to /ingest, each for another #channel statement
 *               (so each opens a window: one chat.postMessage); time from sending the line to the post arriving at the
 *               stand-in, p50 and p95
 *   no-deliver  `dice replay --no-deliver` of the typical mix (bench/replay's generator: 85% INFO/DEBUG, 10k statements),
 *               lines/s against the 300k lines/s target
 *
 *   npm run bench:deliver                                   # = node --import tsx bench/deliver/run.ts
 *   node --import tsx bench/deliver/run.ts --lines 100000 --runs 1 --samples 20 --base 54988f1
 *
 * The base build is a detached git worktree in the temp dir (node_modules linked from this checkout, built with tsc).
 * Runs of the two builds alternate; medians are shown. Keep it short on a shared machine.
 */
import { execFileSync, spawn } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer } from 'node:net'
import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'
import { startSlackStandin } from '../../src/deliver/testutil/slack-standin.js'
import { buildDist } from '../../src/testutil/build-dist.js'
import { makeCatalog, makeLines, rng } from '../match/generate.js'
import { syslogLine, writeLog } from '../process/inputs.js'
import { planWith, statementsOf, writeCatalogDb } from '../replay/catalog.js'

const ROOT = join(fileURLToPath(import.meta.url), '..', '..', '..')
const { values: args } = parseArgs({ options: {
  lines: { type: 'string', default: '200000' }, runs: { type: 'string', default: '3' }, samples: { type: 'string', default: '40' },
  base: { type: 'string', default: '54988f1' }, 'typical-lines': { type: 'string', default: '300000' },
} })
const N = Number(args.lines)
const RUNS = Math.max(1, Number(args.runs))
const SAMPLES = Math.max(1, Math.min(60, Number(args.samples)))
const TYPICAL = Number(args['typical-lines'])
const OUT = join(ROOT, 'bench', 'out', 'deliver')
const AT = '2026-03-02T12:00:00Z'
const FORMAT = 'regex:^(?<time>\\S+) (?<host>\\S+) (?<level>[A-Z]+) (?<message>.*)$'
const CHANNELS = 60
const OWNED = 20

interface Build { name: string; dir: string }

function sh(cmd: string, argv: string[], cwd?: string): string {
  return execFileSync(cmd, argv, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 })
}

/** The base commit as a detached worktree, built (tsc; node_modules linked from this checkout). */
async function baseBuild(rev: string): Promise<Build> {
  const sha = sh('git', ['rev-parse', '--short', rev], ROOT).trim()
  const dir = join(tmpdir(), `dice-bench-base-${sha}`)
  if (!existsSync(join(dir, 'package.json'))) {
    rmSync(dir, { recursive: true, force: true })
    sh('git', ['worktree', 'prune'], ROOT)
    sh('git', ['worktree', 'add', '--detach', dir, sha], ROOT)
  }
  if (!existsSync(join(dir, 'node_modules'))) {
    try {
      symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'))
    } catch {
      cpSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), { recursive: true })
    }
  }
  if (!existsSync(join(dir, 'dist', 'cli', 'main.js'))) await buildDist(dir)
  return { name: `before (${sha})`, dir }
}

/** A git repository with CHANNELS `#bench-N` statements (real time) and OWNED statements owned by blame (digests). */
function makeRepo(dir: string): void {
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(join(dir, 'src'), { recursive: true })
  const body: string[] = ['#include "log.h"', '', 'void bench(int i, const char *peer) {']
  for (let i = 0; i < CHANNELS; i++) body.push(`  WARN_LOG("bench event ${i} failed for peer %s", peer); // #bench-${i}`)
  for (let i = 0; i < OWNED; i++) body.push(`  ERROR_LOG("bench fault ${i} in worker %d", i);`)
  body.push('}', '')
  writeFileSync(join(dir, 'src', 'bench.c'), body.join('\n'))
  const git = (...a: string[]) => sh('git', ['-c', 'user.email=pig@pen.mssn', '-c', 'user.name=Pig', ...a], dir)
  git('init', '-q')
  git('add', '.')
  git('commit', '-qm', 'bench')
}

/** N lines: 30% WARN/ERROR lines of the repository's statements (many peers, 8 hosts), the rest INFO noise. */
async function makeLog(file: string): Promise<void> {
  const r = rng(5)
  const t0 = Date.parse(AT) - 3_600_000
  await writeLog(file, (function* () {
    for (let i = 0; i < N; i++) {
      const time = new Date(t0 + Math.floor((i / N) * 3_600_000)).toISOString()
      const host = `host-${i % 8}`
      const x = r()
      if (x < 0.2) {
        const peer = r() < 0.7 ? '203.0.113.9' : `198.51.100.${Math.floor(r() * 250)}`
        yield `${time} ${host} WARN bench event ${Math.floor(r() * CHANNELS)} failed for peer ${peer}`
      } else if (x < 0.3) yield `${time} ${host} ERROR bench fault ${Math.floor(r() * OWNED)} in worker ${Math.floor(r() * 64)}`
      else yield `${time} ${host} INFO request ${i} served in ${Math.floor(r() * 900)} ms`
    }
  })())
}

/**
 * Run a child under bash's `time`: wall ms and CPU ms (user+sys) of the child. Asynchronous: the Slack stand-in
 * answering the child lives in this process's event loop.
 */
async function timed(argv: string[], env: Record<string, string>): Promise<{ ms: number; cpuMs: number }> {
  const quoted = argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')
  const t = performance.now()
  const child = spawn('bash', ['-c', `time ${quoted} >"$OUT_FILE" 2>"$ERR_FILE"`], {
    env: { ...process.env, TIMEFORMAT: 'CPU %U %S', OUT_FILE: join(OUT, 'child.out'), ERR_FILE: join(OUT, 'child.err'), ...env }, stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (d) => (stderr += d))
  const status = await new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
  const ms = performance.now() - t
  if (status !== 0) throw new Error(`${argv.slice(1, 6).join(' ')} failed: ${readFileSync(join(OUT, 'child.err'), 'utf8').slice(-2000)}`)
  const cpu = /CPU ([\d.]+) ([\d.]+)/.exec(stderr)
  return { ms, cpuMs: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : NaN }
}

const dice = (b: Build) => [process.execPath, join(b.dir, 'bin', 'dice.js')]
const NO_SLACK = { SLACK_BOT_TOKEN: '', DICE_SLACK_API_URL: '', DICE_DATABASE_URL: '' }

function freshCopy(src: string, dst: string): string {
  for (const f of [dst, `${dst}-wal`, `${dst}-shm`]) rmSync(f, { force: true })
  cpSync(src, dst)
  return dst
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port
      s.close(() => resolve(p))
    })
  })
}

/** `dice run` with the stand-in; SAMPLES lines one at a time over /ingest; ms from send to chat.postMessage. */
async function latency(b: Build, db: string): Promise<number[]> {
  const slack = await startSlackStandin()
  const port = await freePort()
  const child = spawn(dice(b)[0]!, [...dice(b).slice(1), '--db', db, 'run', '--port', String(port)], {
    env: { ...process.env, ...NO_SLACK, SLACK_BOT_TOKEN: 'xoxb-bench', DICE_SLACK_API_URL: slack.url }, stdio: ['ignore', 'ignore', 'pipe'],
  })
  let err = ''
  child.stderr.on('data', (d) => (err = (err + d).slice(-4000)))
  const base = `http://127.0.0.1:${port}`
  try {
    const started = Date.now()
    for (;;) {
      if (child.exitCode !== null) throw new Error(`dice run exited: ${err}`)
      const ok = await fetch(`${base}/healthz`).then((r) => r.ok, () => false)
      if (ok) break
      if (Date.now() - started > 60_000) throw new Error(`dice run did not start: ${err}`)
      await new Promise((r) => setTimeout(r, 100))
    }
    const out: number[] = []
    const fmt = encodeURIComponent('regex:^(?<host>\\S+) (?<level>[A-Z]+) (?<message>.*)$')
    for (let k = 0; k < SAMPLES; k++) {
      const marker = `bench event ${k} failed for peer 10.9.${k}.1`
      const sent = Date.now()
      const r = await fetch(`${base}/ingest?format=${fmt}`, { method: 'POST', body: `host-1 WARN ${marker}\n` })
      if (!r.ok) throw new Error(`/ingest answered ${r.status}`)
      let post: { at: number } | undefined
      while (!(post = slack.ok('chat.postMessage').find((c) => String(c.body.text).includes(marker)))) {
        if (Date.now() - sent > 15_000) throw new Error(`no post for ${marker} within 15 s (${b.name}): ${err}`)
        await new Promise((r) => setTimeout(r, 2))
      }
      out.push(post.at - sent)
      await new Promise((r) => setTimeout(r, 50))
    }
    return out
  } finally {
    child.kill('SIGTERM')
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)))
    await slack.close()
  }
}

const median = (x: number[]) => [...x].sort((a, b) => a - b)[x.length >> 1]!
const pct = (x: number[], p: number) => [...x].sort((a, b) => a - b)[Math.min(x.length - 1, Math.floor((p / 100) * x.length))]!
const fmt = (n: number) => Math.round(n).toLocaleString('en-US')

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true })
  process.stderr.write('building…\n')
  await buildDist(ROOT)
  const builds: Build[] = [await baseBuild(args.base!), { name: 'after (this checkout)', dir: ROOT }]
  const repo = join(OUT, 'repo')
  makeRepo(repo)
  const log = join(OUT, `deliver-${N}.log`)
  if (!existsSync(log)) await makeLog(log)
  const load0 = loadavg()[0]!.toFixed(1)
  const indexed = new Map<Build, string>()
  for (const b of builds) {
    const db = join(OUT, `index-${builds.indexOf(b)}.db`)
    for (const f of [db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true })
    await timed([...dice(b), '--db', db, 'index', repo], NO_SLACK)
    indexed.set(b, db)
  }
  process.stderr.write('throughput…\n')
  // Throughput: alternate the builds, RUNS times each, console notifier then the stand-in.
  const slack = await startSlackStandin()
  const tp = new Map<string, Array<{ ms: number; cpuMs: number }>>()
  const add = (k: string, v: { ms: number; cpuMs: number }) => tp.set(k, [...(tp.get(k) ?? []), v])
  for (let r = 0; r < RUNS; r++) {
    for (const b of r % 2 ? [...builds].reverse() : builds) {
      const i = builds.indexOf(b)
      const run = (env: Record<string, string>) => timed([...dice(b), '--db', freshCopy(indexed.get(b)!, join(OUT, `run-${i}.db`)), '--at', AT, 'replay', log, '--format', FORMAT], env)
      add(`${i}:console`, await run(NO_SLACK))
      add(`${i}:standin`, await run({ ...NO_SLACK, SLACK_BOT_TOKEN: 'xoxb-bench', DICE_SLACK_API_URL: slack.url }))
    }
  }
  const posts = slack.ok('chat.postMessage').length
  await slack.close()
  process.stderr.write('latency…\n')
  // Latency: one `dice run` per build, SAMPLES posts each.
  const lat = new Map<Build, number[]>()
  for (const b of builds) lat.set(b, await latency(b, freshCopy(indexed.get(b)!, join(OUT, `latency-${builds.indexOf(b)}.db`))))
  process.stderr.write('no-deliver…\n')
  // No delivery, typical mix: bench/replay's generator and catalog.
  const { templates, vocabulary } = makeCatalog(3, 10_000)
  const typical = join(OUT, `typical-${TYPICAL}.log`)
  if (!existsSync(typical)) {
    const r = rng(7)
    let i = 0
    await writeLog(typical, (function* () {
      for (const msg of makeLines(11, templates, vocabulary, TYPICAL, 0.7)) {
        const x = r()
        yield syslogLine(++i, x < 0.05 ? 'ERROR' : x < 0.15 ? 'WARNING' : x < 0.85 ? 'INFO' : 'DEBUG', msg)
      }
    })())
  }
  const catalog = join(OUT, 'typical-catalog.db')
  await writeCatalogDb(catalog, statementsOf(templates))
  const nd = new Map<string, Array<{ ms: number; cpuMs: number }>>()
  for (let r = 0; r < RUNS; r++) {
    for (const b of r % 2 ? [...builds].reverse() : builds) {
      const i = builds.indexOf(b)
      const db = freshCopy(catalog, join(OUT, `nd-${i}.db`))
      // Each build's own plan (a stored plan is valid only for the code that wrote it), as after its `dice index`.
      planWith(dice(b), db)
      const x = await timed([...dice(b), '--db', db, '--at', AT, 'replay', typical, '--no-deliver'], NO_SLACK)
      nd.set(String(i), [...(nd.get(String(i)) ?? []), x])
    }
  }

  const rate = (lines: number, ms: number) => lines / (ms / 1000)
  const row = (xs: Array<{ ms: number; cpuMs: number }>, lines: number) => {
    const w = median(xs.map((x) => x.ms))
    const c = median(xs.map((x) => x.cpuMs))
    return { wall: rate(lines, w), cpu: rate(lines, c), w, c }
  }
  const out: string[] = []
  out.push(`${fmt(N)} lines (30% WARN/ERROR of ${CHANNELS} #channel and ${OWNED} owned statements), ${RUNS} runs per build alternating, medians; ` +
    `${cpus()[0]?.model ?? '?'}, ${cpus().length} cores, Node ${process.version}, load average ${load0} at start, ${loadavg()[0]!.toFixed(1)} at end`, '')
  out.push('| build | replay + console: lines/s (wall) | lines per CPU-s | replay + Slack stand-in: lines/s (wall) | lines per CPU-s | real-time latency p50 ms | p95 ms | `replay --no-deliver` typical: lines/s (wall) | lines per CPU-s |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|')
  const cells = builds.map((b, i) => {
    const c = row(tp.get(`${i}:console`)!, N)
    const s = row(tp.get(`${i}:standin`)!, N)
    const l = lat.get(b)!
    const t = row(nd.get(String(i))!, TYPICAL)
    return { c, s, p50: pct(l, 50), p95: pct(l, 95), t }
  })
  builds.forEach((b, i) => {
    const x = cells[i]!
    out.push(`| ${b.name} | ${fmt(x.c.wall)} | ${fmt(x.c.cpu)} | ${fmt(x.s.wall)} | ${fmt(x.s.cpu)} | ${fmt(x.p50)} | ${fmt(x.p95)} | ${fmt(x.t.wall)} | ${fmt(x.t.cpu)} |`)
  })
  const [a, z] = cells as [typeof cells[0], typeof cells[0]]
  const ratio = (after: number, before: number) => `${(after / before).toFixed(2)}×`
  out.push(`| after ÷ before | ${ratio(z.c.wall, a.c.wall)} | ${ratio(z.c.cpu, a.c.cpu)} | ${ratio(z.s.wall, a.s.wall)} | ${ratio(z.s.cpu, a.s.cpu)} | ${ratio(z.p50, a.p50)} | ${ratio(z.p95, a.p95)} | ${ratio(z.t.wall, a.t.wall)} | ${ratio(z.t.cpu, a.t.cpu)} |`)
  out.push('', `Slack stand-in: ${posts} chat.postMessage calls over all throughput runs. Latency samples (ms): ` +
    builds.map((b) => `${b.name}: ${lat.get(b)!.join(', ')}`).join('; '))
  out.push('', `\`replay --no-deliver\` typical mix, this checkout: ${fmt(z.t.wall)} lines/s wall, ${fmt(z.t.cpu)} lines per CPU-second ` +
    `(target ≥ 300,000 lines/s: ${z.t.wall >= 300_000 ? 'met' : z.t.cpu >= 300_000 ? 'met per CPU-second, not in wall time on this load' : 'NOT met'}; ` +
    `includes start-up: ${fmt(TYPICAL)} lines a run)`)
  process.stdout.write(out.join('\n') + '\n')
}

await main()
