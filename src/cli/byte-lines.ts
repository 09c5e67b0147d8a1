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
  private pos = 0
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
    // A loop copies a short part several times faster than TypedArray#set, whose call costs more than the copy.
    if (n <= 128) for (let i = 0; i < n; i++) b[at + i] = p[i]!
    else b.set(p, at)
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

/**
 * Writes `dice match --json`'s line objects (`{"n":…,"level":…,"host":…,"statement":…}`), the same text
 * `JSON.stringify` of each part gives, with the parts already seen copied as bytes.
 */
export class JsonMatchLines {
  private readonly levels = new Map<string, Buffer>()
  private readonly hosts = new Map<string, Buffer>()
  private readonly statements = new Map<string, Buffer>()
  private static readonly N = Buffer.from('{"n":')
  private static readonly NULL_LEVEL = Buffer.from(',"level":null,"host":')
  private static readonly NULL = Buffer.from('null')
  private static readonly NULL_STATEMENT = Buffer.from(',"statement":null')
  private static readonly AMBIGUOUS = Buffer.from(',"ambiguous":')
  private static readonly END = Buffer.from('}\n')

  /** `statement(id)`: the JSON of the statement part (`{"id":…,"file":…,"line":…}`). */
  constructor(
    private readonly out: ByteLines,
    private readonly statement: (id: string) => string,
  ) {}

  line(n: number, level: string | null, host: string | null, statementId: string | null, ambiguous: readonly string[] | undefined): void {
    const out = this.out
    out.bytes(JsonMatchLines.N)
    out.digits(n)
    out.bytes(level === null ? JsonMatchLines.NULL_LEVEL : this.level(level))
    if (host === null) out.bytes(JsonMatchLines.NULL)
    else {
      let h = this.hosts.get(host)
      if (h === undefined) {
        h = jsonBytes(host)
        if (this.hosts.size < MAX_HOSTS) this.hosts.set(host, h)
      }
      out.bytes(h)
    }
    if (statementId === null) out.bytes(JsonMatchLines.NULL_STATEMENT)
    else {
      let s = this.statements.get(statementId)
      if (s === undefined) this.statements.set(statementId, (s = Buffer.from(`,"statement":${this.statement(statementId)}`)))
      out.bytes(s)
    }
    if (ambiguous !== undefined) {
      out.bytes(JsonMatchLines.AMBIGUOUS)
      out.text(JSON.stringify(ambiguous))
    }
    out.bytes(JsonMatchLines.END)
  }

  private level(level: string): Buffer {
    let l = this.levels.get(level)
    if (l === undefined) this.levels.set(level, (l = Buffer.from(`,"level":"${level}","host":`)))
    return l
  }
}
