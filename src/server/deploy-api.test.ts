import { afterEach, describe, expect, it } from 'vitest'
import { defaultConfig } from '../config/load.js'
import { Actions } from '../route/actions.js'
import type { Store } from '../store/store.js'
import { STORE_KINDS } from '../store/testutil/stores.js'
import { twoTags } from '../catalog/testutil/two-tags.js'
import { indexRepository } from '../catalog/indexer.js'
import { startServer, type RunningServer } from './http.js'

const NOW = Date.parse('2026-11-23T12:30:00Z')

describe.each(STORE_KINDS)('POST /api/deploy ($name)', ({ open }) => {
  let store: Store
  let server: RunningServer | null = null
  afterEach(async () => {
    await server?.close()
    server = null
    await store?.close()
  })
  const start = async (env: NodeJS.ProcessEnv = {}) => {
    const config = defaultConfig()
    server = await startServer({ store, config, clock: () => NOW, actions: new Actions({ store, config, clock: () => NOW }), host: '127.0.0.1', port: 0, env, log: () => {} })
    return server.url
  }
  const post = (url: string, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    fetch(`${url}/api/deploy`, { method: 'POST', body, headers })

  it('records what a CD pipeline says runs where, cataloguing the revision from the indexed repository first', async () => {
    store = await open()
    const repo = twoTags()
    await indexRepository({ dir: repo.dir, store, config: defaultConfig() })
    const url = await start()
    const r = await post(url, JSON.stringify({ rev: 'v1', host: 'web-*' }))
    expect(r.status).toBe(201)
    expect(await r.json()).toMatchObject({ rev: 'v1', commit: repo.git('rev-parse', 'v1').trim(), hostPattern: 'web-*', at: '2026-11-23T12:30:00.000Z', by: 'api' })
    expect((await post(url, JSON.stringify({ rev: 'v2' }))).status).toBe(201)
    expect((await store.listDeploys()).map((d) => [d.rev, d.hostPattern])).toEqual([['v1', 'web-*'], ['v2', '*']])
    expect((await store.listRevisions()).map((x) => x.rev)).toEqual(['v1', 'v2'])
  })

  it('refuses what is not a deploy: no JSON content type, no rev, an unknown revision, a bad host pattern; GET', async () => {
    store = await open()
    const repo = twoTags()
    await indexRepository({ dir: repo.dir, store, config: defaultConfig() })
    const url = await start()
    // A form post (what another site could make a browser send) is not JSON.
    expect((await post(url, '{"rev":"v1"}', { 'content-type': 'text/plain' })).status).toBe(415)
    expect((await post(url, '{"host":"web-*"}')).status).toBe(400)
    expect((await post(url, 'rev=v1')).status).toBe(400)
    const unknown = await post(url, JSON.stringify({ rev: 'v9' }))
    expect(unknown.status).toBe(400)
    expect(await unknown.text()).not.toContain(repo.dir)
    expect((await post(url, JSON.stringify({ rev: 'v1', host: 'web-1; rm' }))).status).toBe(400)
    expect((await fetch(`${url}/api/deploy`)).status).toBe(405)
    expect(await store.listDeploys()).toEqual([])
  })

  it('asks for the token the web page asks for (DICE_WEB_TOKEN)', async () => {
    store = await open()
    await store.putRevision({ rev: 'v1', commit: 'a'.repeat(40), at: 1 }, [])
    const url = await start({ DICE_WEB_TOKEN: 'tok-123' })
    expect((await post(url, JSON.stringify({ rev: 'v1' }))).status).toBe(401)
    expect((await post(url, JSON.stringify({ rev: 'v1' }), { 'content-type': 'application/json', authorization: 'Bearer tok-123' })).status).toBe(201)
    expect((await store.listDeploys()).map((d) => d.rev)).toEqual(['v1'])
  })
})
