import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { appendFileSync, copyFileSync, renameSync, truncateSync, writeFileSync, openSync, writeSync, closeSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { tempSqliteStore } from '../../store/testutil/stores.js'
import type { Store } from '../../store/store.js'
import { LINE_BAD_UTF8, LINE_NUL, LINE_TOO_LONG, type LogSource, type RawLine } from '../source.js'
import { FileSource } from './file-source.js'
import { checkpointKeyOfPath, identityOf, legacyCheckpointKey } from './identity.js'
import { tempDir } from '../../testutil/tmp.js'

/** Readers still running: afterEach stops them before it closes the store they read checkpoints from. */
const running = new Set<() => Promise<void>>()

function reader(src: LogSource) {
  const ac = new AbortController()
  const got: RawLine[] = []
  // The source's failure is kept and rethrown by until()/stop(): left on a bare promise, a failure while the
  // test awaits something else would be an unhandled rejection that fails the run after every test passed.
  let failure: { error: unknown } | null = null
  const done = (async () => {
    for await (const l of src.lines(ac.signal)) got.push(l)
  })().catch((error) => void (failure = { error }))
  const stop = async () => {
    running.delete(stop)
    ac.abort()
    await done
    if (failure) throw failure.error
  }
  running.add(stop)
  return {
    got,
    texts: () => got.map((l) => l.text),
    async until(n: number, ms = 5000) {
      const end = Date.now() + ms
      while (got.length < n && Date.now() < end && !failure) await new Promise((r) => setTimeout(r, 10))
      if (failure) throw failure.error
      return got.map((l) => l.text)
    },
    stop,
  }
}

/** Waits until the source has opened n files: a line appended before that counts as already there when fromStart is false. */
async function tracking(src: FileSource, n: number, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (src['tracked'].size < n) {
    if (Date.now() > end) throw new Error(`the source tracked ${src['tracked'].size} of ${n} files`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

const lines = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix} ${i}`)

describe('FileSource', () => {
  let dir: string
  let store: Store
  beforeEach(async () => {
    dir = tempDir('file')
    store = (await tempSqliteStore()).store
  })
  afterEach(async () => {
    // A test that failed before stopping its reader must not leave it polling a closed store.
    await Promise.allSettled([...running].map((stop) => stop()))
    await store.close()
  })
  const source = (path: string, extra: Partial<ConstructorParameters<typeof FileSource>[0]> = {}) =>
    new FileSource({ name: 'test', path, store, fromStart: true, maxLineBytes: 1024, pollMs: 20, rescanMs: 50, ...extra })

  it('follows rename rotation: finishes the old file, then reads the new one from its start', async () => {
    const p = join(dir, 'app.log')
    writeFileSync(p, lines('a', 3).join('\n') + '\n')
    const r = reader(source(p))
    expect(await r.until(3)).toEqual(lines('a', 3))
    // The writer still holds the old file: a last line lands after the rename, before it reopens.
    const fd = openSync(p, 'a')
    renameSync(p, p + '.1')
    writeSync(fd, 'a last\n')
    closeSync(fd)
    writeFileSync(p, lines('b', 2).join('\n') + '\n')
    expect(await r.until(6)).toEqual([...lines('a', 3), 'a last', ...lines('b', 2)])
    await r.stop()
    const ids = new Set(r.got.map((l) => l.checkpoint!.source)) // one checkpoint key per file (its identity)
    expect(ids.size).toBe(2)
    expect(r.got.at(-1)!.checkpoint).toMatchObject({ source: await checkpointKeyOfPath(p), offset: 8, lines: 2 })
  })

  it('does not read a rotated file again when the glob also matches rotated names', async () => {
    const p = join(dir, 'app.log')
    writeFileSync(p, 'a 0\na 1\n')
    const r = reader(source(join(dir, 'app.log*')))
    await r.until(2)
    renameSync(p, p + '.1')
    writeFileSync(p, 'b 0\n')
    await r.until(3)
    await new Promise((res) => setTimeout(res, 300)) // several re-scans see app.log.1
    await r.stop()
    expect(r.texts()).toEqual(['a 0', 'a 1', 'b 0'])
  })

  it('restarts at 0 after copytruncate', async () => {
    const p = join(dir, 'app.log')
    writeFileSync(p, lines('old', 50).join('\n') + '\n')
    const r = reader(source(p))
    await r.until(50)
    copyFileSync(p, p + '.1')
    truncateSync(p, 0)
    await new Promise((res) => setTimeout(res, 100))
    appendFileSync(p, 'new 0\nnew 1\n')
    expect((await r.until(52)).slice(50)).toEqual(['new 0', 'new 1'])
    await r.stop()
    expect(r.got.at(-1)!.checkpoint).toMatchObject({ offset: 12, lines: 2 })
  })

  it('picks up a file that appears under the glob later, from its first line', async () => {
    writeFileSync(join(dir, 'a.log'), 'a 0\n')
    writeFileSync(join(dir, 'ignored.txt'), 'x\n')
    const src = source(join(dir, '*.log'), { fromStart: false })
    const r = reader(src)
    await tracking(src, 1)
    appendFileSync(join(dir, 'a.log'), 'a 1\n')
    writeFileSync(join(dir, 'b.log'), 'b 0\nb 1\n')
    await r.until(3)
    await r.stop()
    // a.log existed at start with fromStart=false: only its new line; b.log is new: all of it.
    expect(r.texts().sort()).toEqual(['a 1', 'b 0', 'b 1'])
  })

  it('resumes from the stored checkpoint, and finishes a file rotated while it was down', async () => {
    const p = join(dir, 'app.log')
    writeFileSync(p, lines('a', 10).join('\n') + '\n')
    const r1 = reader(source(p))
    await r1.until(10)
    await r1.stop()
    // Pretend the pipeline counted the first 4 lines only.
    await store.applyCounts({ occurrences: [], unowned: [], checkpoints: [r1.got[3]!.checkpoint!] })
    const r2 = reader(source(p))
    expect(await r2.until(6)).toEqual(lines('a', 10).slice(4))
    await r2.stop()
    await store.applyCounts({ occurrences: [], unowned: [], checkpoints: [r2.got[1]!.checkpoint!] }) // through 'a 5'
    appendFileSync(p, 'a 10\n')
    renameSync(p, p + '.1')
    writeFileSync(p, 'b 0\n')
    const r3 = reader(source(p))
    expect(await r3.until(6)).toEqual(['a 6', 'a 7', 'a 8', 'a 9', 'a 10', 'b 0'])
    await r3.stop()
  })

  it('after a restart, resumes a file rotated away while it was down under its new name, and reads the new file from 0', async () => {
    const p = join(dir, 'app.log')
    writeFileSync(p, 'a 0\na 1\na 2\n')
    const r1 = reader(source(p))
    await r1.until(3)
    await r1.stop()
    await store.applyCounts({ occurrences: [], unowned: [], checkpoints: [r1.got[1]!.checkpoint!] }) // through 'a 1'
    renameSync(p, p + '.1')
    writeFileSync(p, 'b 0\n')
    // The glob matches the rotated name too, and files without a checkpoint would start at their end.
    const r2 = reader(source(join(dir, 'app.log*'), { fromStart: false }))
    await r2.until(2)
    await new Promise((res) => setTimeout(res, 200)) // re-scans must not read app.log.1 again
    await r2.stop()
    expect(r2.texts().sort()).toEqual(['a 2', 'b 0'])
  })

  it('finishes a file rotated while it was down from a checkpoint an older version stored under the path', async () => {
    const p = join(dir, 'app.log')
    writeFileSync(p, 'a 0\na 1\na 2\n')
    const st = statSync(p, { bigint: true })
    await store.applyCounts({ occurrences: [], unowned: [], checkpoints: [{ source: legacyCheckpointKey(p), identity: identityOf(st), offset: 4, lines: 1 }] })
    renameSync(p, p + '.1')
    writeFileSync(p, 'b 0\n')
    const r = reader(source(p, { fromStart: false }))
    expect(await r.until(3)).toEqual(['a 1', 'a 2', 'b 0'])
    await r.stop()
  })

  it('starts a file that reuses a deleted file\'s inode at 0 (its first bytes differ from the checkpoint\'s fingerprint)', async () => {
    const p = join(dir, 'app.log')
    writeFileSync(p, 'new 0\nnew 1\n')
    const st = statSync(p, { bigint: true })
    await store.applyCounts({ occurrences: [], unowned: [], checkpoints: [{ source: await checkpointKeyOfPath(p), identity: `${identityOf(st)}:6:0123456789abcdef`, offset: 6, lines: 1 }] })
    const r = reader(source(p, { fromStart: false }))
    expect(await r.until(2)).toEqual(['new 0', 'new 1'])
    await r.stop()
  })

  it('starts at the end of a file with no checkpoint when fromStart is false', async () => {
    const p = join(dir, 'app.log')
    writeFileSync(p, 'before\n')
    const src = source(p, { fromStart: false })
    const r = reader(src)
    await tracking(src, 1)
    appendFileSync(p, 'after\n')
    expect(await r.until(1)).toEqual(['after'])
    await r.stop()
  })

  it('flags NUL bytes and invalid UTF-8 per line and keeps going', async () => {
    const p = join(dir, 'bad.log')
    writeFileSync(p, Buffer.concat([Buffer.from('ok 1\nnul\0\0here\n'), Buffer.from([0x62, 0x61, 0x64, 0xff, 0xfe, 0x0a]), Buffer.from('ok 2\n')]))
    const r = reader(source(p))
    await r.until(4)
    await r.stop()
    expect(r.got.map((l) => [l.text, l.flags])).toEqual([['ok 1', 0], ['nulhere', LINE_NUL], ['bad\ufffd\ufffd', LINE_BAD_UTF8], ['ok 2', 0]])
  })

  it('bounds a 10 MB line to maxLineBytes and still reads the next line at the right offset', async () => {
    const p = join(dir, 'long.log')
    writeFileSync(p, 'x'.repeat(10 * 1024 * 1024) + '\nnext\n')
    const r = reader(source(p, { maxLineBytes: 4096 }))
    await r.until(2)
    await r.stop()
    expect(r.got[0]!.text.length).toBe(4096)
    expect(r.got[0]!.flags).toBe(LINE_TOO_LONG)
    expect(r.got[1]).toMatchObject({ text: 'next', flags: 0, checkpoint: { offset: statSync(p).size, lines: 2 } })
  })
})
