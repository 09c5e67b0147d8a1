/**
 * The user's view (`npm run bench`): Dice as whole processes on a file — node start, catalog load, matcher build,
 * parsing, output and the store included — against `grep -F -f` as a whole process and a plain Node line counter
 * (the floor of reading the file in Node), on three mixes (bench/process/inputs.ts: typical, warn = every line
 * matched and counted, real = loghub's logs), at 10k and 100k statements. Rounds are interleaved (one run of every
 * command per round, so all meet the same machine state) and medians shown. Also peak RSS of `dice replay`
 * (delivery off and on) and `dice run`, and start-up: empty input, and the time to the first answer.
 *
 *   npm run bench                                                  # 1M lines, 10k,100k statements, all mixes, 3 rounds
 *   node --import tsx bench/process/run.ts --lines 200000 --sizes 10000 --mixes warn --runs 5
 *   … --variant before=/tmp/old/bin/dice.js                        # also another build, measured in the same rounds
 *   … --variant 'w2=bin/dice.js --workers 2'                       # the same build with extra flags (replay and run)
 *   … --variant 'modules=bin/dice.js DICE_BUNDLE=0'                # NAME=value words: the variant's environment
 *   … --no-this --variant before=/tmp/old/bin/dice.js              # only the given builds (this tree may be rebuilt meanwhile)
 *   … --loghub /tmp/loghub                                         # the real mix reads a loghub checkout (default /tmp/loghub)
 *   … --only memory --fallback                                     # memory with route.fallbackChannel set: what nobody owns is listed in its digest
 *
 * Builds dist/ first. Generated inputs are cached in bench/out/process/.
 */
import { execFileSync, spawn } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join, relative, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'
import { inputsFor, MIXES, type Inputs, type Mix } from './inputs.js'
import { firstOutput, median, NODE_COUNT, service, timed, type Run } from './measure.js'
import { buildDist } from '../../src/testutil/build-dist.js'

const ROOT = join(fileURLToPath(import.meta.url), '..', '..', '..')
const { values: args } = parseArgs({ options: {
  lines: { type: 'string', default: '1000000' },
  sizes: { type: 'string', default: '10000,100000' },
  mixes: { type: 'string', default: MIXES.join(',') },
  runs: { type: 'string', default: '3' },
  loghub: { type: 'string', default: '/tmp/loghub' },
  variant: { type: 'string', multiple: true, default: [] },
  'no-service': { type: 'boolean', default: false },
  'no-this': { type: 'boolean', default: false },
  'no-startup': { type: 'boolean', default: false },
  fallback: { type: 'boolean', default: false },
  only: { type: 'string' },
} })
const N = Number(args.lines)
const SIZES = args.sizes!.split(',').map(Number)
const RUNS = Math.max(1, Number(args.runs))
const MIX_LIST = args.mixes!.split(',') as Mix[]
/** Which measurements to take: `throughput`, `memory`, `startup` (comma-separated; default all). */
const ONLY = new Set((args.only ?? 'throughput,memory,startup').split(','))
const OUT = join(ROOT, 'bench', 'out', 'process')
const AT = '2026-03-02T12:00:00Z'
const ENV = { ...process.env, SLACK_BOT_TOKEN: '', SLACK_APP_TOKEN: '', DICE_DATABASE_URL: '', LC_ALL: 'C' }

/** A build of Dice to measure (and extra flags after the command word, and environment: `NAME=value` words). */
interface Variant { label: string; bin: string; flags: string[]; env: Record<string, string> }
const VARIANTS: Variant[] = [...(args['no-this'] ? [] : [{ label: 'this', bin: join(ROOT, 'bin', 'dice.js'), flags: [], env: {} }]), ...args.variant!.map((v) => {
  const eq = v.indexOf('=')
  if (eq < 0) throw new Error(`--variant LABEL=PATH/bin/dice.js [flags…] [NAME=value…], got ${v}`)
  const [bin, ...words] = v.slice(eq + 1).split(' ').filter(Boolean)
  const isEnv = (w: string) => /^[A-Z][A-Z0-9_]*=/.test(w)
  const env = Object.fromEntries(words.filter(isEnv).map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]))
  return { label: v.slice(0, eq), bin: resolve(bin!), flags: words.filter((w) => !isEnv(w)), env }
})]
/** The environment a variant's processes run in. */
const envOf = (v: Variant): NodeJS.ProcessEnv => ({ ...ENV, ...v.env })

const fmt = (n: number) => Math.round(n).toLocaleString('en-US')
const rate = (ms: number) => fmt(N / (ms / 1000))
const show = (argv: string[]) => argv.map((a) => (a === process.execPath ? 'node' : a.startsWith(`${process.cwd()}/`) ? relative(process.cwd(), a) : a)).map((a) => (/[\s'"|]/.test(a) ? `'${a}'` : a)).join(' ')

const FALLBACK = 'route:\n  fallbackChannel: "#dice-fallback"\n'
/** The configuration of `--fallback` runs (route.fallbackChannel set). */
function fallbackConfig(): string {
  const f = join(OUT, 'runs', 'fallback.yml')
  writeFileSync(f, FALLBACK)
  return f
}

/** A variant's flags (`--workers`) go to every command: `dice match` knows --workers since 2026-12-07 (f6db5f2). */
function dice(v: Variant, db: string, command: string, ...rest: string[]): string[] {
  return [process.execPath, v.bin, '--db', db, '--at', AT, command, ...v.flags, ...rest]
}

/**
 * The catalog as `dice index` of build `v` leaves it: with the matcher index that build stores (made by one
 * `dice replay` of an empty file, once per bench run). The generated catalog.db carries an index made by the
 * bench's own TypeScript, which no build loads: without this every run would time an index build a user's
 * start (after `dice index`) does not have.
 */
const catalogs = new Map<string, string>()
function catalogOf(inp: Inputs, v: Variant): string {
  const key = `${inp.db}\t${v.label}`
  let db = catalogs.get(key)
  if (db === undefined) {
    db = join(OUT, 'runs', `catalog-${inp.mix}-${inp.statements}-${v.label.replace(/\W+/g, '_')}.db`)
    mkdirSync(join(OUT, 'runs'), { recursive: true })
    for (const f of [db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true })
    copyFileSync(inp.db, db)
    const empty = join(OUT, 'runs', 'empty.log')
    writeFileSync(empty, '')
    execFileSync(process.execPath, [v.bin, '--db', db, '--at', AT, 'replay', empty, '--no-deliver'], { env: envOf(v), stdio: 'ignore' })
    catalogs.set(key, db)
  }
  return db
}

/** A fresh copy of build `v`'s catalog for a run that writes to the store. */
function freshDb(inp: Inputs, v: Variant, name: string): string {
  const db = join(OUT, 'runs', `${name.replace(/\W+/g, '_')}.db`)
  mkdirSync(join(OUT, 'runs'), { recursive: true })
  for (const f of [db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true })
  copyFileSync(catalogOf(inp, v), db)
  return db
}

const commands = new Map<string, string>()
function note(name: string, argv: string[], redirect = ''): void {
  if (!commands.has(name)) commands.set(name, `${show(argv)}${redirect}`)
}

interface Row { inp: Inputs; grep: Run[]; node: Run[]; match: Map<string, Run[]>; replay: Map<string, Run[]>; deliver: Map<string, Run>; run: Map<string, Run> }

async function measureMix(inp: Inputs): Promise<Row> {
  const row: Row = { inp, grep: [], node: [], match: new Map(), replay: new Map(), deliver: new Map(), run: new Map() }
  const sink = join(OUT, 'runs', 'stdout')
  mkdirSync(join(OUT, 'runs'), { recursive: true })
  const tag = `${inp.mix}-${inp.statements}`
  for (let r = 0; r < RUNS && ONLY.has('throughput'); r++) {
    const grep = ['grep', '-F', '-f', inp.patterns, inp.log]
    note('grep', grep, ' > out')
    row.grep.push(timed(grep, { stdout: sink, env: ENV }))
    const node = [process.execPath, '-e', '<plain line counter, bench/process/run.ts>', inp.log]
    note('node', node)
    row.node.push(timed([process.execPath, '-e', NODE_COUNT, inp.log], { env: ENV }))
    for (const v of VARIANTS) {
      const m = dice(v, catalogOf(inp, v), 'match', '--json')
      note(`match ${v.label}`, m, ` < ${relative(process.cwd(), inp.log)} > out`)
      push(row.match, v.label, timed(m, { stdin: inp.log, stdout: sink, env: envOf(v) }))
      const db = freshDb(inp, v, `${tag}-${v.label}`)
      const rp = dice(v, db, 'replay', inp.log, '--json', '--no-deliver')
      note(`replay ${v.label}`, rp)
      const run = timed(rp, { stdout: sink, env: envOf(v) })
      const summary = JSON.parse(readFileSync(sink, 'utf8').trim().split('\n').at(-1)!) as { lines: number }
      if (summary.lines !== inp.lines) throw new Error(`${show(rp)} read ${summary.lines} lines, expected ${inp.lines}`)
      push(row.replay, v.label, run)
    }
    process.stderr.write(`  ${tag} round ${r + 1}: grep ${fmt(row.grep.at(-1)!.wallMs)} ms, node ${fmt(row.node.at(-1)!.wallMs)} ms, ` +
      VARIANTS.map((v) => `[${v.label}] match ${fmt(row.match.get(v.label)!.at(-1)!.wallMs)} ms, replay ${fmt(row.replay.get(v.label)!.at(-1)!.wallMs)} ms ${fmt(row.replay.get(v.label)!.at(-1)!.rssMb)} MB`).join(', ') + '\n')
  }
  if (ONLY.has('memory')) {
    for (const v of VARIANTS) {
      const db = freshDb(inp, v, `${tag}-${v.label}-deliver`)
      // With --fallback the replay's final digest lists what nobody owns (the bench catalog has no blame: everything)
      // in the fallback channel's digest instead of counting it as undeliverable.
      const rp = [...dice(v, db, 'replay', inp.log, '--json'), ...(args.fallback ? ['--config', fallbackConfig()] : [])]
      note(`replay deliver ${v.label}`, rp)
      row.deliver.set(v.label, timed(rp, { stdout: join(OUT, 'runs', 'stdout'), env: envOf(v) }))
      if (args['no-service']) continue
      const cfg = join(OUT, 'runs', `${tag}.yml`)
      writeFileSync(cfg, `${args.fallback ? FALLBACK : ''}sources:\n  - type: file\n    path: ${JSON.stringify(inp.log)}\n    fromStart: true\n`)
      const rdb = freshDb(inp, v, `${tag}-${v.label}-run`)
      const argv = [process.execPath, v.bin, '--db', rdb, '--config', cfg, '--at', AT, 'run', ...v.flags, '--port', '0']
      note(`run ${v.label}`, argv)
      row.run.set(v.label, await service(argv, inp.lines, { env: envOf(v) }))
      process.stderr.write(`  ${tag} [${v.label}] replay+deliver ${fmt(row.deliver.get(v.label)!.rssMb)} MB, run ${fmt(row.run.get(v.label)!.rssMb)} MB in ${fmt(row.run.get(v.label)!.wallMs)} ms\n`)
    }
  }
  return row
}

function push<T>(m: Map<string, T[]>, k: string, v: T): void {
  const a = m.get(k)
  if (a) a.push(v)
  else m.set(k, [v])
}

const med = (runs: Run[], f: (r: Run) => number) => median(runs.map(f))

/**
 * Start-up on the 10k typical catalog: empty input, and the first answer to one line. Wall time, and the CPU time
 * (user + system) of the processes that exit by themselves: on a shared machine the wall time mostly measures the
 * other processes, the CPU time far less. This tree is measured twice: as a user's second and later starts find it
 * (V8's code cache of an earlier start, src/cli/code-cache.ts) and as the first start of a build does (no cache).
 */
async function startup(inp: Inputs): Promise<string[]> {
  const empty = join(OUT, 'runs', 'empty.log')
  writeFileSync(empty, '')
  const one = join(OUT, 'runs', 'one.log')
  writeFileSync(one, inp.firstLine + '\n')
  const rows: string[] = ['| start-up, 10k-statement catalog | build | median ms (wall) | runs, ms | median CPU ms (user+sys) | runs, CPU ms |', '|---|---|---:|---|---:|---|']
  const node = [process.execPath, '-e', '0']
  const runs = new Map<string, Array<{ wall: number; cpu: number | null }>>()
  const add = (k: string, wall: number, cpu: number | null = null) => push(runs, k, { wall, cpu })
  const addRun = (k: string, r: Run) => add(k, r.wallMs, r.cpuMs)
  const first = VARIANTS.filter((v) => v.label === 'this').map((v) => ({ ...v, label: 'this, first start (no code cache)', env: { ...v.env, DICE_CODE_CACHE: 'off' } }))
  for (let r = 0; r < Math.max(5, RUNS); r++) {
    addRun('node -e 0 (floor: Node start)\tfloor', timed(node, { env: ENV }))
    for (const v of [...VARIANTS, ...first]) {
      addRun(`\`dice match --json\`, empty stdin\t${v.label}`, timed(dice(v, catalogOf(inp, v), 'match', '--json'), { env: envOf(v) }))
      addRun(`\`dice match --json\` < one line\t${v.label}`, timed(dice(v, catalogOf(inp, v), 'match', '--json'), { stdin: one, env: envOf(v) }))
      addRun(`\`dice replay EMPTY --no-deliver\`\t${v.label}`, timed(dice(v, freshDb(inp, v, `startup-${v.label}`), 'replay', empty, '--no-deliver'), { env: envOf(v) }))
      addRun(`\`dice replay ONE-LINE --no-deliver\` (matched, counted, stored)\t${v.label}`, timed(dice(v, freshDb(inp, v, `startup-${v.label}`), 'replay', one, '--no-deliver'), { env: envOf(v) }))
      add(`\`dice match --json\`: first line answered (stdin left open)\t${v.label}`, await firstOutput(dice(v, catalogOf(inp, v), 'match', '--json'), inp.firstLine + '\n', envOf(v)))
      add(`\`dice run\`: first \`POST /ingest\` line counted\t${v.label}`, await firstIngest(v, freshDb(inp, v, `startup-run-${v.label}`), inp.firstLine))
    }
  }
  for (const [k, xs] of runs) {
    const [what, label] = k.split('\t')
    const wall = xs.map((x) => x.wall)
    const cpu = xs.every((x) => x.cpu !== null) ? xs.map((x) => x.cpu!) : null
    rows.push(`| ${what} | ${label} | ${fmt(median(wall))} | ${wall.map(fmt).join(', ')} | ${cpu ? fmt(median(cpu)) : '—'} | ${cpu ? cpu.map(fmt).join(', ') : '—'} |`)
  }
  return rows
}

/** `dice run` from spawn to the answer of a POST /ingest of one line (answered once counted). */
async function firstIngest(v: Variant, db: string, line: string): Promise<number> {
  // The bench's own first fetch loads its HTTP client (undici, ~15-30 ms here): not Dice's start-up. A refused
  // connection does it before the clock starts.
  await fetch('http://127.0.0.1:9/').catch(() => {})
  const t = performance.now()
  const p = spawn(process.execPath, [v.bin, '--db', db, '--at', AT, 'run', ...v.flags, '--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'], env: envOf(v) })
  const exited = new Promise((r) => p.once('exit', r))
  try {
    const url = await new Promise<string>((res, rej) => {
      let err = ''
      p.stderr!.on('data', (d: Buffer) => {
        err += d.toString()
        const m = /listening on (http:\/\/\S+)/.exec(err)
        if (m) res(m[1]!)
      })
      p.once('exit', (c) => rej(new Error(`dice run exited ${c}: ${err}`)))
    })
    const r = await fetch(`${url}/ingest`, { method: 'POST', body: line + '\n' })
    if (!r.ok) throw new Error(`POST /ingest: ${r.status}`)
    return performance.now() - t
  } finally {
    p.kill('SIGTERM')
    await exited
  }
}

async function main(): Promise<void> {
  await buildDist(ROOT)
  const head = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} at start`
  process.stderr.write(`${head}\n`)
  const rows: Row[] = []
  for (const mix of MIX_LIST) {
    for (const size of SIZES) {
      const inp = await inputsFor(OUT, mix, size, N, existsSync(args.loghub!) ? args.loghub! : null)
      process.stderr.write(`${mix}, ${fmt(size)} statements: ${relative(process.cwd(), inp.log)}\n`)
      rows.push(await measureMix(inp))
    }
  }
  const out: string[] = [`${fmt(N)} lines per file; ${head}; ${RUNS} interleaved rounds, medians${args.fallback ? '; route.fallbackChannel set (--fallback)' : ''}.`, '']
  if (ONLY.has('throughput')) {
    out.push('| mix | statements | `grep -F -f` ms | Node line count ms | build | `dice match --json` ms | match ÷ grep (wall) | match ÷ grep (CPU) | `dice replay --no-deliver` ms | replay lines/s | replay lines per CPU-s | replay ÷ Node count |',
      '|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|')
    for (const r of rows) {
      const g = med(r.grep, (x) => x.wallMs)
      const n = med(r.node, (x) => x.wallMs)
      for (const v of VARIANTS) {
        const m = med(r.match.get(v.label)!, (x) => x.wallMs)
        const rp = med(r.replay.get(v.label)!, (x) => x.wallMs)
        const cpu = med(r.replay.get(v.label)!, (x) => x.cpuMs)
        const mc = med(r.match.get(v.label)!, (x) => x.cpuMs) / med(r.grep, (x) => x.cpuMs)
        out.push(`| ${r.inp.mix} | ${fmt(r.inp.statements)} | ${fmt(g)} | ${fmt(n)} | ${v.label} | ${fmt(m)} | ${(m / g).toFixed(2)}× | ${mc.toFixed(2)}× | ${fmt(rp)} | ${rate(rp)} | ${rate(cpu)} | ${(rp / n).toFixed(1)}× |`)
      }
    }
    out.push('')
  }
  if (ONLY.has('memory') || ONLY.has('throughput')) {
    out.push('| mix | statements | build | peak RSS `replay --no-deliver` | peak RSS `replay` (delivery on) | `replay` delivery on, ms | peak RSS `dice run` | `dice run` spawn → all lines committed, ms |',
      '|---|---:|---|---:|---:|---:|---:|---:|')
    for (const r of rows) {
      for (const v of VARIANTS) {
        const off = r.replay.get(v.label)
        const on = r.deliver.get(v.label)
        const run = r.run.get(v.label)
        out.push(`| ${r.inp.mix} | ${fmt(r.inp.statements)} | ${v.label} | ${off ? `${fmt(med(off, (x) => x.rssMb))} MB` : '—'} | ${on ? `${fmt(on.rssMb)} MB` : '—'} | ${on ? fmt(on.wallMs) : '—'} | ${run ? `${fmt(run.rssMb)} MB` : '—'} | ${run ? fmt(run.wallMs) : '—'} |`)
      }
    }
    out.push('')
  }
  if (ONLY.has('startup')) {
    const inp = await inputsFor(OUT, 'typical', 10_000, N, null)
    out.push(...(await startup(inp)), '')
  }
  out.push(`Load average at the end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}.`, '', 'Commands (one round; `out` is a file; dice runs get a fresh copy of the catalog):', '')
  for (const [name, c] of commands) out.push(`- ${name}: \`${c}\``)
  process.stdout.write(out.join('\n') + '\n')
}

await main()
