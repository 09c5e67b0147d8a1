/**
 * Output lines written straight into bytes. `dice match --json` writes one short object per input line, and
 * most of each is text it has written before (the statement's id, file and line; the host; the level): building
 * every line as a string, joining them and encoding the result took as long as matching the lines did. Here the
 * repeated parts are encoded once and copied, and only the line number is written per line.
 */

/** Bytes a buffer holds at least (a flush normally takes one, written as it is). */
const CHUNK = 256 * 1024
/** Distinct hosts whose JSON text is kept encoded; further hosts are encoded line by line (the host is log text). */
const MAX_HOSTS = 4096

export class ByteLines {
  private buf = Buffer.allocUnsafeSlow(CHUNK)
  /** Where the next byte goes in the buffer `reserve` returned (a writer that stores bytes itself moves it on). */
  pos = 0
  private done: Buffer[] = []

  /** Room for `n` more bytes: a full buffer is set aside for `take` and a new one started. */
  reserve(n: number): Buffer {
    if (this.pos + n > this.buf.length) {
      if (this.pos > 0) this.done.push(this.buf.subarray(0, this.pos))
      this.buf = Buffer.allocUnsafeSlow(Math.max(CHUNK, n))
      this.pos = 0
    }
    return this.buf
  }

  /** Append `s` as UTF-8. */
  text(s: string): void {
    const b = this.reserve(Buffer.byteLength(s))
    this.pos += b.write(s, this.pos, 'utf8')
  }

  /** Append bytes (an encoded part kept by the caller). */
  bytes(p: Uint8Array): void {
    const n = p.length
    const b = this.reserve(n)
    const at = this.pos
    // One call copies any length (TypedArray#set: ~15 ns for 16 to 128 bytes here; a byte loop 20 to 120).
    b.set(p, at)
    this.pos = at + n
  }

  /** Append the decimal digits of a non-negative integer. */
  digits(v: number): void {
    const b = this.reserve(20)
    let len = 1
    for (let t = v; t >= 10; t = Math.floor(t / 10)) len++
    const start = this.pos
    let i = start + len
    this.pos = i
    let t = v
    do {
      b[--i] = 48 + (t % 10)
      t = Math.floor(t / 10)
    } while (i > start)
  }

  /**
   * Everything written since the last call, in order (the buffers are not written to again). `own`: each part is
   * the start of a memory block of its own, so the parts can move to another thread (a transfer).
   */
  take(own = false): Buffer[] {
    const out = this.done
    if (this.pos > 0) {
      out.push(this.buf.subarray(0, this.pos))
      // The stream may hold the bytes until it has written them: the rest of this buffer starts the next part.
      this.buf = !own && this.buf.length - this.pos >= 4096 ? this.buf.subarray(this.pos) : Buffer.allocUnsafeSlow(CHUNK)
      this.pos = 0
    }
    this.done = []
    return out
  }
}

/** A JSON string's text as bytes: `"…"`. */
function jsonBytes(v: string): Buffer {
  return Buffer.from(JSON.stringify(v))
}

/** A host's JSON text, with the text before it for each level seen with it (`,"level":…,"host":` + the host). */
interface HostParts {
  readonly json: Buffer
  readonly levels: Array<string | null>
  readonly parts: Buffer[]
}

/** A statement's part of a line (`,"statement":{…}`), with and without the line's end after it. */
interface StatementParts {
  readonly part: Buffer
  readonly last: Buffer
}

/**
 * Writes `dice match --json`'s line objects (`{"n":…,"level":…,"host":…,"statement":…}`), the same text
 * `JSON.stringify` of each part gives, with the parts already seen copied as bytes: a line is its number and two
 * copies (level and host; statement and line end), each one call, whatever its length.
 */
export class JsonMatchLines {
  private readonly hosts = new Map<string, HostParts>()
  private readonly statements = new Map<string, StatementParts>()
  private readonly nullHost: HostParts = { json: Buffer.from('null'), levels: [], parts: [] }
  private static readonly NULL_STATEMENT = statementParts('null')
  private static readonly AMBIGUOUS = Buffer.from(',"ambiguous":')
  private static readonly END = Buffer.from('}\n')

  /** `statement(id)`: the JSON of the statement part (`{"id":…,"file":…,"line":…}`). */
  constructor(
    private readonly out: ByteLines,
    private readonly statement: (id: string) => string,
  ) {}

  /** `extra`: more members, written before the object's end (`,"explain":…`). */
  line(n: number, level: string | null, host: string | null, statementId: string | null, ambiguous: readonly string[] | undefined, extra?: string): void {
    const out = this.out
    // `{"n":` as five byte stores: cheaper than a copy's call.
    const b = out.reserve(5)
    let at = out.pos
    b[at++] = 123
    b[at++] = 34
    b[at++] = 110
    b[at++] = 34
    b[at++] = 58
    out.pos = at
    out.digits(n)
    out.bytes(this.levelAndHost(level, host))
    const s = statementId === null ? JsonMatchLines.NULL_STATEMENT : this.statementOf(statementId)
    if (ambiguous === undefined && extra === undefined) return out.bytes(s.last)
    out.bytes(s.part)
    if (ambiguous !== undefined) {
      out.bytes(JsonMatchLines.AMBIGUOUS)
      out.text(JSON.stringify(ambiguous))
    }
    if (extra !== undefined) out.text(extra)
    out.bytes(JsonMatchLines.END)
  }

  private statementOf(id: string): StatementParts {
    let s = this.statements.get(id)
    if (s === undefined) this.statements.set(id, (s = statementParts(this.statement(id))))
    return s
  }

  /** `,"level":…,"host":…` for this level and host. */
  private levelAndHost(level: string | null, host: string | null): Buffer {
    let h: HostParts | undefined
    if (host === null) h = this.nullHost
    else if ((h = this.hosts.get(host)) === undefined) {
      h = { json: jsonBytes(host), levels: [], parts: [] }
      // More distinct hosts than are kept: this one's parts are made for this line only.
      if (this.hosts.size >= MAX_HOSTS) return partOf(level, h.json)
      this.hosts.set(host, h)
    }
    const levels = h.levels
    for (let i = 0; i < levels.length; i++) if (levels[i] === level) return h.parts[i]!
    const p = partOf(level, h.json)
    levels.push(level)
    h.parts.push(p)
    return p
  }
}

/** `,"statement":` + `json`, with and without the line's end after it. */
function statementParts(json: string): StatementParts {
  const last = Buffer.from(`,"statement":${json}}\n`)
  return { part: last.subarray(0, last.length - 2), last }
}

function partOf(level: string | null, host: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`,"level":${level === null ? 'null' : JSON.stringify(level)},"host":`), host])
}
