import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { spawn } from 'node:child_process'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gzipSync } from 'node:zlib'
import { defaultConfig } from '../../config/load.js'
import type { Config } from '../../config/schema.js'
import type { Statement } from '../../core/types.js'
import { tempSqliteStore } from '../../store/testutil/stores.js'
import type { Store } from '../../store/store.js'
import { Pipeline } from '../pipeline.js'
import { createIngestHandler } from './handler.js'

const T0 = Date.parse('2026-03-02T10:00:00Z')
const CATALOG: Statement[] = [{
  id: 'full', file: 'src/q.c', line: 1, endLine: 1, language: 'c', level: 'error', template: 'queue %s is full', matchable: true,
  channels: [], mentions: [], blame: null, callee: 'ERROR_LOG',
}]

describe('POST /ingest', () => {
  let store: Store
  let config: Config
  let server: Server
  let url: string
  /** The real store, with applyCounts held until `release()` (to fill the queue deterministically). */
  let gate: { hold: boolean; waiting: Array<() => void> }

  /** Commits made (applyCounts calls that reached the store). */
  let commits = 0
  /** o.blockMs: each commit also holds the thread that long, as a large SQLite commit does (it is synchronous). */
  const start = async (o: { maxBodyBytes?: number; blockMs?: number } = {}) => {
    const gated = new Proxy(store, {
      get(target, prop, recv) {
        if (prop === 'applyCounts') {
          return async (...args: Parameters<Store['applyCounts']>) => {
            while (gate.hold) await new Promise<void>((r) => gate.waiting.push(r))
            commits++
            const until = performance.now() + (o.blockMs ?? 0)
            while (performance.now() < until) {}
            return target.applyCounts(...args)
          }
        }
        const v = Reflect.get(target, prop, recv)
        return typeof v === 'function' ? v.bind(target) : v
      },
    })
    const pipeline = new Pipeline({ store: gated, config, clock: () => T0, statements: CATALOG })
    server = createServer(createIngestHandler({ pipeline, config, maxBodyBytes: o.maxBodyBytes }))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ingest`
  }
  const release = () => {
    gate.hold = false
    for (const w of gate.waiting.splice(0)) w()
  }
  const total = async () => (await store.totals())[0]?.count ?? 0

  beforeEach(async () => {
    store = (await tempSqliteStore()).store
    config = defaultConfig()
    gate = { hold: false, waiting: [] }
    commits = 0
  })
  afterEach(async () => {
    release()
    await new Promise((r) => server.close(r))
    await store.close()
  })

  it('requests that arrive on open connections while a commit holds the thread share the next commit, each answered once stored', async () => {
    await start({ blockMs: 60 })
    // The shippers are another process (as they are: Dice's thread is held by each commit), on 8 kept-alive
    // connections (a shipper's HTTP client keeps them): one request first, seven more while its commit holds the thread.
    const shippers = `
      const body = (i) => Array.from({ length: 50 }, (_, k) => 'ERROR queue q' + i + '-' + k + ' is full').join('\\n') + '\\n'
      const post = (i, b = body(i)) => fetch(${JSON.stringify(url)}, { method: 'POST', body: b }).then((r) => r.json())
      await Promise.all(Array.from({ length: 8 }, (_, i) => post(i, '')))
      process.stdout.write('warm\\n')
      await new Promise((r) => setTimeout(r, 200))
      const first = post(0)
      await new Promise((r) => setTimeout(r, 20))
      const all = await Promise.all([first, ...Array.from({ length: 7 }, (_, i) => post(i + 1))])
      process.stdout.write(JSON.stringify(all) + '\\n')`
    const child = spawn(process.execPath, ['--input-type=module', '-e', shippers], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    let warm = -1
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      if (warm < 0 && out.startsWith('warm\n')) warm = commits
    })
    await new Promise((r) => child.once('exit', r))
    const answers = JSON.parse(out.split('\n')[1]!) as unknown[]
    expect(answers).toHaveLength(8)
    for (const a of answers) expect(a).toMatchObject({ lines: 50, counted: 50 })
    expect(await total()).toBe(400)
    // Each committed alone before: 8 commits. Now the seven that waited are written together (at most a straggler apart).
    expect(warm).toBeGreaterThanOrEqual(0)
    expect(commits - warm).toBeLessThanOrEqual(3)
  })

  it('counts plain text, NDJSON and shipper envelopes, and answers 200 only after they are stored', async () => {
    await start()
    const text = 'ERROR queue a is full\nINFO nothing here\n{"level":"error","msg":"queue b is full","host":"web-9"}\n'
    const r = await fetch(url, { method: 'POST', body: text })
    expect(r.status).toBe(200)
    expect(await r.json()).toEqual({ lines: 3, matched: 2, counted: 2, unowned: 0, malformed: 0 })
    expect(await total()).toBe(2) // already committed when the answer came
    // Fluent Bit (format json: one array of records with the line in `log`) and Vector (NDJSON, `message` + `source_type`).
    const fluent = JSON.stringify([{ date: 1.7e9, log: 'ERROR queue c is full\n', hostname: 'fb-host' }])
    const r2 = await fetch(`${url}?format=${encodeURIComponent('regex:^(?<level>[A-Z]+) (?<message>.*)$')}`, {
      method: 'POST', body: fluent, headers: { 'Content-Type': 'application/json' },
    })
    expect(await r2.json()).toMatchObject({ lines: 1, counted: 1 })
    const vector = JSON.stringify({ message: 'ERROR queue d is full', host: 'vec-host', source_type: 'file', timestamp: '2026-03-02T10:00:00Z' })
    const r3 = await fetch(url, { method: 'POST', body: vector + '\n', headers: { 'Content-Type': 'application/x-ndjson' } })
    expect(await r3.json()).toMatchObject({ lines: 1, counted: 1 })
    const hosts = (await store.totals())[0]!.hosts
    expect(hosts).toEqual(expect.arrayContaining(['fb-host', 'vec-host', 'web-9']))
  })

  it('accepts a gzip body', async () => {
    await start()
    const r = await fetch(`${url}?host=gz-host`, { method: 'POST', body: gzipSync('ERROR queue a is full\n'.repeat(500)), headers: { 'Content-Encoding': 'gzip' } })
    expect(r.status).toBe(200)
    expect(await r.json()).toMatchObject({ lines: 500, counted: 500 })
    expect((await store.totals())[0]).toMatchObject({ count: 500, hosts: ['gz-host'] })
  })

  it('answers 429 with Retry-After when too many lines wait to be stored, and takes nothing from that request', async () => {
    config.server.maxQueuedLines = 10
    await start()
    gate.hold = true
    const first = fetch(url, { method: 'POST', body: 'ERROR queue a is full\n'.repeat(8) })
    await new Promise((r) => setTimeout(r, 100)) // the first request is pushed and waits on the store
    const second = await fetch(url, { method: 'POST', body: 'ERROR queue b is full\n'.repeat(5) })
    expect(second.status).toBe(429)
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(0)
    release()
    expect((await first).status).toBe(200)
    expect(await total()).toBe(8)
    const retry = await fetch(url, { method: 'POST', body: 'ERROR queue b is full\n'.repeat(5) })
    expect(retry.status).toBe(200)
    expect(await total()).toBe(13)
  })

  it('answers 413 over the body limit, also when a small gzip body inflates past it', async () => {
    await start({ maxBodyBytes: 4096 })
    const big = await fetch(url, { method: 'POST', body: 'x'.repeat(5000) })
    expect(big.status).toBe(413)
    const bomb = await fetch(url, { method: 'POST', body: gzipSync('ERROR queue a is full\n'.repeat(1000)), headers: { 'Content-Encoding': 'gzip' } })
    expect(bomb.status).toBe(413)
    expect(await total()).toBe(0)
  })

  it('refuses a bad format (400), an unknown encoding (415) and other methods (405)', async () => {
    await start()
    const bad = await fetch(`${url}?format=nosuch`, { method: 'POST', body: 'x\n' })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { error: string }).error).toContain('nosuch')
    expect((await fetch(url, { method: 'POST', body: 'x', headers: { 'Content-Encoding': 'br' } })).status).toBe(415)
    const get = await fetch(url)
    expect(get.status).toBe(405)
    expect(get.headers.get('allow')).toBe('POST')
  })
})
