import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { tempSqliteStore } from '../store/testutil/stores.js'
import type { Store } from '../store/store.js'
import { Router } from '../route/router.js'
import { Silences } from './silences.js'
import { config, hit, statement } from './testutil/fixtures.js'

let store: Store
const now = Date.now()
const clock = () => now
beforeEach(async () => {
  store = (await tempSqliteStore()).store
})
afterEach(async () => store.close())

async function stages(raw: Record<string, unknown> = {}) {
  const router = new Router({ store, config: config(raw), clock })
  const silences = new Silences({ store, config: config(raw), clock })
  await Promise.all([router.refresh(), silences.refresh()])
  return { router, silences, route: (h: Parameters<Router['route']>[0]) => silences.apply(router.route(h)) }
}

describe('Silences', () => {
  it('mutes: everyone, one person (by key or by the Slack id the users cache gives them), one channel (by name or Slack id)', async () => {
    const s = statement({ id: 'f', channels: ['ops', 'dev'] })
    await store.replaceFiles([{ file: 'src/hello.c', hash: 'h' }], [s], [])
    await store.addMute({ statementId: 'f', scope: 'channel', scopeId: 'ops', by: 'U1', createdAt: now })
    await store.addMute({ statementId: 'f', scope: 'user', scopeId: 'UPIG00001', by: 'UPIG00001', createdAt: now })
    // What a people look-up keeps: the blame email is that Slack user.
    await store.putUser({ key: 'pig@pen.mssn', slackId: 'UPIG00001', name: 'Pig', email: 'pig@pen.mssn', tz: null, fetchedAt: now })
    const { route, silences } = await stages()
    const d = route(hit(s, { time: now }))
    expect(d.channels).toEqual(['dev'])
    expect(d.suppressed).toEqual([{ target: '#ops', reason: 'muted' }])
    expect(silences.check('f', { person: 'pig@pen.mssn' })).toBe('muted')
    expect(silences.check('f', { person: 'elmore' })).toBeNull()
    // A mute from a Slack click names the channel by id; real-time posts recorded which channel that is.
    await store.putRealtime({ statementId: 'f', channel: 'dev', ts: '1.1', windowStart: now, state: { channelId: 'C0DEV0001' } })
    await store.addMute({ statementId: 'f', scope: 'channel', scopeId: 'C0DEV0001', by: 'U1', createdAt: now })
    await silences.refresh()
    expect(route(hit(s, { time: now })).channels).toEqual([])
    await store.removeMute('f', 'channel', 'C0DEV0001')
    await store.removeMute('f', 'channel', 'ops')
    await store.addMute({ statementId: 'f', scope: 'all', scopeId: '*', by: 'U1', createdAt: now })
    await silences.refresh()
    expect(route(hit(s, { time: now })).channels).toEqual([])
    expect(silences.check('f', { person: 'elmore' })).toBe('muted')
  })

  it('a person mute by Slack id does not silence someone else', async () => {
    const s = statement({ id: 'k' })
    await store.addMute({ statementId: 'k', scope: 'user', scopeId: 'UELM00001', by: 'UELM00001', createdAt: now })
    await store.putUser({ key: 'elmore@pen.mssn', slackId: 'UELM00001', name: 'Elmore', email: 'elmore@pen.mssn', tz: null, fetchedAt: now })
    const { route } = await stages()
    expect(route(hit(s, { time: now })).person).toBe('pig@pen.mssn')
  })

  it('time snoozes end; count snoozes are consumed one hit at a time and written back', async () => {
    const s = statement({ id: 'g', channels: ['ops'] })
    await store.replaceFiles([{ file: 'src/hello.c', hash: 'h' }], [s], [])
    await store.addSnooze({ statementId: 'g', scope: 'channel', scopeId: 'ops', until: now - 1, remaining: null, by: 'U1', createdAt: now - 10 })
    const z = await store.addSnooze({ statementId: 'g', scope: 'channel', scopeId: 'ops', until: null, remaining: 2, by: 'U1', createdAt: now })
    const { route } = await stages()
    expect(route(hit(s, { time: now })).channels).toEqual([])
    expect(route(hit(s, { time: now })).channels).toEqual([])
    expect(route(hit(s, { time: now })).channels).toEqual(['ops'])
    await new Promise((res) => setTimeout(res, 50))
    expect((await store.activeSnoozes(now)).find((x) => x.id === z.id)).toBeUndefined()
  })

  it('leaves a statement nobody silenced as routed, and routes its fallback channel through the same silences', async () => {
    const s = statement({ id: 'h', blame: null })
    const other = statement({ id: 'i', blame: null })
    await store.addSnooze({ statementId: 'h', scope: 'channel', scopeId: 'dice', until: now + 60_000, remaining: null, by: 'U1', createdAt: now })
    const { route, silences } = await stages({ route: { fallbackChannel: '#dice' } })
    expect(silences.has('i')).toBe(false)
    expect(route(hit(other, { time: now })).fallbackChannel).toBe('dice')
    const d = route(hit(s, { time: now }))
    expect(d.fallbackChannel).toBeNull()
    expect(d.suppressed).toEqual([{ target: '#dice', reason: 'snoozed' }])
  })
})
