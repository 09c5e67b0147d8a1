/**
 * The same message logged in several places by different people (issue 16, ties), end to end: a real repository
 * indexed with `dice index`, lines that do not say which file printed them replayed with `dice replay`, digests
 * built with `dice digest --preview --json`. Each line is counted once; both owners get it.
 */
import { copyFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { ALICE, BOB, TempRepo } from '../../catalog/testutil/repo.js'
import { openStore } from '../../store/registry.js'
import { runDice } from '../testutil.js'
import { tempDir } from '../../testutil/tmp.js'

const FORMAT = 'regex:^(?<level>[A-Z]+) (?<host>\\S+) (?<message>.*)$'
const ENV = { SLACK_BOT_TOKEN: '', DICE_DATABASE_URL: '', DICE_NOW: '2026-11-23T09:00:00Z' }
const MONDAY_10 = '2026-11-23T10:00:00Z'

let cwd: string
let indexed: string
const ids = new Map<string, string>()

beforeAll(async () => {
  const repo = TempRepo.create()
  repo.write('app/db/pool.py', 'import logging\nlog = logging.getLogger(__name__)\ndef f(n):\n    log.warning("retrying request %s", n)\n')
  repo.commit(ALICE)
  repo.write('app/http/client.py', 'import logging\nlog = logging.getLogger(__name__)\ndef g(n):\n    log.warning("retrying request %s", n)\n')
  repo.write('app/http/other.py', 'import logging\nlog = logging.getLogger(__name__)\ndef h(n):\n    log.warning("gave up on %s", n)\n')
  repo.commit(BOB)
  cwd = tempDir('ties')
  indexed = join(cwd, 'indexed.db')
  expect((await runDice(['--db', indexed, 'index', repo.dir, '--json'], { cwd, env: ENV })).code).toBe(0)
  const store = await openStore({ dbFile: indexed })
  for (const s of await store.listStatements()) ids.set(s.file, s.id)
  await store.close()
  writeFileSync(join(cwd, 'app.log'), ['WARN web-1 retrying request 7', 'WARN web-2 retrying request 8', 'WARN web-1 retrying request 9', 'WARN web-1 gave up on 9', ''].join('\n'))
})

async function replayed(workers: string[]): Promise<{ db: string; totals: Record<string, number> }> {
  const db = join(cwd, `replay${workers.join('')}.db`)
  copyFileSync(indexed, db)
  const r = await runDice(['--db', db, 'replay', '--format', FORMAT, 'app.log', '--no-deliver', '--json', ...workers], { cwd, env: ENV })
  expect(r.code).toBe(0)
  expect(JSON.parse(r.stdout)).toMatchObject({ lines: 4, matched: 4, counted: 4 })
  const store = await openStore({ dbFile: db })
  const totals = Object.fromEntries((await store.totals()).map((t) => [t.statementId, t.count]))
  await store.close()
  return { db, totals }
}

describe('a message logged in several places by different people', () => {
  it('counts each line once, so the totals equal the lines counted, in one thread and with ingest workers', async () => {
    const pool = ids.get('app/db/pool.py')!
    const client = ids.get('app/http/client.py')!
    const one = await replayed([])
    const two = await replayed(['--workers', '2'])
    for (const { totals } of [one, two]) {
      expect(Object.values(totals).reduce((a, b) => a + b, 0)).toBe(4)
      expect(totals[ids.get('app/http/other.py')!]).toBe(1)
      // The three tied lines on one of the two statements.
      expect([totals[pool] ?? 0, totals[client] ?? 0].sort()).toEqual([0, 3])
    }
    // The same one each time.
    expect(two.totals).toEqual(one.totals)
  })

  it('puts the lines in both owners\' digests, the other owner\'s with a note naming their statement', async () => {
    const { db, totals } = await replayed([])
    const counted = totals[ids.get('app/db/pool.py')!] ? 'app/db/pool.py' : 'app/http/client.py'
    const other = counted === 'app/db/pool.py' ? 'app/http/client.py' : 'app/db/pool.py'
    const r = await runDice(['--db', db, 'digest', '--preview', '--json', '--at', MONDAY_10], { cwd, env: ENV })
    expect(r.code).toBe(0)
    const digests = JSON.parse(r.stdout) as Array<{ target: string; items: Array<{ statementId: string; count: number; note?: string | null }> }>
    const items = (who: string) => digests.find((d) => d.target === who)?.items.map((i) => [i.statementId, i.count, i.note ?? null])
    const owner = counted === 'app/db/pool.py' ? ALICE.email : BOB.email
    const notOwner = owner === ALICE.email ? BOB.email : ALICE.email
    expect(items(owner)).toContainEqual([ids.get(counted), 3, null])
    expect(items(notOwner)).toContainEqual([ids.get(counted), 3, expect.stringContaining(`The same message is logged at ${other}:4 too`)])
    // Bob's own statement is Bob's alone.
    expect(items(ALICE.email)!.map((i) => i[0])).not.toContain(ids.get('app/http/other.py'))
  })
})
