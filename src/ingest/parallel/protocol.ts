/**
 * What the Pipeline and its ingest workers say to each other (structured-clone data only). A piece is a run of
 * consecutive lines of one stream; the worker counts them as the Pipeline would in its own thread and answers
 * with the aggregate, the line counters, the last line whose effects are complete, and the hits delivery wants.
 */
import type { ValuesDelta } from '../../core/top-values.js'
import type { Config } from '../../config/schema.js'
import type { LogEntry, OccurrenceDelta, Statement } from '../../core/types.js'
import type { MatcherPlan } from '../../match/matcher.js'
import type { RevisionPrefs } from '../../catalog/live.js'
import type { CounterName, UnownedBatchItem } from '../counter.js'

/** Lines per piece at most: a line's place in the reading order is its piece's seq × this + its index. */
export const MAX_PIECE_LINES = 65_536

/** workerData of an ingest worker. */
export interface WorkerInit {
  config: Config
  /** The clock as an offset from the worker's Date.now() (`--at` starts the clock elsewhere). */
  clockOffsetMs: number
  catalog: CatalogMessage
}

/** A (new) catalog: pieces sent after it are counted against it. */
export interface CatalogMessage {
  type: 'catalog'
  gen: number
  statements: Statement[]
  plan: MatcherPlan | null
  /** Statements whose hits the Pipeline's onHit wants (ids), or 'all' / 'none'. */
  hits: string[] | 'all' | 'none'
  /** Which revision each host runs (catalog/live.ts), when deploys are recorded. */
  revisions?: RevisionPrefs | null
}

/** Lines of one stream, to count. */
export interface PieceMessage {
  type: 'piece'
  seq: number
  /** The stream (a file's checkpoint key, or the source name). */
  stream: string
  source: string
  /** parserFor's format (the worker makes the same parser). */
  format: string
  texts: string[]
  /** LINE_* flags per line; null when every line is clean. */
  flags: Uint8Array | null
  host: string | undefined
  /** Line number of the first line; the others follow it. */
  firstN: number
  /** The stream's running number of the first line (positions in the answer count in it). */
  firstSeq: number
  /** Count the stream's pending entry after the last line: the next line starts a new entry, or the input ended or idles. */
  finalize: boolean
  /** Keep the stream's state for the piece that follows it (`resume`): it goes on from where this one stops. */
  keep: boolean
  resume: boolean
}

/**
 * A worker's answer to a piece: its line counters, the last line whose effects are complete, the hits delivery
 * wants. The counts stay in the worker's aggregate until the Pipeline drains it (DrainMessage).
 */
export interface PieceResult {
  type: 'result'
  seq: number
  /** Running number of the last line whose effects are all counted by now; -1 for none. */
  covered: number
  counters: Record<CounterName, number>
  /** Distinct keys in the worker's aggregate now (the Pipeline flushes when all workers together hold too many). */
  keys: number
  hits: WireHit[]
}

/** Send the aggregate: everything counted from the pieces sent to this worker before this message. */
export interface DrainMessage {
  type: 'drain'
}

/** A drained aggregate. Every delta carries `ords`: the reading order of its samples' lines (Counter's `ordered`). */
export interface Drained {
  type: 'drained'
  occurrences: OccurrenceDelta[]
  unowned: UnownedBatchItem[]
  values: ValuesDelta[]
}

/** A counted hit, for the Pipeline's onHit (the statement travels as its id). */
export interface WireHit {
  statementId: string
  /** Hit.also as ids (a line several statements may have printed). */
  also?: string[]
  entry: LogEntry
  values: string[]
  host: string
  time: number
}

/** A worker that failed (a bug): the Pipeline stops with this error. */
export interface WorkerError {
  type: 'error'
  message: string
}

/** A worker built its matcher for the catalog of generation `gen` (0: workerData's): whether from the stored plan, and else the plan it chose. */
export interface WorkerReady {
  type: 'ready'
  gen: number
  planned: boolean
  plan: MatcherPlan | null
}
