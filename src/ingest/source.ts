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

/**
 * A file line with its checkpoint, as the file sources emit them. Classes, not object literals: a batch of
 * lines (and the checkpoints the pipeline holds) is alive when a young-generation GC samples its
 * allocation site, and V8 may then pretenure a literal's site so that every later line is allocated in the
 * old generation (see the Line class in line-splitter.ts). Constructed objects are not pretenured that way.
 */
export class FileLine implements RawLine {
  constructor(
    readonly text: string,
    readonly flags: number,
    readonly host: string | undefined,
    readonly checkpoint: Checkpoint,
  ) {}
}

/** A file source's position after one line (a class for the reason FileLine gives). */
export class FileCheckpoint implements Checkpoint {
  constructor(
    readonly source: string,
    readonly identity: string,
    readonly offset: number,
    readonly lines: number,
  ) {}
}
