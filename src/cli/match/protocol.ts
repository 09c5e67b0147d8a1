/** What `dice match` and its worker threads say to each other (structured-clone data only). */
import type { Config } from '../../config/schema.js'
import type { MatchStatement } from '../../core/types.js'
import type { MatcherPlan } from '../../match/matcher.js'
import type { OpenMessage } from './lines.js'

/** workerData of a `dice match` worker. */
export interface MatchWorkerInit {
  statements: MatchStatement[]
  plan: MatcherPlan
  config: Config
  /** The clock as an offset from the worker's Date.now() (`--at` starts the clock elsewhere). */
  clockOffsetMs: number
  format: string
  json: boolean
  explain: boolean
}

/** Lines to match (pieces.ts `Piece`). */
export interface MatchPiece {
  seq: number
  /** The bytes were moved here (transferred): hand their memory back with the answer. */
  moved: boolean
  /** Sent again with another start: the answer to an earlier attempt is stale. */
  attempt: number
  bytes: Uint8Array
  firstN: number
  /** Read afresh from here, or on from the message `open` left open; null: go on from the worker's previous piece. */
  start: { open: OpenMessage | null } | null
}

/** A matched piece: its output lines, and the message of several lines it leaves open. */
export interface MatchAnswer {
  type: 'done'
  seq: number
  attempt: number
  /** Its output lines (each part the start of a memory block of its own: moved, not copied). */
  out: Uint8Array[]
  /** The piece's memory, handed back for the next piece to be read into (null: it was copied, not moved). */
  bytes: ArrayBuffer | null
  malformed: number
  truncated: number
  open: OpenMessage | null
}

/** A worker built its matcher: pieces sent to it from now on are not waiting for its start. */
export interface MatchWorkerReady {
  type: 'ready'
}

/** A worker that failed (a bug): `dice match` stops with this error. */
export interface MatchWorkerError {
  type: 'error'
  message: string
}
