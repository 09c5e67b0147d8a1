/**
 * A logger rule's `prefix`/`suffix` (issue 16, class 4): text a logger adds to every message — a C program's
 * `error: `, a framework tag like `[GIN-debug] `, a trailer — is part of the template, so the line as printed
 * lands on its statement. End to end: real C and Go repositories indexed with `dice index` under a dice.yml,
 * lines through `dice match --json`.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { ALICE, TempRepo } from '../../catalog/testutil/repo.js'
import { runDice } from '../testutil.js'
import { tempDir } from '../../testutil/tmp.js'

const CONFIG = `catalog:
  loggers:
    c:
      - { call: oops, level: error, prefix: 'error: ' }
      - { call: audit, level: warn, suffix: ' [audit]' }
    go:
      - { call: debugPrint, level: debug, prefix: '[GIN-debug] ' }
      - { call: '*.Notef', level: info, prefix: 'note: ', suffix: ' (done)' }
`

let cwd: string
let db: string
let cfg: string
const byLine = new Map<string, { id: string; template: string; level: string }>()

beforeAll(async () => {
  const repo = TempRepo.create()
  repo.write('src/daemon.c', 'void serve(int n, const char *who) {\n  oops("%d workers died", n);\n  audit("user %s deleted", who);\n}\n')
  // A wrapper of a logger with a prefix: its calls' templates carry the prefix too.
  repo.write('src/report.c', 'void report(const char *fmt, ...) {\n  oops(fmt);\n}\nvoid f(void) {\n  report("disk %s full", d);\n}\n')
  repo.write('router.go', 'package gin\n\nfunc (e *Engine) add(p string, n int) {\n\tdebugPrint("route %s registered with %d handlers", p, n)\n\te.log.Notef("cache warmed for %s", p)\n}\n')
  repo.commit(ALICE)
  cwd = tempDir('logger-prefix')
  db = join(cwd, 'dice.db')
  cfg = join(cwd, 'dice.yml')
  writeFileSync(cfg, CONFIG)
  const ix = await runDice(['--db', db, '--config', cfg, 'index', repo.dir, '--json'], { cwd })
  expect(ix.code).toBe(0)
  const cat = await runDice(['--db', db, '--config', cfg, 'catalog', '--json'], { cwd })
  for (const s of JSON.parse(cat.stdout) as Array<{ id: string; file: string; line: number; template: string; level: string }>) byLine.set(`${s.file}:${s.line}`, s)
})

const match = async (lines: string[]) => {
  const r = await runDice(['--db', db, '--config', cfg, 'match', '--json'], { cwd, input: lines.join('\n') + '\n' })
  expect(r.code).toBe(0)
  return r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { statement: { id: string } | null }).statement?.id ?? null)
}

describe('a logger rule\'s prefix and suffix', () => {
  it('C: the prefix and the suffix the logger prints are in the template, and the printed line lands on its statement', async () => {
    expect(byLine.get('src/daemon.c:2')).toMatchObject({ template: 'error: %d workers died', level: 'error' })
    expect(byLine.get('src/daemon.c:3')).toMatchObject({ template: 'user %s deleted [audit]', level: 'warn' })
    const [a, b, c] = await match(['error: 7 workers died', 'user bob deleted [audit]', 'user bob deleted'])
    expect([a, b]).toEqual([byLine.get('src/daemon.c:2')!.id, byLine.get('src/daemon.c:3')!.id])
    // Without the trailer the logger always prints, it is not that statement's line.
    expect(c).toBeNull()
    expect(byLine.get('src/report.c:5')).toMatchObject({ template: 'error: disk %s full', level: 'error' })
    expect(await match(['error: disk /var full'])).toEqual([byLine.get('src/report.c:5')!.id])
  })

  it('Go: a framework tag before the message and a rule with both, on a method of any receiver', async () => {
    expect(byLine.get('router.go:4')).toMatchObject({ template: '[GIN-debug] route %s registered with %d handlers', level: 'debug' })
    expect(byLine.get('router.go:5')).toMatchObject({ template: 'note: cache warmed for %s (done)', level: 'info' })
    const got = await match(['[GIN-debug] route /ping registered with 3 handlers', 'note: cache warmed for /ping (done)', 'route /ping registered with 3 handlers'])
    expect(got).toEqual([byLine.get('router.go:4')!.id, byLine.get('router.go:5')!.id, null])
  })
})
