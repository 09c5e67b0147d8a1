import { join } from 'node:path'
import { writeFileSync } from 'node:fs'
import { beforeEach, describe, expect, it } from 'vitest'
import { runDice } from '../cli/testutil.js'
import { tempDir } from '../testutil/tmp.js'
import { botMatcher, WhitespaceCommits } from './human-blame.js'
import { ALICE, BOB, CAROL, TempRepo, type Author } from './testutil/repo.js'

const DEPENDABOT: Author = { name: 'dependabot[bot]', email: '49699333+dependabot[bot]@users.noreply.github.com' }
const RENOVATE: Author = { name: 'renovate[bot]', email: '29139614+renovate[bot]@users.noreply.github.com' }
const ROBOT: Author = { name: 'CI Robot', email: 'ci@robots.example.com' }

describe('blame looks past bots and reformatting (dice index, dice catalog --json)', () => {
  let repo: TempRepo
  let dir: string
  let db: string
  const index = async (yaml = '') => {
    const cfg = join(dir, 'dice.yml')
    writeFileSync(cfg, yaml || '{}\n')
    const r = await runDice(['--db', db, '--config', cfg, 'index', repo.dir])
    expect(r.code, r.stderr).toBe(0)
    const c = await runDice(['--db', db, '--config', cfg, 'catalog', '--json'])
    expect(c.code, c.stderr).toBe(0)
    return new Map((JSON.parse(c.stdout) as any[]).map((s) => [s.template, s]))
  }

  beforeEach(() => {
    repo = TempRepo.create()
    dir = tempDir('human-blame')
    db = join(dir, 'dice.db')
  })

  it('gives a line dependabot changed to the human who wrote it before, and says which commit it looked past', async () => {
    repo.write('src/net.c', 'void f(int p) {\n  syslog(LOG_ERR, "tunnel %d failed", p);\n}\n')
    const alice = repo.commit(ALICE)
    repo.write('src/net.c', 'void f(long p) {\n  syslog(LOG_ERR, "tunnel %d failed", (int)p);\n}\n')
    const bot = repo.commit(DEPENDABOT, 'Bump the thing')
    const s = (await index()).get('tunnel %d failed')
    expect(s.owner).toMatchObject({ kind: 'blame', who: ALICE.email })
    expect(s.blame).toEqual({
      email: ALICE.email, name: ALICE.name, commit: alice, time: expect.any(String),
      skipped: [{ commit: bot, author: 'dependabot[bot]', email: DEPENDABOT.email, why: 'bot' }],
    })
  })

  it('gives a reformatted line to its author before the reformat, while the reformat commit keeps the lines it really wrote', async () => {
    repo.write('src/disk.c', 'void g(char *d) {\n  syslog(LOG_ERR, "disk %s full", d);\n}\n')
    const bob = repo.commit(BOB)
    repo.write('src/disk.c', 'void g(char *d)\n{\n    syslog( LOG_ERR,  "disk %s full", d );\n    syslog(LOG_WARN, "carol was here %s", d);\n}\n')
    const carol = repo.commit(CAROL, 'clang-format, and a warning')
    const cat = await index()
    expect(cat.get('disk %s full')).toMatchObject({
      line: 3, owner: { kind: 'blame', who: BOB.email },
      blame: { email: BOB.email, commit: bob, skipped: [{ commit: carol, author: CAROL.name, email: CAROL.email, why: 'formatting' }] },
    })
    expect(cat.get('carol was here %s').blame).toEqual({ email: CAROL.email, name: CAROL.name, commit: carol, time: expect.any(String) })
    // catalog.blame.formatting: false leaves reformats as git blame has them.
    expect((await index('catalog: { blame: { formatting: false } }\n')).get('disk %s full').blame).toMatchObject({ email: CAROL.email, commit: carol })
  })

  it('makes nobody the owner of a line only a bot ever wrote: owner none, the bot\'s blame marked bot and listed', async () => {
    repo.write('src/a.c', 'void a(void) {\n  syslog(LOG_ERR, "human %d", 1);\n}\n')
    repo.commit(ALICE)
    repo.write('deps/bump.c', 'void b(void) {\n  syslog(LOG_ERR, "bumped %s", "x");\n}\n')
    const bot = repo.commit(DEPENDABOT)
    const cat = await index()
    const s = cat.get('bumped %s')
    expect(s.owner).toMatchObject({ kind: 'none', who: null })
    expect(s.blame).toMatchObject({ email: DEPENDABOT.email, commit: bot, bot: true, skipped: [{ commit: bot, author: 'dependabot[bot]', why: 'bot' }] })
    const none = await runDice(['--db', db, 'catalog', '--owner', 'none', '--json'])
    expect(JSON.parse(none.stdout).map((x: any) => x.template)).toEqual(['bumped %s'])
    expect(cat.get('human %d').blame.skipped).toBeUndefined()
  })

  it('looks past a bot over a bot, and authors catalog.blame.bots names (re-indexing when the setting changes)', async () => {
    repo.write('src/x.c', 'void x(int v) {\n  syslog(LOG_ERR, "x %d", v);\n}\n')
    const alice = repo.commit(ALICE)
    repo.write('src/x.c', 'void x(unsigned v) {\n  syslog(LOG_ERR, "x %d", (int)v);\n}\n')
    const renovate = repo.commit(RENOVATE)
    repo.write('src/x.c', 'void x(unsigned v) {\n  syslog(LOG_ERR, "x %d", (int) v + 0);\n}\n')
    const dependabot = repo.commit(DEPENDABOT)
    repo.write('src/x.c', 'void x(unsigned v) {\n  syslog(LOG_ERR, "x %d", (int)v);\n}\n')
    const robot = repo.commit(ROBOT)
    expect((await index()).get('x %d').blame).toMatchObject({ email: ROBOT.email, commit: robot })
    const s = (await index('catalog:\n  blame:\n    bots: ["*@robots.example.com"]\n')).get('x %d')
    expect(s.owner).toMatchObject({ kind: 'blame', who: ALICE.email })
    expect(s.blame.commit).toBe(alice)
    expect(s.blame.skipped.map((k: any) => [k.commit, k.why])).toEqual([[robot, 'bot'], [dependabot, 'bot'], [renovate, 'bot']])
  })
})

describe('bot patterns and numstat', () => {
  it('matches [bot] authors always, configured globs without case against the whole name or email', () => {
    const isBot = botMatcher(['ci-robot', '*@bots.example.com'])
    expect(isBot({ name: 'dependabot[bot]', email: 'x@y' })).toBe(true)
    expect(isBot({ name: 'Someone', email: '1+renovate[bot]@users.noreply.github.com' })).toBe(true)
    expect(isBot({ name: 'CI-Robot', email: 'ci@example.com' })).toBe(true)
    expect(isBot({ name: 'Pat', email: 'pat@BOTS.example.com' })).toBe(true)
    expect(isBot({ name: 'ci-robotics team', email: 'team@example.com' })).toBe(false)
    expect(isBot({ name: 'Abbot', email: 'abbot@example.com' })).toBe(false)
  })

  it('finds the files a commit changed some lines of in whitespace only, none for a root commit, a name with a tab included', async () => {
    const repo = TempRepo.create()
    repo.write('a.c', 'int a;\nint b;\n').write('b.c', 'int c;\n').write('t\tab.c', 'int d;\n')
    const root = repo.commit(ALICE)
    repo.write('a.c', 'int a;\n  int b;\n').write('b.c', 'int c2;\n').write('t\tab.c', 'int  d;\n')
    const mixed = repo.commit(BOB)
    const w = new WhitespaceCommits(repo.dir)
    try {
      expect(await Promise.all([w.partly(mixed, 'a.c'), w.partly(mixed, 'b.c'), w.partly(mixed, 't\tab.c'), w.partly(root, 'a.c')])).toEqual([true, false, true, false])
    } finally {
      w.close()
    }
  })
})
