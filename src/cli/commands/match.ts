import type { Command } from '../command.js'
import { SPECS } from './specs.js'
import type { CliContext } from '../context.js'
import { Output } from '../output.js'
import { UsageError } from '../../core/errors.js'
import type { MatchStatement } from '../../core/types.js'
import { createParser, formatFoldsContinuations } from '../../ingest/formats/index.js'
import { workerCount } from '../../ingest/parallel/workers.js'
import { matchInParallel } from '../match/parallel.js'
import { autoWorkers } from '../match/auto.js'
import { Matcher } from '../../match/matcher.js'
import { lineCap, lineText, MatchLines } from '../match/lines.js'
import { keepPlan, storedPlan } from '../../match/stored-plan.js'
import { fitHeapGrowth } from '../heap.js'

const FLUSH_BYTES = 64 * 1024

/**
 * `dice match [--format F] [--json] [--explain]`: read log lines on stdin and write, per input line and in
 * input order, the statement that printed it. Streams: lines are matched as chunks arrive and output is
 * written in batches. Continuation lines (stack traces) report their entry's statement; malformed lines
 * (for the chosen format) report null and are counted on stderr at the end.
 */
export const match: Command = {
  ...SPECS.match,
  async run(ctx, { values, positionals }) {
    // `dice match app.log` would otherwise ignore the file and wait on stdin.
    if (positionals.length) throw new UsageError(`match: unexpected argument ${JSON.stringify(positionals[0])}; dice match reads stdin (dice match < FILE)`)
    const format: string = values.format ?? 'auto'
    // Checked before anything is opened (a bad --workers is a usage error); unsaid, decided once the catalog's size is known.
    const said = values.workers !== undefined || ctx.config.match.workers !== undefined ? workerCount(values.workers, ctx.config) : null
    // Bad --format is a usage error before anything is opened or read.
    createParser(format, ctx.config, { clock: ctx.clock })
    const store = await ctx.openStore()
    let statements: MatchStatement[]
    let matcher: Matcher
    let workers: number
    try {
      statements = await store.listMatchStatements()
      // Unsaid: threads for a large file on stdin when the host has cores for them (auto.ts).
      workers = said ?? autoWorkers(ctx.stdin === process.stdin ? 0 : null, statements.length)
      fitHeapGrowth(statements.length, workers)
      matcher = Matcher.build(statements, await storedPlan(store))
      // Built (no stored index, or one of another catalog or Dice version): stored, so the next start loads it.
      await keepPlan(store, matcher)
    } finally {
      await store.close()
    }
    if (matcher.size.templates === 0) ctx.stderr.write('dice match: the catalog has no matchable statements; run `dice index` first\n')
    const out = new Output(ctx.stdout)
    const options = { format, config: ctx.config, json: !!values.json, explain: !!values.explain }
    const lines = new MatchLines(matcher, statements, { ...options, clock: ctx.clock })
    if (workers > 0) {
      const counts = await matchInParallel(ctx.stdin as AsyncIterable<Buffer | string>, out, {
        ...options, workers, statements, plan: matcher.plan(), clockOffsetMs: ctx.clock() - Date.now(),
        folds: formatFoldsContinuations(format, ctx.config), keepBytes: lines.hasTails, local: lines,
      })
      await out.flush()
      out.check()
      return report(ctx, format, counts)
    }
    const bytes = lines.out
    const onLine = (line: string, n: number): void => lines.line(line, n)

    await readLines(ctx, lineCap(ctx.config), onLine, async () => {
      out.pushBytes(bytes.take())
      await out.flush()
      return !out.closed
    })
    out.pushBytes(bytes.take())
    await out.flush()
    out.check()
    return report(ctx, format, lines)
  },
}

function report(ctx: CliContext, format: string, { malformed, truncated }: { malformed: number; truncated: number }): number {
  if (malformed > 0) ctx.stderr.write(`dice match: ${malformed} malformed line(s) for --format ${format}; reported with statement null\n`)
  if (truncated > 0) ctx.stderr.write(`dice match: ${truncated} line(s) longer than match.maxLineBytes (${ctx.config.match.maxLineBytes}) were cut before matching\n`)
  return 0
}

/**
 * Split stdin into lines as chunks arrive (LF or CRLF, bytes decoded as UTF-8 with invalid sequences
 * replaced). A line longer than `cap` bytes (lineCap) is kept only up to them, so a 10 MB line never sits in
 * memory whole; the parser then marks it truncated. `afterChunk` runs after each chunk's lines; reading
 * stops when it answers false (nobody reads the output any more).
 */
async function readLines(ctx: CliContext, cap: number, onLine: (line: string, n: number) => void, afterChunk: () => Promise<boolean>): Promise<void> {
  let n = 0
  let carry: Buffer[] = []
  let carryLen = 0
  const emit = (buf: Buffer, start: number, end: number): void => onLine(lineText(buf, start, end, cap), ++n)
  for await (const chunk of ctx.stdin as AsyncIterable<Buffer | string>) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    let start = 0
    for (;;) {
      const nl = buf.indexOf(10, start)
      if (nl < 0) break
      if (carryLen > 0) {
        const take = Math.min(nl - start, Math.max(0, cap - carryLen))
        carry.push(buf.subarray(start, start + take))
        const whole = Buffer.concat(carry)
        carry = []
        carryLen = 0
        emit(whole, 0, whole.length)
      } else emit(buf, start, nl)
      start = nl + 1
    }
    if (start < buf.length && carryLen < cap) {
      const take = Math.min(buf.length - start, cap - carryLen)
      // Copy: the chunk's memory must not be pinned by a small tail.
      carry.push(Buffer.from(buf.subarray(start, start + take)))
      carryLen += take
    } else if (start < buf.length) carryLen = Math.max(carryLen, cap)
    if (!(await afterChunk())) return
  }
  if (carryLen > 0) {
    const whole = Buffer.concat(carry)
    if (whole.length > 0) emit(whole, 0, whole.length)
  }
}
