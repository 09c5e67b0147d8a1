import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { tempSqliteStore } from '../store/testutil/stores.js'
import type { Store } from '../store/store.js'
import { Router } from './router.js'
import { config, hit, statement } from '../deliver/testutil/fixtures.js'

let store: Store
const now = Date.now()
const clock = () => now
beforeEach(async () => {
  store = (await tempSqliteStore()).store
})
afterEach(async () => store.close())

async function router(raw: Record<string, unknown> = {}) {
  const r = new Router({ store, config: config(raw), clock })
  await r.refresh()
  return r
}

describe('Router', () => {
  it('sends #channel statements to their channel at any level and to nobody\'s digest unless a person is named', async () => {
    const r = await router()
    const s = statement({ id: 'a', level: 'info', channels: ['hello-worlders'] })
    const d = r.route(hit(s, { time: now, level: 'info' }))
    expect(d.channels).toEqual(['hello-worlders'])
    expect(d.person).toBeNull()
    expect(d.owner.kind).toBe('blame')
    expect(r.digestTarget(s)).toBeNull()
    const named = statement({ id: 'a2', level: 'info', channels: ['hello-worlders'], mentions: ['elmore'] })
    expect(r.route(hit(named, { time: now, level: 'info' }))).toMatchObject({ channels: ['hello-worlders'], person: 'elmore' })
    expect(r.digestTarget(named)).toEqual({ kind: 'person', key: 'elmore' })
  })

  it('drops plain statements below route.minLevel (default warn), keeps @mentioned ones at any level', async () => {
    const r = await router()
    const info = r.route(hit(statement({ id: 'b', level: 'info' }), { time: now }))
    expect(info.person).toBeNull()
    expect(info.suppressed).toEqual([{ target: 'pig@pen.mssn', reason: 'level' }])
    const mention = r.route(hit(statement({ id: 'c', level: 'debug', mentions: ['elmore'] }), { time: now }))
    expect(mention.person).toBe('elmore')
    expect(mention.owner.kind).toBe('annotation')
  })

  it('applies CODEOWNERS-style rules: channels add up, the last matching person owns, annotations and overrides still win', async () => {
    const r = await router({
      route: {
        rules: [
          { path: 'src/net/**', channel: '#net' },
          { path: '*.c', minLevel: 'error', channel: 'c-errors' },
          { path: 'src/net/', person: 'first@x' },
          { path: 'src/net/ipsec.c', person: 'ipsec@x' },
        ],
      },
    })
    const s = statement({ id: 'd', file: 'src/net/ipsec.c', level: 'warn' })
    const warn = r.route(hit(s, { time: now, level: 'warn' }))
    expect(warn.channels).toEqual(['net'])
    expect(warn.person).toBe('ipsec@x')
    expect(r.route(hit(s, { time: now, level: 'error' })).channels).toEqual(['net', 'c-errors'])
    expect(r.route(hit({ ...s, mentions: ['elmore'] }, { time: now })).person).toBe('elmore')
    await store.replaceFiles([{ file: 'src/net/ipsec.c', hash: 'h' }], [s], [])
    await store.setOverride({ statementId: 'd', to: 'real@x', by: 'U1', reason: null, createdAt: now })
    await r.refresh()
    expect(r.route(hit(s, { time: now })).person).toBe('real@x')
  })

  it('routes ownerless statements to the fallback channel', async () => {
    const s = statement({ id: 'e', blame: null })
    expect((await router()).route(hit(s, { time: now })).fallbackChannel).toBeNull()
    const d = (await router({ route: { fallbackChannel: '#dice' } })).route(hit(s, { time: now }))
    expect(d.person).toBeNull()
    expect(d.fallbackChannel).toBe('dice')
  })
})
