import { open } from 'node:fs/promises'
import { resolve } from 'node:path'
import { createGunzip } from 'node:zlib'
import type { Checkpoint } from '../../core/types.js'
import type { Store } from '../../store/store.js'
import { LineSplitter, type SplitLine } from '../line-splitter.js'
import type { LogSource, RawLine } from '../source.js'
import { fileCheckpointKey, identityOf } from './file-source.js'

/** Options of a ReplaySource. */
export interface ReplaySourceOptions {
  path: string
  store: Pick<Store, 'getCheckpoint'>
  host?: string
  maxLineBytes: number
  chunkBytes?: number
  cwd?: string
}

/**
 * Reads one file once, from its checkpoint to its end (`dice replay`): plain text or gzip (detected by the
 * magic bytes, not the name). Offsets of a gzip file count uncompressed bytes. It shares the checkpoint
 * key of the file source, so replaying an unchanged file again, or tailing it afterwards, adds nothing.
 */
export class ReplaySource implements LogSource {
  readonly name: string
  readonly path: string
  constructor(private readonly o: ReplaySourceOptions) {
    this.path = resolve(o.cwd ?? process.cwd(), o.path)
    this.name = `file:${this.path}`
  }

  async *lines(signal: AbortSignal): AsyncGenerator<RawLine> {
    for await (const batch of this.batches(signal)) yield* batch
  }

  async *batches(signal: AbortSignal): AsyncGenerator<RawLine[]> {
    const chunk = this.o.chunkBytes ?? 65_536
    const key = fileCheckpointKey(this.path)
    const fh = await open(this.path, 'r')
    let pending: Promise<{ bytesRead: number }> | null = null
    try {
      const st = await fh.stat({ bigint: true })
      const identity = identityOf(st)
      const magic = Buffer.alloc(2)
      const { bytesRead } = await fh.read(magic, 0, 2, 0)
      const gz = bytesRead === 2 && magic[0] === 0x1f && magic[1] === 0x8b
      const cp = await this.o.store.getCheckpoint(key)
      let start = 0
      let lines = 0
      if (cp && cp.identity === identity && (gz || cp.offset <= Number(st.size))) (start = cp.offset), (lines = cp.lines)
      const splitter = new LineSplitter(this.o.maxLineBytes, start)
      const out: SplitLine[] = []
      const host = this.o.host
      const emit = (l: SplitLine): RawLine => {
        const checkpoint: Checkpoint = { source: key, identity, offset: l.end, lines: ++lines }
        return { text: l.text, flags: l.flags, host, checkpoint }
      }
      if (!gz) {
        // Two buffers: the next chunk is read while this one is split and counted, so the pipeline does
        // not sit idle waiting for the disk between chunks (the splitter copies what it keeps).
        const bufs = [Buffer.allocUnsafe(chunk), Buffer.allocUnsafe(chunk)]
        let which = 0
        let pos = start
        pending = fh.read(bufs[0]!, 0, chunk, pos)
        for (;;) {
          if (signal.aborted) return
          const { bytesRead: n } = await pending
          pending = null
          if (n === 0) break
          const buf = bufs[which]!
          pos += n
          which ^= 1
          pending = fh.read(bufs[which]!, 0, chunk, pos)
          out.length = 0
          splitter.push(buf.subarray(0, n), out)
          if (out.length) yield out.map(emit)
        }
      } else {
        let skip = start // uncompressed bytes already counted
        const gunzip = fh.createReadStream({ start: 0, highWaterMark: chunk, autoClose: false }).pipe(createGunzip({ chunkSize: Math.max(64, chunk) }))
        for await (const data of gunzip as AsyncIterable<Buffer>) {
          if (signal.aborted) return gunzip.destroy()
          let b = data
          if (skip > 0) {
            if (b.length <= skip) {
              skip -= b.length
              continue
            }
            b = b.subarray(skip)
            skip = 0
          }
          out.length = 0
          splitter.push(b, out)
          if (out.length) yield out.map(emit)
        }
      }
      out.length = 0
      splitter.end(out)
      if (out.length) yield out.map(emit)
    } finally {
      // A read still in flight (the consumer stopped early) must finish before the handle closes.
      if (pending) await pending.catch(() => {})
      await fh.close().catch(() => {})
    }
  }
}
