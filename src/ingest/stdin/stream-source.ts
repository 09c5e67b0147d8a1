import { LineSplitter, type SplitLine } from '../line-splitter.js'
import type { LogSource, RawLine } from '../source.js'

/** Options of a StreamSource. */
export interface StreamSourceOptions {
  /** Source name for counters (`stdin`). */
  name: string
  /** Any byte stream: process.stdin, a child's stdout, a socket. */
  input: AsyncIterable<Buffer | string>
  host?: string
  maxLineBytes: number
}

/**
 * Lines from a byte stream (stdin for `dice replay -` and `dice match`). A stream cannot be rewound, so
 * its lines carry no checkpoint: replaying the same stream twice counts it twice.
 */
export class StreamSource implements LogSource {
  readonly name: string
  constructor(private readonly o: StreamSourceOptions) {
    this.name = o.name
  }

  async *lines(signal: AbortSignal): AsyncGenerator<RawLine> {
    for await (const batch of this.batches(signal)) yield* batch
  }

  async *batches(signal: AbortSignal): AsyncGenerator<RawLine[]> {
    const splitter = new LineSplitter(this.o.maxLineBytes)
    const out: SplitLine[] = []
    const host = this.o.host
    for await (const chunk of this.o.input) {
      if (signal.aborted) return
      out.length = 0
      splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk, out)
      if (out.length) yield out.map((l) => ({ text: l.text, flags: l.flags, host }))
    }
    out.length = 0
    splitter.end(out)
    if (out.length) yield out.map((l) => ({ text: l.text, flags: l.flags, host }))
  }
}
