/**
 * Matching benchmark: our Matcher vs one RegExp per template vs `grep -F -f` (the templates' longest
 * literal parts) over the same generated log file, at several catalog sizes.
 *
 *   node --import tsx bench/match/run.ts                                  # full: 1k/10k/100k templates, 1M lines
 *   node --import tsx bench/match/run.ts --lines 100000 --sizes 1000,10000  # quick
 *   … --results bench/RESULTS.md                                          # also rewrite its "## Matching" section
 *
 * Each measurement runs in a fresh child process (clean JIT and heap; RSS is that process's own). Rates are per
 * CPU-second (user + system) of that process — lines/s/core — so other jobs on a shared machine skew them less.
 * The naive loop runs on a sample of lines (≈2e7 regex tests per size) and is extrapolated to lines/s.
 * Then `--rounds` (7) interleaved rounds: one matcher pass per size back to back, all sizes' matchers alive at
 * once, so the slowdown ratio compares passes that met the same machine state.
 */
import { fork, spawnSync, type ChildProcess } from 'node:child_process'
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, writeFileSync, createWriteStream } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { makeCatalog, makeLines } from './generate.js'
import { Matcher } from '../../src/match/matcher.js'
import { LineSplitter, type SplitLine } from '../../src/ingest/line-splitter.js'
import { parseTemplate } from '../../src/match/template.js'
import { createParser } from '../../src/ingest/formats/index.js'
import { configSchema } from '../../src/config/schema.js'
import type { Statement } from '../../src/core/types.js'

const SELF = fileURLToPath(import.meta.url)

function statementsOf(templates: string[]): Statement[] {
  return templates.map((template, i) => ({
    id: `s${i}`, file: `src/mod${i % 997}/file${i % 5003}.c`, line: 1 + (i % 4000), endLine: 1 + (i % 4000), language: 'c',
    level: 'error', template, matchable: true, channels: [], mentions: [], blame: null, callee: 'log_error',
  }))
}

/** Read `file` in 1 MB chunks through Dice's own LineSplitter (the decoding the file, replay, stdin and HTTP
 *  sources use), no whole-file string; `f` gets each chunk's decoded lines. Each measuring loop iterates a chunk
 *  itself: one per-line callback shared by every pass made that call site megamorphic, and V8's inlining
 *  around it flipped between runs (the same build measured 0.67 M or 1.15 M lines/s at 1k templates). */
function forEachChunk(file: string, f: (lines: SplitLine[]) => void): number {
  const fd = openSync(file, 'r')
  const buf = Buffer.allocUnsafe(1 << 20)
  const splitter = new LineSplitter(1 << 20)
  const out: SplitLine[] = []
  let n = 0
  for (;;) {
    const got = readSync(fd, buf, 0, buf.length, null)
    if (got === 0) break
    splitter.push(buf.subarray(0, got), out)
    f(out)
    n += out.length
    out.length = 0
  }
  splitter.end(out)
  f(out)
  n += out.length
  closeSync(fd)
  return n
}

function mb(bytes: number): number {
  return Math.round(bytes / 1048576)
}

// ---------------------------------------------------------------- children

function childMatcher(templatesFile: string, linesFile: string): void {
  const templates = JSON.parse(readFileSync(templatesFile, 'utf8')) as string[]
  const statements = statementsOf(templates)
  const rss0 = process.memoryUsage().rss
  const t0 = performance.now()
  const m = Matcher.build(statements)
  const buildMs = performance.now() - t0
  global.gc?.()
  const rssBuilt = process.memoryUsage().rss
  // Warm the JIT on the first lines (a service runs for days; a cold start is not what we measure).
  const WARM = 100_000
  const parse = createParser('auto', configSchema.parse({}))
  try {
    let w = 0
    forEachChunk(linesFile, (chunk) => {
      for (let i = 0; i < chunk.length; i++) {
        const line = chunk[i]!.text
        if (++w > WARM) throw new Error('warm')
        m.match(line)
        const e = parse(line, w)
        if (e) m.match(e.message, e.file !== null || e.logger !== null ? e : undefined)
      }
    })
  } catch {
    /* warmed */
  }
  // Five passes, the median reported: a shared machine's noise moves single passes by ±20% and now and then by 2×.
  let matched = 0
  let lines = 0
  const passes: Array<{ seconds: number; wall: number }> = []
  for (let pass = 0; pass < 5; pass++) {
    matched = 0
    const t1 = performance.now()
    const c1 = process.cpuUsage()
    lines = forEachChunk(linesFile, (chunk) => {
      for (let i = 0; i < chunk.length; i++) if (m.match(chunk[i]!.text) !== null) matched++
    })
    const cpu1 = process.cpuUsage(c1)
    passes.push({ seconds: (cpu1.user + cpu1.system) / 1e6, wall: (performance.now() - t1) / 1000 })
  }
  passes.sort((a, b) => a.seconds - b.seconds)
  const { seconds, wall } = passes[2]!
  const spread = passes.map((p) => Math.round(lines / p.seconds))
  // The same, reading every result's placeholder values (what a real-time message or a sample needs).
  let vals = 0
  const cv = process.cpuUsage()
  forEachChunk(linesFile, (chunk) => {
    for (let i = 0; i < chunk.length; i++) {
      const r = m.match(chunk[i]!.text)
      if (r !== null) vals += r.values.length
    }
  })
  const cpuV = process.cpuUsage(cv)
  const valuesSeconds = (cpuV.user + cpuV.system) / 1e6
  // The same stream through `--format auto` parsing first, as `dice match` does.
  let n = 0
  let matched2 = 0
  const c2 = process.cpuUsage()
  forEachChunk(linesFile, (chunk) => {
    for (let i = 0; i < chunk.length; i++) {
      const e = parse(chunk[i]!.text, ++n)
      if (e && m.match(e.message, e.file !== null || e.logger !== null ? e : undefined) !== null) matched2++
    }
  })
  const cpu2 = process.cpuUsage(c2)
  const seconds2 = (cpu2.user + cpu2.system) / 1e6
  const maxRss = process.resourceUsage().maxRSS * 1024
  process.stdout.write(JSON.stringify({ buildMs, seconds, wall, spread, lines, matched, valuesSeconds, vals, autoSeconds: seconds2, autoMatched: matched2, rssBefore: rss0, rssBuilt, maxRss, size: m.size }))
}

function naiveRegex(template: string): RegExp {
  const p = parseTemplate(template)
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  let src = '^' + esc(p.literals[0]!)
  p.placeholders.forEach((ph, i) => (src += (ph.min === 0 ? '(.*?)' : '(.+?)') + esc(p.literals[i + 1]!)))
  return new RegExp(src + '$', 's')
}

function childNaive(templatesFile: string, linesFile: string, sample: number): void {
  const templates = JSON.parse(readFileSync(templatesFile, 'utf8')) as string[]
  const res = templates.map(naiveRegex)
  const lines: string[] = []
  try {
    forEachChunk(linesFile, (chunk) => {
      for (const l of chunk) {
        if (lines.length >= sample) throw new Error('enough')
        lines.push(l.text.trim())
      }
    })
  } catch {
    /* sample full */
  }
  let matched = 0
  const c0 = process.cpuUsage()
  for (const line of lines) {
    // All templates are tried: the most specific fit must win, so the loop cannot stop at the first.
    let any = false
    for (let i = 0; i < res.length; i++) if (res[i]!.test(line)) any = true
    if (any) matched++
  }
  const cpu = process.cpuUsage(c0)
  const seconds = (cpu.user + cpu.system) / 1e6
  process.stdout.write(JSON.stringify({ lines: lines.length, seconds, matched }))
}

/**
 * A matcher kept alive for interleaved rounds: built and warmed like childMatcher, then one timed pass per
 * 'pass' message from the parent. The parent runs one pass of every catalog size per round, so all sizes
 * meet the same machine state (this VM's speed drifts by up to 2× within minutes).
 */
function childServe(templatesFile: string, linesFile: string): void {
  const m = Matcher.build(statementsOf(JSON.parse(readFileSync(templatesFile, 'utf8')) as string[]))
  let w = 0
  try {
    forEachChunk(linesFile, (chunk) => {
      for (let i = 0; i < chunk.length; i++) {
        if (++w > 100_000) throw new Error('warm')
        m.match(chunk[i]!.text)
      }
    })
  } catch {
    /* warmed */
  }
  process.on('message', (msg) => {
    if (msg !== 'pass') return process.exit(0)
    let matched = 0
    const c1 = process.cpuUsage()
    const lines = forEachChunk(linesFile, (chunk) => {
      for (let i = 0; i < chunk.length; i++) if (m.match(chunk[i]!.text) !== null) matched++
    })
    const cpu = process.cpuUsage(c1)
    process.send!({ seconds: (cpu.user + cpu.system) / 1e6, lines, matched })
  })
  process.send!('ready')
}

// ---------------------------------------------------------------- parent

/** `rounds` rounds of one pass per size (sizes in rotating order): per-line seconds, by size, per round. */
async function interleaved(files: Array<{ size: number; tFile: string; lFile: string }>, rounds: number): Promise<Map<number, number[]>> {
  const kids: Array<{ size: number; p: ChildProcess }> = []
  for (const f of files) {
    const p = fork(SELF, ['--child', 'serve', f.tFile, f.lFile], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    const [first] = (await once(p, 'message')) as [unknown]
    if (first !== 'ready') throw new Error(`serve child for ${f.size} did not start`)
    kids.push({ size: f.size, p })
  }
  const out = new Map<number, number[]>(files.map((f) => [f.size, []]))
  try {
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < kids.length; k++) {
        const kid = kids[(k + r) % kids.length]!
        kid.p.send('pass')
        const [res] = (await once(kid.p, 'message')) as [{ seconds: number; lines: number }]
        out.get(kid.size)!.push(res.seconds / res.lines)
      }
    }
  } finally {
    for (const k of kids) k.p.send('exit')
  }
  return out
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}

function child(args: string[]): any {
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', SELF, '--child', ...args], { encoding: 'utf8', maxBuffer: 1 << 24 })
  if (r.status !== 0) throw new Error(`child ${args[0]} failed: ${r.stderr}`)
  return JSON.parse(r.stdout)
}

async function writeLines(file: string, lines: Iterable<string>): Promise<number> {
  const out = createWriteStream(file)
  let batch: string[] = []
  let bytes = 0
  for (const l of lines) {
    batch.push(l)
    if (batch.length === 10_000) {
      const s = batch.join('\n') + '\n'
      bytes += Buffer.byteLength(s)
      if (!out.write(s)) await once(out, 'drain')
      batch = []
    }
  }
  if (batch.length) {
    const s = batch.join('\n') + '\n'
    bytes += Buffer.byteLength(s)
    out.write(s)
  }
  out.end()
  await once(out, 'finish')
  return bytes
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      lines: { type: 'string', default: '1000000' },
      sizes: { type: 'string', default: '1000,10000,100000' },
      seed: { type: 'string', default: '42' },
      dir: { type: 'string', default: join(tmpdir(), 'dice-bench-match') },
      'naive-tests': { type: 'string', default: '20000000' },
      results: { type: 'string' },
      rounds: { type: 'string', default: '7' },
    },
  })
  const count = Number(values.lines)
  const sizes = values.sizes!.split(',').map(Number)
  const seed = Number(values.seed)
  const dir = values.dir!
  mkdirSync(dir, { recursive: true })
  const rows: Array<Record<string, any>> = []
  for (const size of sizes) {
    const tFile = join(dir, `templates-${size}.json`)
    const lFile = join(dir, `lines-${size}-${count}-${seed}.txt`)
    const pFile = join(dir, `patterns-${size}.txt`)
    const { templates, vocabulary } = makeCatalog(seed + size, size)
    writeFileSync(tFile, JSON.stringify(templates))
    // grep -F -f gets each template's longest literal part (≥ 3 characters; shorter ones match nearly every line).
    const patterns = [...new Set(templates.map((t) => parseTemplate(t).literals.map((l) => l.trim()).reduce((a, b) => (b.length > a.length ? b : a), '')))].filter((p) => p.length >= 3)
    writeFileSync(pFile, patterns.join('\n') + '\n')
    const bytes = existsSync(lFile) ? readFileSync(lFile).length : await writeLines(lFile, makeLines(seed * 7 + size, templates, vocabulary, count))
    process.stderr.write(`size ${size}: ${count} lines (${mb(bytes)} MB) in ${lFile}\n`)

    const ours = child(['matcher', tFile, lFile])
    process.stderr.write(`  matcher: ${Math.round(ours.lines / ours.seconds)} lines/s (passes: ${ours.spread.join(', ')}), build ${Math.round(ours.buildMs)} ms, maxRSS ${mb(ours.maxRss)} MB\n`)
    const sample = Math.max(50, Math.min(count, Math.floor(Number(values['naive-tests']) / size)))
    const naive = child(['naive', tFile, lFile, String(sample)])
    process.stderr.write(`  naive: ${Math.round(naive.lines / naive.seconds)} lines/s on ${naive.lines} lines\n`)
    // grep's CPU time (user + sys) from the shell's `times`, as for our children.
    const g = spawnSync('bash', ['-c', 'grep -c -F -f "$1" "$2"; times', '_', pFile, lFile], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } })
    const out = g.stdout.trim().split('\n')
    const sec = (t: string) => { const m = /(\d+)m([\d.]+)s/.exec(t)!; return Number(m[1]) * 60 + Number(m[2]) }
    const [gu, gs] = out[out.length - 1]!.split(/\s+/)
    const grepSeconds = sec(gu!) + sec(gs!)
    const grepHits = Number(out[0])
    if (!Number.isFinite(grepHits)) throw new Error(`grep failed: ${g.stderr}`)
    process.stderr.write(`  grep -F -f: ${Math.round(count / grepSeconds)} lines/s (${grepHits} lines hit)\n`)
    rows.push({ size, ours, naive, grepSeconds, grepHits, patterns: patterns.length, bytes, tFile, lFile })
  }
  const rounds = Number(values.rounds)
  process.stderr.write(`interleaved: ${rounds} rounds of one pass per size\n`)
  const inter = rounds > 0 && rows.length > 1 ? await interleaved(rows.map((r) => ({ size: r.size, tFile: r.tFile, lFile: r.lFile })), rounds) : null

  const fmt = (x: number) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)} k` : x.toFixed(0))
  const lines: string[] = []
  lines.push(`| templates | Matcher lines/s/core | … reading every result's values | auto-parse + match lines/s/core | build ms | naive RegExp loop lines/s/core (sample) | grep -F -f lines/s/core | Matcher ÷ grep CPU time | matched | max RSS |`)
  lines.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
  for (const r of rows) {
    const ours = r.ours.lines / r.ours.seconds
    const ratio = r.ours.seconds / r.grepSeconds
    lines.push(`| ${r.size.toLocaleString('en')} | ${fmt(ours)} | ${fmt(r.ours.lines / r.ours.valuesSeconds)} | ${fmt(r.ours.lines / r.ours.autoSeconds)} | ${Math.round(r.ours.buildMs)} | ${fmt(r.naive.lines / r.naive.seconds)} (${r.naive.lines.toLocaleString('en')} lines, extrapolated) | ${fmt(count / r.grepSeconds)} | ${ratio.toFixed(2)}× | ${((100 * r.ours.matched) / r.ours.lines).toFixed(1)}% | ${mb(r.ours.maxRss)} MB |`)
  }
  const first = rows[0]
  const last = rows[rows.length - 1]
  const summary: string[] = []
  if (first && last && first !== last) {
    const s = (last.ours.seconds / last.ours.lines) / (first.ours.seconds / first.ours.lines)
    summary.push(`Slowdown ${first.size.toLocaleString('en')} → ${last.size.toLocaleString('en')} templates: ${s.toFixed(2)}× (per-line time ratio).`)
  }
  if (inter && first && last && first !== last) {
    const a = inter.get(first.size)!
    const b = inter.get(last.size)!
    const ratios = b.map((x, i) => x / a[i]!)
    summary.push(`Interleaved (${rounds} rounds, each one pass per size back to back, sizes in rotating order — the same machine state for every size): ` +
      `slowdown ${first.size.toLocaleString('en')} → ${last.size.toLocaleString('en')} median ${median(ratios).toFixed(2)}× (rounds: ${ratios.map((x) => x.toFixed(2)).join(', ')}); ` +
      rows.map((r) => `${r.size.toLocaleString('en')}: median ${fmt(1 / median(inter.get(r.size)!))} lines/s/core`).join(', ') + '.')
  }
  if (last) summary.push(`RSS at ${last.size.toLocaleString('en')} templates: ${mb(last.ours.rssBuilt)} MB after building the index, ${mb(last.ours.maxRss)} MB peak while streaming ${count.toLocaleString('en')} lines.`)
  const cpu = cpus()[0]?.model ?? 'unknown CPU'
  const cmd = `node --import tsx bench/match/run.ts --lines ${count} --sizes ${sizes.join(',')}${values.seed !== '42' ? ` --seed ${seed}` : ''}${values.rounds !== '7' ? ` --rounds ${rounds}` : ''}`
  const md = [
    '## Matching',
    '',
    `Command: \`${cmd}\` (Node ${process.version}, ${cpu}, single thread; machine shared with other jobs).`,
    `Each catalog size gets its own ${count.toLocaleString('en')}-line file: 70% rendered from catalog templates, 15% near misses`,
    '(a template with a word added or altered), 15% free text. "Matcher" streams the file in 1 MB chunks through Dice\'s',
    'LineSplitter (the decoding of the file, replay, stdin and HTTP sources) and matches each line as a bare message,',
    'after a warm-up pass over the first 100,000 lines, five times (the median pass is shown; the result\'s placeholder values are cut',
    'only when read: counting does not read them);',
    '"auto-parse + match" first runs `--format auto` on each line as `dice match` does. Rates are per CPU-second',
    '(user + system of the measuring process, from `process.cpuUsage()` / the shell\'s `times` for grep). The naive loop tests',
    'one anchored RegExp per template per line on a sample and is extrapolated. `grep -F -f` (GNU grep, LC_ALL=C, `-c`) gets each',
    "template's longest literal part (≥ 3 chars) and only finds lines containing one — it does not identify the template.",
    '',
    ...lines,
    '',
    ...summary,
    '',
  ].join('\n')
  process.stdout.write(md)
  if (values.results) {
    const file = values.results
    const old = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmark results\n\n'
    const start = old.indexOf('## Matching')
    let next = start < 0 ? -1 : old.indexOf('\n## ', start + 3)
    const updated = start < 0 ? `${old.trimEnd()}\n\n${md}` : `${old.slice(0, start)}${md}${next < 0 ? '' : old.slice(next + 1)}`
    writeFileSync(file, updated)
    process.stderr.write(`wrote the Matching section of ${file}\n`)
  }
}

const argv = process.argv.slice(2)
if (argv[0] === '--child') {
  if (argv[1] === 'matcher') childMatcher(argv[2]!, argv[3]!)
  else if (argv[1] === 'naive') childNaive(argv[2]!, argv[3]!, Number(argv[4]))
  else if (argv[1] === 'serve') childServe(argv[2]!, argv[3]!)
} else {
  await main()
}
