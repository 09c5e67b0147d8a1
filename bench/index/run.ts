// Index benchmark: Dice's cold and warm `indexRepository` against an in-run baseline of bare
// `git blame --porcelain` over the same files at the same concurrency.
//
//   node --import tsx bench/index/run.ts [--files 10000] [--commits 400] [--touches 40] [--repo DIR] [--concurrency N]
//
// The synthetic repository is generated once with `git fast-import` under $TMPDIR/dice-bench/ and reused.
import { execFileSync, spawn } from 'node:child_process'
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs'
import { availableParallelism, cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { defaultConfig } from '../../src/config/load.js'
import { indexRepository, type IndexSummary } from '../../src/catalog/indexer.js'
import { pool } from '../../src/catalog/blame.js'
import { trackedFiles } from '../../src/catalog/git.js'
import { languageOf } from '../../src/catalog/languages.js'
import { pathFilter } from '../../src/catalog/select.js'
import { openStore } from '../../src/store/registry.js'
import { generateRepo } from './generate.js'

const { values } = parseArgs({
  options: {
    files: { type: 'string', default: '10000' },
    commits: { type: 'string', default: '400' },
    touches: { type: 'string', default: '40' },
    repo: { type: 'string' },
    concurrency: { type: 'string' },
  },
})
const files = Number(values.files)
const commits = Number(values.commits)
const touches = Number(values.touches)
const concurrency = Number(values.concurrency ?? availableParallelism())
const root = join(import.meta.dirname, '..', '..')
// Outside the source tree: its generated .ts files must not reach `tsc -p tsconfig.check.json`.
const dir = values.repo ?? join(tmpdir(), 'dice-bench', `index-repo-${files}f-${commits}c-${touches}t`)

function gitBlame(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['-C', dir, 'blame', '--porcelain', '--', path], { stdio: ['ignore', 'pipe', 'inherit'] })
    let bytes = 0
    child.stdout.on('data', (b: Buffer) => (bytes += b.length))
    child.on('error', reject)
    child.on('close', (c) => (c === 0 ? resolve(bytes) : reject(new Error(`git blame ${path} exited ${c}`))))
  })
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = performance.now()
  const value = await fn()
  return { ms: performance.now() - t, value }
}

if (!values.repo) {
  const g = await timed(() => generateRepo(dir, { files, commits, touches, seed: 42 }))
  process.stderr.write(`repository: ${dir} (ready in ${(g.ms / 1000).toFixed(1)} s)\n`)
}

const keep = pathFilter(defaultConfig().catalog)
const sources = (await trackedFiles(dir)).map((f) => f.path).filter((p) => keep(p) === null && languageOf(p) !== null)
process.stderr.write(`${sources.length} source files, concurrency ${concurrency}, ${cpus().length} cores\n`)

// Warm the page cache and git's object access once, so neither measured run pays for first reads.
await pool(sources.slice(0, 200), concurrency, async (p) => void (await gitBlame(p)))

const blame = await timed(() => pool(sources, concurrency, async (p) => void (await gitBlame(p))))
process.stderr.write(`bare blame: ${(blame.ms / 1000).toFixed(2)} s\n`)

const dbDir = mkdtempSync(join(tmpdir(), 'dice-bench-'))
const store = await openStore({ dbFile: join(dbDir, 'dice.db') })
const config = defaultConfig()
const cold = await timed(() => indexRepository({ dir, store, config, concurrency }))
process.stderr.write(`dice cold: ${(cold.ms / 1000).toFixed(2)} s\n`)
const warm = await timed(() => indexRepository({ dir, store, config, concurrency }))
process.stderr.write(`dice warm: ${(warm.ms / 1000).toFixed(2)} s\n`)

// One file edited in the working tree: only it is re-read, re-parsed and re-blamed.
const edited = sources.find((p) => p.endsWith('.js'))!
appendFileSync(join(dir, edited), 'console.error("bench edit %s", x)\n')
const incremental = await timed(() => indexRepository({ dir, store, config, concurrency }))
execFileSync('git', ['-C', dir, 'checkout', '-q', '--', edited])
await indexRepository({ dir, store, config, concurrency })
await store.close()

// The warm run as a user sees it: `dice index` as a process (node start, module load, store open).
const cli = await timed(async () => execFileSync(process.execPath, [join(root, 'bin', 'dice.js'), '--db', join(dbDir, 'dice.db'), 'index', dir, '--json', '--quiet'], { encoding: 'utf8' }))
const cliSummary = JSON.parse(cli.value) as IndexSummary
process.stderr.write(`dice index CLI warm: ${(cli.ms / 1000).toFixed(2)} s\n`)
rmSync(dbDir, { recursive: true, force: true })

const row = (name: string, ms: number, s?: IndexSummary): string =>
  `| ${name} | ${(ms / 1000).toFixed(2)} s | ${(ms / blame.ms).toFixed(2)}× | ${s ? `${s.parsed} parsed, ${s.skipped} skipped, ${s.unchanged} unchanged, ${s.statements} statements, ${s.errors.length} errors` : `${sources.length} files`} |`
const table = [
  values.repo
    ? `repository: ${dir} (${sources.length} source files, ${execFileSync('git', ['-C', dir, 'rev-list', '--count', 'HEAD'], { encoding: 'utf8' }).trim()} commits), concurrency ${concurrency}`
    : `repository: ${files} files, ${commits} commits (${touches} files touched per commit), concurrency ${concurrency}`,
  '',
  '| run | time | vs bare blame | work |',
  '|---|---|---|---|',
  row('bare `git blame --porcelain` (baseline)', blame.ms),
  row('dice index, cold', cold.ms, cold.value),
  row('dice index, warm (no change)', warm.ms, warm.value),
  row('`dice index` process, warm (node start included)', cli.ms, cliSummary),
  row('dice index, one file edited', incremental.ms, incremental.value),
].join('\n')
process.stdout.write(table + '\n')
const ok = cold.ms <= 1.5 * blame.ms && warm.ms <= 1000 * Math.max(1, files / 10_000)
// (the process row includes ~0.3 s of node start-up and is reported, not judged)
process.stdout.write(`\ntargets: cold ≤ 1.5× bare blame ${cold.ms <= 1.5 * blame.ms ? 'met' : 'MISSED'}; warm ≤ 1 s per 10k files ${warm.ms <= 1000 * Math.max(1, files / 10_000) ? 'met' : 'MISSED'}\n`)
process.exitCode = ok ? 0 : 1
