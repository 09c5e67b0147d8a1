/**
 * Multi-line entries: stack traces and indented continuation lines belong to the entry before them.
 * `isContinuation` is the stateless test; `MultilineAssembler` adds the little state that Python
 * tracebacks and Go panics need (their last/frame lines are not indented) and bounds what it keeps.
 */
import type { LogEntry } from '../core/types.js'
import { containerRecord, type ContainerRecord } from './formats/container.js'
import { DOTNET } from './formats/text.js'
import type { LineParser } from './formats/index.js'

/** Characters of one container line rebuilt from partial records at most; later parts are dropped. */
const MAX_JOINED = 65_536

// `java.lang.IllegalStateException: boom` / `com.x.FooError` printed on the line after the log message.
const JAVA_EXCEPTION = /^(?:[a-z_$][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error|Throwable|Fault)(?::\s.*)?$/
const CONT_PREFIX = /^(?:Caused by: |Suppressed: |Traceback \(most recent call last\):|During handling of the above exception|The above exception was the direct cause|goroutine \d+ \[[^\]]*\]:|\.\.\. \d+ (?:more|common frames omitted))/

/**
 * True when `line` continues the previous entry: it starts with whitespace (`\tat …`, `    at …`,
 * `  File "x.py", line 3`), or is a `Caused by:` / `Traceback (most recent call last):` /
 * `goroutine N [running]:` / `... 12 more` line, or a bare Java exception header (`java.lang.X: msg`).
 */
export function isContinuation(line: string): boolean {
  const c = line.charCodeAt(0)
  if (c === 32 || c === 9) return line.trim() !== ''
  if (c !== 67 && c !== 83 && c !== 84 && c !== 68 && c !== 103 && c !== 46 && !(c >= 97 && c <= 122)) return false
  if (CONT_PREFIX.test(line)) return true
  return c >= 97 && c <= 122 && line.length < 2000 && JAVA_EXCEPTION.test(line)
}

// Python: the traceback's last line names the exception, unindented (`ValueError: bad`, `KeyError`).
const PY_EXC_LINE = /^[A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Warning|Iteration|Fault)(?::.*)?$/
// Go: frames in a goroutine dump alternate `pkg.func(...)` and `\t/path/file.go:12 +0x1d`.
const GO_FRAME = /^(?:[\w./*()\[\]-]+\(.*\)|created by .*)$/

/**
 * True when `line` (after `prev`) starts a new entry whatever state an assembler is in: it is not blank, cannot
 * continue an entry (not indented, not a trace line, not a Python exception or Go frame line), and neither it nor
 * the line before is a partial container record. Where such a line is, a stream can be cut in two and each part
 * assembled on its own with the same entries as the whole (ingest workers count parts of one file).
 */
export function startsEntry(line: string, prev: string): boolean {
  const rec = containerRecord(line)
  if (rec !== null) {
    // Records join only records: the one before must be a complete one.
    const before = containerRecord(prev)
    if (before === null || before.partial) return false
  }
  const text = rec !== null ? rec.text : line
  return text !== '' && !isContinuation(text) && !PY_EXC_LINE.test(text) && !GO_FRAME.test(text)
}

/** What happened to one pushed line. */
export type Assembled =
  | { kind: 'entry'; entry: LogEntry }
  /** Folded into `entry` (kept in entry.continuation unless the entry is already full). */
  | { kind: 'continuation'; entry: LogEntry }
  /** The parser could not read the line (not a continuation). */
  | { kind: 'malformed'; n: number }

/**
 * Folds continuation lines into the entry before them. Entries are returned as soon as their first line
 * is read (matching needs only that line); continuation lines are appended to the same object later.
 * At most `maxLines` continuation lines and `maxBytes` characters are kept per entry; the rest are still
 * recognised as continuation (so they are not counted as entries of their own) but dropped.
 */
export class MultilineAssembler {
  private current: LogEntry | null = null
  private kept = 0
  private keptBytes = 0
  private mode: 'none' | 'python' | 'go' = 'none'
  /**
   * When the current entry came from a partial container record (a line the runtime split): the stream whose
   * next record goes on with it, how to wrap the whole line as one record, and the line's text so far.
   */
  private partial: string | null = null
  private partialWrap: ((text: string) => string) | null = null
  private partialText = ''
  /** The current entry's header said its message is on the next line (.NET's console formatter: DOTNET). */
  private messageNext = false
  private readonly maxLines: number
  private readonly maxBytes: number
  private readonly enabled: boolean

  constructor(private readonly parse: LineParser, o: { maxLines?: number; maxBytes?: number; enabled?: boolean } = {}) {
    this.maxLines = o.maxLines ?? 200
    this.maxBytes = o.maxBytes ?? 32_768
    this.enabled = o.enabled ?? true
  }

  /** Feed the next raw line (1-based number `n`). */
  push(line: string, n: number): Assembled {
    // Container runtimes' log files (Kubernetes CRI, Docker json-file): each record wraps one line of the
    // container's output, so continuation lines are recognised by the text inside, and split lines are put
    // back together.
    const rec = this.enabled ? containerRecord(line) : null
    if (rec !== null && this.current !== null && this.partial === rec.stream) return this.rejoin(this.current, rec)
    const text = rec !== null ? rec.text : line
    if (this.enabled && this.current !== null && this.continues(text)) {
      const e = this.current
      if (this.messageNext) {
        this.messageNext = false
        e.message = text.trim()
        return { kind: 'continuation', entry: e }
      }
      if (this.kept < this.maxLines && this.keptBytes + text.length <= this.maxBytes) {
        ;(e.continuation ??= []).push(text)
        this.kept++
        this.keptBytes += text.length
      }
      return { kind: 'continuation', entry: e }
    }
    this.mode = 'none'
    const e = this.parse(line, n)
    this.current = e
    this.kept = 0
    this.keptBytes = 0
    this.partial = null
    if (e === null) return (this.messageNext = false), { kind: 'malformed', n }
    this.messageNext = e.message === '' && text.charCodeAt(4) === 58 && DOTNET.test(text)
    if (rec !== null && rec.partial) {
      this.partial = rec.stream
      this.partialWrap = rec.wrap
      this.partialText = rec.text
    }
    if (this.enabled) this.modeFrom(text)
    return { kind: 'entry', entry: e }
  }

  /**
   * The next part of a line the container runtime split into several records: the entry is read again from
   * the text so far (a JSON line split in two only parses whole), keeping its first line's number and raw text.
   */
  private rejoin(e: LogEntry, rec: ContainerRecord): Assembled {
    if (!rec.partial) this.partial = null
    if (this.partialText.length + rec.text.length > MAX_JOINED) return { kind: 'continuation', entry: e }
    this.partialText += rec.text
    const whole = this.parse(this.partialWrap!(this.partialText), e.n)
    if (whole !== null) {
      e.message = whole.message
      e.level = whole.level
      e.time = whole.time
      e.host = whole.host
      e.file = whole.file
      e.line = whole.line
      e.logger = whole.logger
      if (whole.truncated) e.truncated = true
    }
    return { kind: 'continuation', entry: e }
  }

  /** Forget the current entry (a source switched files, a stream restarted). */
  reset(): void {
    this.current = null
    this.mode = 'none'
    this.partial = null
    this.messageNext = false
  }

  private continues(line: string): boolean {
    if (isContinuation(line)) {
      this.modeFrom(line)
      return true
    }
    if (this.mode === 'python' && PY_EXC_LINE.test(line)) {
      this.mode = 'none' // the exception line ends the traceback
      return true
    }
    if (this.mode === 'go' && (line === '' || GO_FRAME.test(line))) return true
    return false
  }

  private modeFrom(line: string): void {
    if (line.startsWith('Traceback (most recent call last):') || line.includes('Traceback (most recent call last):')) this.mode = 'python'
    else if (line.startsWith('goroutine ') || line.startsWith('panic: ')) this.mode = 'go'
  }
}
