/**
 * `dice match` with workers: stdin cut into pieces of whole lines, each sent to a worker as bytes. A piece
 * starts where an entry starts (multiline.ts `startsEntry`: not a trace line, not the rest of a split container
 * record), so each worker assembles its piece's entries as one thread reading everything would. The reading
 * thread only looks for line ends near the cut points and counts lines; it decodes no other line.
 */
import { startsEntry } from '../../ingest/multiline.js'
import { lineText } from './lines.js'

export interface Piece {
  /** Whole lines, each ended by LF (a last line without one gets one); a line is at most `cap` bytes before it. */
  bytes: Uint8Array
  /** 1-based number of its first line. */
  firstN: number
  lines: number
  /**
   * No entry starts where this piece starts (a run of continuation lines longer than the largest piece): it must be
   * read by the worker that read the piece before it, right after it, going on from where that one stopped.
   */
  follows: boolean
}

export interface CutOptions {
  /** Bytes a piece is cut after, at the first place an entry starts. */
  target: number
  /**
   * The first piece's target, doubled for each next one up to `target`: a worker's first lines run before the JIT
   * has compiled anything (~0.4 s for a 1 MB piece, against ~0.05 s later), and the first answer is what
   * `dice match | head` waits for.
   */
  first?: number
  /** A piece is cut at a line end without an entry start once it holds this many bytes. */
  max: number
  /** Bytes of a line kept at most (match.maxLineBytes + 1: the parser marks longer lines truncated). */
  cap: number
  /** Whether the format folds continuation lines into entries (else every line starts an entry). */
  folds: boolean
}

export class PieceCutter {
  /** The bytes read and not cut off yet are buf[0, len): a piece leaves with the whole buffer (moved, not copied). */
  private buf: Buffer
  private len = 0
  /** Bytes after the last line end read (the line being read); dropping the rest of an overlong line. */
  private partial = 0
  private skipping = false
  /** Where to look for the next cut in the pending bytes (the places before were looked at). */
  private from = 0
  private nextN = 1
  private follows = false
  /** Memory of pieces already matched, to read the next ones into (new memory costs a page fault per 4 KB). */
  private free: ArrayBuffer[] = []
  /** The next piece's target (CutOptions.first, doubling up to target). */
  private target: number

  constructor(private readonly o: CutOptions) {
    this.target = Math.min(o.first ?? o.target, o.target)
    this.buf = this.alloc(this.room(0))
  }

  /** A piece's memory is free again. */
  reuse(b: ArrayBuffer): void {
    if (this.free.length < 8) this.free.push(b)
  }

  private alloc(n: number): Buffer {
    while (this.free.length > 0) {
      const b = this.free.pop()!
      if (b.byteLength >= n) return Buffer.from(b)
    }
    return Buffer.allocUnsafeSlow(n)
  }

  /** The next chunk of input; returns the pieces it completed. */
  push(chunk: Buffer): Piece[] {
    let c = chunk
    if (this.skipping) {
      const nl = c.indexOf(10)
      if (nl < 0) return []
      c = c.subarray(nl)
      this.skipping = false
      this.partial = 0
    }
    const last = c.lastIndexOf(10)
    const before = this.partial
    this.partial = last < 0 ? before + c.length : c.length - last - 1
    if (this.partial > this.o.cap) {
      // A line longer than anything kept of it: keep its first `cap` bytes, drop the rest up to its end, so a
      // line without an end never sits in memory whole.
      const lineStart = last < 0 ? -before : last + 1
      c = c.subarray(0, lineStart + this.o.cap)
      this.partial = this.o.cap
      this.skipping = true
    }
    if (this.len + c.length > this.buf.length) this.grow(this.len + c.length)
    this.buf.set(c, this.len)
    this.len += c.length
    const out: Piece[] = []
    while (this.len >= this.target) {
      const p = this.cut(false)
      if (p === null) break
      out.push(p)
    }
    return out
  }

  /** The input ended: the rest, as pieces. */
  end(): Piece[] {
    const out: Piece[] = []
    while (this.len >= this.target) {
      const p = this.cut(true)
      if (p === null) break
      out.push(p)
    }
    if (this.len > 0) {
      if (this.buf[this.len - 1] !== 10) {
        if (this.len === this.buf.length) this.grow(this.len + 1)
        this.buf[this.len++] = 10
      }
      out.push(this.take(this.len, false))
    }
    return out
  }

  /** A buffer size for `n` pending bytes: room for a piece and a chunk after it. */
  private room(n: number): number {
    return Math.max(n, this.o.target) + 256 * 1024
  }

  private grow(n: number): void {
    const b = this.alloc(Math.max(this.room(n), this.buf.length * 2))
    this.buf.copy(b, 0, 0, this.len)
    this.buf = b
  }

  /** The next piece, or null when the bytes pending have no place to cut it yet. */
  private cut(ended: boolean): Piece | null {
    const all = this.buf.subarray(0, this.len)
    const o = this.o
    let p = all.indexOf(10, Math.max(this.from, this.target - 1))
    while (p >= 0) {
      // The line ending at p is the piece's last; does the line after it start an entry?
      const next = p + 1
      if (!o.folds) return this.take(next, false)
      let q = all.indexOf(10, next)
      if (q < 0) {
        if (!ended) break
        q = all.length
      }
      if (next === all.length) return this.take(next, false)
      const prevStart = p === 0 ? 0 : all.lastIndexOf(10, p - 1) + 1
      // Decoded as the worker will decode them.
      if (startsEntry(lineText(all, next, q, o.cap), lineText(all, prevStart, p, o.cap))) return this.take(next, false)
      if (next >= o.max) return this.take(next, true)
      p = q < all.length ? q : -1
    }
    // Nothing yet: the next call looks on from the last line end seen (its line's start is found again).
    const lastNl = all.lastIndexOf(10)
    this.from = Math.max(this.from, lastNl >= 0 ? lastNl : 0)
    if (all.length >= o.max && lastNl >= 0) return this.take(lastNl + 1, true)
    return null
  }

  /** Bytes [0, end) as a piece: they keep the buffer (it moves to a worker); the rest starts a new one. */
  private take(end: number, nextFollows: boolean): Piece {
    const old = this.buf
    const rest = this.len - end
    this.buf = this.alloc(this.room(rest))
    old.copy(this.buf, 0, end, this.len)
    this.len = rest
    this.from = 0
    const bytes = new Uint8Array(old.buffer, old.byteOffset, end)
    let lines = 0
    for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) lines++
    const piece: Piece = { bytes, firstN: this.nextN, lines, follows: this.follows }
    this.nextN += lines
    this.follows = nextFollows
    this.target = Math.min(this.target * 2, this.o.target)
    return piece
  }
}
