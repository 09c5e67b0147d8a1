import type { Config } from '../config/schema.js'
import type { Clock } from '../core/clock.js'
import type { Checkpoint, Hit, Statement } from '../core/types.js'
import type { MatcherPlan } from '../match/matcher.js'
import type { Store } from '../store/store.js'
import { Counter, SourceCounters, SourceDeltas } from './counter.js'
import type { LineParser } from './formats/index.js'
import { startsEntry } from './multiline.js'
import { WorkerPool } from './parallel/pool.js'
import { MAX_PIECE_LINES, type PieceResult } from './parallel/protocol.js'
import type { LogSource, RawLine } from './source.js'
import { newStream, Tally, type PipelineParser, type Stream } from './tally.js'
import type { HitSink } from './sink.js'
import type { RevisionPrefs } from '../catalog/live.js'
import { nextTurn } from '../core/next-turn.js'

export { parserFor, type PipelineParser } from './tally.js'

/** Options of a Pipeline. */
export interface PipelineOptions {
  store: Store
  config: Config
  clock: Clock
  statements: Statement[]
  /** Which revision each host runs (catalog/live.ts liveCatalog), when deploys are recorded. */
  revisions?: RevisionPrefs | null
  /** The catalog's stored matcher plan (storedPlan), when there is one: a faster start. */
  plan?: MatcherPlan | null
  /**
   * Delivery: gets each counted matched entry it wants (ingest workers send back only those), and commits what
   * it accumulated in the same transaction as the counts of the same lines.
   */
  sink?: HitSink
  /** Flush once this many distinct statement × host × bucket keys are held. */
  maxKeys?: number
  /** Flush once this many lines arrived since the last flush. */
  maxUnflushedLines?: number
  /** Reports a failed timer flush (the data stays in memory and is retried). */
  onFlushError?: (e: unknown) => void
  /**
   * Ingest worker threads that parse, match and count the lines of `ingest()`ed sources (0: all in this thread).
   * Lines pushed one by one (`push`: HTTP ingest) are always counted in this thread.
   */
  workers?: number
  /** Lines per piece sent to a worker (tests make it small to cut streams often). */
  pieceLines?: number
}

const MAX_STREAMS = 10_000
/** Lines per piece sent to a worker: enough that sending costs little next to counting them. */
const PIECE_LINES = 2048
/**
 * Pieces per worker that may be on their way while a flush drains and writes: ~0.5 s of a worker's counting on the
 * warn-heavy bench (15 ms a piece), about one flush of 50k keys; ~15 MB of lines per worker.
 */
const AHEAD_PIECES = 32
/** flushSoon waits this many times the last flush's length after it ended (flushes ≤ 1/(1 + SOON_PACE) of the time). */
const SOON_PACE = 4
/** The longest a real-time hit waits for its flush on that account (the 1 s timer flushes anyway). */
const SOON_MAX_WAIT_MS = 500
/**
 * A stream whose lines offer no place to cut (one entry with a 100k-line trace) is cut after this many pieces'
 * worth anyway; the next piece resumes the entry in the worker that holds it (bounds the lines kept here).
 */
const MAX_CARRY_PIECES = 32

/** A stream read through the workers: the lines not sent yet, and the pieces sent but not covered yet. */
interface Feed {
  source: string
  /** Lines not sent yet; the first one starts an entry (or continues where the last piece was cut). */
  carry: RawLine[]
  carrySeq: number
  parser: PipelineParser | null
  host: string | undefined
  touched: boolean
  /** Line numbers for streams without checkpoints. */
  n: number
  /** Pieces sent whose lines are not all covered yet: where their checkpoints are found. */
  sent: Array<{ firstSeq: number; lines: RawLine[] }>
  safe: Checkpoint | undefined
  dirty: boolean
  /** The worker holding the stream's state for the next piece (-1: none). */
  keptBy: number
}

/** A piece on its way: what merging its answer needs. */
interface Sent {
  feed: Feed
  source: string
  lines: number
}

/**
 * The counting pipeline: raw line → parser → multiline assembly → Matcher → count decision → in-memory
 * aggregate (the per-line work is a Tally's). `flush()` writes the aggregate, the per-source counters and the
 * checkpoints covering exactly the lines aggregated, in ONE Store.applyCounts transaction — so after a crash
 * either both the counts and the position survive or neither does, and a restart from the stored checkpoint
 * counts each line once.
 *
 * With `workers`, ingested sources are cut into pieces that start where an entry starts (so a piece's
 * multiline assembly is what one thread would do) and counted by worker threads; answers are merged in the
 * order the pieces were read, and a stream's checkpoint moves only past merged lines — the same exactly-once
 * commit, the same counts.
 */
export class Pipeline {
  private readonly store: Store
  private readonly maxKeys: number
  private readonly maxUnflushed: number
  private readonly pieceLines: number
  private readonly counter: Counter
  private readonly deltas = new SourceDeltas()
  /** This thread's Tally: every line without workers; with them, only lines pushed one by one (built then). */
  private tally: Tally | null = null
  private statements: Statement[]
  private catalogPlan: MatcherPlan | null
  private revisions: RevisionPrefs | null
  private byId = new Map<string, Statement>()
  private readonly pool: WorkerPool | null = null
  private readonly feeds = new Map<string, Feed>()
  private readonly sent = new Map<number, Sent>()
  private streams = new Map<string, Stream<Checkpoint>>()
  /** The stream of the previous line and its key: a source's lines come in runs (a replayed file, a batch). */
  private lastKey: string | null = null
  private lastStream: Stream<Checkpoint> | null = null
  private totals = new Map<string, SourceCounters>()
  /** Lines pushed and not yet written by a completed flush; of those, the ones whose counts are in `counter`. */
  private unflushed = 0
  private ready = 0
  private flushes = 0
  private flushErrors = 0
  private finalizeAll = false
  private tail: Promise<void> = Promise.resolve()
  private queued: Promise<void> | null = null
  private timer: NodeJS.Timeout | null = null
  private soon = false
  /** The flush room() started and did not wait for; the error of one that failed, until room() or caughtUp() throws it. */
  private ahead: Promise<void> | null = null
  private aheadError: Error | null = null
  /** The real-time flush waiting for its turn (flushSoon under a flood), cleared by stop(). */
  private soonTimer: NodeJS.Timeout | null = null
  /** When the last flush ended and how long it took (monotonic ms): flushSoon's pace. */
  private lastFlush = { end: -Infinity, ms: 0 }
  /** The sink's onHit, bound once (the Tally and the workers' answers call it per hit). */
  private readonly onHit: ((h: Hit) => void) | undefined

  constructor(private readonly o: PipelineOptions) {
    const sink = o.sink
    this.onHit = sink ? (h) => sink.onHit(h) : undefined
    this.store = o.store
    this.maxKeys = o.maxKeys ?? 50_000
    this.maxUnflushed = o.maxUnflushedLines ?? 500_000
    this.pieceLines = Math.max(1, Math.min(o.pieceLines ?? PIECE_LINES, MAX_PIECE_LINES / MAX_CARRY_PIECES))
    this.counter = new Counter(o.config.match.samplesPerBucket)
    this.statements = o.statements
    this.catalogPlan = o.plan ?? null
    this.revisions = o.revisions ?? null
    if (o.workers && o.workers > 0) {
      this.indexHits(o.statements)
      this.pool = new WorkerPool(o.workers, {
        config: o.config, clockOffsetMs: o.clock() - Date.now(),
        catalog: { type: 'catalog', gen: 0, statements: o.statements, plan: this.catalogPlan, hits: this.hitsWanted(o.statements), revisions: this.revisions },
      }, (r) => this.merge(r))
    } else this.tally = this.newTally()
    sink?.attach(() => this.flushSoon())
  }

  /**
   * Flush soon: a sink's real-time hits wait for their counts to commit. At the next turn of the event loop when
   * flushes are rare (a hit now and then); under a stream of hits, not before the last flush's end plus
   * SOON_PACE × its length (at most SOON_MAX_WAIT_MS), so flushes take at most ~1/(1 + SOON_PACE) of the time. Each
   * commit rewrites the store pages its keys touch: `dice run` reading a 1M-line backlog whose statements include
   * channel-annotated ones flushed every ~15 ms (725 flushes of ~470 keys in 12 s) and spent 70% of its time writing.
   */
  private flushSoon(): void {
    if (this.soon) return
    this.soon = true
    const go = () => {
      this.soon = false
      this.soonTimer = null
      this.flush().catch((e) => this.o.onFlushError?.(e))
    }
    const wait = Math.min(SOON_MAX_WAIT_MS, this.lastFlush.end + this.lastFlush.ms * SOON_PACE - performance.now())
    if (wait > 0) (this.soonTimer = setTimeout(go, wait)).unref()
    else setImmediate(go)
  }

  private newTally(): Tally {
    const sink = this.o.sink
    return new Tally({
      config: this.o.config, clock: this.o.clock, statements: this.statements, plan: this.catalogPlan, revisions: this.revisions, onHit: this.onHit,
      wantsHit: sink ? (s) => sink.wantsHit(s) : undefined, counter: this.counter, deltas: this.deltas,
    })
  }

  /** This thread's Tally, built on first use when the workers count everything else. */
  private local(): Tally {
    return (this.tally ??= this.newTally())
  }

  private indexHits(statements: Statement[]): void {
    this.byId = this.onHit ? new Map(statements.map((s) => [s.id, s])) : new Map()
  }

  private hitsWanted(statements: Statement[]): string[] | 'all' | 'none' {
    const sink = this.o.sink
    if (!sink) return 'none'
    return statements.filter((s) => sink.wantsHit(s)).map((s) => s.id)
  }

  /** Swap in a new catalog (after a re-index); entries already counted keep their statement ids. */
  setStatements(statements: Statement[], plan: MatcherPlan | null = null, revisions: RevisionPrefs | null = null): void {
    this.statements = statements
    this.catalogPlan = plan
    this.revisions = revisions
    this.tally?.setStatements(statements, plan, revisions)
    if (this.pool) {
      this.indexHits(statements)
      this.pool.setCatalog({ statements, plan, hits: this.hitsWanted(statements), revisions })
    }
  }

  /** Resolves once the matchers of the current catalog are built (with workers: in every worker). */
  async matcherReady(): Promise<void> {
    if (this.pool) await this.pool.matcher()
  }

  /** Whether the catalog's matcher was built from a stored plan (after matcherReady()). */
  get planned(): boolean {
    return this.pool ? this.builtPlan.planned : this.local().planned
  }

  /** The catalog's matcher plan, to store (keepPlan; after matcherReady()). */
  plan(): MatcherPlan {
    return this.pool ? this.builtPlan.plan ?? this.catalogPlan! : this.local().plan()
  }

  private builtPlan: { planned: boolean; plan: MatcherPlan | null } = { planned: true, plan: null }

  /** Worker threads counting ingested sources (0: none). */
  get workers(): number {
    return this.pool?.size ?? 0
  }

  /** Hot path, sync, in this thread: parse → multiline → match → count in memory. `parser` from createParser / parserFor. */
  push(source: string, raw: RawLine, parser: LineParser): void {
    this.unflushed++
    this.ready++
    const cp = raw.checkpoint
    const key = cp ? cp.source : source
    let st: Stream<Checkpoint> | undefined
    if (key === this.lastKey) st = this.lastStream!
    else {
      st = this.streams.get(key)
      if (st === undefined) st = this.newStream(key, source)
      this.lastKey = key
      this.lastStream = st
    }
    st.touched = true
    ;(this.tally ?? this.local()).push(st, raw.text, raw.flags ?? 0, raw.host, cp, cp ? cp.lines : ++st.n, parser)
  }

  /**
   * A batch of one source's lines: through the workers when there are any, else push() each. Call room() before the
   * next batch (it bounds the pieces on their way).
   */
  pushBatch(source: string, lines: RawLine[], parser: PipelineParser): void {
    if (this.pool === null) {
      for (let i = 0; i < lines.length; i++) this.push(source, lines[i]!, parser)
      return
    }
    let feed: Feed | null = null
    let key: string | null = null
    for (let i = 0; i < lines.length; i++) {
      const raw = lines[i]!
      const k = raw.checkpoint ? raw.checkpoint.source : source
      if (k !== key) {
        if (feed !== null) this.cut(feed, false)
        key = k
        feed = this.feedOf(k, source)
      }
      const f = feed!
      if (f.carry.length > 0 && (f.parser !== parser || f.host !== raw.host)) {
        // A new format starts a new assembly (as push() does); a new host label keeps the entry going.
        this.send(f, f.carry.length, f.parser !== parser, true)
      }
      if (f.carry.length === 0) (f.parser = parser), (f.host = raw.host)
      f.carry.push(raw)
      f.touched = true
      this.unflushed++
    }
    if (feed !== null) this.cut(feed, false)
  }

  /**
   * Resolves when few enough pieces are on their way to send more (rejects if a worker failed, or if a flush this
   * started failed). When the aggregate is full it starts a flush and returns without waiting for it: while this
   * thread drains the workers and writes, they count the pieces sent meanwhile (their answers wait for the commit,
   * so the flush covers exactly the pieces before it). Up to AHEAD_PIECES per worker may go out meanwhile — the
   * memory bound of a flush under way. Waiting for each flush left the workers idle for its whole length: 1–1.5 s
   * of every 2.9 s in a 1M-line replay with one worker.
   */
  async room(): Promise<void> {
    const pool = this.pool
    if (pool === null) return
    this.rethrowAhead()
    if (this.ahead === null && this.needsFlush()) {
      const p = this.flush()
      this.ahead = p
      p.then(() => {
        if (this.ahead === p) this.ahead = null
      }, (e: unknown) => {
        if (this.ahead === p) (this.ahead = null), (this.aheadError = e as Error)
      })
    }
    await pool.waitBelow(pool.size * (this.ahead === null ? 2 : AHEAD_PIECES))
    this.rethrowAhead()
  }

  /** Resolves once the flush room() started (if any) has committed; rejects with its error (its counts stay for the next flush). */
  async caughtUp(): Promise<void> {
    if (this.ahead !== null) await this.ahead.catch(() => {})
    this.rethrowAhead()
  }

  private rethrowAhead(): void {
    const e = this.aheadError
    if (e === null) return
    this.aheadError = null
    throw e
  }

  private feedOf(key: string, source: string): Feed {
    let f = this.feeds.get(key)
    if (f === undefined) {
      if (this.feeds.size >= MAX_STREAMS) {
        for (const [k, x] of this.feeds) if (x.carry.length === 0 && x.sent.length === 0 && !x.dirty && x.keptBy < 0) this.feeds.delete(k)
      }
      f = { source, carry: [], carrySeq: 0, parser: null, host: undefined, touched: false, n: 0, sent: [], safe: undefined, dirty: false, keptBy: -1 }
      this.feeds.set(key, f)
    }
    return f
  }

  /**
   * Send what of the feed's carry can go: up to the last line that starts an entry (the worker finalizes the entry
   * before it, as the next line would), or, with `final`, everything (the input ended or went idle).
   */
  private cut(f: Feed, final: boolean): void {
    const c = f.carry
    if (c.length === 0) return
    if (final) return this.send(f, c.length, true, true)
    if (c.length < this.pieceLines) return
    const folds = f.parser!.foldsContinuations !== false
    for (let k = c.length - 1; k > 0; k--) if (!folds || startsEntry(c[k]!.text, c[k - 1]!.text)) return this.send(f, k, true, false)
    if (c.length >= this.pieceLines * MAX_CARRY_PIECES) this.send(f, c.length, false, true)
  }

  /** Send the feed's first `n` carried lines as a piece (as several, each resuming the last, past MAX_PIECE_LINES). */
  private send(f: Feed, n: number, finalize: boolean, keep: boolean): void {
    for (; n > MAX_PIECE_LINES; n -= MAX_PIECE_LINES) this.send(f, MAX_PIECE_LINES, false, true)
    const lines = n === f.carry.length ? f.carry : f.carry.slice(0, n)
    f.carry = n === f.carry.length ? [] : f.carry.slice(n)
    const texts = new Array<string>(n)
    let flags: Uint8Array | null = null
    for (let i = 0; i < n; i++) {
      const l = lines[i]!
      texts[i] = l.text
      if (l.flags) (flags ??= new Uint8Array(n))[i] = l.flags
    }
    const first = lines[0]!.checkpoint
    const firstN = first ? first.lines : f.n + 1
    if (!first) f.n += n
    const key = first ? first.source : f.source
    const { seq, worker } = this.pool!.send({
      stream: key, source: f.source, format: f.parser!.format ?? 'auto', texts, flags, host: f.host, firstN, firstSeq: f.carrySeq,
      finalize, keep, resume: f.keptBy >= 0,
    }, f.keptBy)
    f.keptBy = keep ? worker : -1
    if (first) f.sent.push({ firstSeq: f.carrySeq, lines })
    f.carrySeq += n
    this.sent.set(seq, { feed: f, source: f.source, lines: n })
  }

  /**
   * A worker's answer, in the order pieces were sent: line counters, the checkpoint it covers, hits. Its counts
   * come with the worker's aggregate at the next flush (which holds back later answers until it has committed).
   */
  private merge(r: PieceResult): void {
    const s = this.sent.get(r.seq)!
    this.sent.delete(r.seq)
    this.deltas.of(s.source).addFields(r.counters)
    this.ready += s.lines
    const f = s.feed
    if (r.covered >= 0) {
      while (f.sent.length > 0) {
        const p = f.sent[0]!
        const i = r.covered - p.firstSeq
        if (i >= p.lines.length) {
          f.sent.shift()
          continue
        }
        if (i >= 0) (f.safe = p.lines[i]!.checkpoint), (f.dirty = true)
        break
      }
    }
    const onHit = this.onHit
    if (onHit) {
      for (const h of r.hits) {
        const statement = this.byId.get(h.statementId)
        if (statement === undefined) continue // re-indexed meanwhile
        try {
          const hit: Hit = { entry: h.entry, statement, values: h.values, host: h.host, time: h.time, source: s.source }
          if (h.also) hit.also = h.also.map((id) => this.byId.get(id)).filter((x): x is Statement => x !== undefined)
          onHit(hit)
        } catch {
          // Delivery must never break counting; it has its own outbox and retries.
        }
      }
    }
  }

  /** The input of `source` ended (replay of a file, end of stdin, an HTTP body): count its last entries. */
  endSource(source: string): void {
    for (const st of this.streams.values()) if (st.source === source && st.pending !== null) this.tally!.finalize(st)
    for (const f of this.feeds.values()) if (f.source === source) this.cut(f, true)
  }

  /** True when the in-memory aggregate should be written before reading more (bounded memory). */
  needsFlush(): boolean {
    return this.unflushed >= this.maxUnflushed || this.counter.size + (this.pool ? this.pool.keys / this.pool.size : 0) >= this.maxKeys
  }

  /** Lines pushed but not yet written by a completed flush (HTTP backpressure). */
  pendingLines(): number {
    return this.unflushed
  }

  /**
   * Write counts + checkpoints atomically (Store.applyCounts). Calls are serialised and coalesced: a
   * call returns once a flush that started after it has committed. `final` also counts entries still
   * waiting for continuation lines (and, with workers, waits for every piece on its way). On failure the
   * batch stays in memory for the next flush.
   */
  flush(o: { final?: boolean } = {}): Promise<void> {
    if (o.final) this.finalizeAll = true
    if (this.queued) return this.queued
    // A turn of the event loop before writing: requests whose bodies arrived meanwhile push their lines and join this
    // flush (one commit for all). Without it each POST /ingest committed alone: SQLite's commit is synchronous, so the
    // next request was read only after it (500 commits for 500 requests, 8 at a time; 106 with the turn).
    const p = this.tail.catch(() => {}).then(nextTurn).then(() => {
      this.queued = null
      return this.doFlush()
    })
    this.queued = p
    this.tail = p
    return p
  }

  /** Flush every `ms` (default 1 s) until stop(); failures go to onFlushError and are retried. */
  start(ms = 1000): void {
    if (this.timer) return
    this.timer = setInterval(() => {
      this.flush().catch((e) => this.o.onFlushError?.(e))
    }, ms)
    this.timer.unref()
  }

  /** Stop the timer, write everything, including pending multiline entries, and end the workers. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer)
    if (this.soonTimer) clearTimeout(this.soonTimer)
    this.timer = this.soonTimer = null
    try {
      await this.flush({ final: true })
    } finally {
      this.o.sink?.attach(null)
      await this.pool?.close()
    }
  }

  /** Per-source counters (lines, matched, counted, unmatched, unowned, bad_utf8, nul, too_long, malformed) and pipeline gauges. */
  metrics(): Record<string, number | Record<string, number>> {
    const out: Record<string, number | Record<string, number>> = {
      queued_lines: this.unflushed, keys: this.counter.size, flushes: this.flushes, flush_errors: this.flushErrors, workers: this.workers,
    }
    const delta = this.deltas.peek()
    const names = new Set([...this.totals.keys(), ...delta.keys()])
    for (const name of names) {
      const sum = new SourceCounters()
      const t = this.totals.get(name)
      const d = delta.get(name)
      if (t) sum.add(t)
      if (d) sum.add(d)
      out[name] = sum.toJSON()
    }
    return out
  }

  private newStream(key: string, source: string): Stream<Checkpoint> {
    if (this.streams.size >= MAX_STREAMS) {
      for (const [k, s] of this.streams) if (s.pending === null && !s.dirty) this.streams.delete(k)
      this.lastKey = this.lastStream = null
    }
    const st = newStream<Checkpoint>(source)
    this.streams.set(key, st)
    return st
  }

  private async doFlush(): Promise<void> {
    const start = performance.now()
    const pool = this.pool
    try {
      return await this.commit(pool)
    } finally {
      pool?.release()
      const end = performance.now()
      this.lastFlush = { end, ms: end - start }
    }
  }

  private async commit(pool: WorkerPool | null = null): Promise<void> {
    const finalizeAll = this.finalizeAll
    this.finalizeAll = false
    for (const st of this.streams.values()) {
      // A pending entry that saw no line for a whole flush interval has no continuation coming.
      if (st.pending !== null && (finalizeAll || !st.touched)) this.tally!.finalize(st)
      st.touched = false
    }
    if (pool) {
      // The same for the workers' streams: their last lines go now, and are written by this flush if it is the
      // last one (which waits for every piece), else by the next.
      for (const f of this.feeds.values()) {
        if (f.carry.length > 0 && (finalizeAll || !f.touched)) this.cut(f, true)
        f.touched = false
      }
      if (finalizeAll) await pool.waitBelow(0)
      // The workers' counts of every piece sent so far; the answers of these pieces (line counters, checkpoints)
      // are all in by now, and later ones wait until this commit is over.
      this.counter.mergeDrained(await pool.drain())
    }
    const taken = this.ready
    const batch = this.counter.drain()
    const checkpoints: Checkpoint[] = []
    const moved: Array<{ dirty: boolean }> = []
    for (const st of [...this.streams.values(), ...this.feeds.values()]) {
      if (st.dirty && st.safe) (checkpoints.push(st.safe), moved.push(st))
      st.dirty = false
    }
    const deltas = this.deltas.take()
    const counters: Array<{ source: string; name: string; value: number }> = []
    for (const [source, c] of deltas) for (const [name, value] of Object.entries(c.toJSON())) if (value) counters.push({ source, name, value })
    // Taken in the same turn as the counts (later workers' answers wait for this commit): the same lines.
    const realtime = this.o.sink?.take(this.o.clock())
    if (!batch.occurrences.length && !batch.unowned.length && !batch.values.length && !checkpoints.length && !counters.length && !realtime) {
      this.unflushed -= taken
      this.ready -= taken
      return
    }
    try {
      await this.store.applyCounts({ occurrences: batch.occurrences, unowned: batch.unowned, values: batch.values, checkpoints, counters, realtime })
    } catch (e) {
      this.flushErrors++
      this.counter.restore(batch)
      for (const st of moved) st.dirty = true // st.safe is the same or later: storing it covers the batch too
      for (const [source, c] of deltas) this.deltas.of(source).add(c)
      if (realtime) this.o.sink!.putBack(realtime)
      throw e
    }
    if (realtime) this.o.sink!.committed(realtime)
    this.flushes++
    this.unflushed -= taken
    this.ready -= taken
    for (const [source, c] of deltas) {
      let t = this.totals.get(source)
      if (t === undefined) this.totals.set(source, (t = new SourceCounters()))
      t.add(c)
    }
  }
}

/**
 * Drive one source into the pipeline until it ends or the signal aborts, flushing whenever the in-memory
 * aggregate is full (so a flood waits on the store instead of growing memory). Counts the source's last
 * entries at its end; the caller flushes.
 */
export async function ingest(o: { pipeline: Pipeline; source: LogSource; parser: LineParser; signal: AbortSignal }): Promise<void> {
  const { pipeline, source, parser } = o
  const name = source.name
  if (source.batches && pipeline.workers > 0) {
    for await (const batch of source.batches(o.signal)) {
      pipeline.pushBatch(name, batch, parser as PipelineParser)
      await pipeline.room()
    }
    await pipeline.caughtUp()
  } else if (source.batches) {
    for await (const batch of source.batches(o.signal)) {
      for (let i = 0; i < batch.length; i++) {
        pipeline.push(name, batch[i]!, parser)
        if (pipeline.needsFlush()) await pipeline.flush()
      }
    }
  } else {
    for await (const raw of source.lines(o.signal)) {
      pipeline.push(name, raw, parser)
      if (pipeline.needsFlush()) await pipeline.flush()
    }
  }
  pipeline.endSource(name)
}
