import { beforeEach, describe, expect, it } from 'vitest'
import { writeFileSync, appendFileSync, copyFileSync, symlinkSync, renameSync, utimesSync } from 'node:fs'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import type { Statement } from '../../core/types.js'
import { openStore } from '../../store/registry.js'
import { runDice } from '../testutil.js'
import { tempDir } from '../../testutil/tmp.js'

const stmt = (id: string, template: string, extra: Partial<Statement> = {}): Statement => ({
  id, file: 'src/app.c', line: 1, endLine: 1, language: 'c', level: 'error', template, matchable: true,
  channels: [], mentions: [], blame: null, callee: 'ERROR_LOG', ...extra,
})
const FORMAT = 'regex:^(?<level>[A-Z]+) (?<host>\\S+) (?<message>.*)$'
const ENV = { SLACK_BOT_TOKEN: '', DICE_DATABASE_URL: '', DICE_NOW: '' }

describe('dice replay', () => {
  let dir: string
  let db: string
  beforeEach(async () => {
    dir = tempDir('replay')
    db = join(dir, 'dice.db')
    const store = await openStore({ dbFile: db })
    await store.replaceFiles([{ file: 'src/app.c', hash: 'h' }], [
      stmt('full', 'queue %s is full'),
      stmt('hello', 'hello cruel world', { level: 'info', channels: ['hello-worlders'] }),
    ], [])
    await store.close()
  })
  const replay = (args: string[], input?: string) => runDice(['--db', db, 'replay', '--format', FORMAT, ...args], { cwd: dir, input, env: ENV })
  const totals = async () => {
    const store = await openStore({ dbFile: db })
    const t = Object.fromEntries((await store.totals()).map((x) => [x.statementId, x.count]))
    await store.close()
    return t
  }

  it('backfills a file once: a second replay of the unchanged file adds nothing, an appended line is added', async () => {
    const file = join(dir, 'app.txt')
    writeFileSync(file, 'ERROR web-1 queue a is full\nERROR web-2 queue b is full\nINFO web-1 noise\n')
    const r1 = await replay([file, '--no-deliver', '--json'])
    expect(r1.code).toBe(0)
    expect(JSON.parse(r1.stdout)).toMatchObject({ files: 1, lines: 3, matched: 2, counted: 2, unowned: 0, bad: 0 })
    expect(r1.stderr).toMatch(/replay: 1 file, 3 lines, 2 matched, 2 counted, 0 unowned, 0 bad/)
    // The INFO line is neither matched nor bad: the summary says where it went.
    expect(r1.stderr).toMatch(/; 1 below the level threshold \(match\.minLevel warn\), not counted, in /)
    expect(JSON.parse(r1.stdout)).toMatchObject({ below_level: 1 })
    const r2 = await replay([file, '--no-deliver', '--json'])
    expect(JSON.parse(r2.stdout)).toMatchObject({ lines: 0, counted: 0 })
    appendFileSync(file, 'ERROR web-3 queue c is full\n')
    await replay([file, '--no-deliver'])
    expect(await totals()).toEqual({ full: 3 })
  })

  it('reads gzip files by their magic bytes, whatever their name', async () => {
    writeFileSync(join(dir, 'a.log.gz'), gzipSync('ERROR h queue a is full\nERROR h queue b is full\n'))
    writeFileSync(join(dir, 'rotated.1'), gzipSync('ERROR h queue c is full\n'))
    const r = await replay(['a.log.gz', 'rotated.1', '--no-deliver', '--json'])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ files: 2, lines: 3, counted: 3 })
    expect(JSON.parse((await replay(['a.log.gz', 'rotated.1', '--no-deliver', '--json'])).stdout)).toMatchObject({ lines: 0 })
    expect(await totals()).toEqual({ full: 3 })
  })

  it('reads stdin for -, and counts bad bytes without failing', async () => {
    const r = await replay(['-', '--no-deliver', '--json'], 'ERROR h queue a is full\nERROR h bad \u0000 byte\nERROR h queue b is full')
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ lines: 3, counted: 2, unowned: 1, nul: 1, bad: 1 })
    expect(await totals()).toEqual({ full: 2 })
  })

  it('delivers channel statements to the console notifier unless --no-deliver', async () => {
    const file = join(dir, 'app.txt')
    writeFileSync(file, 'INFO web-1 hello cruel world\n')
    const quiet = await replay([file, '--no-deliver'])
    expect(quiet.code).toBe(0)
    expect(quiet.stdout).toBe('')
    appendFileSync(file, 'INFO web-2 hello cruel world\n')
    const loud = await replay([file])
    expect(loud.code).toBe(0)
    expect(loud.stdout).toContain('#hello-worlders')
    expect(loud.stdout).toContain('hello cruel world')
  })

  it('gives the digest scheduler back when it ends, so a replay right after it builds its digests too', async () => {
    const file = join(dir, 'app.txt')
    writeFileSync(file, 'ERROR web-1 queue jobs is full\n')
    expect((await replay([file])).code).toBe(0)
    const store = await openStore({ dbFile: db })
    try {
      // Another instance (or the next replay) takes the lease at once, not after the 20 minutes it lasts.
      expect(await store.tryLease('digest-scheduler', 'next-instance', Date.now(), 60_000)).toBe(true)
    } finally {
      await store.close()
    }
  })

  it('counts the same with --workers 2 as in the main thread (--workers 0), and delivers the hits the workers counted', async () => {
    const lines: string[] = []
    for (let i = 0; lines.length < 30_000; i++) {
      lines.push(i % 3 ? `ERROR web-${i % 7} queue q${i % 50} is full` : i % 5 ? `INFO web-${i % 7} hello cruel world` : `WARN web-1 disk ${i} is slow`)
      if (i % 97 === 0) lines.push('java.lang.IllegalStateException: boom', '\tat a.B.c(B.java:1)', '')
    }
    const file = join(dir, 'app.txt')
    writeFileSync(file, lines.join('\n') + '\n')
    const stored = async (d: string) => {
      const store = await openStore({ dbFile: d })
      const out = {
        totals: (await store.totals()).map((t) => [t.statementId, t.count, t.hosts.join(',')]),
        counters: (await store.counters()).map((c) => [c.name, c.value]).sort(),
      }
      await store.close()
      return out
    }
    const db2 = join(dir, 'two.db')
    copyFileSync(db, db2)
    const main = await replay([file, '--no-deliver', '--workers', '0', '--json'])
    const two = await runDice(['--db', db2, 'replay', '--format', FORMAT, file, '--workers', '2', '--json'], { cwd: dir, env: ENV })
    expect(two.code).toBe(0)
    const { ms: _a, ...a } = JSON.parse(main.stdout)
    const { ms: _b, ...b } = JSON.parse(two.stdout.trim().split('\n').at(-1)!)
    expect(b).toEqual(a)
    expect(await stored(db2)).toEqual(await stored(db))
    // The console notifier wrote the channel message (to stderr, as stdout carries --json) with the whole count.
    expect(two.stderr).toContain('#hello-worlders')
    expect(two.stderr).toContain(`×${lines.filter((l) => l.includes('hello cruel')).length}`)
  })

  it('exits 2 naming --workers when it is not a number of threads', async () => {
    const r = await replay(['x.log', '--workers', 'many'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--workers: expected a number of threads 0-64')
  })

  it('exits 2 naming the file it cannot read, and when no file is given', async () => {
    const r = await replay(['missing.log'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('missing.log')
    const none = await runDice(['--db', db, 'replay'], { cwd: dir, env: ENV })
    expect(none.code).toBe(2)
    expect(none.stderr).toContain('FILE')
    const badFormat = await runDice(['--db', db, 'replay', 'x', '--format', 'regex:(oops'], { cwd: dir, env: ENV })
    expect(badFormat.code).toBe(2)
    expect(badFormat.stderr).toContain('--format')
  })

  it('reads a file named twice in one run (same path, ./path, a symlink) once', async () => {
    writeFileSync(join(dir, 'app.txt'), 'ERROR web-1 queue a is full\nERROR web-2 queue b is full\n')
    symlinkSync(join(dir, 'app.txt'), join(dir, 'link.txt'))
    const r = await replay(['app.txt', './app.txt', 'link.txt', '--no-deliver', '--json'])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ files: 1, lines: 2, counted: 2 })
    expect(r.stderr).toContain('replay: ./app.txt was already given')
    expect(await totals()).toEqual({ full: 2 })
  })

  it('exits 2 naming a directory given as a FILE', async () => {
    const r = await replay([dir, '--no-deliver'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`${dir} is a directory`)
  })

  it('keeps the lines before a truncated gzip file breaks, names it, still replays the other files, exits 1', async () => {
    // Random values so the compressed stream is long enough for gunzip to yield lines before the cut.
    const lines = Array.from({ length: 20_000 }, () => `ERROR web-1 queue ${randomBytes(8).toString('hex')} is full\n`).join('')
    const gz = gzipSync(lines)
    writeFileSync(join(dir, 'cut.log.gz'), gz.subarray(0, gz.length >> 1))
    writeFileSync(join(dir, 'ok.log'), 'ERROR web-2 hello cruel world\n')
    const r = await replay(['cut.log.gz', 'ok.log', '--no-deliver', '--json'])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/replay: cut\.log\.gz: .*unexpected end of file/)
    expect(JSON.parse(r.stdout).failed).toEqual(['cut.log.gz'])
    const t = await totals()
    expect(t.full).toBeGreaterThan(0)
    expect(t.full).toBeLessThan(20_000)
    expect(t.hello).toBe(1)
  })
  it('counts the lines replayed under a file\'s old name once after a rename rotation (app.log → app.log.1)', async () => {
    writeFileSync(join(dir, 'app.log'), 'ERROR h queue a is full\nERROR h queue b is full\n')
    await replay(['app.log', '--no-deliver'])
    renameSync(join(dir, 'app.log'), join(dir, 'app.log.1'))
    appendFileSync(join(dir, 'app.log.1'), 'ERROR h queue c is full\n') // written before the writer reopened
    writeFileSync(join(dir, 'app.log'), 'ERROR h queue d is full\n')
    const r = await replay(['app.log.1', 'app.log', '--no-deliver', '--json'])
    expect(JSON.parse(r.stdout)).toMatchObject({ files: 2, lines: 2, counted: 2 })
    expect(await totals()).toEqual({ full: 4 })
  })

  it('counts a file once across runs through a symlink and its real path', async () => {
    writeFileSync(join(dir, 'real.log'), 'ERROR h queue a is full\n')
    symlinkSync(join(dir, 'real.log'), join(dir, 'current.log'))
    await replay(['current.log', '--no-deliver'])
    appendFileSync(join(dir, 'real.log'), 'ERROR h queue b is full\n')
    await replay(['real.log', '--no-deliver'])
    await replay(['current.log', '--no-deliver'])
    expect(await totals()).toEqual({ full: 2 })
  })

  it('leaves a half-written last line of a file being written for the next run, which counts it whole', async () => {
    writeFileSync(join(dir, 'app.log'), 'ERROR h queue a is full\nERROR h queue b is fu')
    const r1 = await replay(['app.log', '--no-deliver', '--json'])
    expect(JSON.parse(r1.stdout)).toMatchObject({ lines: 1, counted: 1, unowned: 0 })
    expect(r1.stderr).toContain('app.log: the last line has no newline yet')
    appendFileSync(join(dir, 'app.log'), 'll\n')
    const r2 = await replay(['app.log', '--no-deliver', '--json'])
    expect(JSON.parse(r2.stdout)).toMatchObject({ lines: 1, counted: 1, unowned: 0 })
    expect(await totals()).toEqual({ full: 2 })
  })

  it('counts the unterminated last line of a file not modified for minutes (the writer is done)', async () => {
    writeFileSync(join(dir, 'old.log'), 'ERROR h queue a is full\nERROR h queue b is full')
    const hourAgo = new Date(Date.now() - 3_600_000)
    utimesSync(join(dir, 'old.log'), hourAgo, hourAgo)
    const r = await replay(['old.log', '--no-deliver', '--json'])
    expect(JSON.parse(r.stdout)).toMatchObject({ lines: 2, counted: 2 })
    expect(r.stderr).not.toContain('no newline yet')
    expect(await totals()).toEqual({ full: 2 })
  })
})
