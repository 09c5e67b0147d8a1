import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { configSchema } from '../../config/schema.js'
import type { MatchStatement } from '../../core/types.js'
import { startsEntry } from '../../ingest/multiline.js'
import { Matcher } from '../../match/matcher.js'
import { Output } from '../output.js'
import { MatchLines } from './lines.js'
import { matchInParallel } from './parallel.js'
import { PieceCutter, type Piece } from './pieces.js'

const config = configSchema.parse({})
const clock = () => Date.parse('2026-03-02T12:00:00Z')

function st(id: string, template: string): MatchStatement {
  return { id, file: `src/${id}.c`, line: 7, template, matchable: true }
}

const STATEMENTS: MatchStatement[] = [
  st('conn', 'connection to %s failed after %d retries'),
  st('disk', 'disk %s is %d%% full'),
  st('banner', 'server started\nport %d\npid %d\n'),
  st('dump', 'state dump:\nqueue %d\nworkers %d\nlast error %s'),
  st('same1', 'request %s timed out'),
  st('same2', 'request %s timed out'),
]

/** A seeded log: plain lines, Java and Python traces, messages of several lines, CRLF, long lines, malformed JSON. */
function makeLog(lines: number, seed: number): string {
  let s = seed
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32)
  const out: string[] = []
  let n = 0
  while (out.length < lines) {
    const r = rnd()
    const ts = `Mar  2 10:${String(n++ % 60).padStart(2, '0')}:00`
    const host = `web-${Math.floor(rnd() * 5)} app[${Math.floor(rnd() * 9)}]:`
    if (r < 0.25) out.push(`${ts} ${host} ERROR connection to db-${Math.floor(rnd() * 9)} failed after ${Math.floor(rnd() * 9)} retries`)
    else if (r < 0.35) out.push(`${ts} ${host} WARN disk /dev/sd${'abc'[Math.floor(rnd() * 3)]} is ${Math.floor(rnd() * 100)}% full\r`)
    else if (r < 0.45) out.push(`${ts} ${host} ERROR request r-${Math.floor(rnd() * 50)} timed out`, '\tat com.x.Client.call(Client.java:42)', '\tat com.x.Main.run(Main.java:7)', 'Caused by: java.io.IOException: reset')
    else if (r < 0.55) out.push(`${ts} ${host} INFO server started`, `port ${8000 + Math.floor(rnd() * 100)}`, `pid ${Math.floor(rnd() * 99999)}`)
    else if (r < 0.62) out.push(`${ts} ${host} WARN state dump:`, `queue ${Math.floor(rnd() * 9)}`, `workers ${Math.floor(rnd() * 9)}`, 'last error none')
    else if (r < 0.68) out.push(`${ts} ${host} ERROR worker crashed`, 'Traceback (most recent call last):', '  File "w.py", line 3, in run', 'ValueError: bad')
    else if (r < 0.72) out.push(`${ts} ${host} ERROR ${'x'.repeat(200 + Math.floor(rnd() * 3000))} connection to a failed after 1 retries`)
    else if (r < 0.74) out.push('', '   ')
    else if (r < 0.745) {
      // A trace longer than a piece: no entry starts in it, so the pieces cut in it go on where the last one stopped.
      out.push(`${ts} ${host} ERROR request r-1 timed out`, 'Traceback (most recent call last):')
      for (let i = 0, k = 150 + Math.floor(rnd() * 300); i < k; i++) out.push(`  File "m${i}.py", line ${i}, in f`)
      out.push('KeyError: x', `${ts} ${host} INFO server started`, 'port 1', 'pid 2')
    }
    else out.push(`${ts} ${host} INFO nothing to see ${Math.floor(rnd() * 1000)}`)
  }
  return out.join('\n') + (seed % 2 === 0 ? '\n' : '')
}

/** What one thread writes (the path `dice match` takes without workers), for reference. */
function oneThread(input: string, o: { format: string; json: boolean; config?: typeof config; statements?: MatchStatement[] }): { text: string; malformed: number; truncated: number } {
  const cfg = o.config ?? config
  const statements = o.statements ?? STATEMENTS
  const lines = new MatchLines(Matcher.build(statements), statements, { format: o.format, config: cfg, clock, json: o.json, explain: false })
  const cap = cfg.match.maxLineBytes + 1
  const buf = Buffer.from(input)
  let n = 0
  for (let s = 0; s < buf.length; ) {
    let nl = buf.indexOf(10, s)
    if (nl < 0) nl = buf.length
    let e = Math.min(nl, s + cap)
    if (e > s && buf[e - 1] === 13) e--
    lines.line(buf.toString('utf8', s, e), ++n)
    s = nl + 1
  }
  return { text: Buffer.concat(lines.out.take()).toString('utf8'), malformed: lines.malformed, truncated: lines.truncated }
}

async function parallel(input: string, o: { format: string; json: boolean; workers: number; pieceBytes: number; chunk: number; config?: typeof config; statements?: MatchStatement[]; local?: boolean }) {
  const cfg = o.config ?? config
  const statements = o.statements ?? STATEMENTS
  const chunks: Buffer[] = []
  const sink = new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(Buffer.from(c)), cb()) })
  const out = new Output(sink)
  const bytes = Buffer.from(input)
  async function* stdin() {
    for (let i = 0; i < bytes.length; i += o.chunk) yield bytes.subarray(i, i + o.chunk)
  }
  const matcher = Matcher.build(statements)
  const counts = await matchInParallel(stdin(), out, {
    workers: o.workers, statements, plan: matcher.plan(), config: cfg, clockOffsetMs: clock() - Date.now(), format: o.format, json: o.json, explain: false,
    folds: o.format !== 'json', keepBytes: statements.some((s) => s.template!.includes('\n')), pieceBytes: o.pieceBytes,
    local: o.local ? new MatchLines(matcher, statements, { format: o.format, config: cfg, clock, json: o.json, explain: false }) : undefined,
  })
  await out.flush()
  return { text: Buffer.concat(chunks).toString('utf8'), ...counts }
}

function cutAll(input: Buffer, chunk: number, o: { target: number; max: number; cap: number; folds: boolean }): Piece[] {
  const c = new PieceCutter(o)
  const pieces: Piece[] = []
  for (let i = 0; i < input.length; i += chunk) pieces.push(...c.push(input.subarray(i, i + chunk)))
  pieces.push(...c.end())
  return pieces
}

describe('dice match with worker threads', () => {
  it('cuts the input into pieces of whole lines that start where an entry starts, numbered in order, losing no byte', () => {
    const input = Buffer.from(makeLog(3000, 7))
    for (const chunk of [1, 100, 4096, 65_536]) {
      const pieces = cutAll(input, chunk, { target: 2000, max: 64_000, cap: 65_537, folds: true })
      expect(pieces.length).toBeGreaterThan(20)
      expect(Buffer.concat(pieces.map((p) => p.bytes)).toString()).toBe(input.toString().endsWith('\n') ? input.toString() : `${input}\n`)
      let n = 1
      let prevLast = ''
      for (const p of pieces) {
        expect(p.firstN).toBe(n)
        const lines = Buffer.from(p.bytes).toString().split('\n').slice(0, -1)
        expect(lines).toHaveLength(p.lines)
        n += p.lines
        if (p.firstN > 1) {
          expect(p.follows).toBe(false)
          expect(startsEntry(lines[0]!.replace(/\r$/, ''), prevLast.replace(/\r$/, ''))).toBe(true)
        }
        prevLast = lines[lines.length - 1]!
      }
    }
  })

  it('keeps only the first bytes of a line without an end, however long, and cuts a trace longer than any piece', () => {
    const cap = 1001
    const c = new PieceCutter({ target: 4096, max: 16_384, cap, folds: true })
    const pieces: Piece[] = []
    pieces.push(...c.push(Buffer.from('first line\n')))
    // 50 MB of one line, 64 KB at a time: the cutter holds at most `cap` bytes of it.
    const big = Buffer.alloc(65_536, 'y')
    for (let i = 0; i < 800; i++) pieces.push(...c.push(big))
    pieces.push(...c.push(Buffer.from('yyy\nnext line\n')))
    // A trace of 2,000 continuation lines (~60 KB): no entry starts in it, so it is cut where it must be.
    for (let i = 0; i < 2000; i++) pieces.push(...c.push(Buffer.from(`\tat com.x.F${i}.run(F.java:1)\n`)))
    pieces.push(...c.end())
    const all = Buffer.concat(pieces.map((p) => p.bytes)).toString().split('\n')
    expect(all[0]).toBe('first line')
    expect(all[1]).toBe('y'.repeat(cap))
    expect(all[2]).toBe('next line')
    expect(all).toHaveLength(2 + 1 + 2000 + 1)
    expect(pieces.some((p) => p.follows)).toBe(true)
    for (const p of pieces) expect(p.bytes.length).toBeLessThanOrEqual(16_384 + cap + 64)
  })

  it('writes byte for byte what one thread writes, with pieces cut inside messages of several lines and traces', async () => {
    for (const [seed, workers, pieceBytes, chunk] of [[1, 2, 700, 333], [2, 3, 2000, 4096], [3, 1, 5000, 65_536], [4, 2, 300, 7]] as const) {
      const input = makeLog(2500, seed)
      for (const json of [true, false]) {
        const want = oneThread(input, { format: 'auto', json })
        const got = await parallel(input, { format: 'auto', json, workers, pieceBytes, chunk })
        expect(got.text.split('\n').length).toBe(want.text.split('\n').length)
        expect(got.text).toBe(want.text)
        expect({ malformed: got.malformed, truncated: got.truncated }).toEqual({ malformed: want.malformed, truncated: want.truncated })
      }
    }
    // The main thread matching the first pieces while the workers start, then handing over (a message open there, too).
    for (const seed of [11, 12]) {
      const input = makeLog(4000, seed)
      const want = oneThread(input, { format: 'auto', json: true })
      const got = await parallel(input, { format: 'auto', json: true, workers: 2, pieceBytes: 400, chunk: 512, local: true })
      expect(got).toEqual({ text: want.text, malformed: want.malformed, truncated: want.truncated })
    }
    // Without templates of several lines the pieces move to the workers and their memory comes back for the next.
    const flat = STATEMENTS.filter((s) => !s.template!.includes('\n'))
    const input = makeLog(3000, 9)
    const want = oneThread(input, { format: 'auto', json: true, statements: flat })
    expect(await parallel(input, { format: 'auto', json: true, workers: 2, pieceBytes: 900, chunk: 4096, statements: flat })).toEqual({ ...want })
    // The reference folds messages of several lines (so a cut inside one was carried over, not read afresh).
    const ref = oneThread(makeLog(2500, 1), { format: 'auto', json: true }).text
    expect(ref.match(/"statement":\{"id":"banner"/g)!.length).toBeGreaterThan(100)
  }, 60_000)

  it('matches a piece again without breaking a trace cut in pieces that the same worker still has to go on with', async () => {
    // Small pieces, long traces and messages of several lines: a piece matched again lands on the worker that holds
    // the latest trace's state (always, with one worker), whose next pieces must still go on from that trace.
    for (const [seed, workers] of [[20, 1], [25, 1], [32, 1], [20, 2], [22, 2]] as const) {
      const input = makeLog(2500, seed)
      const want = oneThread(input, { format: 'auto', json: true })
      const got = await parallel(input, { format: 'auto', json: true, workers, pieceBytes: 300, chunk: 4096 })
      expect(got.text, `seed ${seed}, ${workers} worker(s)`).toBe(want.text)
    }
  }, 120_000)

  it('counts malformed and cut lines as one thread does (a JSON format, a small line limit)', async () => {
    const cfg = configSchema.parse({ match: { maxLineBytes: 200 } })
    const input = makeLog(1500, 5)
    const want = oneThread(input, { format: 'json', json: true, config: cfg })
    expect(want.malformed).toBeGreaterThan(1000)
    const wantAuto = oneThread(input, { format: 'auto', json: true, config: cfg })
    expect(wantAuto.truncated).toBeGreaterThan(10)
    const got = await parallel(input, { format: 'json', json: true, workers: 2, pieceBytes: 1000, chunk: 999, config: cfg })
    expect(got).toEqual({ text: want.text, malformed: want.malformed, truncated: want.truncated })
    const gotAuto = await parallel(input, { format: 'auto', json: true, workers: 2, pieceBytes: 1000, chunk: 999, config: cfg })
    expect(gotAuto).toEqual({ text: wantAuto.text, malformed: wantAuto.malformed, truncated: wantAuto.truncated })
  }, 60_000)
})
