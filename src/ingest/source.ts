import type { Checkpoint } from '../core/types.js'

/** The line was not valid UTF-8 (decoded with U+FFFD replacements). */
export const LINE_BAD_UTF8 = 1
/** The line held NUL bytes (removed before parsing). */
export const LINE_NUL = 2
/** The line was longer than `match.maxLineBytes`; only its head is kept, the rest was dropped. */
export const LINE_TOO_LONG = 4

/** One raw line as read, with the position just after it (for checkpoints). */
export interface RawLine {
  text: string
  /** Source-specific position after this line: byte offset for files, line count for streams. */
  checkpoint?: Checkpoint
  /** Host label of the source, when the line format carries none. */
  host?: string
  /** Bit set of LINE_* problems found while reading; counted per source, never fatal. */
  flags?: number
}

/** Anything Dice reads log lines from: a tailed file, stdin, an HTTP request body. */
export interface LogSource {
  name: string
  /** Yields lines until the signal aborts (tailing) or the input ends (replay). */
  lines(signal: AbortSignal): AsyncIterable<RawLine>
  /** The same lines, a read chunk at a time (optional): one await per chunk instead of per line on the hot path. */
  batches?(signal: AbortSignal): AsyncIterable<RawLine[]>
}
