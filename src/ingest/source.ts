import type { Checkpoint } from '../core/types.js'

/** One raw line as read, with the position just after it (for checkpoints). */
export interface RawLine {
  text: string
  /** Source-specific position after this line: byte offset for files, line count for streams. */
  checkpoint?: Checkpoint
  /** Host label of the source, when the line format carries none. */
  host?: string
}

/** Anything Dice reads log lines from: a tailed file, stdin, an HTTP request body. */
export interface LogSource {
  name: string
  /** Yields lines until the signal aborts (tailing) or the input ends (replay). */
  lines(signal: AbortSignal): AsyncIterable<RawLine>
}
