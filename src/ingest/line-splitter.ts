import { isAscii, isUtf8 } from 'node:buffer'
import { LINE_BAD_UTF8, LINE_NUL, LINE_TOO_LONG } from './source.js'

/** One line cut from a byte stream. */
export interface SplitLine {
  text: string
  /** LINE_* bit set (bad UTF-8, NUL bytes, over-long). */
  flags: number
  /** Absolute byte offset just after the line's newline: where a restart resumes. */
  end: number
}

const NUL_RE = /\0/g

/**
 * A class, not an object literal: V8 tracks literals by allocation site and, when a sampled young-generation GC
 * finds a batch's lines still alive (they are, until the batch is processed), allocates every later line
 * straight in the old generation — then each line costs a full GC's work. Seen as a coin-flip between runs:
 * 0.65 M vs 1.15 M lines/s through the same matcher. Constructed objects are not pretenured that way.
 */
class Line implements SplitLine {
  constructor(
    readonly text: string,
    readonly flags: number,
    readonly end: number,
  ) {}
}

/**
 * Buffer's own decoders without `toString`'s argument handling, which costs more than decoding a short
 * line. Not in Node's typings: checked once, `toString` otherwise.
 */
type Slicing = Buffer & { utf8Slice(a: number, b: number): string; latin1Slice(a: number, b: number): string }
const FAST_SLICE = typeof (Buffer.prototype as Partial<Slicing>).utf8Slice === 'function' && typeof (Buffer.prototype as Partial<Slicing>).latin1Slice === 'function'

/** `buf[a..b)` as text; `ascii`: every byte is < 0x80, so Latin-1 decoding (a plain copy) gives the same string. */
function decode(buf: Buffer, a: number, b: number, ascii: boolean): string {
  if (!FAST_SLICE) return buf.toString('utf8', a, b)
  return ascii ? (buf as Slicing).latin1Slice(a, b) : (buf as Slicing).utf8Slice(a, b)
}

/**
 * Cuts a byte stream into lines, shared by the file, stdin and HTTP sources. Memory is bounded: a line
 * longer than `maxLineBytes` keeps only its head (cut at a UTF-8 character boundary) and the rest is
 * skipped up to the next newline, flagged LINE_TOO_LONG. NUL bytes and invalid UTF-8 are flagged, never
 * fatal. Validation runs once per chunk (SIMD `isUtf8`, `indexOf(0)`); only a dirty chunk is checked
 * line by line, so clean input pays almost nothing.
 */
export class LineSplitter {
  /** Head of a line whose newline has not arrived yet (a copy: callers reuse their read buffers). */
  private carry: Buffer | null = null
  /** The carried line is over-long: its head is kept, further bytes are dropped until a newline. */
  private skipping = false
  /** Absolute offset of the next byte pushed. */
  offset: number

  constructor(private readonly maxLineBytes: number, startOffset = 0) {
    this.offset = startOffset
  }

  /** Bytes buffered for an unfinished line. */
  get pendingBytes(): number {
    return this.carry?.length ?? 0
  }

  /** Forget any partial line and restart numbering at `offset` (after a truncation). */
  reset(offset = 0): void {
    this.carry = null
    this.skipping = false
    this.offset = offset
  }

  /** Append the complete lines in `chunk` to `out`; keeps the trailing partial line for the next call. */
  push(chunk: Buffer, out: SplitLine[]): void {
    const base = this.offset
    const n = chunk.length
    this.offset += n
    let pos = 0
    if (this.carry !== null) {
      const nl = chunk.indexOf(10)
      if (nl < 0) return this.extend(chunk, 0, n)
      this.extend(chunk, 0, nl)
      this.flushCarry(out, base + nl + 1)
      pos = nl + 1
    }
    const last = chunk.lastIndexOf(10)
    if (last >= pos) {
      const region = chunk.subarray(pos, last)
      const checkNul = region.indexOf(0) >= 0
      const ascii = isAscii(region)
      const checkUtf8 = !ascii && !isUtf8(region)
      const max = this.maxLineBytes
      while (pos <= last) {
        const nl = chunk.indexOf(10, pos)
        let e = nl
        if (e > pos && chunk[e - 1] === 13) e--
        let flags = 0
        if (e - pos > max) {
          e = pos + boundary(chunk, pos, max)
          flags = LINE_TOO_LONG
        }
        out.push(this.make(chunk, pos, e, flags, base + nl + 1, checkNul, checkUtf8, ascii))
        pos = nl + 1
      }
    }
    if (pos < n) this.extend(chunk, pos, n)
  }

  /** End of input: emit the unterminated last line, if any. */
  end(out: SplitLine[]): void {
    if (this.carry !== null) this.flushCarry(out, this.offset)
  }

  /** Emit the carried partial line as complete (its end is at byte `endOffset`) and start afresh. */
  private flushCarry(out: SplitLine[], endOffset: number): void {
    const line = this.carry!
    const flags = this.skipping ? LINE_TOO_LONG : 0
    this.carry = null
    this.skipping = false
    let e = line.length
    if (e > 0 && line[e - 1] === 13) e--
    out.push(this.make(line, 0, e, flags, endOffset, true, true, false))
  }

  private extend(chunk: Buffer, a: number, b: number): void {
    if (this.skipping) return
    const cur = this.carry?.length ?? 0
    const room = this.maxLineBytes - cur
    let len = b - a
    if (len > room) {
      len = boundary(chunk, a, room)
      this.skipping = true
    }
    const part = chunk.subarray(a, a + len)
    this.carry = this.carry === null ? Buffer.from(part) : Buffer.concat([this.carry, part])
  }

  private make(buf: Buffer, a: number, b: number, flags: number, end: number, checkNul: boolean, checkUtf8: boolean, ascii: boolean): SplitLine {
    if (checkNul && buf.subarray(a, b).indexOf(0) >= 0) flags |= LINE_NUL
    if (checkUtf8 && !isUtf8(buf.subarray(a, b))) flags |= LINE_BAD_UTF8
    let text = decode(buf, a, b, ascii)
    if (flags & LINE_NUL) text = text.replace(NUL_RE, '')
    return new Line(text, flags, end)
  }
}

/** Largest k ≤ n such that cutting `buf` at a+k does not split a UTF-8 character (needs a+n < length). */
function boundary(buf: Buffer, a: number, n: number): number {
  let k = n
  while (k > 0 && a + k < buf.length && (buf[a + k]! & 0xc0) === 0x80) k--
  return k
}
