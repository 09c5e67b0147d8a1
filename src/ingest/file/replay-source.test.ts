import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { appendFileSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { tempSqliteStore } from '../../store/testutil/stores.js'
import type { Store } from '../../store/store.js'
import type { RawLine } from '../source.js'
import { checkpointKeyOfPath, identityOf, legacyCheckpointKey } from './identity.js'
import { PARTIAL_LINE_QUIET_MS, ReplaySource } from './replay-source.js'
import { tempDir } from '../../testutil/tmp.js'

describe('ReplaySource checkpoints by file identity', () => {
  let dir: string
  let store: Store
  beforeEach(async () => {
    dir = tempDir('replay-src')
    store = (await tempSqliteStore()).store
  })
  afterEach(async () => {
    await store.close()
  })

  /** Replays `path` and stores the last checkpoint, as the pipeline's flush would. */
  const replay = async (path: string, extra: Partial<ConstructorParameters<typeof ReplaySource>[0]> = {}) => {
    const src = new ReplaySource({ path, store, maxLineBytes: 1024, ...extra })
    const got: RawLine[] = []
    for await (const l of src.lines(new AbortController().signal)) got.push(l)
    if (got.length) await store.applyCounts({ occurrences: [], unowned: [], checkpoints: [got.at(-1)!.checkpoint!] })
    return { texts: got.map((l) => l.text), got, held: src.heldPartial }
  }

  it('resumes a file renamed by rotation from its checkpoint under the new name, and reads the new file at the old name from 0', async () => {
    const p = join(dir, 'app.log')
    writeFileSync(p, 'a 0\na 1\na 2\n')
    expect((await replay(p)).texts).toEqual(['a 0', 'a 1', 'a 2'])
    renameSync(p, p + '.1')
    appendFileSync(p + '.1', 'a 3\n') // the writer still had it open
    writeFileSync(p, 'b 0\nb 1\n')
    expect((await replay(p + '.1')).texts).toEqual(['a 3'])
    expect((await replay(p)).texts).toEqual(['b 0', 'b 1'])
    expect((await replay(p)).texts).toEqual([])
  })

  it('shares one checkpoint between a symlink and the real path', async () => {
    const real = join(dir, 'real.log')
    writeFileSync(real, 'a 0\na 1\n')
    symlinkSync(real, join(dir, 'link.log'))
    expect((await replay(join(dir, 'link.log'))).texts).toEqual(['a 0', 'a 1'])
    appendFileSync(real, 'a 2\n')
    expect((await replay(real)).texts).toEqual(['a 2'])
    expect((await replay(join(dir, 'link.log'))).texts).toEqual([])
  })

  it('starts at 0 when the inode is reused by a new file (the fingerprint of its first bytes differs)', async () => {
    const p = join(dir, 'app.log')
    writeFileSync(p, 'new 0\nnew 1\n')
    const st = statSync(p, { bigint: true })
    // What a deleted file with the same dev:ino left behind.
    await store.applyCounts({ occurrences: [], unowned: [], checkpoints: [{ source: await checkpointKeyOfPath(p), identity: `${identityOf(st)}:6:0123456789abcdef`, offset: 6, lines: 1 }] })
    expect((await replay(p)).texts).toEqual(['new 0', 'new 1'])
  })

  it('resumes a file that grew past the fingerprint length since its checkpoint', async () => {
    const p = join(dir, 'app.log')
    writeFileSync(p, 'a 0\n')
    await replay(p)
    const more = Array.from({ length: 400 }, (_, i) => `b ${i}`)
    appendFileSync(p, more.join('\n') + '\n')
    expect((await replay(p)).texts).toEqual(more)
    appendFileSync(p, 'c 0\n')
    expect((await replay(p)).texts).toEqual(['c 0'])
  })

  it('resumes from a checkpoint an older version stored under the path (dev:ino, no fingerprint)', async () => {
    const p = join(dir, 'app.log')
    writeFileSync(p, 'a 0\na 1\na 2\n')
    const st = statSync(p, { bigint: true })
    await store.applyCounts({ occurrences: [], unowned: [], checkpoints: [{ source: legacyCheckpointKey(p), identity: identityOf(st), offset: 4, lines: 1 }] })
    const r = await replay(p)
    expect(r.texts).toEqual(['a 1', 'a 2'])
    expect(r.got.at(-1)!.checkpoint).toMatchObject({ source: await checkpointKeyOfPath(p), offset: 12, lines: 3 })
    expect((await replay(p)).texts).toEqual([])
  })

  it('leaves the unterminated last line of a recently written file for the next run, which reads it whole', async () => {
    const p = join(dir, 'app.log')
    writeFileSync(p, 'job a crashed\njob b cr')
    const r = await replay(p)
    expect(r.texts).toEqual(['job a crashed'])
    expect(r.held).toBe('job b cr'.length)
    expect(r.got.at(-1)!.checkpoint!.offset).toBe('job a crashed\n'.length)
    appendFileSync(p, 'ashed\n')
    const r2 = await replay(p)
    expect(r2.texts).toEqual(['job b crashed'])
    expect(r2.held).toBe(0)
  })

  it('reads the unterminated last line of a file not modified for longer than the quiet time', async () => {
    const p = join(dir, 'app.log')
    writeFileSync(p, 'job a crashed\njob b crashed')
    const later = () => statSync(p).mtimeMs + PARTIAL_LINE_QUIET_MS + 1000
    const r = await replay(p, { now: later })
    expect(r.texts).toEqual(['job a crashed', 'job b crashed'])
    expect(r.held).toBe(0)
    expect((await replay(p, { now: later })).texts).toEqual([])
  })

  it('reads the unterminated last line of a gzip file at once (a compressed file is complete)', async () => {
    const p = join(dir, 'app.log.gz')
    writeFileSync(p, gzipSync('job a crashed\njob b crashed'))
    const r = await replay(p)
    expect(r.texts).toEqual(['job a crashed', 'job b crashed'])
    expect(r.held).toBe(0)
  })
})
