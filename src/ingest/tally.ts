import type { Config } from '../config/schema.js'
import { expectedIds } from '../alerts/expectations.js'
import type { Clock } from '../core/clock.js'
import { atLeast } from '../core/levels.js'
import type { Hit, LogEntry, Statement } from '../core/types.js'
import { Matcher, type MatcherPlan } from '../match/matcher.js'
import { HostRevisions, type RevisionPrefs } from '../catalog/live.js'
import { TailCursor, TemplateTail } from '../match/multiline-template.js'
import { shapeOf } from '../match/shape.js'
import { Counter, OccurrenceKey, SourceDeltas, type SourceCounters } from './counter.js'
import { createParser, formatFoldsContinuations, type LineParser } from './formats/index.js'
import { MultilineAssembler } from './multiline.js'
import { LINE_BAD_UTF8, LINE_NUL, LINE_TOO_LONG } from './source.js'

/** A LineParser that says whether continuation lines (stack traces) fold into the previous entry, and its format. */
export type PipelineParser = LineParser & { foldsContinuations?: boolean; format?: string }

/** createParser plus the folding decision for that format (structured formats never fold). UsageError if bad. */
export function parserFor(format: string, config: Config, clock?: Clock): PipelineParser {
  const p: PipelineParser = createParser(format, config, { clock })
  p.foldsContinuations = formatFoldsContinuations(format, config)
  p.format = format
  return p
}

/**
 * One input stream's assembly state (a file, stdin, one HTTP request) and where it has got to. `P` is a position
 * in the stream: a Checkpoint in the Pipeline, a line's index in its piece in an ingest worker.
 */
export interface Stream<P> {
  source: string
  pending: LogEntry | null
  pendingHost: string | undefined
  /** Reading order of the pending entry's first line (ingest workers: see Counter `ordered`). */
  pendingOrd: number
  /** Position just after the pending entry's last line. */
  pendingEnd: P | undefined
  /** Position covering every finalized entry: what the next flush may store. */
  safe: P | undefined
  dirty: boolean
  /** A line arrived since the previous flush (an idle pending entry is finalized at the next one). */
  touched: boolean
  /** Line numbers for streams without positions of their own. */
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
  /** The rest of a matched message of several lines, which the next entries may be (folded, not counted). */
  tail: TailCursor
}

/** A fresh stream of `source`. */
export function newStream<P>(source: string): Stream<P> {
  return {
    source, pending: null, pendingHost: undefined, pendingOrd: 0, pendingEnd: undefined, safe: undefined, dirty: false, touched: false, n: 0,
    parser: null, asm: null, folds: true, heldLines: 0, heldBad: 0, heldNul: 0, heldLong: 0, heldFlags: 0, tail: new TailCursor(),
  }
}

/**
 * What counting keeps per statement. It is the statement's OccurrenceKey too (the Counter's handle on its slot): one
 * object per statement instead of two (100k statements: ~4 MB).
 */
class StatementInfo extends OccurrenceKey {
  /** 1 when its template may have placeholders (their values are kept: Counter.valuesOf), 0 when not; -1 until first counted. */
  placeholders = -1

  constructor(
    readonly statement: Statement,
    /** Channels or mentions: counted whatever the level. */
    readonly always: boolean,
    /** The lines after the first of a template of several lines (null: one line). */
    readonly tail: TemplateTail | null,
    /** onHit wants its hits (TallyOptions.wantsHit). */
    readonly hit: boolean,
  ) {
    super(statement.id)
  }
}

/** Every placeholder syntax (match/template.ts) starts with one of these. */
const MAY_HAVE_PLACEHOLDERS = /[%{]/

/** Whether a statement's template may have placeholders (1) or has none (0), found the first time it is counted. */
function placeholdersOf(info: StatementInfo): number {
  const t = info.statement.template
  return (info.placeholders = t !== null && MAY_HAVE_PLACEHOLDERS.test(t) ? 1 : 0)
}

/** Options of a Tally. */
export interface TallyOptions {
  config: Config
  clock: Clock
  statements: Statement[]
  plan?: MatcherPlan | null
  /** Which revision each host runs (catalog/live.ts): among statements a line matches equally well, its host's win. */
  revisions?: RevisionPrefs | null
  /** Called for each counted matched entry. Must not throw; errors are swallowed. */
  onHit?: (h: Hit) => void
  /**
   * The statements whose hits onHit wants (default: all). A hit is built per counted line, its placeholder values
   * read from the line: a replay with delivery on counts every line, and only #channel statements' hits are wanted.
   */
  wantsHit?: (s: Statement) => boolean
  /** Distinct unowned shapes per bucket before the overflow row (Counter); ingest workers leave that to the Pipeline. */
  maxShapesPerBucket?: number
  /** Deltas carry the reading order of their lines (`push`'s `ord`), for merging several Tallies' counts. */
  ordered?: boolean
  /** Where counts and line counters go (default: the Tally's own). */
  counter?: Counter
  deltas?: SourceDeltas
}

/**
 * The per-line work of counting, run by the Pipeline in its own thread and by every ingest worker over the pieces
 * it is given: raw line → parser → multiline assembly → Matcher → count decision → the in-memory aggregate
 * (`counter`) and per-source line counters. Line counters of an entry's lines wait with the entry until it is
 * finalized, so they, like the counts, cover exactly the lines up to a stream's `safe` position.
 */
export class Tally {
  readonly counter: Counter
  private readonly clock: Clock
  private readonly onHit?: (h: Hit) => void
  private readonly wantsHit?: (s: Statement) => boolean
  private readonly minLevel: Config['match']['minLevel']
  private readonly bucketMs: number
  private matcher: Matcher
  /** Only the statements with channels or mentions: all an entry below minLevel can count for. */
  private annotated: Matcher | null = null
  private byId = new Map<string, StatementInfo>()
  private hostRevs: HostRevisions | null = null
  private readonly deltas: SourceDeltas
  private readonly config: Pick<Config, 'alerts'>
  private readonly hint: { file: string | null; line: number | null; logger: string | null } = { file: null, line: null, logger: null }

  constructor(o: TallyOptions) {
    this.clock = o.clock
    this.onHit = o.onHit
    this.wantsHit = o.wantsHit
    this.minLevel = o.config.match.minLevel
    this.bucketMs = o.config.match.bucketSeconds * 1000
    this.counter = o.counter ?? new Counter(o.config.match.samplesPerBucket, o.maxShapesPerBucket, o.ordered)
    this.deltas = o.deltas ?? new SourceDeltas()
    this.config = o.config
    this.matcher = Matcher.build(o.statements, o.plan ?? null)
    this.hostRevs = o.revisions ? new HostRevisions(o.revisions) : null
    this.index(o.statements)
  }

  /** Swap in a new catalog (after a re-index); entries already counted keep their statement ids. */
  setStatements(statements: Statement[], plan: MatcherPlan | null = null, revisions: RevisionPrefs | null = null): void {
    this.matcher = Matcher.build(statements, plan)
    this.hostRevs = revisions ? new HostRevisions(revisions) : null
    this.index(statements)
  }

  private index(statements: Statement[]): void {
    // Statements expected to keep logging (alerts.silence) count at every level, as annotated ones do.
    const expected = expectedIds(statements, this.config)
    const always = (s: Statement) => s.channels.length > 0 || s.mentions.length > 0 || (expected?.has(s.id) ?? false)
    const annotated = statements.filter(always)
    this.annotated = annotated.length ? Matcher.build(annotated) : null
    const byId = new Map<string, StatementInfo>()
    for (const s of statements) {
      const tail = s.template !== null && s.template.includes('\n') ? TemplateTail.of(s.template) : null
      const hit = this.onHit !== undefined && (this.wantsHit === undefined || this.wantsHit(s))
      byId.set(s.id, new StatementInfo(s, always(s), tail, hit))
    }
    this.byId = byId
  }

  /** Whether the catalog's matcher was built from a stored plan. */
  get planned(): boolean {
    return this.matcher.planned
  }

  /** The catalog's matcher plan, to store (keepPlan). */
  plan(): MatcherPlan {
    return this.matcher.plan()
  }

  /**
   * Hot path, sync: one raw line of `st` (number `n`, position `pos` just after it when the stream has positions,
   * `ord` its place in the reading order when the Tally is `ordered`). `parser` from createParser / parserFor.
   */
  push<P>(st: Stream<P>, text: string, flags: number, host: string | undefined, pos: P | undefined, n: number, parser: LineParser, ord = 0): void {
    if (text.length === 0) {
      // Blank lines are neither entries nor malformed; inside a trace they belong to it.
      if (st.pending !== null) this.hold(st, flags, pos)
      else this.covered(st, flags, pos)
      return
    }
    if (st.parser !== parser) this.resetAssembler(st, parser)
    const r = st.asm!.push(text, n)
    if (r.kind === 'continuation') {
      if (st.pending !== null) this.hold(st, flags, pos)
      else this.covered(st, flags, pos) // late continuation of an entry already counted
      return
    }
    if (st.pending !== null) this.finalize(st)
    if (r.kind === 'malformed') {
      this.counters(st.source).malformed++
      this.covered(st, flags, pos)
      return
    }
    const entry = r.entry
    st.pending = entry
    st.pendingHost = host
    st.pendingOrd = ord
    this.hold(st, flags, pos)
    if (entry.truncated && !(flags & LINE_TOO_LONG)) st.heldFlags |= LINE_TOO_LONG
    // Structured formats never fold: count now rather than waiting for the next line.
    if (!st.folds) this.finalize(st)
  }

  /** Count the stream's pending entry (its last line came: a new entry began, the input ended or went idle). */
  finalize<P>(st: Stream<P>): void {
    const e = st.pending!
    st.pending = null
    const c = this.counters(st.source)
    c.lines += st.heldLines
    if (st.heldFlags & LINE_TOO_LONG) st.heldLong++
    if (st.heldBad | st.heldNul | st.heldLong) (c.bad_utf8 += st.heldBad), (c.nul += st.heldNul), (c.too_long += st.heldLong)
    st.heldLines = st.heldBad = st.heldNul = st.heldLong = st.heldFlags = 0
    this.counter.ord = st.pendingOrd
    this.count(st.source, e, st.pendingHost, c, st.tail)
    if (st.pendingEnd !== undefined) (st.safe = st.pendingEnd), (st.dirty = true)
    st.pendingEnd = undefined
  }

  /** The per-source line counters since takeCounters(). */
  counters(source: string): SourceCounters {
    return this.deltas.of(source)
  }

  /** Take the per-source line counters gathered so far and start afresh. */
  takeCounters(): Map<string, SourceCounters> {
    return this.deltas.take()
  }

  private resetAssembler<P>(st: Stream<P>, parser: LineParser): void {
    if (st.pending !== null) this.finalize(st)
    st.parser = parser
    st.folds = (parser as PipelineParser).foldsContinuations !== false
    st.asm = new MultilineAssembler(parser, { enabled: st.folds })
  }

  /**
   * A line of the pending entry: its line counters wait with it, so that the stored counters, like the
   * counts, cover exactly the lines behind the stored checkpoint.
   */
  private hold<P>(st: Stream<P>, flags: number, pos: P | undefined): void {
    st.heldLines++
    if (flags) {
      // One entry rarely has more than one bad line: keep the union and a count per kind.
      if (flags & LINE_BAD_UTF8) st.heldBad++
      if (flags & LINE_NUL) st.heldNul++
      if (flags & LINE_TOO_LONG) st.heldLong++
    }
    if (pos !== undefined) st.pendingEnd = pos
  }

  /** A line that is not part of a pending entry (blank, malformed, late continuation): done with now. */
  private covered<P>(st: Stream<P>, flags: number, pos: P | undefined): void {
    const c = this.counters(st.source)
    c.lines++
    if (flags) {
      if (flags & LINE_BAD_UTF8) c.bad_utf8++
      if (flags & LINE_NUL) c.nul++
      if (flags & LINE_TOO_LONG) c.too_long++
    }
    if (pos !== undefined) (st.safe = pos), (st.dirty = true)
  }

  private count(source: string, e: LogEntry, rawHost: string | undefined, c: SourceCounters, tail: TailCursor): void {
    // The next line of a message of several lines that matched (a banner, a list after its heading): part of it.
    if (tail.continues(e.message)) return
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
    let ambiguous = m === null ? undefined : m.ambiguous
    let winner = m === null ? null : m.statementId
    if (ambiguous !== undefined && this.hostRevs !== null) {
      // Deployed revisions (docs/alerts/versions.md): of the statements a line fits equally well, those of the
      // revision its host runs (the same message at another level or in a renamed file, in another revision).
      const mine = this.hostRevs.of(host)
      if (mine !== null) {
        const kept = ambiguous.filter((id) => mine.has(id))
        if (kept.length > 0 && kept.length < ambiguous.length) (winner = kept[0]!), (ambiguous = kept.length > 1 ? kept : undefined)
      }
    }
    const info = winner === null ? undefined : this.byId.get(winner)
    if (info !== undefined) {
      c.matched++
      if (info.tail !== null) tail.start(info.tail)
      const level = e.level ?? info.statement.level
      if (!info.always && !atLeast(level, this.minLevel)) return
      c.counted++
      this.counter.occurrenceOf(info, host, bucket, time, level, e)
      const ph = info.placeholders < 0 ? placeholdersOf(info) : info.placeholders
      if (ph > 0) this.counter.valuesOf(info, bucket, m!)
      // Nothing in the line says which of several statements printed it (the same message logged in several
      // places): counted once, on the first in catalog order; the delta names the others, so their owners get
      // it in their digests too (Store ties), and real-time delivery goes to their channels too (Hit.also).
      let also: Statement[] | undefined
      if (ambiguous !== undefined) {
        this.counter.tiedTo(info, host, bucket, ambiguous)
        also = []
        for (let i = 1; i < ambiguous.length; i++) {
          const other = this.byId.get(ambiguous[i]!)
          if (other !== undefined) also.push(other.statement)
        }
      }
      if (info.hit) {
        try {
          const hit: Hit = { entry: e, statement: info.statement, values: m!.values, host, time, source }
          if (also !== undefined) hit.also = also
          this.onHit!(hit)
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
}
