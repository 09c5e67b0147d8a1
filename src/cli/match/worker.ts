/**
 * A `dice match` worker thread: matches the pieces of stdin it is sent (parse → multiline → match → output
 * bytes) with its own matcher, built from the plan the main thread used, and answers each with its output.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { Matcher } from '../../match/matcher.js'
import { MatchLines } from './lines.js'
import type { MatchAnswer, MatchPiece, MatchWorkerError, MatchWorkerInit, MatchWorkerReady } from './protocol.js'

const init = workerData as MatchWorkerInit
const lines = new MatchLines(Matcher.build(init.statements, init.plan), init.statements, {
  format: init.format,
  config: init.config,
  clock: () => Date.now() + init.clockOffsetMs,
  json: init.json,
  explain: init.explain,
})

function match(m: MatchPiece): { answer: MatchAnswer; transfer: ArrayBuffer[] } {
  if (m.start !== null) lines.restart(m.start.open)
  const { malformed, truncated } = lines.piece(m.bytes, m.firstN)
  const out = lines.out.take(true)
  const bytes = m.moved ? (m.bytes.buffer as ArrayBuffer) : null
  const answer: MatchAnswer = { type: 'done', seq: m.seq, attempt: m.attempt, out, bytes, malformed, truncated, open: lines.open() }
  const transfer = out.map((p) => p.buffer as ArrayBuffer)
  if (bytes !== null) transfer.push(bytes)
  return { answer, transfer }
}

parentPort!.postMessage({ type: 'ready' } satisfies MatchWorkerReady)
parentPort!.on('message', (m: MatchPiece) => {
  try {
    const { answer, transfer } = match(m)
    parentPort!.postMessage(answer, transfer)
  } catch (e) {
    parentPort!.postMessage({ type: 'error', message: (e as Error).stack ?? String(e) } satisfies MatchWorkerError)
  }
})
