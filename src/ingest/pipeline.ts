import type { Config } from '../config/schema.js'
import type { Clock } from '../core/clock.js'
import { atLeast } from '../core/levels.js'
import type { Checkpoint, Hit, LogEntry, Statement } from '../core/types.js'
import { Matcher, type MatcherPlan } from '../match/matcher.js'
import { shapeOf } from '../match/shape.js'
import type { Store } from '../store/store.js'
import { Counter, OccurrenceKey, SourceCounters } from './counter.js'
import { createParser, formatFoldsContinuations, type LineParser } from './formats/index.js'
import { MultilineAssembler } from './multiline.js'
import { LINE_BAD_UTF8, LINE_NUL, LINE_TOO_LONG, type LogSource, type RawLine } from './source.js'

/** A LineParser that may say whether continuation lines (stack traces) fold into the previous entry. */
export type PipelineParser = LineParser & { foldsContinuations?: boolean }

/** createParser plus the folding decision for that format (structured formats never fold). UsageError if bad. */
export function parserFor(format: string, config: Config, clock?: Clock): PipelineParser {
  const p: PipelineParser = createParser(format, config, { clock })
  p.foldsContinuations = formatFoldsContinuations(format, config)
  return p
}

/** Options of a Pipeline. */
export interface PipelineOptions {
  store: Store
  config: Config
  clock: Clock
  statements: Statement[]
  /** The catalog's stored matcher plan (storedPlan), when there is one: a faster start. */
  plan?: MatcherPlan | null
  /** Called for each counted matched entry (real-time delivery). Must not throw; errors are swallowed. */
  onHit?: (h: Hit) => void
  /** Flush once this many distinct statement × host × bucket keys are held. */
  maxKeys?: number
  /** Flush once this many lines arrived since the last flush. */
  maxUnflushedLines?: number
  /** Reports a failed timer flush (the data stays in memory and is retried). */
  onFlushError?: (e: unknown) => void
}

/** Per input stream (one file, stdin, one HTTP request): multiline assembly and the checkpoint it has reached. */
interface Stream {
  source: string
  pending: LogEntry | null
  pendingHost: string | undefined
  /** Checkpoint just after the pending entry's last line. */
  pendingEnd: Checkpoint | undefined
  /** Checkpoint covering every finalized entry: what the next flush may store. */
  safe: Checkpoint | undefined
  dirty: boolean
  /** A line arrived since the previous flush (an idle pending entry is finalized at the next one). */
  touched: boolean
  /** Line numbers for streams without checkpoints. */
  n: number
  parser: LineParser | null
  asm: MultilineAssembler | null
  folds: boolean
  /** Line counters of the pending entry's lines (see hold()). */
  heldLines: number
  heldBad: number
  heldNul: number
  heldLong: number
  /** LINE_TOO_LONG when the parser cut the entry's first line (the splitter had not). */
  heldFlags: number
}

interface StatementInfo {
  statement: Statement
  /** Channels or mentions: counted whatever the level. */
  always: boolean
  key: OccurrenceKey
}

const MAX_STREAMS = 10_000

/**
 * The counting pipeline: raw line → parser → multiline assembly → Matcher → count decision → in-memory
 * aggregate. `flush()` writes the aggregate, the per-source counters and the checkpoints covering exactly
 * the lines aggregated, in ONE Store.applyCounts transaction — so after a crash either both the counts and
 * the position survive or neither does, and a restart from the stored checkpoint counts each line once.
 */
export class Pipeline {
  private readonly store: Store
  private readonly clock: Clock
  private readonly onHit?: (h: Hit) => void
  private readonly minLevel: Config['match']['minLevel']
  private readonly bucketMs: number
  private readonly maxKeys: number
  private readonly maxUnflushed: number
  private matcher: Matcher
  /** Only the statements with channels or mentions: all an entry below minLevel can count for. */
  private annotated: Matcher | null = null
  private byId = new Map<string, StatementInfo>()
  private counter: Counter
  private streams = new Map<string, Stream>()
  /** The stream of the previous line and its key: a source's lines come in runs (a replayed file, a batch). */
  private lastKey: string | null = null
  private lastStream: Stream | null = null
  private delta = new Map<string, SourceCounters>()
  /** this.delta's entry last asked for (forgotten when the map is replaced). */
  private lastSource: string | null = null
  private lastCounters: SourceCounters | null = null
  private totals = new Map<string, SourceCounters>()
  private unflushed = 0
  private flushes = 0
  private flushErrors = 0
  private finalizeAll = false
  private tail: Promise<void> = Promise.resolve()
  private queued: Promise<void> | null = null
  private timer: NodeJS.Timeout | null = null
  private readonly hint: { file: string | null; line: number | null; logger: string | null } = { file: null, line: null, logger: null }

  constructor(private readonly o: PipelineOptions) {
    this.store = o.store
    this.clock = o.clock
    this.onHit = o.onHit
    this.minLevel = o.config.match.minLevel
    this.bucketMs = o.config.match.bucketSeconds * 1000
    this.maxKeys = o.maxKeys ?? 50_000
    this.maxUnflushed = o.maxUnflushedLines ?? 500_000
    this.counter = new Counter(o.config.match.samplesPerBucket)
    this.matcher = Matcher.build([])
    this.setStatements(o.statements, o.plan)
  }

  /** Swap in a new catalog (after a re-index); entries already counted keep their statement ids. */
  setStatements(statements: Statement[], plan: MatcherPlan | null = null): void {
    this.matcher = Matcher.build(statements, plan)
    const annotated = statements.filter((s) => s.channels.length > 0 || s.mentions.length > 0)
    this.annotated = annotated.length ? Matcher.build(annotated) : null
    const byId = new Map<string, StatementInfo>()
    for (const s of statements) byId.set(s.id, { statement: s, always: s.channels.length > 0 || s.mentions.length > 0, key: new OccurrenceKey(s.id) })
    this.byId = byId
  }

  /** Hot path, sync: parse → multiline → match → count in memory. `parser` from createParser / parserFor. */
  push(source: string, raw: RawLine, parser: LineParser): void {
    this.unflushed++
    const cp = raw.checkpoint
    const key = cp ? cp.source : source
    let st: Stream | undefined
    if (key === this.lastKey) st = this.lastStream!
    else {
      st = this.streams.get(key)
      if (st === undefined) st = this.newStream(key, source)
      this.lastKey = key
      this.lastStream = st
    }
    st.touched = true
    const n = cp ? cp.lines : ++st.n
    const text = raw.text
    if (text.length === 0) {
      // Blank lines are neither entries nor malformed; inside a trace they belong to it.
      if (st.pending !== null) this.hold(st, raw)
      else this.covered(st, raw)
      return
    }
    if (st.parser !== parser) this.resetAssembler(st, parser)
    const r = st.asm!.push(text, n)
    if (r.kind === 'continuation') {
      if (st.pending !== null) this.hold(st, raw)
      else this.covered(st, raw) // late continuation of an entry already counted
      return
    }
    if (st.pending !== null) this.finalize(st)
    if (r.kind === 'malformed') {
      this.counters(source).malformed++
      this.covered(st, raw)
      return
    }
    const entry = r.entry
    st.pending = entry
    st.pendingHost = raw.host
    this.hold(st, raw)
    if (entry.truncated && !(raw.flags! & LINE_TOO_LONG)) st.heldFlags |= LINE_TOO_LONG
    // Structured formats never fold: count now rather than waiting for the next line.
    if (!st.folds) this.finalize(st)
  }

  /** The input of `source` ended (replay of a file, end of stdin, an HTTP body): count its last entries. */
  endSource(source: string): void {
    for (const st of this.streams.values()) if (st.source === source && st.pending !== null) this.finalize(st)
  }

  /** Whether the catalog's matcher was built from a stored plan. */
  get planned(): boolean {
    return this.matcher.planned
  }

  /** The catalog's matcher plan, to store (keepPlan). */
  plan(): MatcherPlan {
    return this.matcher.plan()
  }

  /** True when the in-memory aggregate should be written before reading more (bounded memory). */
  needsFlush(): boolean {
    return this.unflushed >= this.maxUnflushed || this.counter.size >= this.maxKeys
  }

  /** Lines pushed but not yet written by a completed flush (HTTP backpressure). */
  pendingLines(): number {
    return this.unflushed
  }

  /**
   * Write counts + checkpoints atomically (Store.applyCounts). Calls are serialised and coalesced: a
   * call returns once a flush that started after it has committed. `final` also counts entries still
   * waiting for continuation lines. On failure the batch stays in memory for the next flush.
   */
  flush(o: { final?: boolean } = {}): Promise<void> {
    if (o.final) this.finalizeAll = true
    if (this.queued) return this.queued
    const p = this.tail.catch(() => {}).then(() => {
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

  /** Stop the timer and write everything, including pending multiline entries. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    await this.flush({ final: true })
  }

  /** Per-source counters (lines, matched, counted, unmatched, unowned, bad_utf8, nul, too_long, malformed) and pipeline gauges. */
  metrics(): Record<string, number | Record<string, number>> {
    const out: Record<string, number | Record<string, number>> = {
      queued_lines: this.unflushed, keys: this.counter.size, flushes: this.flushes, flush_errors: this.flushErrors,
    }
    const names = new Set([...this.totals.keys(), ...this.delta.keys()])
    for (const name of names) {
      const sum = new SourceCounters()
      const t = this.totals.get(name)
      const d = this.delta.get(name)
      if (t) sum.add(t)
      if (d) sum.add(d)
      out[name] = sum.toJSON()
    }
    return out
  }

  private counters(source: string): SourceCounters {
    if (source === this.lastSource) return this.lastCounters!
    let c = this.delta.get(source)
    if (c === undefined) this.delta.set(source, (c = new SourceCounters()))
    this.lastSource = source
    this.lastCounters = c
    return c
  }

  private newStream(key: string, source: string): Stream {
    if (this.streams.size >= MAX_STREAMS) {
      for (const [k, s] of this.streams) if (s.pending === null && !s.dirty) this.streams.delete(k)
      this.lastKey = this.lastStream = null
    }
    const st: Stream = {
      source, pending: null, pendingHost: undefined, pendingEnd: undefined, safe: undefined, dirty: false, touched: false, n: 0,
      parser: null, asm: null, folds: true, heldLines: 0, heldBad: 0, heldNul: 0, heldLong: 0, heldFlags: 0,
    }
    this.streams.set(key, st)
    return st
  }

  private resetAssembler(st: Stream, parser: LineParser): void {
    if (st.pending !== null) this.finalize(st)
    st.parser = parser
    st.folds = (parser as PipelineParser).foldsContinuations !== false
    st.asm = new MultilineAssembler(parser, { enabled: st.folds })
  }

  /**
   * A line of the pending entry: its line counters wait with it, so that the stored counters, like the
   * counts, cover exactly the lines behind the stored checkpoint.
   */
  private hold(st: Stream, raw: RawLine): void {
    st.heldLines++
    if (raw.flags) this.heldFlag(st, raw.flags)
    if (raw.checkpoint) st.pendingEnd = raw.checkpoint
  }

  private heldFlag(st: Stream, flags: number): void {
    // One entry rarely has more than one bad line: keep the union and a count per kind.
    if (flags & LINE_BAD_UTF8) st.heldBad++
    if (flags & LINE_NUL) st.heldNul++
    if (flags & LINE_TOO_LONG) st.heldLong++
  }

  /** A line that is not part of a pending entry (blank, malformed, late continuation): done with now. */
  private covered(st: Stream, raw: RawLine): void {
    const c = this.counters(st.source)
    c.lines++
    const f = raw.flags
    if (f) {
      if (f & LINE_BAD_UTF8) c.bad_utf8++
      if (f & LINE_NUL) c.nul++
      if (f & LINE_TOO_LONG) c.too_long++
    }
    if (raw.checkpoint) (st.safe = raw.checkpoint), (st.dirty = true)
  }

  private finalize(st: Stream): void {
    const e = st.pending!
    st.pending = null
    const c = this.counters(st.source)
    c.lines += st.heldLines
    if (st.heldFlags & LINE_TOO_LONG) st.heldLong++
    if (st.heldBad | st.heldNul | st.heldLong) (c.bad_utf8 += st.heldBad), (c.nul += st.heldNul), (c.too_long += st.heldLong)
    st.heldLines = st.heldBad = st.heldNul = st.heldLong = st.heldFlags = 0
    this.count(st.source, e, st.pendingHost, c)
    if (st.pendingEnd) (st.safe = st.pendingEnd), (st.dirty = true)
    st.pendingEnd = undefined
  }

  private count(source: string, e: LogEntry, rawHost: string | undefined, c: SourceCounters): void {
    let hint: typeof this.hint | undefined
    if (e.file !== null || e.logger !== null) {
      // One reused hint object: the matcher only reads it during the call.
      hint = this.hint
      hint.file = e.file
      hint.line = e.line
      hint.logger = e.logger
    }
    if (e.level !== null && !atLeast(e.level, this.minLevel)) {
      // Below minLevel only an annotated statement can count it. If no annotated template fits, the full
      // catalog's answer cannot be annotated either (it would fit the same message), so skip the lookup:
      // most production lines are INFO/DEBUG and this keeps them cheap.
      if (this.annotated === null || this.annotated.match(e.message, hint) === null) {
        c.below_level++
        return
      }
    }
    const m = this.matcher.match(e.message, hint)
    const time = e.time ?? this.clock()
    const host = e.host ?? rawHost ?? '-'
    const bucket = time - (((time % this.bucketMs) + this.bucketMs) % this.bucketMs)
    const info = m === null ? undefined : this.byId.get(m.statementId)
    if (info !== undefined) {
      c.matched++
      const level = e.level ?? info.statement.level
      if (!info.always && !atLeast(level, this.minLevel)) return
      c.counted++
      this.counter.occurrenceOf(info.key, host, bucket, time, level, e)
      if (this.onHit !== undefined) {
        try {
          this.onHit({ entry: e, statement: info.statement, values: m!.values, host, time, source })
        } catch {
          // Delivery must never break counting; it has its own outbox and retries.
        }
      }
      return
    }
    c.unmatched++
    if (!atLeast(e.level, this.minLevel)) return
    c.unowned++
    const s = shapeOf(e.message)
    this.counter.unownedShape(s.hash, s.shape, host, bucket, time, e.level, e)
  }

  private async doFlush(): Promise<void> {
    const finalizeAll = this.finalizeAll
    this.finalizeAll = false
    for (const st of this.streams.values()) {
      // A pending entry that saw no line for a whole flush interval has no continuation coming.
      if (st.pending !== null && (finalizeAll || !st.touched)) this.finalize(st)
      st.touched = false
    }
    const taken = this.unflushed
    const batch = this.counter.drain()
    const checkpoints: Checkpoint[] = []
    const moved: Stream[] = []
    for (const st of this.streams.values()) {
      if (st.dirty && st.safe) (checkpoints.push(st.safe), moved.push(st))
      st.dirty = false
    }
    const deltas = this.delta
    this.delta = new Map()
    this.lastSource = this.lastCounters = null
    const counters: Array<{ source: string; name: string; value: number }> = []
    for (const [source, c] of deltas) for (const [name, value] of Object.entries(c.toJSON())) if (value) counters.push({ source, name, value })
    if (!batch.occurrences.length && !batch.unowned.length && !checkpoints.length && !counters.length) {
      this.unflushed -= taken
      return
    }
    try {
      await this.store.applyCounts({ occurrences: batch.occurrences, unowned: batch.unowned, checkpoints, counters })
    } catch (e) {
      this.flushErrors++
      this.counter.restore(batch)
      for (const st of moved) st.dirty = true // st.safe is the same or later: storing it covers the batch too
      for (const [source, c] of deltas) this.counters(source).add(c)
      throw e
    }
    this.flushes++
    this.unflushed -= taken
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
  if (source.batches) {
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
