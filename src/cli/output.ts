/** Command output on a stream the reader may close early (`dice … | head`). */

/**
 * Batches output (strings, or bytes already encoded) and honours backpressure. When the reader goes away (`dice match | head`, `dice digest | head`: EPIPE) it
 * stops quietly and says so through `closed`, so the input is not read to its end for nobody; any other write
 * error is kept and thrown by `check()`. Waiting for 'drain' removes its listeners whichever event ends the wait:
 * `Promise.race` of `events.once` would leave two behind per wait (MaxListenersExceededWarning under a slow reader)
 * and reject on the EPIPE 'error'.
 */
export class Output {
  private parts: Array<string | Uint8Array> = []
  private failure: Error | null = null
  closed = false

  constructor(private readonly out: NodeJS.WritableStream) {
    out.on('error', (e: NodeJS.ErrnoException) => {
      this.closed = true
      if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') this.failure = e
    })
  }

  push(s: string): void {
    this.parts.push(s)
  }

  /** Bytes already encoded (ByteLines), written as they are. */
  pushBytes(parts: readonly Uint8Array[]): void {
    for (const p of parts) this.parts.push(p)
  }

  async flush(): Promise<void> {
    if (this.parts.length === 0) return
    const parts = this.parts
    this.parts = []
    if (this.closed) return
    let ok = true
    // Strings are joined into one write; bytes are written as they are.
    if (parts.every((p) => typeof p === 'string')) ok = this.out.write(parts.join(''))
    else for (const p of parts) ok = this.out.write(p)
    if (!ok) await this.drained()
  }

  /** Throws a write error other than the reader going away. */
  check(): void {
    if (this.failure) throw this.failure
  }

  private drained(): Promise<void> {
    const out = this.out
    return new Promise((resolve) => {
      const done = (): void => {
        out.off('drain', done)
        out.off('close', done)
        out.off('error', done)
        resolve()
      }
      out.on('drain', done)
      out.on('close', done)
      out.on('error', done)
    })
  }
}
