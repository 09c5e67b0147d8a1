import { open } from 'node:fs/promises'
import { resolve } from 'node:path'
import { createGunzip } from 'node:zlib'
import type { Store } from '../../store/store.js'
import { LineSplitter, type SplitLine } from '../line-splitter.js'
import { FileCheckpoint, FileLine, type LogSource, type RawLine } from '../source.js'
import { checkpointIdentity, fileCheckpointKey, fingerprintOf, identityOf, resumePoint } from './identity.js'
import { podOf } from './pod-host.js'

/**
 * A plain file that ends in the middle of a line and was modified less than this long ago may still be
 * written: its last line is left for the next run. Quiet for longer, the file is taken as complete.
 */
export const PARTIAL_LINE_QUIET_MS = 5 * 60_000

/** Options of a ReplaySource. */
export interface ReplaySourceOptions {
  path: string
  store: Pick<Store, 'getCheckpoint'>
  host?: string
  maxLineBytes: number
  chunkBytes?: number
  cwd?: string
  /** Wall clock compared with the file's mtime (filesystem times are real times, not `--at`). */
  now?: () => number
  /** See PARTIAL_LINE_QUIET_MS. */
  quietMs?: number
}

/**
 * Reads one file once, from its checkpoint to its end (`dice replay`): plain text or gzip (detected by the
 * magic bytes, not the name). Offsets of a gzip file count uncompressed bytes. Checkpoints are keyed by
 * file identity (dev:ino + a fingerprint of the first bytes), like the file source's: replaying an unchanged
 * file again, the same file under its rotated name or through a symlink, or tailing it afterwards, adds
 * nothing. An unterminated last line of a plain file modified recently is not read (see `heldPartial`).
 */
export class ReplaySource implements LogSource {
  readonly name: string
  readonly path: string
  /** Bytes of an unterminated last line left unread by the last `batches()` (the writer may still finish it). */
  heldPartial = 0
  constructor(private readonly o: ReplaySourceOptions) {
    this.path = resolve(o.cwd ?? process.cwd(), o.path)
    this.name = `file:${this.path}`
  }

  async *lines(signal: AbortSignal): AsyncGenerator<RawLine> {
    for await (const batch of this.batches(signal)) yield* batch
  }

  async *batches(signal: AbortSignal): AsyncGenerator<RawLine[]> {
    const chunk = this.o.chunkBytes ?? 65_536
    const fh = await open(this.path, 'r')
    let pending: Promise<{ bytesRead: number }> | null = null
    try {
      const st = await fh.stat({ bigint: true })
      const key = fileCheckpointKey(st)
      const identity = checkpointIdentity(identityOf(st), await fingerprintOf(fh, Number(st.size)))
      const magic = Buffer.alloc(2)
      const { bytesRead } = await fh.read(magic, 0, 2, 0)
      const gz = bytesRead === 2 && magic[0] === 0x1f && magic[1] === 0x8b
      const { cp } = await resumePoint(this.o.store, this.path, fh, st)
      let start = 0
      let lines = 0
      if (cp && (gz || cp.offset <= Number(st.size))) (start = cp.offset), (lines = cp.lines)
      const splitter = new LineSplitter(this.o.maxLineBytes, start)
      const out: SplitLine[] = []
      const host = this.o.host ?? podOf(this.path) ?? undefined
      let lastEnd = start
      const emit = (l: SplitLine): RawLine => {
        lastEnd = l.end
        return new FileLine(l.text, l.flags, host, new FileCheckpoint(key, identity, l.end, ++lines))
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
      this.heldPartial = 0
      if (out.length && !gz) {
        // No newline yet: a writer may be in the middle of this line. Counting the head now would lose the
        // occurrence (its tail would be read later as a line of its own), so unless the file has been quiet
        // long enough to be complete, the checkpoint stays before it and the next run reads it whole.
        const mtime = Number((await fh.stat()).mtimeMs)
        if ((this.o.now ?? Date.now)() - mtime < (this.o.quietMs ?? PARTIAL_LINE_QUIET_MS)) {
          this.heldPartial = Math.max(1, out[0]!.end - lastEnd)
          out.length = 0
        }
      }
      if (out.length) yield out.map(emit)
    } finally {
      // A read still in flight (the consumer stopped early) must finish before the handle closes.
      if (pending) await pending.catch(() => {})
      await fh.close().catch(() => {})
    }
  }
}
