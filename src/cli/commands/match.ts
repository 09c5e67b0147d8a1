import type { Command } from '../command.js'
import { SPECS } from './specs.js'
import type { CliContext } from '../context.js'
import { Output } from '../output.js'
import { UsageError } from '../../core/errors.js'
import type { LogEntry, MatchResult, MatchStatement } from '../../core/types.js'
import { createParser, formatFoldsContinuations } from '../../ingest/formats/index.js'
import { MultilineAssembler } from '../../ingest/multiline.js'
import { Matcher, type ExplainCandidate } from '../../match/matcher.js'
import { TailCursor, TemplateTail } from '../../match/multiline-template.js'
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
    // Bad --format is a usage error before anything is opened or read.
    const parser = createParser(format, ctx.config, { clock: ctx.clock })
    const store = await ctx.openStore()
    let statements: MatchStatement[]
    let matcher: Matcher
    try {
      statements = await store.listMatchStatements()
      fitHeapGrowth(statements.length)
      matcher = Matcher.build(statements, await storedPlan(store))
      // Built (no stored index, or one of another catalog or Dice version): stored, so the next start loads it.
      await keepPlan(store, matcher)
    } finally {
      await store.close()
    }
    if (matcher.size.templates === 0) ctx.stderr.write('dice match: the catalog has no matchable statements; run `dice index` first\n')
    const out = new Output(ctx.stdout)
    const render = values.json ? jsonRenderer(statements, !!values.explain) : textRenderer(statements, !!values.explain)
    // A template of several lines: the entries after the one that matched its first line may be its other lines.
    const tails = new Map<string, TemplateTail>()
    for (const s of statements) {
      const t = s.matchable && s.template?.includes('\n') ? TemplateTail.of(s.template) : null
      if (t) tails.set(s.id, t)
    }
    const tail = new TailCursor()
    const assembler = new MultilineAssembler(parser, { enabled: formatFoldsContinuations(format, ctx.config), maxLines: 0, maxBytes: 0 })
    let malformed = 0
    let truncated = 0
    let current: { entry: LogEntry; message: string; result: MatchResult | null; explain?: ExplainCandidate[] } | null = null
    const matchEntry = (e: LogEntry): void => {
      const hint = e.file !== null || e.logger !== null ? e : undefined
      if (values.explain) {
        const x = matcher.explain(e.message, hint)
        current = { entry: e, message: e.message, result: x.result, explain: x.candidates }
      } else current = { entry: e, message: e.message, result: matcher.match(e.message, hint) }
    }

    const onLine = (line: string, n: number): void => {
      const a = assembler.push(line, n)
      if (a.kind === 'malformed') {
        malformed++
        current = null
        out.push(render(n, null, null))
        return
      }
      if (a.kind === 'entry') {
        if (a.entry.truncated) truncated++
        if (current !== null && tail.continues(a.entry.message)) {
          // The next line of the message of several lines the previous entry started: its statement, once.
          out.push(render(n, current.entry, current.result, undefined, true))
          return
        }
        matchEntry(a.entry)
        if (current!.result !== null) tail.start(tails.get(current!.result.statementId) ?? null)
        out.push(render(n, current!.entry, current!.result, current!.explain))
        return
      }
      // Continuation: the line belongs to the entry it continues. The rest of a line a container runtime split
      // changes the entry's message: it is matched again, and this line shows the whole line's statement.
      if (current !== null && current.entry === a.entry && a.entry.message !== current.message) matchEntry(a.entry)
      out.push(render(n, a.entry, current?.result ?? null, undefined, true))
    }

    await readLines(ctx, ctx.config.match.maxLineBytes, onLine, async () => {
      await out.flush()
      return !out.closed
    })
    await out.flush()
    out.check()
    if (malformed > 0) ctx.stderr.write(`dice match: ${malformed} malformed line(s) for --format ${format}; reported with statement null\n`)
    if (truncated > 0) ctx.stderr.write(`dice match: ${truncated} line(s) longer than match.maxLineBytes (${ctx.config.match.maxLineBytes}) were cut before matching\n`)
    return 0
  },
}

type Render = (n: number, e: LogEntry | null, r: MatchResult | null, explain?: ExplainCandidate[], continuation?: boolean) => string

function jsonRenderer(statements: readonly MatchStatement[], explain: boolean): Render {
  // The statement part of each output object is the same text for every line it matches: build it once.
  const byId = new Map(statements.map((s) => [s.id, s]))
  const cache = new Map<string, string>()
  const stmt = (id: string): string => {
    let s = cache.get(id)
    if (s === undefined) {
      const st = byId.get(id)!
      s = JSON.stringify({ id: st.id, file: st.file, line: st.line })
      cache.set(id, s)
    }
    return s
  }
  return (n, e, r, x) => {
    let s = `{"n":${n},"level":${e?.level ? `"${e.level}"` : 'null'},"host":${e?.host != null ? JSON.stringify(e.host) : 'null'},"statement":${r ? stmt(r.statementId) : 'null'}`
    // Several statements the line cannot be told apart from: all of them, instead of a guess.
    if (r?.ambiguous) s += `,"ambiguous":${JSON.stringify(r.ambiguous)}`
    if (explain && x) s += `,"explain":${JSON.stringify({ message: e?.message ?? null, result: r, candidates: x })}`
    return s + '}\n'
  }
}

function textRenderer(statements: readonly MatchStatement[], explain: boolean): Render {
  const byId = new Map(statements.map((s) => [s.id, s]))
  return (n, e, r, x, continuation) => {
    const st = r ? byId.get(r.statementId) : undefined
    const where = st ? `${st.file}:${st.line}${r!.ambiguous ? ` (or ${r!.ambiguous.length - 1} more: ambiguous)` : ''}` : '-'
    const msg = e === null ? '(malformed)' : continuation ? '(continuation)' : printable(e.message)
    let s = `${String(n).padStart(6)}  ${(e?.level ?? '-').padEnd(6)} ${where}  ${msg}\n`
    if (explain && x && !continuation) {
      if (x.length === 0) s += '        no candidate shares a literal word, prefix or suffix with this message\n'
      for (const c of x) s += `        ${c.matched ? '+' : '-'} ${c.statementId} ${JSON.stringify(c.template)} literal=${c.literalChars}: ${c.why}\n`
    }
    return s
  }
}

function printable(s: string): string {
  // Keep one output line per input line whatever the message holds.
  const t = s.length > 200 ? `${s.slice(0, 200)}…` : s
  return t.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
}

/**
 * Split stdin into lines as chunks arrive (LF or CRLF, bytes decoded as UTF-8 with invalid sequences
 * replaced). A line longer than `maxBytes` is kept only up to maxBytes + 1 bytes, so a 10 MB line never
 * sits in memory whole; the parser then marks it truncated. `afterChunk` runs after each chunk's lines; reading
 * stops when it answers false (nobody reads the output any more).
 */
async function readLines(ctx: CliContext, maxBytes: number, onLine: (line: string, n: number) => void, afterChunk: () => Promise<boolean>): Promise<void> {
  let n = 0
  let carry: Buffer[] = []
  let carryLen = 0
  const cap = maxBytes + 1
  const emit = (buf: Buffer, start: number, end: number): void => {
    let e = end
    if (e > start && buf[e - 1] === 13) e--
    onLine(buf.toString('utf8', start, e), ++n)
  }
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
      } else emit(buf, start, Math.min(nl, start + cap))
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
