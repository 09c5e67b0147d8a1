import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { openStore } from '../../store/registry.js'
import { statement } from '../../deliver/testutil/fixtures.js'
import { runDice } from '../testutil.js'
import { tempDir } from '../../testutil/tmp.js'

const NOW = '2026-11-23T12:30:00Z'
const at = (hoursAgo: number) => Date.parse(NOW) - hoursAgo * 3_600_000

describe('dice stats', () => {
  let db: string
  beforeAll(async () => {
    db = join(tempDir('stats'), 'dice.db')
    const store = await openStore({ dbFile: db })
    await store.replaceFiles([{ file: 'src/sky.c', hash: 'a' }, { file: 'src/net/ipsec.c', hash: 'b' }], [
      statement({ id: 'sky', template: 'the sky is crying', file: 'src/sky.c', line: 20 }),
      statement({ id: 'ipsec', template: 'tunnel %s down', file: 'src/net/ipsec.c', line: 7, level: 'error', channels: ['ipsec-debug'] }),
    ], [])
    const o = (id: string, host: string, h: number, count: number, samples: string[] = []) =>
      ({ statementId: id, host, bucket: Math.floor(at(h) / 300_000) * 300_000, count, firstSeen: at(h), lastSeen: at(h), level: 'warn' as const, samples })
    await store.applyCounts({ occurrences: [o('ipsec', 'gw-1', 1, 6, ['ERROR tunnel a down']), o('ipsec', 'gw-2', 30, 1), o('sky', 'web-1', 50, 2)], unowned: [], checkpoints: [] })
    await store.close()
  })

  it('lists statements with last 24 h, total, hosts and last seen, busiest first; --json is the API document', async () => {
    const r = await runDice(['--db', db, 'stats', '--at', NOW], { env: { COLUMNS: '' } })
    expect(r.code, r.stderr).toBe(0)
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^ID\s+LEVEL\s+24H\s+TOTAL\s+HOSTS\s+LAST SEEN\s+OWNER\s+WHERE\s+MESSAGE$/)
    expect(lines[1]).toMatch(/^ipsec\s+error\s+6\s+7\s+gw-1,gw-2\s+2026-11-23 11:30Z\s+\S+\s+src\/net\/ipsec\.c:7\s+"tunnel %s down" #ipsec-debug$/)
    expect(lines[2]).toMatch(/^sky\s+warn\s+0\s+2\s+web-1\s+2026-11-21 10:30Z/)
    expect(lines.at(-1)).toBe('2 statements, 6 occurrences in the last 24 h')
    const j = JSON.parse((await runDice(['--db', db, 'stats', '--json', '--search', 'ipsec', '--at', NOW])).stdout)
    expect(j).toMatchObject({ generatedAt: expect.stringMatching(/^2026-11-23T12:30:0/), q: 'ipsec', count: 1, statements: [{ id: 'ipsec', total: 7, last24h: 6, hosts: ['gw-1', 'gw-2'] }] })
  })

  it('--limit N lists the N busiest with their hosts and says of how many; a bad --limit is a usage error', async () => {
    const r = await runDice(['--db', db, 'stats', '--limit', '1', '--at', NOW], { env: { COLUMNS: '' } })
    expect(r.code, r.stderr).toBe(0)
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines).toHaveLength(3)
    expect(lines[1]).toMatch(/^ipsec\s+error\s+6\s+7\s+gw-1,gw-2\s+2026-11-23 11:30Z/)
    expect(lines[2]).toBe('1 statements (the 1 busiest of 2), 6 occurrences in the last 24 h')
    const j = JSON.parse((await runDice(['--db', db, 'stats', '--json', '--limit', '1', '--at', NOW])).stdout)
    expect(j).toMatchObject({ count: 2, offset: 0, limit: 1, statements: [{ id: 'ipsec', total: 7, last24h: 6, hosts: ['gw-1', 'gw-2'], lastSeen: '2026-11-23T11:30:00.000Z' }] })
    expect(j.statements).toHaveLength(1)
    const zero = await runDice(['--db', db, 'stats', '--limit', '0', '--at', NOW])
    expect(zero.stdout.trimEnd().split('\n').at(-1)).toBe('0 statements (the 0 busiest of 2), 0 occurrences in the last 24 h')
    for (const bad of ['-1', 'ten', '1.5']) {
      const b = await runDice(['--db', db, 'stats', `--limit=${bad}`])
      expect(b.code).toBe(2)
      expect(b.stderr).toContain('--limit: expected a whole number')
    }
    expect((await runDice(['--db', db, 'stats', 'ipsec', '--limit', '1'])).code).toBe(2)
  })

  it('shows one statement with its hours and recent lines, and names an unknown id (exit 1)', async () => {
    const r = await runDice(['--db', db, 'stats', 'ipsec', '--at', NOW])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('counted: 7 in all, 6 in the last 24 h')
    expect(r.stdout).toMatch(/per hour, last 48 h .*\|[ ▁-█]{48}\|/)
    expect(r.stdout).toContain('gw-1  ERROR tunnel a down')
    const j = JSON.parse((await runDice(['--db', db, 'stats', 'ipsec', '--json', '--at', NOW])).stdout)
    expect(j.hourly).toHaveLength(48)
    const none = await runDice(['--db', db, 'stats', 'nope'])
    expect(none.code).toBe(1)
    expect(none.stderr).toContain('no log statement with id "nope"')
  })

  it('says when a search matches nothing, and when the catalog is empty', async () => {
    expect((await runDice(['--db', db, 'stats', '--search', 'zzz'])).stdout).toBe('(no statement matches --search zzz; the catalog has 2 statements)\n')
    const empty = join(tempDir('stats'), 'dice.db')
    expect((await runDice(['--db', empty, 'stats'])).stdout).toContain('the catalog is empty')
  })
})
