import { afterEach, describe, expect, it } from 'vitest'
import { startDiceRun, until, type DiceRun } from '../cli/commands/testutil/dice-run.js'
import { runDice } from '../cli/testutil.js'
import { openStore } from '../store/registry.js'
import type { Store } from '../store/store.js'
import { freshSchema, TEST_PG_URL } from '../store/testutil/stores.js'
import { tempDir } from '../testutil/tmp.js'
import { twoTags } from './testutil/two-tags.js'

const FORMAT = encodeURIComponent('regex:^(?<host>\\S+) (?<level>[A-Z]+) (?<message>.*)$')

describe('a deploy reaches every dice run (two instances on one PostgreSQL schema)', () => {
  const runs: DiceRun[] = []
  let store: Store | null = null
  afterEach(async () => {
    for (const r of runs.splice(0)) r.child.kill('SIGKILL'), await r.exited
    await store?.close()
  })

  it('POST /api/deploy to one instance; the other then counts an old host\'s line of a statement removed on main', async () => {
    const repo = twoTags()
    const dir = tempDir('versions-run')
    const url = `${TEST_PG_URL}?schema=${freshSchema()}`
    const r = await runDice(['--database-url', url, 'index', repo.dir, '--quiet'], { cwd: dir })
    expect(r.code, r.stderr).toBe(0)
    const [a, b] = await Promise.all([0, 1].map(() => startDiceRun(['--database-url', url, 'run', '--port', '0'], { cwd: dir })))
    runs.push(a!, b!)
    const ingest = async (run: DiceRun, line: string) => {
      const res = await fetch(`${run.url}/ingest?format=${FORMAT}`, { method: 'POST', body: `${line}\n` })
      expect(res.status).toBe(200)
    }
    store = await openStore({ databaseUrl: url })
    // Before the deploy, main's catalog has no such statement: the line is unowned.
    await ingest(b!, 'old-1 ERROR disk sda failing')
    // The CD pipeline says old-* still runs v1 (catalogued from the repository dice index read).
    const d = await fetch(`${a!.url}/api/deploy`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rev: 'v1', host: 'old-*' }) })
    expect(d.status).toBe(201)
    await until(async () => b!.stderr().includes('catalog reloaded'), 'the other instance to reload')
    await ingest(b!, 'old-2 ERROR disk sdb failing')
    const s = store
    const disk = (await s.revisionCatalog(['v1'])).statements.find((x) => x.template === 'disk %s failing')!
    const rows = await until(async () => {
      const o = await s.listOccurrences({ statementId: disk.id })
      return o.length ? o : null
    }, 'the occurrence on v1\'s statement')
    expect(rows!.map((o) => [o.host, o.count])).toEqual([['old-2', 1]])
  })
})
