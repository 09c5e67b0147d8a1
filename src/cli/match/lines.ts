/**
 * `dice match`'s work per input line: assemble entries (continuation lines join the entry before them), match
 * each entry, fold the other lines of a message of several lines into its first, and write one output line per
 * input line. The same object serves the main thread and each `dice match` worker (parallel.ts), so both give
 * the same output for the same lines.
 */
import type { Config } from '../../config/schema.js'
import type { Clock } from '../../core/clock.js'
import type { LogEntry, MatchResult, MatchStatement } from '../../core/types.js'
import { createParser, formatFoldsContinuations, type LineParser } from '../../ingest/formats/index.js'
import { MultilineAssembler } from '../../ingest/multiline.js'
import type { ExplainCandidate, Matcher } from '../../match/matcher.js'
import { TailCursor, TemplateTail } from '../../match/multiline-template.js'
import { ByteLines, JsonMatchLines } from '../byte-lines.js'

/** Bytes of an input line kept at most: one past match.maxLineBytes, so the parser sees it is longer and marks it truncated. */
export function lineCap(config: Config): number {
  return config.match.maxLineBytes + 1
}

/**
 * The text of the line in buf[a, b) (b: its LF, or the end of the input) as every `dice match` reader decodes it: its
 * first `cap` bytes at most, without a CR before its end, UTF-8 with invalid sequences replaced.
 */
export function lineText(buf: Buffer, a: number, b: number, cap: number): string {
  let e = b - a > cap ? a + cap : b
  if (e > a && buf[e - 1] === 13) e--
  return buf.toString('utf8', a, e)
}

export interface LinesOptions {
  format: string
  config: Config
  clock: Clock
  json: boolean
  explain: boolean
}

/**
 * Where a message of several lines stands after a line: the statement its first line matched, how many of its
 * other lines were seen, and what those lines are reported as. Null when no such message is open, which is also
 * where reading can start afresh at an entry's first line (parallel.ts cuts the input there).
 */
export interface OpenMessage {
  statementId: string
  seen: number
  level: LogEntry['level']
  host: string | null
  ambiguous: string[] | null
}

interface Current {
  entry: LogEntry
  message: string
  result: MatchResult | null
  explain?: ExplainCandidate[]
}

export class MatchLines {
  malformed = 0
  truncated = 0
  readonly out = new ByteLines()
  private readonly tails = new Map<string, TemplateTail>()
  private readonly render: Render
  private readonly parser: LineParser
  private readonly folds: boolean
  private readonly cap: number
  private assembler: MultilineAssembler
  private tail = new TailCursor()
  private current: Current | null = null

  constructor(
    private readonly matcher: Matcher,
    statements: readonly MatchStatement[],
    private readonly o: LinesOptions,
  ) {
    this.parser = createParser(o.format, o.config, { clock: o.clock })
    this.folds = formatFoldsContinuations(o.format, o.config)
    this.cap = lineCap(o.config)
    this.assembler = this.newAssembler()
    this.render = o.json ? jsonRenderer(this.out, statements, o.explain) : textRenderer(this.out, statements, o.explain)
    // A template of several lines: the entries after the one that matched its first line may be its other lines.
    for (const s of statements) {
      const t = s.matchable && s.template?.includes('\n') ? TemplateTail.of(s.template) : null
      if (t) this.tails.set(s.id, t)
    }
  }

  /** Whether some statement's message has several lines (then a cut input may need its open message carried over). */
  get hasTails(): boolean {
    return this.tails.size > 0
  }

  /** The next input line (1-based number `n`), without its line end. */
  line(line: string, n: number): void {
    const a = this.assembler.push(line, n)
    const render = this.render
    if (a.kind === 'malformed') {
      this.malformed++
      this.current = null
      this.tail.start(null)
      render(n, null, null)
      return
    }
    const current = this.current
    if (a.kind === 'entry') {
      if (a.entry.truncated) this.truncated++
      if (current !== null && this.tail.continues(a.entry.message)) {
        // The next line of the message of several lines the previous entry started: its statement, once.
        render(n, current.entry, current.result, undefined, true)
        return
      }
      const c = this.matchEntry(a.entry)
      // Only the entry just matched can have other lines to come: an entry no statement printed closes any message.
      this.tail.start(c.result !== null ? (this.tails.get(c.result.statementId) ?? null) : null)
      render(n, c.entry, c.result, c.explain)
      return
    }
    // Continuation: the line belongs to the entry it continues. The rest of a line a container runtime split
    // changes the entry's message: it is matched again, and this line shows the whole line's statement.
    if (current !== null && current.entry === a.entry && a.entry.message !== current.message) this.matchEntry(a.entry)
    render(n, a.entry, this.current?.result ?? null, undefined, true)
  }

  /**
   * The lines of a piece (pieces.ts: each ends with LF), the first numbered `firstN`. Returns the malformed and cut
   * lines in it.
   */
  piece(bytes: Uint8Array, firstN: number): { malformed: number; truncated: number } {
    const malformed = this.malformed
    const truncated = this.truncated
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    let n = firstN
    for (let s = 0; s < buf.length; ) {
      const nl = buf.indexOf(10, s)
      this.line(lineText(buf, s, nl, this.cap), n++)
      s = nl + 1
    }
    return { malformed: this.malformed - malformed, truncated: this.truncated - truncated }
  }

  /** The message of several lines still open after the last line, or null. */
  open(): OpenMessage | null {
    const c = this.current
    const at = this.tail.position()
    if (c === null || c.result === null || at === null) return null
    return { statementId: c.result.statementId, seen: at, level: c.entry.level, host: c.entry.host, ambiguous: c.result.ambiguous ?? null }
  }

  /**
   * Read on from a place where an entry starts: as after the line before it, when `open` is that line's open
   * message; afresh when null.
   */
  restart(open: OpenMessage | null): void {
    this.assembler = this.newAssembler()
    this.tail = new TailCursor()
    this.current = null
    if (open === null) return
    const e: LogEntry = { n: 0, raw: '', message: '', level: open.level, time: null, host: open.host, file: null, line: null, logger: null }
    const result: MatchResult = { statementId: open.statementId, literalChars: 0, values: [], ...(open.ambiguous ? { ambiguous: open.ambiguous } : {}) }
    this.current = { entry: e, message: '', result }
    this.tail.resume(this.tails.get(open.statementId) ?? null, open.seen)
  }

  private matchEntry(e: LogEntry): Current {
    const hint = e.file !== null || e.logger !== null ? e : undefined
    let c: Current
    if (this.o.explain) {
      const x = this.matcher.explain(e.message, hint)
      c = { entry: e, message: e.message, result: x.result, explain: x.candidates }
    } else c = { entry: e, message: e.message, result: this.matcher.match(e.message, hint) }
    return (this.current = c)
  }

  private newAssembler(): MultilineAssembler {
    return new MultilineAssembler(this.parser, { enabled: this.folds, maxLines: 0, maxBytes: 0 })
  }
}

/** Writes one input line's output line. */
type Render = (n: number, e: LogEntry | null, r: MatchResult | null, explain?: ExplainCandidate[], continuation?: boolean) => void

function jsonRenderer(lines: ByteLines, statements: readonly MatchStatement[], explain: boolean): Render {
  // The statement part of each output object is the same text for every line it matches: build it once.
  const byId = new Map(statements.map((s) => [s.id, s]))
  const stmt = (id: string): string => {
    const st = byId.get(id)!
    return JSON.stringify({ id: st.id, file: st.file, line: st.line })
  }
  const json = new JsonMatchLines(lines, stmt)
  // Several statements the line cannot be told apart from (`ambiguous`): all of them, instead of a guess.
  return (n, e, r, x) =>
    json.line(n, e?.level || null, e?.host ?? null, r ? r.statementId : null, r?.ambiguous,
      explain && x ? `,"explain":${JSON.stringify({ message: e?.message ?? null, result: r, candidates: x })}` : undefined)
}

function textRenderer(lines: ByteLines, statements: readonly MatchStatement[], explain: boolean): Render {
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
    lines.text(s)
  }
}

function printable(s: string): string {
  // Keep one output line per input line whatever the message holds.
  const t = s.length > 200 ? `${s.slice(0, 200)}…` : s
  return t.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
}
