import type { Worker } from 'node:worker_threads'
import { startWorker } from '../../core/threads.js'
import type { MatcherPlan } from '../../match/matcher.js'
import type { CatalogMessage, DrainMessage, Drained, PieceMessage, PieceResult, WorkerError, WorkerInit, WorkerReady } from './protocol.js'

/**
 * The ingest worker threads. Pieces go to the least busy worker (or, to resume a stream, to the one that kept
 * its state); answers are handed to `onResult` strictly in the order the pieces were sent, whatever order the
 * workers finish in. `drain()` collects every worker's aggregate of the pieces sent so far and holds back the
 * answers of later pieces until `release()`, so a flush commits exactly the pieces its counts cover.
 */
export class WorkerPool {
  private readonly workers: Worker[] = []
  private readonly busy: number[] = []
  /** Distinct keys each worker's aggregate held at its last answer. */
  private readonly held: number[] = []
  private nextSeq = 0
  private nextMerge = 0
  /** Answers from this seq on wait (a flush is draining the pieces before it). */
  private limit = Infinity
  private readonly done = new Map<number, PieceResult>()
  private drained: Drained[] = []
  private waiters: Array<() => void> = []
  private failure: Error | null = null
  /** Catalog generation sent last, and what worker 0 reported about its matcher for the latest one it built. */
  private gen = 0
  private built: WorkerReady | null = null

  constructor(n: number, init: WorkerInit, private readonly onResult: (r: PieceResult) => void) {
    for (let i = 0; i < n; i++) {
      const w = startWorker(import.meta.url, 'worker', init, 12)
      w.on('message', (m: PieceResult | Drained | WorkerError | WorkerReady) => this.message(i, m))
      w.on('error', (e) => this.fail(e))
      w.on('exit', (code) => code !== 0 && this.fail(new Error(`ingest worker ${i} exited with code ${code}`)))
      this.workers.push(w)
      this.busy.push(0)
      this.held.push(0)
    }
  }

  /** Pieces sent and not merged yet. */
  get inFlight(): number {
    return this.nextSeq - this.nextMerge
  }

  get size(): number {
    return this.workers.length
  }

  /** Distinct keys the workers' aggregates hold (as of their last answers). */
  get keys(): number {
    let n = 0
    for (const k of this.held) n += k
    return n
  }

  /** Send a piece (its seq is filled in and returned with the worker it went to). `to`: the worker that must count it. */
  send(piece: Omit<PieceMessage, 'seq' | 'type'>, to = -1): { seq: number; worker: number } {
    if (this.failure) throw this.failure
    let w = to
    if (w < 0) {
      w = 0
      for (let i = 1; i < this.busy.length; i++) if (this.busy[i]! < this.busy[w]!) w = i
    }
    this.busy[w]!++
    const seq = this.nextSeq++
    this.workers[w]!.postMessage({ ...piece, type: 'piece', seq } satisfies PieceMessage)
    return { seq, worker: w }
  }

  /** Every worker counts the pieces sent after this against the catalog (its generation is filled in). */
  setCatalog(catalog: Omit<CatalogMessage, 'gen' | 'type'>): void {
    const m: CatalogMessage = { ...catalog, type: 'catalog', gen: ++this.gen }
    for (const w of this.workers) w.postMessage(m)
  }

  /** Once the latest catalog's matcher is built: whether it followed the stored plan, and the plan. */
  async matcher(): Promise<{ planned: boolean; plan: MatcherPlan | null }> {
    await this.until(() => this.built !== null && this.built.gen === this.gen)
    return this.built!
  }

  /** Resolves once at most `n` pieces are in flight (rejects if a worker failed). */
  async waitBelow(n: number): Promise<void> {
    await this.until(() => this.inFlight <= n)
  }

  /**
   * Every worker's aggregate of the pieces sent so far, once all of their answers went to onResult. Answers of
   * pieces sent from now on wait for release().
   */
  async drain(): Promise<Drained[]> {
    this.limit = this.nextSeq
    this.drained = []
    for (const w of this.workers) w.postMessage({ type: 'drain' } satisfies DrainMessage)
    await this.until(() => this.drained.length === this.workers.length && this.nextMerge === this.limit)
    const out = this.drained
    this.drained = []
    return out
  }

  /** The flush is over: answers held back by drain() go to onResult. */
  release(): void {
    this.limit = Infinity
    this.mergeReady()
    this.wake()
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()))
  }

  private async until(ok: () => boolean): Promise<void> {
    for (;;) {
      if (this.failure) throw this.failure
      if (ok()) return
      await new Promise<void>((r) => this.waiters.push(r))
    }
  }

  private message(i: number, m: PieceResult | Drained | WorkerError | WorkerReady): void {
    if (m.type === 'ready') {
      if (i === 0) this.built = m
    } else if (m.type === 'error') this.fail(new Error(`ingest worker ${i}: ${m.message}`))
    else if (m.type === 'drained') {
      this.held[i] = 0
      this.drained.push(m)
    } else {
      this.busy[i]!--
      this.held[i] = m.keys
      this.done.set(m.seq, m)
      this.mergeReady()
    }
    this.wake()
  }

  /** Hand the answers that are next in order (and below the limit) to onResult. */
  private mergeReady(): void {
    for (let r = this.done.get(this.nextMerge); r !== undefined && this.nextMerge < this.limit; r = this.done.get(this.nextMerge)) {
      this.done.delete(this.nextMerge)
      this.nextMerge++
      try {
        this.onResult(r)
      } catch (e) {
        this.fail(e as Error)
      }
    }
  }

  private fail(e: Error): void {
    this.failure ??= e
    this.wake()
  }

  private wake(): void {
    const w = this.waiters
    this.waiters = []
    for (const f of w) f()
  }
}
