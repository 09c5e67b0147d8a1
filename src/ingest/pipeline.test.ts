import type { HitSink } from './sink.js'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { writeFileSync, appendFileSync } from 'node:fs'
import { join } from 'node:path'
import { defaultConfig } from '../config/load.js'
import type { Config } from '../config/schema.js'
import type { Hit, Statement } from '../core/types.js'
import { tempSqliteStore } from '../store/testutil/stores.js'
import type { Store } from '../store/store.js'
import { checkpointKeyOfPath } from './file/identity.js'
import { ReplaySource } from './file/replay-source.js'
import { ingest, parserFor, Pipeline } from './pipeline.js'
import { LINE_BAD_UTF8, LINE_NUL } from './source.js'
import { tempDir } from '../testutil/tmp.js'

const T0 = Date.parse('2026-03-02T10:00:00Z')
const stmt = (id: string, template: string, extra: Partial<Statement> = {}): Statement => ({
  id, file: `src/${id}.c`, line: 10, endLine: 10, language: 'c', level: 'error', template, matchable: true,
  channels: [], mentions: [], blame: null, callee: 'ERROR_LOG', ...extra,
})
const CATALOG = [
  stmt('full', 'queue %s is full (%d items)'),
  stmt('hello', 'hello cruel world', { level: 'info', channels: ['hello-worlders'], callee: 'INFO_LOG' }),
  stmt('chatty', 'cache refreshed in %d ms', { level: 'info', callee: 'INFO_LOG' }),
  stmt('sky', 'the sky is crying', { level: 'warn', mentions: ['elmore'], callee: 'WARN_LOG' }),
]
const REGEX = 'regex:^(?<level>[A-Z]+) (?<host>\\S+) (?<message>.*)$'

describe('Pipeline', () => {
  let store: Store
  let config: Config
  let dir: string
  beforeEach(async () => {
    store = (await tempSqliteStore()).store
    config = defaultConfig()
    dir = tempDir('pipe')
  })
  afterEach(async () => {
    await store.close()
  })

  it('counts WARN+ entries and annotated statements whatever their level, per statement and host', async () => {
    const hits: Hit[] = []
    const sink: HitSink = { attach: () => {}, wantsHit: () => true, onHit: (h) => void hits.push(h), take: () => undefined, putBack: () => {}, committed: () => {} }
    const p = new Pipeline({ store, config, clock: () => T0, statements: CATALOG, sink })
    const parser = parserFor(REGEX, config)
    const input = [
      'ERROR web-1 queue jobs is full (12 items)',
      'ERROR web-2 queue jobs is full (13 items)',
      'ERROR web-1 queue mail is full (1 items)',
      'INFO web-1 hello cruel world', // info, but #hello-worlders: counted
      'INFO web-1 cache refreshed in 12 ms', // info, no annotation: matched, not counted
      'DEBUG web-3 the sky is crying', // @elmore: counted
      'WARN web-1 disk 93% full on /dev/sda1', // unmatched WARN: unowned shape
      'INFO web-1 something unrelated', // unmatched INFO: dropped
    ]
    for (const text of input) p.push('t', { text }, parser)
    p.endSource('t')
    await p.flush()
    const totals = Object.fromEntries((await store.totals()).map((t) => [t.statementId, [t.count, t.hosts]]))
    expect(totals).toEqual({ full: [3, ['web-1', 'web-2']], hello: [1, ['web-1']], sky: [1, ['web-3']] })
    expect((await store.listUnowned()).map((u) => [u.count, u.host, u.samples])).toEqual([[1, 'web-1', ['WARN web-1 disk 93% full on /dev/sda1']]])
    expect(hits.map((h) => [h.statement.id, h.host, h.time, h.values])).toEqual([
      ['full', 'web-1', T0, ['jobs', '12']], ['full', 'web-2', T0, ['jobs', '13']], ['full', 'web-1', T0, ['mail', '1']],
      ['hello', 'web-1', T0, []], ['sky', 'web-3', T0, []],
    ])
    const c = Object.fromEntries((await store.counters()).map((k) => [k.name, k.value]))
    // Below minLevel only annotated statements are looked up: 'cache refreshed' and 'something unrelated' are below_level.
    expect(c).toEqual({ lines: 8, matched: 5, counted: 5, unmatched: 1, unowned: 1, below_level: 2 })
    const occ = await store.listOccurrences({ statementId: 'full' })
    expect(occ.find((o) => o.host === 'web-1')).toMatchObject({ count: 2, bucket: T0, samples: ['ERROR web-1 queue jobs is full (12 items)', 'ERROR web-1 queue mail is full (1 items)'] })
  })

  it('paces the flushes a stream of real-time hits asks for: a lone hit is committed at once, a flood at most ~1/5 of the time', async () => {
    // A store whose commits take a while (a large catalog's): the pace is set by how long flushes take, not by a clock.
    const FLUSH_MS = 30
    const commits: Array<{ start: number; end: number }> = []
    const apply = store.applyCounts.bind(store)
    store.applyCounts = async (b) => {
      const start = performance.now()
      await new Promise((r) => setTimeout(r, FLUSH_MS))
      await apply(b)
      commits.push({ start, end: performance.now() })
    }
    let requestFlush: (() => void) | null = null
    // As the Delivery does: every real-time hit asks for a flush (its post waits for its counts to commit).
    const sink: HitSink = { attach: (f) => void (requestFlush = f), wantsHit: () => true, onHit: () => requestFlush?.(), take: () => undefined, putBack: () => {}, committed: () => {} }
    const p = new Pipeline({ store, config, clock: () => T0, statements: CATALOG, sink })
    const parser = parserFor(REGEX, config)
    const lone = async () => {
      const before = commits.length
      p.push('t', { text: 'INFO web-1 hello cruel world' }, parser)
      p.endSource('t') // the line's entry is complete (no continuation line will come): its hit goes to the sink
      await new Promise((r) => setTimeout(r, FLUSH_MS * 3))
      return commits.length - before
    }
    // Quiet: a hit's flush starts at the next turn (it is done within three flush lengths).
    expect(await lone()).toBe(1)
    // A flood: a hit every 2 ms for 40 flush lengths.
    const t0 = performance.now()
    let lines = 0
    while (performance.now() - t0 < 40 * FLUSH_MS) {
      p.push('t', { text: 'INFO web-1 hello cruel world' }, parser)
      lines++
      await new Promise((r) => setTimeout(r, 2))
    }
    const elapsed = performance.now() - t0
    const during = commits.filter((c) => c.start >= t0 && c.start < t0 + elapsed)
    const busy = during.reduce((n, c) => n + (c.end - c.start), 0)
    // Back to back (every hit flushing at the next turn, as before) the store was busy ~100% of the time; paced, ~20%.
    expect(during.length).toBeGreaterThan(2)
    expect(busy / elapsed).toBeLessThan(0.5)
    await p.stop()
    // Nothing lost: every line of the flood (and the lone one) is counted.
    expect((await store.totals()).find((t) => t.statementId === 'hello')?.count).toBe(lines + 1)
    // Quiet again: the next lone hit is committed at once (the pace follows the last flush, not the flood).
    const q = new Pipeline({ store, config, clock: () => T0, statements: CATALOG, sink })
    await new Promise((r) => setTimeout(r, FLUSH_MS * 6))
    const before = commits.length
    q.push('t', { text: 'INFO web-1 hello cruel world' }, parser)
    q.endSource('t')
    await new Promise((r) => setTimeout(r, FLUSH_MS * 3))
    expect(commits.length - before).toBe(1)
    await q.stop()
  })

  it('hands the sink only the hits it wants (as ingest workers do), and still counts every line', async () => {
    const hits: Hit[] = []
    const asked: string[] = []
    const sink: HitSink = {
      attach: () => {}, wantsHit: (s) => (asked.push(s.id), s.channels.length > 0), onHit: (h) => void hits.push(h), take: () => undefined, putBack: () => {}, committed: () => {},
    }
    const p = new Pipeline({ store, config, clock: () => T0, statements: CATALOG, sink })
    const parser = parserFor(REGEX, config)
    for (const text of ['ERROR web-1 queue jobs is full (12 items)', 'INFO web-1 hello cruel world', 'ERROR web-2 queue mail is full (1 items)', 'DEBUG web-3 the sky is crying']) p.push('t', { text }, parser)
    p.endSource('t')
    await p.flush()
    expect(hits.map((h) => [h.statement.id, h.host])).toEqual([['hello', 'web-1']])
    // Asked once per statement of the catalog, not per line.
    expect(asked.sort()).toEqual(CATALOG.map((s) => s.id).sort())
    const totals = Object.fromEntries((await store.totals()).map((t) => [t.statementId, t.count]))
    expect(totals).toEqual({ full: 2, hello: 1, sky: 1 })
  })

  it('lets go of the sink when stopped: the sink keeps no way back to the pipeline (its catalog and matcher)', async () => {
    const attached: Array<(() => void) | null> = []
    const sink: HitSink = { attach: (f) => void attached.push(f), wantsHit: () => true, onHit: () => {}, take: () => undefined, putBack: () => {}, committed: () => {} }
    const p = new Pipeline({ store, config, clock: () => T0, statements: CATALOG, sink })
    expect(attached).toHaveLength(1)
    expect(typeof attached[0]).toBe('function')
    await p.stop()
    expect(attached).toEqual([attached[0], null])
  })

  it('does not count a low-level line for a looser annotated template when a more specific one printed it', async () => {
    const statements = [
      stmt('loose', 'job %s', { level: 'info', channels: ['ops'] }),
      stmt('specific', 'job %s failed', { level: 'info' }),
    ]
    const p = new Pipeline({ store, config, clock: () => T0, statements })
    const parser = parserFor(REGEX, config)
    p.push('t', { text: 'INFO h job 7 failed' }, parser) // the specific statement printed it: not counted
    p.push('t', { text: 'INFO h job 7 started' }, parser) // only the annotated one fits: counted
    p.endSource('t')
    await p.flush()
    expect((await store.totals()).map((t) => [t.statementId, t.count])).toEqual([['loose', 1]])
    expect(p.metrics().t).toMatchObject({ matched: 2, counted: 1 })
  })

  it('buckets by the entry time when the line has one, and keeps at most samplesPerBucket samples', async () => {
    config.match.samplesPerBucket = 1
    config.match.bucketSeconds = 60
    const p = new Pipeline({ store, config, clock: () => T0, statements: CATALOG })
    const parser = parserFor('regex:^(?<time>\\S+) (?<level>[A-Z]+) (?<message>.*)$', config)
    for (const [t, n] of [['2026-03-01T08:00:05Z', 1], ['2026-03-01T08:00:59Z', 2], ['2026-03-01T08:01:00Z', 3]] as const) {
      p.push('t', { text: `${t} ERROR queue q is full (${n} items)` }, parser)
    }
    await p.flush({ final: true })
    const occ = (await store.listOccurrences()).sort((a, b) => a.bucket - b.bucket)
    const b0 = Date.parse('2026-03-01T08:00:00Z')
    expect(occ.map((o) => [o.bucket - b0, o.count, o.samples.length, o.host])).toEqual([[0, 2, 1, '-'], [60_000, 1, 1, '-']])
    expect(occ[0]!.lastSeen - occ[0]!.firstSeen).toBe(54_000)
  })

  it('folds a stack trace into its entry: one count, the trace kept in the sample', async () => {
    const p = new Pipeline({ store, config, clock: () => T0, statements: CATALOG })
    const parser = parserFor('auto', config)
    const lines = [
      '2026-03-02 10:00:00,123 ERROR [main] com.acme.Queue - queue jobs is full (5 items)',
      'java.lang.IllegalStateException: full',
      '\tat com.acme.Queue.put(Queue.java:42)',
      '\tat com.acme.Main.main(Main.java:7)',
      '2026-03-02 10:00:01,000 ERROR [main] com.acme.Queue - queue jobs is full (6 items)',
    ]
    for (const text of lines) p.push('t', { text }, parser)
    p.endSource('t')
    await p.flush()
    const [occ] = await store.listOccurrences()
    expect(occ).toMatchObject({ statementId: 'full', count: 2 })
    expect(occ!.samples[0]).toContain('\tat com.acme.Main.main(Main.java:7)')
    expect(Object.fromEntries((await store.counters()).map((k) => [k.name, k.value]))).toMatchObject({ lines: 5, matched: 2, counted: 2 })
  })

  it('never stores a checkpoint inside an entry still waiting for its continuation lines', async () => {
    const file = join(dir, 'app.txt')
    writeFileSync(file, 'ERROR h queue a is full (1 items)\n  at one\nERROR h queue b is full (2 items)\n  at two\n')
    const p = new Pipeline({ store, config, clock: () => T0, statements: CATALOG })
    const parser = parserFor('regex:^(?<level>[A-Z]+) (?<host>\\S+) (?<message>.*)$', config)
    const src = new ReplaySource({ path: file, store, maxLineBytes: 1024 })
    for await (const raw of src.lines(new AbortController().signal)) p.push(src.name, raw, parser)
    await p.flush() // the second entry may still get continuation lines: not counted, not covered
    const cp = await store.getCheckpoint(await checkpointKeyOfPath(file))
    expect(cp).toMatchObject({ offset: 'ERROR h queue a is full (1 items)\n  at one\n'.length, lines: 2 })
    expect((await store.totals())[0]).toMatchObject({ count: 1 })
    await p.flush() // idle for a whole interval: the entry is complete
    expect(await store.getCheckpoint(await checkpointKeyOfPath(file))).toMatchObject({ lines: 4 })
    expect((await store.totals())[0]).toMatchObject({ count: 2 })
  })

  it('counts each line once across restarts: replaying an unchanged file adds nothing, an appended line is added', async () => {
    const file = join(dir, 'app.txt')
    const line = (i: number) => `ERROR web-${i % 3} queue q${i} is full (${i} items)\n`
    writeFileSync(file, Array.from({ length: 1000 }, (_, i) => line(i)).join(''))
    const run = async (stopAfter = Infinity) => {
      const p = new Pipeline({ store, config, clock: () => T0, statements: CATALOG })
      const src = new ReplaySource({ path: file, store, maxLineBytes: 1024, chunkBytes: 4096 })
      const ac = new AbortController()
      let n = 0
      for await (const raw of src.lines(ac.signal)) {
        p.push(src.name, raw, parserFor(REGEX, config))
        if (++n % 97 === 0) await p.flush()
        if (n >= stopAfter) break // a crash: whatever was not flushed is lost, with its checkpoint
      }
      if (n < stopAfter) (p.endSource(src.name), await p.flush({ final: true }))
    }
    await run(431)
    await run(200)
    await run()
    await run()
    expect((await store.totals())[0]!.count).toBe(1000)
    appendFileSync(file, line(1000))
    await run()
    expect((await store.totals())[0]!.count).toBe(1001)
  })

  it('counts bad bytes per source and never stops on them', async () => {
    const p = new Pipeline({ store, config, clock: () => T0, statements: CATALOG })
    const parser = parserFor(REGEX, config)
    p.push('a', { text: 'ERROR h queue x is full (1 items)', flags: LINE_BAD_UTF8 }, parser)
    p.push('a', { text: 'ERROR h queue x is full (2 items)', flags: LINE_NUL }, parser)
    p.push('b', { text: 'garbage' }, parser)
    p.endSource('a')
    await p.flush()
    const m = p.metrics()
    expect(m.a).toMatchObject({ lines: 2, bad_utf8: 1, nul: 1, counted: 2 })
    expect(m.b).toMatchObject({ lines: 1, malformed: 1 })
    expect((await store.counters()).filter((k) => k.source === 'a' && k.name === 'bad_utf8')).toEqual([{ source: 'a', name: 'bad_utf8', value: 1 }])
  })

  it('flushes when the in-memory map reaches its bound, through ingest()', async () => {
    const file = join(dir, 'many.txt')
    writeFileSync(file, Array.from({ length: 3000 }, (_, i) => `ERROR host-${i} queue q is full (1 items)\n`).join(''))
    const p = new Pipeline({ store, config, clock: () => T0, statements: CATALOG, maxKeys: 100 })
    await ingest({ pipeline: p, source: new ReplaySource({ path: file, store, maxLineBytes: 1024 }), parser: parserFor(REGEX, config), signal: new AbortController().signal })
    expect(p.metrics().flushes).toBeGreaterThanOrEqual(29)
    await p.flush()
    expect((await store.totals())[0]).toMatchObject({ count: 3000 })
  })
})
