import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openStore } from '../../store/registry.js'
import { ALICE, BOB, TempRepo } from '../../catalog/testutil/repo.js'
import { runDice } from '../testutil.js'
import { tempDir } from '../../testutil/tmp.js'

function tempDb(): string {
  return join(tempDir('cli'), 'dice.db')
}

function sampleRepo(): { repo: TempRepo; first: string; second: string } {
  const repo = TempRepo.create()
  repo.write('src/net/ipsec.c', '#include <syslog.h>\nvoid up(const char *t, int p) {\n  syslog(LOG_ERR, "tunnel %s: phase %d failed", t, p); // #ipsec-debug\n}\n')
  const first = repo.commit(ALICE, 'ipsec')
  repo.write('web/app.js', 'function f(u) {\n  console.warn("slow request %s", u) // @elmore\n  log.error(err)\n}\n')
  const second = repo.commit(BOB, 'web')
  return { repo, first, second }
}

describe('dice index and dice catalog', () => {
  it('indexes a repository and lists the catalog as the contract says, owners resolved', async () => {
    const { repo, first, second } = sampleRepo()
    const db = tempDb()
    const ix = await runDice(['--db', db, 'index', repo.dir, '--json'])
    expect(ix.stderr).not.toMatch(/dice:/)
    expect(ix.code).toBe(0)
    // stdout is the summary and nothing else; progress went to stderr as plain lines (not a terminal).
    expect(JSON.parse(ix.stdout)).toMatchObject({ commit: second, files: 2, parsed: 2, skipped: 0, unchanged: 0, statements: 3, errors: [] })
    expect(ix.stderr).toMatch(/^indexing: 2\/2 files \(100%\)$/m)

    const cat = await runDice(['--db', db, 'catalog', '--json'])
    expect(cat.code).toBe(0)
    const entries = JSON.parse(cat.stdout) as Array<Record<string, any>>
    expect(entries).toHaveLength(3)
    for (const e of entries) {
      expect(Object.keys(e)).toEqual(['id', 'file', 'line', 'language', 'level', 'template', 'matchable', 'channels', 'mentions', 'owner', 'blame', 'via', 'reason'])
    }
    const ipsec = entries.find((e) => e.file === 'src/net/ipsec.c')!
    expect(ipsec).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{12}$/), file: 'src/net/ipsec.c', line: 3, language: 'c', level: 'error',
      template: 'tunnel %s: phase %d failed', matchable: true, channels: ['ipsec-debug'], mentions: [],
      owner: { kind: 'blame', who: ALICE.email, via: 'blame' },
      blame: { email: ALICE.email, name: ALICE.name, commit: first, time: '2024-01-02T00:00:00.000Z' },
      via: null, reason: null,
    })
    const warn = entries.find((e) => e.template === 'slow request %s')!
    expect(warn).toMatchObject({ language: 'javascript', level: 'warn', line: 2, mentions: ['elmore'], owner: { kind: 'annotation', who: 'elmore' } })
    expect(warn.blame).toMatchObject({ email: BOB.email, commit: second })
    const bare = entries.find((e) => e.matchable === false)!
    expect(bare).toMatchObject({ template: null, line: 3, owner: { kind: 'blame', who: BOB.email } })

    // An override ("it wasn't me") is shown as the owner; the re-index keeps ids, so it still applies.
    const store = await openStore({ dbFile: db })
    await store.setOverride({ statementId: ipsec.id, to: 'carol@example.com', by: 'U1', reason: null, createdAt: 1 })
    await store.close()
    const again = await runDice(['--db', db, 'index', repo.dir, '--json'])
    expect(JSON.parse(again.stdout)).toMatchObject({ parsed: 0, unchanged: 2, statements: 3 })
    const cat2 = JSON.parse((await runDice(['--db', db, 'catalog', '--json'])).stdout) as Array<Record<string, any>>
    expect(cat2.find((e) => e.id === ipsec.id)!.owner).toEqual({ kind: 'override', who: 'carol@example.com', via: 'override' })
  })

  it('filters by owner (through configured people) and by file glob, and prints a table without --json', async () => {
    const { repo } = sampleRepo()
    const db = tempDb()
    const cfg = join(tempDir('cfg'), 'dice.yml')
    writeFileSync(cfg, `people:\n  bob:\n    email: ${BOB.email}\n    aliases: [bobby]\n`)
    expect((await runDice(['--db', db, '--config', cfg, 'index', repo.dir, '--quiet'])).code).toBe(0)
    const mine = JSON.parse((await runDice(['--db', db, '--config', cfg, 'catalog', '--json', '--owner', 'bobby'])).stdout)
    expect(mine.map((e: any) => e.template)).toEqual([null])
    const c = JSON.parse((await runDice(['--db', db, 'catalog', '--json', '--file', 'src/**'])).stdout)
    expect(c.map((e: any) => e.file)).toEqual(['src/net/ipsec.c'])
    const t = await runDice(['--db', db, 'catalog'])
    expect(t.code).toBe(0)
    expect(t.stdout).toMatch(/^ID\s+LEVEL\s+WHERE\s+OWNER\s+MESSAGE$/m)
    expect(t.stdout).toMatch(/src\/net\/ipsec\.c:3\s+alice@example\.com\s+"tunnel %s: phase %d failed" #ipsec-debug/)
    expect(t.stdout).toMatch(/3 statements/)
  })

  it('says nothing matched the filter when --owner or --file match no statement, and that the catalog is empty only when it is', async () => {
    const { repo } = sampleRepo()
    const db = tempDb()
    const empty = await runDice(['--db', db, 'catalog'])
    expect(empty.stdout).toContain('the catalog is empty: run `dice index`')
    await runDice(['--db', db, 'index', repo.dir, '--quiet'])
    const none = await runDice(['--db', db, 'catalog', '--owner', 'tom'])
    expect(none.code).toBe(0)
    expect(none.stdout).toBe('(no statement matches --owner tom; the catalog has 3 statements: `dice catalog` lists them all)\n')
    const glob = await runDice(['--db', db, 'catalog', '--file', 'lib/**', '--owner', 'tom'])
    expect(glob.stdout).toContain('no statement matches --owner tom --file lib/**')
    expect(JSON.parse((await runDice(['--db', db, 'catalog', '--owner', 'tom', '--json'])).stdout)).toEqual([])
  })

  it('fits the table to the terminal width: no line wider, line numbers whole, long paths shortened in the middle', async () => {
    const repo = TempRepo.create()
    const deep = 'services/payments/internal/adapters/outbound/bank/transfer_client.c'
    repo.write(deep, `void f(void) {\n${'\n'.repeat(1200)}  syslog(LOG_ERR, "transfer %s to %s failed after %d retries, giving up on this one", a, b, n);\n}\n`)
    repo.commit(ALICE)
    const db = tempDb()
    await runDice(['--db', db, 'index', repo.dir, '--quiet'])
    const t = await runDice(['--db', db, 'catalog'], { env: { COLUMNS: '100' } })
    const lines = t.stdout.trimEnd().split('\n')
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(100)
    const row = lines[1]!
    expect(row).toMatch(/ services\/\S*…\S*transfer_client\.c:1202 /)
    expect(row).toMatch(/"transfer %s to %s.*…$/)
    // Piped with no COLUMNS: nothing is cut.
    const wide = await runDice(['--db', db, 'catalog'], { env: { COLUMNS: '' } })
    expect(wide.stdout).toContain(`${deep}:1202`)
  })

  it('prints a readable summary, and only the changed file is parsed on re-run', async () => {
    const { repo } = sampleRepo()
    const db = tempDb()
    const r = await runDice(['--db', db, 'index', repo.dir])
    expect(r.stdout).toMatch(/2 files, 2 parsed, 0 unchanged, 0 skipped; 3 statements/)
    repo.write('web/app.js', 'function f(u) {\n  console.warn("slow request %s", u) // @elmore\n}\n')
    repo.commit(ALICE)
    const again = JSON.parse((await runDice(['--db', db, 'index', repo.dir, '--json'])).stdout)
    expect(again).toMatchObject({ parsed: 1, unchanged: 1, statements: 2 })
  })

  it('refuses a directory that is not a git repository with exit 2 and a clear message', async () => {
    const dir = tempDir('plain')
    const r = await runDice(['--db', tempDb(), 'index', dir])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`dice: index: ${dir} is not inside a git work tree`)
    expect(r.stdout).toBe('')
  })

  it('rejects a stray argument to dice catalog with exit 2 instead of listing everything', async () => {
    const r = await runDice(['--db', tempDb(), 'catalog', '--json', 'src/net'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('catalog: unexpected argument "src/net"')
    expect(r.stdout).toBe('')
  })

  it('defaults DIR to the current directory', async () => {
    const { repo } = sampleRepo()
    const r = await runDice(['--db', tempDb(), 'index', '--json'], { cwd: repo.dir })
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ files: 2, statements: 3 })
  })
})
