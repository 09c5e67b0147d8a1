import { SlackWebApi } from '../../deliver/slack/api.js'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { defaultConfig } from '../../config/load.js'
import type { Statement } from '../../core/types.js'
import { startSlackStandin, type SlackStandin } from '../../deliver/testutil/slack-standin.js'
import { Actions } from '../../route/actions.js'
import type { Store } from '../../store/store.js'
import { tempSqliteStore } from '../../store/testutil/stores.js'
import { startServer, type RunningServer } from '../http.js'
import { blockAction } from '../testutil/slack-requests.js'
import { startTestWebSocketServer, type TestWebSocketServer } from '../testutil/websocket-server.js'
import { startSocketMode, type SocketMode } from './socket-mode.js'

const S1: Statement = {
  id: 's1', file: 'src/a.c', line: 3, endLine: 3, language: 'c', level: 'error', template: 'it hurts me too', matchable: true, channels: [], mentions: [],
  blame: { email: 'pig@pen.mssn', name: 'Pig', commit: 'f'.repeat(40), time: '2026-01-01T00:00:00Z' }, callee: 'ERROR_LOG',
}

const muteEnvelope = (id: string, retry = 0) => ({
  envelope_id: id, type: 'interactive', accepts_response_payload: false, ...(retry ? { retry_attempt: retry, retry_reason: 'timeout' } : {}),
  payload: blockAction({ user: 'UBOB00001', actionId: 'dice_mute', value: { statementId: 's1', scope: 'user' }, channel: { id: 'D0000BOB' } }),
})
const homeEnvelope = (id: string, retry = 0) => ({
  envelope_id: id, type: 'events_api', accepts_response_payload: false, retry_attempt: retry, retry_reason: retry ? 'timeout' : '',
  payload: { type: 'event_callback', event_id: 'Ev0HOME', event: { type: 'app_home_opened', user: 'UBOB00001', tab: 'home' } },
})

describe('Slack Socket Mode through @slack/socket-mode (SLACK_APP_TOKEN)', () => {
  let store: Store
  let slack: SlackStandin
  let wss: TestWebSocketServer
  let server: RunningServer
  const logs: string[] = []

  beforeEach(async () => {
    store = (await tempSqliteStore()).store
    await store.replaceFiles([{ file: 'src/a.c', hash: 'h' }], [S1], [])
    wss = await startTestWebSocketServer()
    slack = await startSlackStandin({ users: [{ id: 'UBOB00001' }] })
    slack.setSocketModeUrl(wss.url)
    const config = defaultConfig()
    const actions = new Actions({ store, config, clock: Date.now })
    logs.length = 0
    server = await startServer({
      store, config, clock: Date.now, actions, host: '127.0.0.1', port: 0, log: (l) => logs.push(l),
      env: { SLACK_APP_TOKEN: 'xapp-1-test', DICE_SLACK_API_URL: slack.url },
      slack: new SlackWebApi({ token: 'xoxb-test', url: slack.url }),
    })
    await server.socketReady
  })
  afterEach(async () => {
    await server.close()
    await wss.close()
    await slack.close()
    await store.close()
  })

  it('opens the connection with the app token at DICE_SLACK_API_URL and acks a button envelope, which mutes like HTTP', async () => {
    expect(slack.ok('apps.connections.open').map((c) => c.token)).toEqual(['xapp-1-test'])
    expect(wss.connections()).toBe(1)
    wss.send(muteEnvelope('e1'))
    expect(await wss.ackFor('e1')).toEqual({ envelope_id: 'e1', payload: {} })
    await server.settled()
    expect(await store.listMutes()).toMatchObject([{ statementId: 's1', scope: 'user', scopeId: 'UBOB00001' }])
    expect(slack.ok('chat.postEphemeral')).toHaveLength(1)
  })

  it('acks a redelivered envelope again but acts on it only once', async () => {
    wss.send(muteEnvelope('e1'))
    expect(await wss.ackFor('e1')).toBeDefined()
    await server.settled()
    wss.send(muteEnvelope('e1', 1))
    expect(await wss.ackFor('e1', 2)).toEqual({ envelope_id: 'e1', payload: {} })
    await server.settled()
    expect(await store.listMutes()).toHaveLength(1)
    expect(slack.ok('chat.postEphemeral')).toHaveLength(1)
    expect(await store.listAudit()).toHaveLength(1)
    expect(logs.some((l) => l.includes('envelope e1 redelivered (retry 1, timeout)'))).toBe(true)

    // Events API: the same event under a new envelope id is still the same event (event_id).
    wss.send(homeEnvelope('e2'))
    expect(await wss.ackFor('e2')).toEqual({ envelope_id: 'e2', payload: {} })
    await server.settled()
    wss.send(homeEnvelope('e2', 1))
    wss.send(homeEnvelope('e3', 2))
    expect(await wss.ackFor('e2', 2)).toBeDefined()
    expect(await wss.ackFor('e3')).toBeDefined()
    await server.settled()
    expect(slack.ok('views.publish')).toHaveLength(1)
    expect(JSON.stringify(slack.ok('views.publish')[0]!.body.view)).toContain('dice_unmute')
  })

  it('answers a bad modal submission with field errors in the ack and acts on nothing', async () => {
    wss.send({ envelope_id: 'e4', type: 'interactive', payload: { type: 'view_submission', user: { id: 'UBOB00001' },
      view: { callback_id: 'dice_reassign_modal', private_metadata: JSON.stringify({ statementId: 's1', channel: null, message: null }), state: { values: {} } } } })
    expect(await wss.ackFor('e4')).toEqual({ envelope_id: 'e4', payload: { response_action: 'errors', errors: { dice_to: expect.any(String) } } })
    await server.settled()
    expect(await store.listOverrides()).toEqual([])
    expect(await store.listAudit()).toEqual([])
  })

  it('acks an unreadable payload and drops it', async () => {
    wss.send({ envelope_id: 'e5', type: 'interactive', payload: { type: 'block_actions', user: { id: 'UBOB00001' }, actions: [{ action_id: 'dice_mute', value: '{not json' }] } })
    expect(await wss.ackFor('e5')).toEqual({ envelope_id: 'e5', payload: {} })
    await server.settled()
    expect(await store.listMutes()).toEqual([])
    expect(logs.some((l) => l.startsWith('socket mode: unreadable interactive payload'))).toBe(true)
  })
})

describe('startSocketMode', () => {
  let slack: SlackStandin
  let wss: TestWebSocketServer
  let socket: SocketMode | null = null
  beforeEach(async () => {
    wss = await startTestWebSocketServer()
    slack = await startSlackStandin()
    slack.setSocketModeUrl(wss.url)
  })
  afterEach(async () => {
    await socket?.close()
    await wss.close()
    await slack.close()
  })

  it('reconnects through apps.connections.open when Slack sends disconnect', async () => {
    socket = startSocketMode({ appToken: 'xapp-1-test', apiUrl: slack.url, work: () => {}, log: () => {}, pingTimeoutMs: 150 })
    await socket.ready
    wss.send({ type: 'disconnect', reason: 'refresh_requested' })
    for (let i = 0; i < 300 && wss.connections() < 2; i++) await new Promise((r) => setTimeout(r, 10))
    expect(slack.ok('apps.connections.open')).toHaveLength(2)
    expect(wss.connections()).toBe(2)
  })

  it('leaves no unhandled rejection when closed while a reconnect is under way (the client rejects it with undefined)', async () => {
    const unhandled: unknown[] = []
    const note = (reason: unknown) => void unhandled.push(reason)
    process.on('unhandledRejection', note)
    try {
      socket = startSocketMode({ appToken: 'xapp-1-test', apiUrl: slack.url, work: () => {}, log: () => {}, pingTimeoutMs: 50 })
      await socket.ready
      // Slack goes away: the client retries, each attempt a start() that waits for a connection.
      const opened = slack.ok('apps.connections.open').length
      await wss.close()
      for (let i = 0; i < 300 && slack.ok('apps.connections.open').length <= opened; i++) await new Promise((r) => setTimeout(r, 10))
      expect(slack.ok('apps.connections.open').length).toBeGreaterThan(opened)
      await socket.close()
      socket = null
      // Unhandled rejections are reported after the microtask queue drains: give them a few turns.
      await new Promise((r) => setTimeout(r, 200))
      expect(unhandled).toEqual([])
    } finally {
      process.off('unhandledRejection', note)
    }
  })

  it('does not act on an envelope Slack redelivers to another instance sharing the store', async () => {
    const { store } = await tempSqliteStore()
    const claim = (key: string) => store.firstSeen(`slack-socket:${key}`, Date.now(), 600_000)
    const worked: string[] = []
    const logs: string[] = []
    const a = startSocketMode({ appToken: 'xapp-1-test', apiUrl: slack.url, work: () => worked.push('a'), log: () => {}, claim })
    let b: SocketMode | null = null
    try {
      await a.ready
      wss.send(muteEnvelope('e9'))
      expect(await wss.ackFor('e9')).toBeDefined()
      for (let i = 0; i < 100 && worked.length === 0; i++) await new Promise((r) => setTimeout(r, 10))
      // A second instance connects; Slack's redelivery arrives on its (the newest) connection.
      b = startSocketMode({ appToken: 'xapp-1-test', apiUrl: slack.url, work: () => worked.push('b'), log: (l) => logs.push(l), claim })
      await b.ready
      wss.send(muteEnvelope('e9', 1))
      expect(await wss.ackFor('e9', 2)).toEqual({ envelope_id: 'e9', payload: {} })
      for (let i = 0; i < 100 && !logs.some((l) => l.includes('envelope e9 redelivered')); i++) await new Promise((r) => setTimeout(r, 10))
      expect(worked).toEqual(['a'])
      expect(logs.some((l) => l.includes('envelope e9 redelivered (retry 1, timeout)'))).toBe(true)
    } finally {
      await a.close()
      await b?.close()
      await store.close()
    }
  })

  it('rejects ready and logs when Slack refuses the app token', async () => {
    const logs: string[] = []
    slack.failNext('apps.connections.open', { error: 'invalid_auth' })
    socket = startSocketMode({ appToken: 'xapp-bad', apiUrl: slack.url, work: () => {}, log: (l) => logs.push(l) })
    await expect(socket.ready).rejects.toThrow(/invalid_auth/)
    expect(logs.some((l) => l.includes('could not connect'))).toBe(true)
    expect(wss.connections()).toBe(0)
  })
})
