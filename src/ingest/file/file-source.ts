import { watch, type FSWatcher } from 'node:fs'
import { open, readdir, stat, type FileHandle } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { Checkpoint } from '../../core/types.js'
import type { Store } from '../../store/store.js'
import { LineSplitter, type SplitLine } from '../line-splitter.js'
import { FileCheckpoint, FileLine, type LogSource, type RawLine } from '../source.js'
import { compileGlob, type FileGlob } from './glob.js'
import { checkpointIdentity, fileCheckpointKey, FINGERPRINT_BYTES, fingerprintOf, identityOf, legacyCheckpointKey, resumePoint, sameFile } from './identity.js'
import { podOf } from './pod-host.js'


/** How a FileSource finds, tails and resumes its files. */
export interface FileSourceOptions {
  /** Source name for counters and logs, e.g. `file:/var/log/app/*.log`. */
  name: string
  /** A path or glob pattern. */
  path: string
  /** Checkpoints are read from here at start (the pipeline writes them). */
  store: Pick<Store, 'getCheckpoint'>
  host?: string
  /** For a file found at startup with no checkpoint: read it from the start (true) or only new lines (false). */
  fromStart: boolean
  maxLineBytes: number
  /** Poll interval: the fallback when fs.watch misses an event (network filesystems, some containers). */
  pollMs?: number
  /** How often the pattern is re-expanded to pick up new files. */
  rescanMs?: number
  chunkBytes?: number
  maxFiles?: number
  cwd?: string
  /** Wall clock for "file missing since" bookkeeping. */
  now?: () => number
}

interface OpenFile {
  fh: FileHandle
  /** dev:ino (in-memory comparisons). */
  identity: string
  /** Checkpoint key (by identity, shared with `dice replay`). */
  key: string
  /** Bytes covered by `fingerprint`: grows with the file up to FINGERPRINT_BYTES. */
  fpLen: number
  /** Stored identity: dev:ino plus the fingerprint of the first fpLen bytes. */
  cpIdentity: string
  /** Bytes read (the splitter's offset). */
  pos: number
  lines: number
  splitter: LineSplitter
  /** The source's `host`, else the Kubernetes pod the path names (podOf). */
  host: string | undefined
}

interface Tracked {
  path: string
  cur: OpenFile | null
  /** Rotated-away files still to be read to their end before `cur` (rename rotation). */
  old: OpenFile[]
  missingSince: number | null
}

const MISSING_CLOSE_MS = 30_000
const CHUNKS_PER_ROUND = 16

/**
 * Tails the files matching a glob: resumes each from its checkpoint (identity dev:ino + byte offset),
 * follows rename rotation (finishes the old file, then reads the new one from 0) and copytruncate (size
 * below our offset: restart at 0), and picks up new files on a periodic re-scan. fs.watch wakes it early;
 * a poll is the fallback. Runs until the signal aborts.
 */
export class FileSource implements LogSource {
  readonly name: string
  private readonly glob: FileGlob
  private readonly tracked = new Map<string, Tracked>()
  private readonly watchers = new Map<string, FSWatcher>()
  /** Identities of rotated-away files read to their end: a glob that also matches rotated names must not read them again. */
  private readonly done = new Set<string>()
  private dirty = false
  private wakeUp: (() => void) | null = null

  constructor(private readonly o: FileSourceOptions) {
    this.name = o.name
    this.glob = compileGlob(o.path, o.cwd)
  }

  async *lines(signal: AbortSignal): AsyncGenerator<RawLine> {
    for await (const batch of this.batches(signal)) yield* batch
  }

  async *batches(signal: AbortSignal): AsyncGenerator<RawLine[]> {
    const o = this.o
    const now = o.now ?? Date.now
    const buf = Buffer.allocUnsafe(o.chunkBytes ?? 65_536)
    const pollMs = o.pollMs ?? 250
    const rescanMs = o.rescanMs ?? 1000
    try {
      this.watchDir(this.glob.base)
      await this.scan(true)
      let lastScan = now()
      while (!signal.aborted) {
        let progressed = false
        for (const t of [...this.tracked.values()]) {
          while (t.old.length) {
            const f = t.old[0]!
            yield* this.read(t, f, buf, Infinity, true)
            await f.fh.close().catch(() => {})
            t.old.shift()
            this.finished(f.identity)
            progressed = true
          }
          if (!t.cur) continue
          const before = t.cur.pos
          yield* this.read(t, t.cur, buf, CHUNKS_PER_ROUND, false)
          if (t.cur.pos !== before) {
            progressed = true
            continue // more may be waiting; rotation is checked once the file is drained
          }
          if (await this.checkRotation(t, now())) progressed = true
          if (signal.aborted) return
        }
        if (now() - lastScan >= rescanMs) {
          await this.scan(false)
          lastScan = now()
        }
        if (!progressed) await this.sleep(pollMs, signal)
      }
    } finally {
      for (const w of this.watchers.values()) w.close()
      this.watchers.clear()
      for (const t of this.tracked.values()) {
        for (const f of [...t.old, ...(t.cur ? [t.cur] : [])]) await f.fh.close().catch(() => {})
      }
      this.tracked.clear()
    }
  }

  /** Read up to `maxChunks` chunks of `f`; `final` also emits an unterminated last line (the file is done). */
  private async *read(t: Tracked, f: OpenFile, buf: Buffer, maxChunks: number, final: boolean): AsyncGenerator<RawLine[]> {
    const out: SplitLine[] = []
    for (let i = 0; i < maxChunks; i++) {
      const { bytesRead } = await f.fh.read(buf, 0, buf.length, f.pos)
      if (bytesRead === 0) break
      f.pos += bytesRead
      // A file still shorter than the fingerprint: widen it to the bytes now read (they no longer change).
      if (f.fpLen < FINGERPRINT_BYTES && f.pos > f.fpLen) await this.refingerprint(f)
      out.length = 0
      f.splitter.push(buf.subarray(0, bytesRead), out)
      if (out.length) yield out.map((l) => this.raw(f, l))
    }
    if (final) {
      out.length = 0
      f.splitter.end(out)
      if (out.length) yield out.map((l) => this.raw(f, l))
    }
  }

  private async refingerprint(f: OpenFile): Promise<void> {
    const fp = await fingerprintOf(f.fh, f.pos)
    f.fpLen = Number(fp.slice(0, fp.indexOf(':')))
    f.cpIdentity = checkpointIdentity(f.identity, fp)
  }

  private raw(f: OpenFile, l: SplitLine): RawLine {
    return new FileLine(l.text, l.flags, f.host, new FileCheckpoint(f.key, f.cpIdentity, l.end, ++f.lines))
  }

  /** After draining `t.cur` to EOF: detect rename rotation, copytruncate, or a vanished file. */
  private async checkRotation(t: Tracked, nowMs: number): Promise<boolean> {
    const cur = t.cur!
    let st
    try {
      st = await stat(t.path, { bigint: true })
    } catch {
      st = null
    }
    if (st && st.isFile() && identityOf(st) !== cur.identity) {
      // Renamed away and a new file took its place: finish the old one (the writer may still add a last
      // line before reopening), then start the new file from 0.
      t.old.push(cur)
      t.cur = await this.openFile(t.path, 0, 0)
      t.missingSince = null
      return true
    }
    if (!st) {
      t.missingSince ??= nowMs
      if (nowMs - t.missingSince > MISSING_CLOSE_MS) {
        await cur.fh.close().catch(() => {})
        this.tracked.delete(t.path)
      }
      return false
    }
    t.missingSince = null
    const size = Number((await cur.fh.stat()).size)
    if (size < cur.pos) {
      // copytruncate: the file was copied elsewhere and emptied in place.
      cur.pos = 0
      cur.lines = 0
      cur.fpLen = 0 // new content: a new fingerprint
      cur.splitter.reset(0)
      return true
    }
    return false
  }

  private async scan(startup: boolean): Promise<void> {
    const paths = await this.glob.expand(this.o.maxFiles ?? 1000)
    const dirs = new Map<string, string[]>() // one readdir per directory per scan
    for (const p of paths) {
      if (this.tracked.has(p)) continue
      if (this.isTrackedIdentity(await statIdentity(p))) continue // a rotated name of a file we already read
      try {
        await this.track(p, startup, dirs)
      } catch {
        // Unreadable or vanished between readdir and open: the next scan retries.
      }
    }
  }

  private finished(identity: string): void {
    if (this.done.size >= 1000) this.done.delete(this.done.values().next().value!)
    this.done.add(identity)
  }

  private isTrackedIdentity(id: string | null): boolean {
    if (!id) return false
    if (this.done.has(id)) return true
    for (const t of this.tracked.values()) {
      if (t.cur?.identity === id || t.old.some((f) => f.identity === id)) return true
    }
    return false
  }

  private async track(path: string, startup: boolean, dirs: Map<string, string[]>): Promise<void> {
    const t: Tracked = { path, cur: null, old: [], missingSince: null }
    const cur = await this.openFile(path, 0, 0)
    try {
      const size = Number((await cur.fh.stat()).size)
      const { cp, stale } = await resumePoint(this.o.store, path, cur.fh, await cur.fh.stat({ bigint: true }))
      if (cp) {
        // Read before, under this name or another (rotation renames, symlinks): resume exactly after the last
        // counted line; it shrank while we were down → copytruncate, start over.
        if (cp.offset <= size) (cur.pos = cp.offset), (cur.lines = cp.lines), cur.splitter.reset(cp.offset)
      } else {
        // New to us. Rotated while we were down? Then the file we were reading now sits next to the path under
        // a rotated name (app.log.1, app.log-20260301): finish it first, and read this one from its start. So
        // too when it took the inode of a file we read (deleted, then a new one created): it is newer than us.
        const rotated = await this.rotatedSiblings(path, dirs)
        t.old.push(...rotated.partial)
        if (!rotated.seen && !stale && startup && !this.o.fromStart) (cur.pos = size), cur.splitter.reset(size)
      }
    } catch (e) {
      await cur.fh.close().catch(() => {})
      throw e
    }
    t.cur = cur
    this.tracked.set(path, t)
    this.watchDir(dirname(path))
  }

  /**
   * Files next to `path` whose names extend its name and that we have checkpoints for: `seen` when any
   * exists (the path's current file was created after we last read there), `partial` the ones not read to
   * their end, oldest first.
   */
  private async rotatedSiblings(path: string, dirs: Map<string, string[]>): Promise<{ seen: boolean; partial: OpenFile[] }> {
    const dir = dirname(path)
    const name = basename(path)
    let entries = dirs.get(dir)
    if (entries === undefined) {
      entries = await readdir(dir).catch(() => [] as string[])
      dirs.set(dir, entries)
    }
    // A store from before identity keys names the file last read at this path.
    const legacy = await this.o.store.getCheckpoint(legacyCheckpointKey(path))
    let seen = legacy !== null
    const partial: Array<{ f: OpenFile; mtime: number }> = []
    for (const e of entries.filter((e) => e !== name && e.startsWith(name)).slice(0, 200)) {
      let f: OpenFile | null = null
      try {
        // Most rotated names were never read by us: look their identity up before opening them.
        const pst = await stat(join(dir, e), { bigint: true })
        if (!pst.isFile()) continue
        const known = await this.o.store.getCheckpoint(fileCheckpointKey(pst))
        if (!known && !(legacy && legacy.identity === identityOf(pst))) continue
        f = await this.openFile(join(dir, e), 0, 0)
        const st = await f.fh.stat({ bigint: true })
        let cp = f.identity === identityOf(pst) ? known : await this.o.store.getCheckpoint(f.key)
        if (cp && !(await sameFile(cp.identity, f.identity, f.fh))) cp = null
        if (!cp && legacy && legacy.identity === f.identity) cp = legacy
        if (cp) seen = true
        if (cp && cp.offset < Number(st.size) && !this.isTrackedIdentity(f.identity)) {
          f.pos = cp.offset
          f.lines = cp.lines
          f.splitter.reset(cp.offset)
          partial.push({ f, mtime: Number(st.mtimeMs) })
          f = null
        }
      } catch {
        // Vanished or unreadable: nothing to finish.
      } finally {
        await f?.fh.close().catch(() => {})
      }
    }
    return { seen, partial: partial.sort((a, b) => a.mtime - b.mtime).map((p) => p.f) }
  }

  private async openFile(path: string, pos: number, lines: number): Promise<OpenFile> {
    const fh = await open(path, 'r')
    try {
      const st = await fh.stat({ bigint: true })
      const identity = identityOf(st)
      const fp = await fingerprintOf(fh, Number(st.size))
      return {
        fh, identity, key: fileCheckpointKey(st), fpLen: Number(fp.slice(0, fp.indexOf(':'))), cpIdentity: checkpointIdentity(identity, fp),
        pos, lines, splitter: new LineSplitter(this.o.maxLineBytes, pos), host: this.o.host ?? podOf(path) ?? undefined,
      }
    } catch (e) {
      await fh.close().catch(() => {})
      throw e
    }
  }

  private watchDir(dir: string): void {
    if (this.watchers.has(dir) || this.watchers.size >= 64) return
    try {
      const w = watch(dir, { persistent: false }, () => this.wake())
      w.on('error', () => {
        w.close()
        this.watchers.delete(dir)
      })
      this.watchers.set(dir, w)
    } catch {
      // No inotify (limits, exotic filesystems): polling still finds everything.
    }
  }

  private wake(): void {
    this.dirty = true
    const w = this.wakeUp
    this.wakeUp = null
    w?.()
  }

  private sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (this.dirty) {
      this.dirty = false
      return Promise.resolve()
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        signal.removeEventListener('abort', done)
        this.wakeUp = null
        this.dirty = false
        resolve()
      }
      const timer = setTimeout(done, ms)
      signal.addEventListener('abort', done, { once: true })
      this.wakeUp = done
    })
  }
}

async function statIdentity(path: string): Promise<string | null> {
  try {
    return identityOf(await stat(path, { bigint: true }))
  } catch {
    return null
  }
}
