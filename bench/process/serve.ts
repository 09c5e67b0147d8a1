/**
 * `dice run` serving a large counted store (issue 18's memory target while the service is used): the web page viewed
 * a few times, then the JSON API, and, with --fallback, the fallback digest a store of many unowned statements makes —
 * time per request and peak RSS (VmHWM), for each build given, rounds interleaved so all meet the same machine state.
 *
 *   node --import tsx bench/process/serve.ts --store COUNTED.db [--variant before=/tmp/old/bin/dice.js] [--rounds 2]
 *   … --fallback bench/out/process/runs/fallback.yml   # also: dice run with that config until its digest is printed
 *
 * COUNTED.db: a catalog with its counts, e.g. a copy of bench/out/process/runs/catalog-warn-100000-this.db after
 * `dice --db COPY --at 2026-03-02T12:00:00Z replay bench/out/process/warn-100000s-1000000l/app.log --no-deliver`.
 * Every run gets a fresh copy of it; the clock is that replay's (--at).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { copyFileSync, readFileSync, rmSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'

const ROOT = join(fileURLToPath(import.meta.url), '..', '..', '..')
const { values: args } = parseArgs({ options: {
  store: { type: 'string' },
  variant: { type: 'string', multiple: true, default: [] },
  rounds: { type: 'string', default: '2' },
  views: { type: 'string', default: '3' },
  fallback: { type: 'string' },
  at: { type: 'string', default: '2026-03-02T12:00:00Z' },
} })
if (!args.store) throw new Error('--store COUNTED.db: a catalog with its counts (see the comment at the top)')
const VARIANTS = [{ label: 'this', bin: join(ROOT, 'bin', 'dice.js') }, ...args.variant!.map((v) => {
  const eq = v.indexOf('=')
  if (eq < 0) throw new Error(`--variant LABEL=PATH/bin/dice.js, got ${v}`)
  return { label: v.slice(0, eq), bin: resolve(v.slice(eq + 1)) }
})]
const ENV = { ...process.env, SLACK_BOT_TOKEN: '', SLACK_APP_TOKEN: '', DICE_DATABASE_URL: '' }

const hwm = (p: ChildProcess) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${p.pid}/status`, 'utf8'))![1]) / 1024

/** `dice run` on a fresh copy of the store; resolves with the process, its URL and a cleanup. */
async function start(bin: string, extra: string[] = []): Promise<{ p: ChildProcess; url: string; out: () => number; done: () => Promise<void> }> {
  const copy = join(tmpdir(), `dice-serve-bench-${process.pid}.db`)
  copyFileSync(args.store!, copy)
  const p = spawn(process.execPath, [bin, '--db', copy, ...extra, '--at', args.at!, 'run', '--port', '0'], { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] })
  let err = ''
  let out = 0
  p.stdout!.on('data', (d: Buffer) => (out += d.length))
  const url = await new Promise<string>((res, rej) => {
    p.stderr!.on('data', (d: Buffer) => {
      err += d
      const m = /listening on (http:\/\/\S+)/.exec(err)
      if (m) res(m[1]!)
    })
    p.on('exit', () => rej(new Error(`dice run exited: ${err}`)))
  })
  return {
    p, url, out: () => out,
    done: async () => {
      const exited = new Promise((r) => p.on('exit', r))
      p.kill('SIGTERM')
      await exited
      for (const f of [copy, `${copy}-wal`, `${copy}-shm`]) rmSync(f, { force: true })
    },
  }
}

async function timed(url: string): Promise<number> {
  const t = performance.now()
  const r = await fetch(url)
  await r.text()
  if (r.status !== 200) throw new Error(`${url}: ${r.status}`)
  return performance.now() - t
}

interface Row { label: string; pages: number[]; pageHwm: number; api: number[]; apiHwm: number; digestHwm: number | null; digestMs: number | null }

async function serve(label: string, bin: string): Promise<Row> {
  const s = await start(bin)
  const pages: number[] = []
  const api: number[] = []
  for (let i = 0; i < Number(args.views); i++) pages.push(await timed(`${s.url}/`))
  const pageHwm = hwm(s.p)
  for (let i = 0; i < 2; i++) api.push(await timed(`${s.url}/api/statements?limit=50`))
  const apiHwm = hwm(s.p)
  await s.done()
  let digestHwm: number | null = null
  let digestMs: number | null = null
  if (args.fallback) {
    // Until the console notifier has printed the digest and 5 s passed without output.
    const t0 = performance.now()
    const d = await start(bin, ['--config', resolve(args.fallback)])
    let last = performance.now()
    let seen = 0
    let peak = 0
    for (;;) {
      await new Promise((r) => setTimeout(r, 250))
      peak = Math.max(peak, hwm(d.p))
      if (d.out() !== seen) (seen = d.out()), (last = performance.now())
      if ((seen > 0 && performance.now() - last > 5000) || performance.now() - t0 > 180_000) break
    }
    digestHwm = peak
    digestMs = last - t0
    await d.done()
  }
  return { label, pages, pageHwm, api, apiHwm, digestHwm, digestMs }
}

const ms = (xs: number[]) => xs.map((x) => Math.round(x).toLocaleString('en-US')).join(' / ')
console.log(`${cpus()[0]?.model.trim()}, ${cpus().length} cores, Node ${process.version}; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}; store ${args.store}`)
const rows: Row[] = []
for (let r = 1; r <= Number(args.rounds); r++) {
  for (const v of VARIANTS) {
    const row = await serve(v.label, v.bin)
    rows.push(row)
    console.log(`round ${r} ${v.label}: GET / ${ms(row.pages)} ms, ${row.pageHwm.toFixed(0)} MB; API ${ms(row.api)} ms, ${row.apiHwm.toFixed(0)} MB${row.digestHwm !== null ? `; fallback digest ${row.digestHwm.toFixed(0)} MB` : ''}`)
  }
}
console.log(`\n| build | \`GET /\` ×${args.views}, ms | peak RSS after them | \`GET /api/statements?limit=50\` ×2, ms | peak RSS after them |${args.fallback ? ' peak RSS with the fallback digest due |' : ''}`)
console.log(`|---|---|---:|---|---:|${args.fallback ? '---:|' : ''}`)
for (const r of rows) console.log(`| ${r.label} | ${ms(r.pages)} | ${r.pageHwm.toFixed(0)} MB | ${ms(r.api)} | ${r.apiHwm.toFixed(0)} MB |${r.digestHwm !== null ? ` ${r.digestHwm.toFixed(0)} MB |` : ''}`)
