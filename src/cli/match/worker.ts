/**
 * A `dice match` worker thread: matches the pieces of stdin it is sent (parse → multiline → match → output
 * bytes) with its own matcher, built from the plan the main thread used, and answers each with its output.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { Matcher } from '../../match/matcher.js'
import { MatchLines } from './lines.js'
import type { MatchAnswer, MatchPiece, MatchWorkerError, MatchWorkerInit } from './protocol.js'

const init = workerData as MatchWorkerInit
const cap = init.config.match.maxLineBytes + 1
const lines = new MatchLines(Matcher.build(init.statements, init.plan), init.statements, {
  format: init.format,
  config: init.config,
  clock: () => Date.now() + init.clockOffsetMs,
  json: init.json,
  explain: init.explain,
})

function match(m: MatchPiece): { answer: MatchAnswer; transfer: ArrayBuffer[] } {
  if (m.start !== null) lines.restart(m.start.open)
  const malformed = lines.malformed
  const truncated = lines.truncated
  const buf = Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength)
  let n = m.firstN
  // Every line of a piece ends with LF and is at most `cap` bytes (pieces.ts), as the main thread's reader keeps them.
  for (let s = 0; s < buf.length; ) {
    const nl = buf.indexOf(10, s)
    let e = nl - s > cap ? s + cap : nl
    if (e > s && buf[e - 1] === 13) e--
    lines.line(buf.toString('utf8', s, e), n++)
    s = nl + 1
  }
  const out = lines.out.take(true)
  const bytes = m.moved ? (m.bytes.buffer as ArrayBuffer) : null
  const answer: MatchAnswer = { type: 'done', seq: m.seq, attempt: m.attempt, out, bytes, malformed: lines.malformed - malformed, truncated: lines.truncated - truncated, open: lines.open() }
  const transfer = out.map((p) => p.buffer as ArrayBuffer)
  if (bytes !== null) transfer.push(bytes)
  return { answer, transfer }
}

parentPort!.on('message', (m: MatchPiece) => {
  try {
    const { answer, transfer } = match(m)
    parentPort!.postMessage(answer, transfer)
  } catch (e) {
    parentPort!.postMessage({ type: 'error', message: (e as Error).stack ?? String(e) } satisfies MatchWorkerError)
  }
})
