import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { defaultConfig } from '../../config/load.js'
import type { Config } from '../../config/schema.js'
import type { Hit, Statement } from '../../core/types.js'
import { tempSqliteStore } from '../../store/testutil/stores.js'
import type { CountBatch, Store } from '../../store/store.js'
import type { LogSource } from '../source.js'
import { ReplaySource } from '../file/replay-source.js'
import { fileCheckpointKey } from '../file/identity.js'
import { ingest, parserFor, Pipeline } from '../pipeline.js'
import { tempDir } from '../../testutil/tmp.js'

const T0 = Date.parse('2026-03-02T10:00:00Z')
const stmt = (i: number): Statement => ({
  id: `s${i}`, file: `src/m${i}.c`, line: i + 1, endLine: i + 1, language: 'c', level: i % 5 === 0 ? 'info' : 'error',
  template: `module${i} step %d failed: %s`, matchable: true, channels: i % 10 === 0 ? ['ops'] : [], mentions: [], blame: null, callee: 'LOG',
})
const CATALOG = Array.from({ length: 40 }, (_, i) => stmt(i))

/**
 * Lines that exercise every way a stream can be cut: matched lines over hosts and minutes (buckets), Java and
 * Python traces (indented lines, `Caused by:`, an unindented Python exception line), blank lines, lines the format
 * cannot read, unmatched WARN lines (unowned shapes, more of them per bucket than the bound), and one entry with
 * a trace longer than a piece may carry (cut mid-entry, resumed by the same worker).
 */
function input(lines: number, seed: number): string {
  let x = seed
  const rnd = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32)
  const out: string[] = []
  const t = (k: number) => new Date(T0 + Math.floor(k / 50) * 7000).toISOString()
  while (out.length < lines) {
    const r = rnd()
    const i = Math.floor(rnd() * 40)
    const at = t(out.length)
    if (r < 0.45) {
      out.push(`${at} ${i % 5 === 0 ? 'INFO' : 'ERROR'} host-${Math.floor(rnd() * 5)} module${i} step ${Math.floor(rnd() * 100)} failed: reason ${out.length}`)
      if (rnd() < 0.08) out.push('java.lang.IllegalStateException: boom', '\tat a.B.c(B.java:1)', 'Caused by: java.io.IOException: x', '\t... 3 more')
      if (rnd() < 0.03) out.push('Traceback (most recent call last):', '  File "x.py", line 3, in <module>', 'ValueError: bad value')
    } else if (r < 0.9) out.push(`${at} WARN host-1 disk ${word(rnd)} of ${word(rnd)} is slow`)
    else if (r < 0.94) out.push(`${at} DEBUG host-1 unrelated chatter ${out.length}`)
    else if (r < 0.97) out.push('')
    else if (r < 0.995) out.push(`garbage that the format cannot read ${out.length}`)
    else out.push(`${at} ERROR host-2 module${i} step 1 failed: long trace follows`, ...Array.from({ length: 300 }, (_, k) => `\tat frame${k}(F.java:${k})`))
  }
  return out.join('\n') + '\n'
}

/** A made-up word: unowned WARN lines with them are all different shapes. */
function word(rnd: () => number): string {
  let w = ''
  for (let k = 0; k < 6; k++) w += String.fromCharCode(97 + Math.floor(rnd() * 26))
  return w
}

const FORMAT = 'regex:^(?<time>\\S+) (?<level>[A-Z]+) (?<host>\\S+) (?<message>.*)$'

describe('ingest workers', () => {
  let dir: string
  let config: Config
  const stores: Store[] = []
  beforeEach(() => {
    dir = tempDir('workers')
    config = defaultConfig()
    // One bucket an hour: more distinct unowned shapes in a bucket than the bound (2,000), which the Pipeline
    // applies in reading order across the workers' aggregates.
    config.match.bucketSeconds = 3600
  })
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close()
  })

  /** Replay `file` into a fresh store with `workers`; everything the store then holds about it. */
  async function replay(file: string, workers: number, maxKeys: number, hits: Hit[] = []) {
    const { store } = await tempSqliteStore()
    stores.push(store)
    await store.replaceFiles(CATALOG.map((s) => ({ file: s.file, hash: 'h' })), CATALOG, [])
    const p = new Pipeline({
      store, config, clock: () => T0, statements: CATALOG, workers, pieceLines: 64, maxKeys,
      sink: { attach: () => {}, wantsHit: (s) => s.channels.length > 0, onHit: (h) => void hits.push(h), take: () => undefined, putBack: () => {}, committed: () => {} },
    })
    await ingest({ pipeline: p, source: new ReplaySource({ path: file, store, maxLineBytes: 1024, chunkBytes: 4096, now: () => 0 }), parser: parserFor(FORMAT, config), signal: new AbortController().signal })
    await p.stop()
    const occ = await store.listOccurrences({ since: 0, limit: 1_000_000 })
    return {
      occurrences: occ.map((o) => ({ ...o })).sort((a, b) => `${a.statementId}|${a.host}|${a.bucket}`.localeCompare(`${b.statementId}|${b.host}|${b.bucket}`)),
      unowned: (await store.listUnowned({ since: 0, limit: 1_000_000 })).map((u) => [u.shape, u.host, u.bucket, u.count, u.firstSeen, u.lastSeen, u.level, u.samples].join('|')).sort(),
      counters: (await store.counters()).map((c) => `${c.name}=${c.value}`).sort(),
      checkpoint: (await store.getCheckpoint(new ReplaySource({ path: file, store, maxLineBytes: 1024 }).name)) ?? (await store.counters()).length,
    }
  }

  it('count exactly what the main thread counts: occurrences and their samples, unowned shapes past the bound, line counters, checkpoint', async () => {
    const file = join(dir, 'app.log')
    const text = input(16000, 11)
    writeFileSync(file, text)
    // One flush at the end: the stored samples are each key's first lines in both runs.
    const one = await replay(file, 0, 1e9)
    const hitsTwo: Hit[] = []
    const two = await replay(file, 2, 1e9, hitsTwo)
    expect(one.counters).toContain(`lines=${text.split('\n').length - 1}`)
    expect(two.occurrences).toEqual(one.occurrences)
    expect(two.unowned).toEqual(one.unowned)
    expect(one.unowned.length, 'unowned rows').toBeGreaterThan(2000)
    expect(one.unowned.some((u) => u.startsWith('(other unowned messages')), one.unowned.slice(0, 3).join('\n')).toBe(true)
    expect(two.counters).toEqual(one.counters)
    expect(two.checkpoint).toEqual(one.checkpoint)
    // Only the hits delivery wants come back from the workers, in reading order.
    expect(hitsTwo.length).toBeGreaterThan(0)
    expect(hitsTwo.every((h) => h.statement.channels.length > 0)).toBe(true)
    expect(hitsTwo.map((h) => h.entry.n)).toEqual([...hitsTwo.map((h) => h.entry.n)].sort((a, b) => a - b))
  })

  /**
   * A replay of `file` with one worker through a store whose writes `write` wraps, reading batches from a source
   * that counts them; resolves with ingest()'s outcome once `stop()` has run.
   */
  async function gatedReplay(file: string, write: (batch: CountBatch, real: () => Promise<void>, read: () => number) => Promise<void>) {
    const { store } = await tempSqliteStore()
    stores.push(store)
    await store.replaceFiles(CATALOG.map((s) => ({ file: s.file, hash: 'h' })), CATALOG, [])
    let pulled = 0
    const gated = new Proxy(store, {
      get: (t, k) => (k === 'applyCounts' ? (b: CountBatch) => write(b, () => t.applyCounts(b), () => pulled) : Reflect.get(t, k, t)),
    })
    const p = new Pipeline({ store: gated, config, clock: () => T0, statements: CATALOG, workers: 1, pieceLines: 64, maxKeys: 150 })
    const replay = new ReplaySource({ path: file, store, maxLineBytes: 1024, chunkBytes: 4096, now: () => 0 })
    const source: LogSource = {
      name: replay.name,
      lines: (sig) => replay.lines(sig),
      async *batches(sig) {
        for await (const b of replay.batches(sig)) (pulled++, yield b)
      },
    }
    let outcome: Error | null = null
    await ingest({ pipeline: p, source, parser: parserFor(FORMAT, config), signal: new AbortController().signal }).catch((e: Error) => void (outcome = e))
    await p.stop()
    const total = (await store.listOccurrences({ since: 0, limit: 1_000_000 })).reduce((n, o) => n + o.count, 0)
    return { outcome: outcome as Error | null, total, checkpoint: await store.getCheckpoint(fileCheckpointKey(statSync(file, { bigint: true }))), counters: (await store.counters()).map((c) => `${c.name}=${c.value}`).sort() }
  }

  it('keep reading while a full aggregate is written: the workers get more lines during the flush, and the counts and checkpoint are the same', async () => {
    const file = join(dir, 'app.log')
    writeFileSync(file, input(6000, 9))
    const plain = await gatedReplay(file, (_b, real) => real())
    // The first flush's write waits until the source has been read further (or 3 s): a pipeline that waits for
    // its flushes reads nothing meanwhile.
    let readDuringWrite = -1
    const gated = await gatedReplay(file, async (_b, real, read) => {
      if (readDuringWrite < 0) {
        const before = read()
        for (const end = Date.now() + 3000; read() < before + 2 && Date.now() < end;) await new Promise((r) => setTimeout(r, 5))
        readDuringWrite = read() - before
      }
      await real()
    })
    expect(readDuringWrite, 'batches read while the first flush was writing').toBeGreaterThanOrEqual(2)
    expect(gated.outcome).toBeNull()
    expect(gated.total).toBe(plain.total)
    expect(gated.total).toBeGreaterThan(500)
    expect(gated.counters).toEqual(plain.counters)
    expect(gated.checkpoint).toEqual(plain.checkpoint)
  })

  it('report a flush that fails while reading goes on, and write its counts with a later flush', async () => {
    const file = join(dir, 'app.log')
    writeFileSync(file, input(6000, 9))
    const plain = await gatedReplay(file, (_b, real) => real())
    let failed = 0
    const broken = await gatedReplay(file, async (_b, real) => {
      if (failed++ === 0) throw new Error('disk full')
      await real()
    })
    expect(broken.outcome?.message).toBe('disk full')
    // ingest() stopped at the failure; stop()'s final flush wrote what had been counted, the failed batch included.
    expect(broken.total).toBeGreaterThan(0)
    expect(broken.total).toBeLessThanOrEqual(plain.total)
    // The lines the stored checkpoint covers are the lines the stored counters count: no line counted twice or lost.
    const lines = Number(broken.counters.find((c) => c.startsWith('lines='))!.slice(6))
    expect(broken.checkpoint!.lines).toBe(lines)
    expect(plain.checkpoint!.lines).toBeGreaterThanOrEqual(6000)
    expect(plain.counters).toContain(`lines=${plain.checkpoint!.lines}`)
  })

  it('count the same with flushes mid-stream (counts, time frames, counters and checkpoint)', async () => {
    const file = join(dir, 'app.log')
    writeFileSync(file, input(6000, 5))
    // What a key's stored samples and level are depends on which flush first / last wrote it (the store keeps the
    // first samples and the latest level): the flushes fall elsewhere with workers (they hold part of the counts).
    const strip = (r: Awaited<ReturnType<typeof replay>>) => ({ ...r, occurrences: r.occurrences.map(({ samples: _, level: __, ...o }) => o), unowned: r.unowned.map((u) => u.split('|').slice(0, 6).join('|')) })
    const one = strip(await replay(file, 0, 150))
    const two = strip(await replay(file, 2, 150))
    expect(two).toEqual(one)
  })
})
