/**
 * Lines whose text differs from the template (issue 16, classes 4–6), end to end: a real repository indexed
 * with `dice index`, real log lines through `dice match --json`. Level words either way, messages of several
 * lines counted once, and ties nothing in the line decides reported instead of guessed.
 */
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { ALICE, TempRepo } from '../../catalog/testutil/repo.js'
import { openStore } from '../../store/registry.js'
import { runDice } from '../testutil.js'
import { tempDir } from '../../testutil/tmp.js'

let db: string
let cwd: string
const ids = new Map<string, string>()

beforeAll(async () => {
  const repo = TempRepo.create()
  repo.write('cmd/shard/main.go', 'package main\n\nfunc rebalance(id string, err error) {\n\tlog.Printf("ERROR: shard %s rebalance failed: %v", id, err)\n}\n')
  repo.write('src/daemon.c', [
    '/* die() prints "fatal: " before the message, warn_user() "warning: " */',
    'void serve(int fd) {',
    '  log_error("accept failed on fd %d", fd);',
    '}',
    '',
  ].join('\n'))
  repo.write('src/banner.c', 'void banner(int port, int pid) {\n  log_info("server started\\nport %d\\npid %d\\n", port, pid);\n}\n')
  repo.write('app/db/pool.py', 'import logging\nlog = logging.getLogger(__name__)\ndef f(n):\n    log.warning("retrying request %s", n)\n')
  repo.write('app/http/client.py', 'import logging\nlog = logging.getLogger(__name__)\ndef g(n):\n    log.warning("retrying request %s", n)\n')
  repo.commit(ALICE)
  cwd = tempDir('match-differs')
  db = join(cwd, 'dice.db')
  const ix = await runDice(['--db', db, 'index', repo.dir, '--json'], { cwd })
  expect(ix.code).toBe(0)
  const store = await openStore({ dbFile: db })
  for (const s of await store.listStatements()) ids.set(`${s.file}:${s.line}`, s.id)
  await store.close()
})

const match = async (input: string[], args: string[] = []) => {
  const r = await runDice(['--db', db, 'match', '--json', ...args], { cwd, input: input.join('\n') + '\n' })
  expect(r.code).toBe(0)
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { n: number; level: string | null; statement: { id: string } | null; ambiguous?: string[]; explain?: { candidates: Array<{ why: string }> } })
}

describe('dice match on lines that differ from their template', () => {
  it('matches a Go line whose ERROR: the format lifted into the level, and one that kept it', async () => {
    const [a, b] = await match(['2026/11/25 10:00:01 ERROR: shard s-7 rebalance failed: timeout', 'ERROR: shard s-7 rebalance failed: timeout'])
    expect(a).toMatchObject({ level: 'error', statement: { id: ids.get('cmd/shard/main.go:4') } })
    expect(b).toMatchObject({ level: 'error', statement: { id: ids.get('cmd/shard/main.go:4') } })
  })

  it('matches a C program\'s line with the level word its logger prints before the message', async () => {
    const [a] = await match(['error: accept failed on fd 7'])
    expect(a!.statement?.id).toBe(ids.get('src/daemon.c:3'))
  })

  it('folds the other lines of a message of several lines into the first, which alone carries the statement', async () => {
    // Lines of their own (no indentation: the stack-trace folding does not take them).
    const out = await match(['server started', 'port 8080', 'pid 4711', 'error: accept failed on fd 7'])
    const banner = ids.get('src/banner.c:2')
    expect(out.map((o) => o.statement?.id ?? null)).toEqual([banner, banner, banner, ids.get('src/daemon.c:3')])
    // Lines that are not the banner's next lines are entries of their own.
    const other = await match(['server started', 'nothing like this', 'port 8080'])
    expect(other.map((o) => o.statement?.id ?? null)).toEqual([banner, null, null])
  })

  it('reports a tie nothing in the line decides, and lets the logger name decide when the line has one', async () => {
    const [bare] = await match(['WARNING retrying request 7'])
    const both = [ids.get('app/db/pool.py:4'), ids.get('app/http/client.py:4')]
    expect(bare!.ambiguous).toEqual(both)
    expect(bare!.statement?.id).toBe(both[0])
    const [named] = await match(['2026-11-25 10:00:01,123 WARNING app.http.client: retrying request 7'])
    expect(named!.statement?.id).toBe(both[1])
    expect(named!.ambiguous).toBeUndefined()
    const [explained] = await match(['WARNING retrying request 7'], ['--explain'])
    expect(explained!.explain!.candidates.map((c) => c.why).join('\n')).toMatch(/reported as ambiguous/)
  })
})
