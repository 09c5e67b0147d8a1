import { describe, expect, it } from 'vitest'
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Statement } from '../core/types.js'
import { openStore } from '../store/registry.js'
import { freshSchema, TEST_PG_URL } from '../store/testutil/stores.js'
import type { StoreOptions } from '../store/registry.js'
import { checkpointKeyOfPath } from './file/identity.js'
import { tempDir } from '../testutil/tmp.js'

const ROOT = join(import.meta.dirname, '..', '..')
const CHILD = join(ROOT, 'test', 'fixtures', 'ingest-child.mjs')
const FORMAT = 'regex:^(?<level>[A-Z]+) (?<host>\\S+) (?<message>.*)$'
const N_STATEMENTS = 40

const stmt = (i: number): Statement => ({
  id: `s${i}`, file: `src/m${i}.c`, line: i + 1, endLine: i + 1, language: 'c', level: i % 5 === 0 ? 'info' : 'error',
  template: `module${i} step %d failed: %s`, matchable: true, channels: i % 10 === 0 ? ['ops'] : [], mentions: [], blame: null, callee: 'LOG',
})

/** A deterministic input: matched lines over many hosts, stack traces, noise, blank lines. Returns expected counts. */
function makeInput(lines: number, seed: number): { text: string; expected: Record<string, number>; rawLines: number } {
  let x = seed
  const rnd = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32)
  const out: string[] = []
  const expected: Record<string, number> = {}
  while (out.length < lines) {
    const r = rnd()
    const i = Math.floor(rnd() * N_STATEMENTS)
    if (r < 0.8) {
      const level = i % 5 === 0 ? 'INFO' : 'ERROR'
      out.push(`${level} host-${Math.floor(rnd() * 7)} module${i} step ${Math.floor(rnd() * 1000)} failed: reason ${out.length}`)
      // info statements count only when annotated (#ops on every 10th)
      if (level === 'ERROR' || i % 10 === 0) expected[`s${i}`] = (expected[`s${i}`] ?? 0) + 1
      if (rnd() < 0.05) out.push('java.lang.IllegalStateException: boom', '\tat a.B.c(B.java:1)', '\tat a.B.d(B.java:2)')
    } else if (r < 0.95) out.push(`DEBUG host-1 unrelated chatter ${out.length}`)
    else out.push('')
  }
  return { text: out.join('\n') + '\n', expected, rawLines: out.length }
}

/** Run the child; with `kill`, SIGKILL it `kill.delayMs` after its `kill.afterFlushes`-th flush report. */
function runChild(db: string, file: string, kill: { afterFlushes: number; delayMs: number } | null, workers = 0): Promise<'done' | 'killed'> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, db, file, FORMAT, String(workers)], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    let timer: NodeJS.Timeout | null = null
    child.stdout.on('data', (d) => {
      out += d
      if (kill && !timer && (out.match(/^flushed /gm)?.length ?? 0) >= kill.afterFlushes) timer = setTimeout(() => child.kill('SIGKILL'), kill.delayMs)
    })
    child.stderr.on('data', (d) => (err += d))
    child.on('error', reject)
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer)
      if (signal === 'SIGKILL') resolve('killed')
      else if (code === 0 && out.includes('done')) resolve('done')
      else reject(new Error(`child exited ${code}: ${err}`))
    })
  })
}

async function killAndResume(opts: StoreOptions, db: string, seed: number, kills: Array<{ afterFlushes: number; delayMs: number }>, workers = 0): Promise<void> {
  const dir = tempDir('once')
  const file = join(dir, 'app.txt')
  const { text, expected, rawLines } = makeInput(60_000, seed)
  writeFileSync(file, text)
  const setup = await openStore(opts)
  await setup.replaceFiles([...Array(N_STATEMENTS).keys()].map((i) => ({ file: `src/m${i}.c`, hash: 'h' })), [...Array(N_STATEMENTS).keys()].map(stmt), [])
  await setup.close()

  let killed = 0
  const partial = new Set<number>() // checkpoint offsets seen after a kill, strictly inside the file
  for (const k of kills) {
    if ((await runChild(db, file, k, workers)) !== 'killed') continue
    killed++
    const s = await openStore(opts)
    const cp = await s.getCheckpoint(await checkpointKeyOfPath(file))
    await s.close()
    if (cp && cp.offset > 0 && cp.offset < text.length) partial.add(cp.offset)
  }
  expect(await runChild(db, file, null, workers)).toBe('done')
  // A run after completion must add nothing.
  expect(await runChild(db, file, null, workers)).toBe('done')

  const store = await openStore(opts)
  try {
    const totals = Object.fromEntries((await store.totals()).map((t) => [t.statementId, t.count]))
    expect(totals).toEqual(expected)
    const counters = Object.fromEntries((await store.counters()).filter((c) => c.source === 'file').map((c) => [c.name, c.value]))
    expect(counters.lines).toBe(rawLines)
    expect(killed).toBeGreaterThanOrEqual(3)
    expect(partial.size).toBeGreaterThanOrEqual(2) // the kills really landed mid-stream, after some flushes
  } finally {
    await store.close()
  }
}

describe('exactly-once counting', () => {
  it('survives kill -9 at random points: stored totals equal the input counts per statement (SQLite)', async () => {
    const dir = tempDir('once-db')
    const db = join(dir, 'dice.db')
    const kills = Array.from({ length: 6 }, () => ({ afterFlushes: 1 + Math.floor(Math.random() * 4), delayMs: Math.floor(Math.random() * 15) }))
    await killAndResume({ dbFile: db }, db, 42, kills)
  })

  it('survives kill -9 at random points with two ingest workers: stored totals equal the input counts (SQLite)', async () => {
    const dir = tempDir('once-workers')
    const db = join(dir, 'dice.db')
    const kills = Array.from({ length: 6 }, () => ({ afterFlushes: 1 + Math.floor(Math.random() * 4), delayMs: Math.floor(Math.random() * 15) }))
    await killAndResume({ dbFile: db }, db, 43, kills, 2)
  })

  it('survives kill -9 at random points on PostgreSQL', async () => {
    const url = `${TEST_PG_URL}?schema=${freshSchema()}`
    const kills = Array.from({ length: 4 }, () => ({ afterFlushes: 1 + Math.floor(Math.random() * 4), delayMs: Math.floor(Math.random() * 15) }))
    await killAndResume({ databaseUrl: url }, url, 7, kills)
  })
})
