import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { beforeEach, describe, expect, it } from 'vitest'
import type { Statement } from '../../core/types.js'
import { openStore } from '../../store/registry.js'
import { tempDir } from '../../testutil/tmp.js'

const BIN = join(import.meta.dirname, '../../../bin/dice.js')
const stmt = (id: string, line: number): Statement => ({
  id, file: 'src/a.c', line, endLine: line, language: 'c', level: 'error', template: `boom ${id} %s`, matchable: true,
  channels: [], mentions: [], blame: { email: 'pig@pen.mssn', name: 'Pig', commit: 'b'.repeat(40), time: '2026-01-01T00:00:00Z' }, callee: 'ERROR_LOG',
})

describe('dice snooze/mute/unmute/reassign/overrides', () => {
  let dir: string
  let db: string
  const dice = (...args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, '--db', db, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, USER: 'alice', DICE_NOW: '2026-01-05T10:00:00Z' } })
    return { code: r.status, out: r.stdout, err: r.stderr }
  }
  beforeEach(async () => {
    dir = tempDir('act')
    db = join(dir, 'dice.db')
    const store = await openStore({ dbFile: db })
    await store.replaceFiles([{ file: 'src/a.c', hash: 'h' }], [stmt('s1', 10), stmt('s2', 20)], [])
    await store.close()
  })

  it('snoozes for a duration or a count, for everyone unless --channel/--user says otherwise, as $USER or --as', async () => {
    const a = dice('snooze', 's1', '--for', '1h', '--json')
    expect(a.code, a.err).toBe(0)
    const row = JSON.parse(a.out)
    expect(row).toMatchObject({ statementId: 's1', scope: 'all', scopeId: '*', by: 'alice' })
    expect(row.until - row.createdAt).toBe(3_600_000)
    const b = dice('snooze', 's1', '--count', '5', '--channel', '#ops', '--as', 'bob', '--json')
    expect(JSON.parse(b.out)).toMatchObject({ scope: 'channel', scopeId: 'ops', remaining: 5, by: 'bob' })
    const store = await openStore({ dbFile: db })
    expect((await store.listAudit()).map((x) => [x.actor, x.action])).toEqual([['bob', 'snooze'], ['alice', 'snooze']])
    await store.close()
  })

  it('exits 2 naming the flag for bad durations and missing flags, 1 for unknown ids', () => {
    const bad = dice('snooze', 's1', '--for', 'tomorrowish')
    expect(bad.code).toBe(2)
    expect(bad.err).toMatch(/--for/)
    expect(dice('snooze', 's1').code).toBe(2)
    expect(dice('reassign', 's1').err).toMatch(/--to/)
    expect(dice('mute', 's1', '--bogus').code).toBe(2)
    const unknown = dice('mute', 'no-such-id')
    expect(unknown.code).toBe(1)
    expect(unknown.err).toMatch(/no log statement with id "no-such-id"/)
  })

  it('mutes for everyone or one user and unmutes', async () => {
    expect(dice('mute', 's1').code).toBe(0)
    expect(dice('mute', 's2', '--user', 'pig@pen.mssn').out).toMatch(/muted s2 for pig@pen.mssn/)
    let store = await openStore({ dbFile: db })
    // Each CLI process's pinned clock advances from its own start, so creation order is not asserted.
    expect((await store.listMutes()).map((m) => [m.statementId, m.scope, m.scopeId]).sort()).toEqual([['s1', 'all', '*'], ['s2', 'user', 'pig@pen.mssn']])
    await store.close()
    expect(dice('unmute', 's1').out).toMatch(/1 mute/)
    store = await openStore({ dbFile: db })
    expect((await store.listMutes()).map((m) => m.statementId)).toEqual(['s2'])
    await store.close()
  })

  it('reassigns, lists overrides and undoes the override', () => {
    const r = dice('reassign', 's1', '--to', 'elmore', '--reason', 'wrote it', '--json')
    expect(r.code, r.err).toBe(0)
    expect(JSON.parse(r.out)).toMatchObject({ before: null, after: { to: 'elmore', by: 'alice', reason: 'wrote it' } })
    const list = JSON.parse(dice('overrides', '--json').out)
    expect(list).toEqual([expect.objectContaining({ statementId: 's1', to: 'elmore', by: 'alice', file: 'src/a.c', line: 10 })])
    expect(dice('overrides').out).toMatch(/s1 .*→ elmore/)
    expect(dice('reassign', 's1', '--undo').out).toMatch(/removed \(was elmore\)/)
    expect(JSON.parse(dice('overrides', '--json').out)).toEqual([])
  })
})
