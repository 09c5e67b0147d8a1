import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultConfig } from '../config/load.js'
import type { Statement } from '../core/types.js'
import { Actions } from '../route/actions.js'
import type { Store } from '../store/store.js'
import { tempSqliteStore } from '../store/testutil/stores.js'
import { startServer, type RunningServer } from './http.js'

const HOUR = 3_600_000
const NOW = Date.parse('2026-11-23T12:30:00Z')
const stmt = (id: string, file: string, template: string, extra: Partial<Statement> = {}): Statement => ({
  id, file, line: 10, endLine: 10, language: 'c', level: 'error', template, matchable: true, channels: [], mentions: [],
  blame: { email: 'pig@pen.mssn', name: 'Pig', commit: 'c'.repeat(40), time: '2026-01-01T00:00:00Z' }, callee: 'ERROR_LOG', ...extra,
})
const occ = (statementId: string, host: string, at: number, count: number, samples: string[] = []) =>
  ({ statementId, host, bucket: Math.floor(at / 300_000) * 300_000, count, firstSeen: at, lastSeen: at, level: 'error' as const, samples })

describe('JSON read API', () => {
  let store: Store
  let server: RunningServer
  beforeAll(async () => {
    store = (await tempSqliteStore()).store
    await store.replaceFiles([{ file: 'src/net/ipsec.c', hash: 'a' }, { file: 'src/sky.c', hash: 'b' }, { file: 'src/quiet.c', hash: 'c' }], [
      stmt('ipsec', 'src/net/ipsec.c', 'tunnel %s: phase %d failed', { channels: ['ipsec-debug'] }),
      stmt('sky', 'src/sky.c', 'the sky is crying', { level: 'warn', mentions: ['elmore'] }),
      stmt('quiet', 'src/quiet.c', 'never happens'),
    ], [])
    await store.applyCounts({
      occurrences: [
        occ('ipsec', 'gw-1', NOW - 30 * 60_000, 5, ['ERROR tunnel a: phase 2 failed <script>x</script>']),
        occ('ipsec', 'gw-2', NOW - 3 * HOUR, 2, ['ERROR tunnel b: phase 1 failed']),
        occ('ipsec', 'gw-1', NOW - 30 * HOUR, 4),
        occ('sky', 'web-1', NOW - 3 * 24 * HOUR, 9),
      ],
      unowned: [], checkpoints: [],
    })
    const config = defaultConfig()
    const actions = new Actions({ store, config, clock: () => NOW })
    await actions.reassign({ statementId: 'ipsec', actor: { id: 'U0PIG0001', trusted: true }, to: 'elmore@pen.mssn' })
    server = await startServer({ store, config, clock: () => NOW, actions, host: '127.0.0.1', port: 0, env: {}, log: () => {} })
  })
  afterAll(async () => {
    await server?.close()
    await store?.close()
  })
  const get = async (path: string) => {
    const r = await fetch(server.url + path)
    return { status: r.status, type: r.headers.get('content-type'), body: (await r.json()) as any }
  }

  it('GET /api/statements lists every statement with totals, last 24 h, hosts, first and last seen and owner, busiest first', async () => {
    const r = await get('/api/statements')
    expect(r.status).toBe(200)
    expect(r.type).toBe('application/json; charset=utf-8')
    expect(r.body).toMatchObject({ generatedAt: new Date(NOW).toISOString(), q: '', count: 3 })
    expect(r.body.statements.map((s: any) => s.id)).toEqual(['ipsec', 'sky', 'quiet'])
    expect(r.body.statements[0]).toEqual({
      id: 'ipsec', file: 'src/net/ipsec.c', line: 10, level: 'error', template: 'tunnel %s: phase %d failed', channels: ['ipsec-debug'],
      owner: { kind: 'override', who: 'elmore@pen.mssn', via: 'override' }, total: 11, last24h: 7, hosts: ['gw-1', 'gw-2'],
      firstSeen: new Date(NOW - 30 * HOUR).toISOString(), lastSeen: new Date(NOW - 30 * 60_000).toISOString(),
    })
    expect(r.body.statements[1]).toMatchObject({ id: 'sky', total: 9, last24h: 0, owner: { kind: 'annotation', who: 'elmore' } })
    expect(r.body.statements[2]).toMatchObject({ id: 'quiet', total: 0, last24h: 0, hosts: [], firstSeen: null, lastSeen: null, owner: { kind: 'blame', who: 'pig@pen.mssn' } })
  })

  it('?q= keeps the statements whose message, file, owner or #channel contain it', async () => {
    expect((await get('/api/statements?q=ipsec-debug')).body.statements.map((s: any) => s.id)).toEqual(['ipsec'])
    expect((await get('/api/statements?q=SKY.c')).body.statements.map((s: any) => s.id)).toEqual(['sky'])
    expect((await get('/api/statements?q=elmore')).body.statements.map((s: any) => s.id).sort()).toEqual(['ipsec', 'sky'])
    expect((await get('/api/statements?q=nothing-like-it')).body).toMatchObject({ count: 0, statements: [] })
  })

  it('?limit= and ?offset= give a page of the list, busiest first, with the count of every match; a bad number is a 400 that names it', async () => {
    const page = (await get('/api/statements?limit=1&offset=1')).body
    expect(page).toMatchObject({ count: 3, offset: 1, limit: 1 })
    expect(page.statements.map((s: any) => s.id)).toEqual(['sky'])
    // A page's items are the whole list's, hosts and time frames included (read for the page's statements alone).
    const whole = (await get('/api/statements')).body.statements
    expect(page.statements).toEqual([whole[1]])
    expect((await get('/api/statements?limit=1')).body.statements).toEqual([whole[0]])
    expect((await get('/api/statements?limit=2')).body.statements.map((s: any) => s.id)).toEqual(['ipsec', 'sky'])
    expect((await get('/api/statements?offset=2')).body.statements.map((s: any) => s.id)).toEqual(['quiet'])
    expect((await get('/api/statements?offset=9')).body).toMatchObject({ count: 3, statements: [] })
    expect((await get('/api/statements?q=elmore&limit=1')).body).toMatchObject({ count: 2, limit: 1 })
    for (const bad of ['limit=-1', 'limit=ten', 'offset=1.5']) {
      const r = await get(`/api/statements?${bad}`)
      expect(r.status).toBe(400)
      expect(r.body.error).toContain(bad.split('=')[0])
    }
  })

  it('GET /api/statements/ID gives per-hour counts for 48 hours and the recent raw lines as logged', async () => {
    const r = await get('/api/statements/ipsec')
    expect(r.status).toBe(200)
    expect(r.body.hourly).toHaveLength(48)
    expect(r.body.hourly.at(-1)).toEqual({ hour: '2026-11-23T12:00:00.000Z', count: 5 })
    expect(r.body.hourly.find((h: any) => h.hour === '2026-11-23T09:00:00.000Z').count).toBe(2)
    expect(r.body.hourly.reduce((a: number, h: any) => a + h.count, 0)).toBe(11)
    // Newest first; log text is returned as it was logged (JSON-encoded), not as HTML.
    expect(r.body.samples).toEqual([
      { bucket: '2026-11-23T12:00:00.000Z', host: 'gw-1', text: 'ERROR tunnel a: phase 2 failed <script>x</script>' },
      { bucket: '2026-11-23T09:30:00.000Z', host: 'gw-2', text: 'ERROR tunnel b: phase 1 failed' },
    ])
    expect(r.body).toMatchObject({ id: 'ipsec', total: 11, last24h: 7, owner: { kind: 'override', who: 'elmore@pen.mssn' } })
  })

  it('answers 404 naming an unknown id, 404 for other /api paths and 405 for writes', async () => {
    const r = await get('/api/statements/nope')
    expect(r.status).toBe(404)
    expect(r.body.error).toContain('"nope"')
    expect((await fetch(server.url + '/api/other')).status).toBe(404)
    expect((await fetch(server.url + '/api/statements', { method: 'POST' })).status).toBe(405)
  })
})
