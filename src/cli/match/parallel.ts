/**
 * `dice match --workers N`: the main thread cuts stdin into pieces (pieces.ts) and writes the answers in input
 * order; N worker threads match the pieces. The output is byte for byte what one thread writes.
 *
 * A piece starts where an entry starts, so only one thing can carry over a cut: a message of several lines
 * (a template with line breaks) whose first line is at the end of one piece and whose other lines start the
 * next. A worker reads each piece as if none were open; when the piece before turns out to have left one open,
 * the piece is matched again from that message (its bytes are kept for that only when the catalog has such
 * templates). A piece cut where no entry starts (a trace longer than the largest piece) goes to the worker that
 * read the piece before it, which goes on from where it stopped.
 */
import type { Worker } from 'node:worker_threads'
import { startWorker } from '../../core/threads.js'
import type { Output } from '../output.js'
import { lineCap, type MatchLines, type OpenMessage } from './lines.js'
import { PieceCutter, type CutOptions, type Piece } from './pieces.js'
import type { MatchAnswer, MatchPiece, MatchWorkerError, MatchWorkerInit, MatchWorkerReady } from './protocol.js'

/** Bytes of input per piece (cut at the first entry start after this), and the most before a cut anyway. */
export const PIECE_BYTES = 1 << 20
const FIRST_PIECE_BYTES = 32 * 1024
const MAX_PIECE_BYTES = 16 << 20
/** Pieces in flight per worker: enough that no worker waits for the reader, few enough to bound memory. */
const IN_FLIGHT_PER_WORKER = 3

interface Sent {
  piece: Piece
  /** The bytes stay here for a second attempt (a catalog with templates of several lines); else they move to the worker. */
  kept: boolean
  attempt: number
  worker: number
  /** What the attempt started from (MatchPiece.start). */
  start: { open: OpenMessage | null } | null
  answer: MatchAnswer | null
}

export interface ParallelOptions extends MatchWorkerInit {
  workers: number
  folds: boolean
  /** Some template has several lines: keep each piece's bytes until it is written, in case it is matched again. */
  keepBytes: boolean
  /** Bytes per piece (PIECE_BYTES; tests cut small pieces to cut often). */
  pieceBytes?: number
  /**
   * The main thread's own MatchLines (nothing read yet): it matches the first pieces while the workers start
   * (~0.25 s: their modules, their matchers, then a JIT that has compiled nothing), so the first lines come as
   * soon as with one thread (`dice match | head`) and a small input never waits for a worker.
   */
  local?: MatchLines
}

/** Match stdin with worker threads; writes to `out` in input order. Returns the malformed and truncated lines. */
export async function matchInParallel(stdin: AsyncIterable<Buffer | string>, out: Output, o: ParallelOptions): Promise<{ malformed: number; truncated: number }> {
  const { workers, folds, keepBytes, pieceBytes, local, ...init } = o
  const target = pieceBytes ?? PIECE_BYTES
  const cut: CutOptions = { target, max: Math.max(target, MAX_PIECE_BYTES * (target / PIECE_BYTES)), cap: lineCap(o.config), folds, first: Math.min(FIRST_PIECE_BYTES, target) }
  const cutter = new PieceCutter(cut)
  const pool = new MatchPool(workers, init, out, keepBytes, (b) => cutter.reuse(b), local ?? null)
  try {
    for await (const chunk of stdin) {
      for (const p of cutter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)) pool.send(p)
      while (pool.inFlight >= workers * IN_FLIGHT_PER_WORKER || pool.writable()) await pool.settle()
      if (out.closed) return pool.counts
    }
    for (const p of cutter.end()) pool.send(p)
    while (pool.inFlight > 0 && !out.closed) await pool.settle()
    return pool.counts
  } finally {
    await pool.close()
  }
}

class MatchPool {
  private readonly workers: Worker[] = []
  private readonly busy: number[] = []
  private readonly sent = new Map<number, Sent>()
  private nextSeq = 0
  private nextWrite = 0
  /** The worker the last piece went to. */
  private last = 0
  /** Some worker has built its matcher. */
  private ready = false
  /** The message the last written piece left open. */
  private open: OpenMessage | null = null
  private failure: Error | null = null
  private waiter: (() => void) | null = null
  readonly counts = { malformed: 0, truncated: 0 }

  constructor(
    n: number,
    init: MatchWorkerInit,
    private readonly out: Output,
    private readonly keepBytes: boolean,
    /** A piece's memory, free again (the cutter reads the next piece into it). */
    private readonly onFree: (b: ArrayBuffer) => void,
    /** Matches pieces in this thread until a worker is ready (ParallelOptions.local); null once one is. */
    private local: MatchLines | null,
  ) {
    for (let i = 0; i < n; i++) {
      const w = startWorker(import.meta.url, 'worker', init, 16)
      w.on('message', (m: MatchAnswer | MatchWorkerError) => this.message(i, m))
      w.on('error', (e) => this.fail(e))
      w.on('exit', (code) => code !== 0 && this.fail(new Error(`match worker ${i} exited with code ${code}`)))
      this.workers.push(w)
      this.busy.push(0)
    }
  }

  /** Pieces sent and not written yet. */
  get inFlight(): number {
    return this.nextSeq - this.nextWrite
  }

  send(piece: Piece): void {
    // Until a worker is ready, and for a piece that goes on from one matched here (the state is this thread's).
    if (this.local !== null && (!this.ready || piece.follows)) return this.matchHere(piece, this.local)
    this.local = null
    const seq = this.nextSeq++
    // A piece that goes on from the one before must be read by the same worker, next.
    const worker = piece.follows && seq > 0 ? this.last : this.leastBusy()
    const s: Sent = { piece, kept: this.keepBytes, attempt: 0, worker, start: piece.follows ? null : { open: null }, answer: null }
    this.sent.set(seq, s)
    this.post(seq, s)
  }

  /** Wait for an answer, then write every answer that is next in order. Rejects if a worker failed. */
  async settle(): Promise<void> {
    if (this.failure) throw this.failure
    if (!this.writable()) await new Promise<void>((r) => (this.waiter = r))
    if (this.failure) throw this.failure
    for (let s = this.sent.get(this.nextWrite); s?.answer; s = this.sent.get(this.nextWrite)) {
      // A piece read afresh while the piece before it left a message open: match it again, going on from that message.
      if (s.start !== null && !sameOpen(s.start.open, this.open)) {
        this.again(this.nextWrite, this.open)
        break
      }
      const a = s.answer
      this.out.pushBytes(a.out)
      this.counts.malformed += a.malformed
      this.counts.truncated += a.truncated
      this.open = a.open
      this.sent.delete(this.nextWrite++)
    }
    await this.out.flush()
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()))
  }

  /** The next answer in order is there: settle() writes it without waiting. */
  writable(): boolean {
    return this.sent.get(this.nextWrite)?.answer != null
  }

  /**
   * Send piece `seq` again starting from `open`, with the pieces that go on from it (its chain), to one worker. A
   * worker holds the state of one chain at a time: when that worker is the one the latest chain's pieces go to (more
   * of them may still come, each going on from the one before it there), the latest chain is sent again after the
   * redone one, from its head, so its next pieces go on from it and not from the redone chain.
   */
  private again(seq: number, open: OpenMessage | null): void {
    const worker = this.leastBusy()
    const end = this.repost(seq, worker, { open })
    const latest = this.chainHead(this.nextSeq - 1)
    if (worker === this.last && latest >= end) this.repost(latest, worker, this.sent.get(latest)!.start)
  }

  /** Post the chain that starts at `head` again to `worker`, the head starting from `start`; returns the seq after it. */
  private repost(head: number, worker: number, start: Sent['start']): number {
    let q = head
    for (let s = this.sent.get(q); s !== undefined && (q === head || s.piece.follows); s = this.sent.get(++q)) {
      if (!s.kept) throw new Error('dice match: a piece to match again was not kept (a bug)')
      s.attempt++
      s.answer = null
      s.worker = worker
      if (q === head) s.start = start
      this.post(q, s)
    }
    return q
  }

  /** The first piece of the chain piece `seq` belongs to (pieces that go on from the one before form a chain). */
  private chainHead(seq: number): number {
    let q = seq
    while (q > this.nextWrite && this.sent.get(q)!.piece.follows) q--
    return q
  }

  private post(seq: number, s: Sent): void {
    this.busy[s.worker]!++
    if (seq === this.nextSeq - 1) this.last = s.worker
    // Without a second attempt possible, the bytes move to the worker instead of being copied.
    const moved = !s.kept
    const m: MatchPiece = { seq, moved, attempt: s.attempt, bytes: s.piece.bytes, firstN: s.piece.firstN, start: s.start }
    this.workers[s.worker]!.postMessage(m, moved ? [s.piece.bytes.buffer as ArrayBuffer] : [])
  }

  /** Match a piece in this thread: it goes on from the pieces before it, all matched here. */
  private matchHere(piece: Piece, lines: MatchLines): void {
    const seq = this.nextSeq++
    const counts = lines.piece(piece.bytes, piece.firstN)
    const answer: MatchAnswer = { type: 'done', seq, attempt: 0, out: lines.out.take(), bytes: null, ...counts, open: lines.open() }
    this.sent.set(seq, { piece, kept: false, attempt: 0, worker: -1, start: null, answer })
    // Its memory is free at once.
    this.onFree(piece.bytes.buffer as ArrayBuffer)
  }

  private leastBusy(): number {
    let w = 0
    for (let i = 1; i < this.busy.length; i++) if (this.busy[i]! < this.busy[w]!) w = i
    return w
  }

  private message(i: number, m: MatchAnswer | MatchWorkerError | MatchWorkerReady): void {
    if (m.type === 'error') return this.fail(new Error(`match worker ${i}: ${m.message}`))
    if (m.type === 'ready') return void (this.ready = true)
    this.busy[i]!--
    if (m.bytes !== null) this.onFree(m.bytes)
    const s = this.sent.get(m.seq)
    if (s !== undefined && s.attempt === m.attempt) s.answer = m
    if (this.writable()) this.wake()
  }

  private fail(e: Error): void {
    this.failure ??= e
    this.wake()
  }

  private wake(): void {
    const w = this.waiter
    this.waiter = null
    w?.()
  }
}

function sameOpen(a: OpenMessage | null, b: OpenMessage | null): boolean {
  if (a === null || b === null) return a === b
  return a.statementId === b.statementId && a.seen === b.seen && a.level === b.level && a.host === b.host && JSON.stringify(a.ambiguous) === JSON.stringify(b.ambiguous)
}
