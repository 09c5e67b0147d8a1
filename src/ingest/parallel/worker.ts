/**
 * An ingest worker thread: counts the pieces the Pipeline sends (parse → multiline → match → aggregate) with its
 * own Tally, answers each with its line counters and how far it got, and hands over its aggregate when the
 * Pipeline flushes (drain). It keeps nothing a crash could lose: the Pipeline commits drained counts and the
 * checkpoints of the pieces they cover together.
 */
import { parentPort, workerData } from 'node:worker_threads'
import type { Hit } from '../../core/types.js'
import { SourceCounters, type Counter } from '../counter.js'
import { newStream, parserFor, Tally, type PipelineParser, type Stream } from '../tally.js'
import { MAX_PIECE_LINES, type CatalogMessage, type DrainMessage, type Drained, type PieceMessage, type PieceResult, type WireHit, type WorkerInit, type WorkerReady } from './protocol.js'

/** Streams whose state a later piece resumes (see PieceMessage.keep); bounded like the Pipeline's streams. */
const MAX_KEPT = 10_000

const init = workerData as WorkerInit
const clock = (): number => Date.now() + init.clockOffsetMs
let hits: WireHit[] = []
let wanted: Set<string> | 'all' | 'none' = 'none'
const onHit = (h: Hit): void => {
  if (wanted === 'none' || (wanted !== 'all' && !wanted.has(h.statement.id))) return
  hits.push({ statementId: h.statement.id, entry: h.entry, values: h.values, host: h.host, time: h.time, ...(h.also ? { also: h.also.map((s) => s.id) } : {}) })
}
let tally: Tally = newTally(init.catalog, undefined)
ready(init.catalog.gen)
const parsers = new Map<string, PipelineParser>()
const kept = new Map<string, Stream<number>>()

function newTally(c: CatalogMessage, counter: Counter | undefined): Tally {
  wanted = Array.isArray(c.hits) ? new Set(c.hits) : c.hits
  // The unowned-shape bound is the Pipeline's to apply, in reading order (Counter.mergeDrained); counts already
  // aggregated under the old catalog stay (they are drained with the next flush).
  // No onHit when the Pipeline wants no hits: a Tally with one builds every hit, reading its values from the line.
  return new Tally({ config: init.config, clock, statements: c.statements, plan: c.plan, revisions: c.revisions ?? null, onHit: wanted === 'none' ? undefined : onHit, maxShapesPerBucket: Infinity, ordered: true, counter })
}

/** Tell the Pipeline this catalog's matcher is built, and its plan when it was not the stored one (keepPlan). */
function ready(gen: number): void {
  parentPort!.postMessage({ type: 'ready', gen, planned: tally.planned, plan: tally.planned ? null : tally.plan() } satisfies WorkerReady)
}

function parserOf(format: string): PipelineParser {
  let p = parsers.get(format)
  if (p === undefined) parsers.set(format, (p = parserFor(format, init.config, clock)))
  return p
}

function count(m: PieceMessage): PieceResult {
  let st = m.resume ? kept.get(m.stream) : undefined
  kept.delete(m.stream)
  if (st === undefined) st = newStream<number>(m.source)
  st.safe = undefined
  const parser = parserOf(m.format)
  const { texts, flags, host } = m
  const ord = m.seq * MAX_PIECE_LINES
  for (let i = 0; i < texts.length; i++) tally.push(st, texts[i]!, flags === null ? 0 : flags[i]!, host, m.firstSeq + i, m.firstN + i, parser, ord + i)
  if (m.finalize && st.pending !== null) tally.finalize(st)
  if (m.keep) {
    if (kept.size >= MAX_KEPT) kept.delete(kept.keys().next().value!)
    kept.set(m.stream, st)
  }
  const counters = tally.takeCounters().get(m.source) ?? new SourceCounters()
  const out: PieceResult = { type: 'result', seq: m.seq, covered: st.safe ?? -1, counters: counters.toJSON(), keys: tally.counter.size, hits }
  hits = []
  return out
}

parentPort!.on('message', (m: PieceMessage | CatalogMessage | DrainMessage) => {
  try {
    if (m.type === 'catalog') {
      tally = newTally(m, tally.counter)
      ready(m.gen)
    } else if (m.type === 'drain') {
      const b = tally.counter.drain()
      parentPort!.postMessage({ type: 'drained', occurrences: b.occurrences, unowned: b.unowned, values: b.values } satisfies Drained)
    } else parentPort!.postMessage(count(m))
  } catch (e) {
    parentPort!.postMessage({ type: 'error', message: (e as Error).stack ?? String(e) })
  }
})
