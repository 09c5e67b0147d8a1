/**
 * Whole processes, measured as a user meets them: wall time from spawn to exit, CPU time (user + system) and peak
 * RSS from GNU time, stdin and stdout redirected to files. `dice run` (a service that does not exit by itself) is
 * watched through /proc instead: its peak RSS (VmHWM) and CPU time, and its /metrics until every line is committed.
 */
import { spawn, spawnSync } from 'node:child_process'
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** One process run. */
export interface Run {
  wallMs: number
  cpuMs: number
  rssMb: number
  stderr: string
}

const TIME_FILE = join(tmpdir(), `dice-bench-time-${process.pid}`)

/** Run `argv` to its end under GNU time; stdin/stdout from/to files (or /dev/null). Throws on a non-zero exit. */
export function timed(argv: string[], o: { stdin?: string; stdout?: string; env?: NodeJS.ProcessEnv } = {}): Run {
  const fin = openSync(o.stdin ?? '/dev/null', 'r')
  const fout = openSync(o.stdout ?? '/dev/null', 'w')
  try {
    const t = performance.now()
    const r = spawnSync('/usr/bin/time', ['-f', '%U %S %M', '-o', TIME_FILE, ...argv], { stdio: [fin, fout, 'pipe'], env: o.env ?? process.env, maxBuffer: 1 << 26 })
    const wallMs = performance.now() - t
    const stderr = r.stderr?.toString() ?? ''
    if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${stderr.slice(-2000)}`)
    const [u, s, m] = readFileSync(TIME_FILE, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number)
    return { wallMs, cpuMs: (u! + s!) * 1000, rssMb: m! / 1024, stderr }
  } finally {
    closeSync(fin)
    closeSync(fout)
    rmSync(TIME_FILE, { force: true })
  }
}

/** Peak RSS (VmHWM) and CPU ms of a live process, from /proc; null once it is gone. */
function procStats(pid: number): { rssMb: number; cpuMs: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const hwm = /VmHWM:\s+(\d+) kB/.exec(status)
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // utime and stime (fields 14, 15) in clock ticks; 100 per second on Linux.
    return { rssMb: Number(hwm?.[1] ?? 0) / 1024, cpuMs: (Number(f[11]) + Number(f[12])) * 10 }
  } catch {
    return null
  }
}

/**
 * `dice run` with a config whose file source reads `log` from its start: waits until the store's counters say
 * `lines` were read (committed with their counts), then SIGTERM. Wall time is spawn → all lines committed; peak
 * RSS is the process's high-water mark up to its exit (the final flush included).
 */
export async function service(argv: string[], lines: number, o: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Run> {
  const t = performance.now()
  const p = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], env: o.env ?? process.env })
  let stderr = ''
  p.stderr!.on('data', (d: Buffer) => (stderr += d.toString()))
  const exited = new Promise<number | null>((r) => p.on('exit', (code) => r(code)))
  let peak = { rssMb: 0, cpuMs: 0 }
  const sample = () => {
    const s = procStats(p.pid!)
    if (s) peak = { rssMb: Math.max(peak.rssMb, s.rssMb), cpuMs: s.cpuMs }
  }
  const deadline = t + (o.timeoutMs ?? 600_000)
  let url: string | null = null
  let wallMs = NaN
  try {
    for (;;) {
      if (performance.now() > deadline) throw new Error(`dice run did not read ${lines} lines in time: ${stderr.slice(-2000)}`)
      if (p.exitCode !== null) throw new Error(`dice run exited ${p.exitCode}: ${stderr.slice(-2000)}`)
      sample()
      url ??= /listening on (http:\/\/\S+)/.exec(stderr)?.[1] ?? null
      if (url !== null) {
        const read = await fetch(`${url}/metrics`).then((r) => r.text()).then(linesRead).catch(() => 0)
        if (read >= lines) {
          wallMs = performance.now() - t
          break
        }
      }
      await new Promise((r) => setTimeout(r, 100))
    }
  } finally {
    sample()
    p.kill('SIGTERM')
    const timer = setInterval(sample, 20)
    const code = await exited
    clearInterval(timer)
    if (code !== 0 && Number.isFinite(wallMs)) throw new Error(`dice run exited ${code} after SIGTERM: ${stderr.slice(-2000)}`)
  }
  return { wallMs, cpuMs: peak.cpuMs, rssMb: peak.rssMb, stderr }
}

/** Lines read and committed, over every file source, from a /metrics page. */
function linesRead(metrics: string): number {
  let n = 0
  for (const m of metrics.matchAll(/^dice_lines_total\{source="file:[^"]*",result="read"\} (\d+)$/gm)) n += Number(m[1])
  return n
}

/** The median of `xs` (the lower middle of an even count: a real run's figure, not an average of two). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[(s.length - 1) >> 1]!
}

/**
 * Time from spawn until the first line of stdout, with `input` written to the process's stdin (which stays open,
 * as a pipe from a running program would): what a user waits for the first answer.
 */
export async function firstOutput(argv: string[], input: string, env?: NodeJS.ProcessEnv): Promise<number> {
  const t = performance.now()
  const p = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'ignore'], env: env ?? process.env })
  const exited = new Promise((r) => p.once('exit', r))
  p.stdin!.write(input)
  const ms = await Promise.race([
    new Promise<number>((resolve) => p.stdout!.once('data', () => resolve(performance.now() - t))),
    exited.then(() => Promise.reject(new Error(`${argv.join(' ')} exited before any output`))),
  ])
  p.stdin!.end()
  await exited
  return ms
}

/** The floor of reading a file in Node, as a script for `node -e SCRIPT FILE`: 64 KB reads, each line decoded to a string. */
export const NODE_COUNT = `
const fs = require('node:fs'); const fd = fs.openSync(process.argv[1], 'r'); const b = Buffer.allocUnsafe(65536)
let n = 0, carry = '', len = 0
for (;;) { const k = fs.readSync(fd, b, 0, 65536, null); if (!k) break
  let p = 0, nl
  while ((nl = b.indexOf(10, p)) >= 0 && nl < k) { const s = carry + b.toString('utf8', p, nl); len += s.length; carry = ''; n++; p = nl + 1 }
  carry += b.toString('utf8', p, k) }
process.stdout.write(String(n))`
