import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { WebClient } from '@slack/web-api'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { defaultConfig } from '../../config/load.js'
import type { Statement } from '../../core/types.js'
import { startSlackStandin, type SlackStandin } from '../../deliver/testutil/slack-standin.js'
import { Actions } from '../../route/actions.js'
import type { Store } from '../../store/store.js'
import { tempSqliteStore } from '../../store/testutil/stores.js'
import { startServer, type RunningServer } from '../http.js'
import { blockAction } from '../testutil/slack-requests.js'
import { acceptKey, encodeFrame, FrameDecoder } from './websocket.js'

/** Slack's side of Socket Mode: apps.connections.open plus a WebSocket endpoint that sends envelopes. */
async function startSocketSlack() {
  const opens: Array<{ auth: string | undefined }> = []
  const received: any[] = []
  let sock: Duplex | null = null
  const all: Duplex[] = []
  let connections = 0
  const server: Server = createServer((req, res) => {
    if (req.url === '/api/apps.connections.open') {
      opens.push({ auth: req.headers.authorization })
      res.writeHead(200, { 'content-type': 'application/json' })
      return res.end(JSON.stringify({ ok: true, url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/link/${opens.length}` }))
    }
    res.writeHead(404).end()
  })
  server.on('upgrade', (req, socket) => {
    connections++
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(String(req.headers['sec-websocket-key']))}\r\n\r\n`)
    sock = socket
    all.push(socket)
    socket.on('end', () => socket.end())
    const dec = new FrameDecoder()
    socket.on('data', (c: Buffer) => {
      for (const f of dec.push(c)) if (f.opcode === 1) received.push(JSON.parse(f.data.toString()))
    })
    socket.on('error', () => {})
    socket.write(encodeFrame(1, Buffer.from(JSON.stringify({ type: 'hello', num_connections: 1 })), false))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`,
    opens, received,
    connections: () => connections,
    send: (env: unknown) => sock!.write(encodeFrame(1, Buffer.from(JSON.stringify(env)), false)),
    ackFor: async (id: string) => {
      for (let i = 0; i < 200 && !received.some((r) => r.envelope_id === id); i++) await new Promise((r) => setTimeout(r, 10))
      return received.find((r) => r.envelope_id === id)
    },
    close: () => new Promise<void>((r) => (server.closeAllConnections(), all.forEach((x) => x.destroy()), server.close(() => r()))),
  }
}

const S1: Statement = {
  id: 's1', file: 'src/a.c', line: 3, endLine: 3, language: 'c', level: 'error', template: 'it hurts me too', matchable: true, channels: [], mentions: [],
  blame: { email: 'pig@pen.mssn', name: 'Pig', commit: 'f'.repeat(40), time: '2026-01-01T00:00:00Z' }, callee: 'ERROR_LOG',
}

describe('Slack Socket Mode (SLACK_APP_TOKEN)', () => {
  let store: Store
  let slack: SlackStandin
  let socketSlack: Awaited<ReturnType<typeof startSocketSlack>>
  let server: RunningServer

  beforeEach(async () => {
    store = (await tempSqliteStore()).store
    await store.replaceFiles([{ file: 'src/a.c', hash: 'h' }], [S1], [])
    slack = await startSlackStandin({ users: [{ id: 'UBOB' }] })
    socketSlack = await startSocketSlack()
    const config = defaultConfig()
    const actions = new Actions({ store, config, clock: Date.now })
    const web = new WebClient('xoxb-test', { slackApiUrl: slack.url, retryConfig: { retries: 0 } })
    server = await startServer({
      store, config, clock: Date.now, actions, host: '127.0.0.1', port: 0, log: () => {},
      env: { SLACK_APP_TOKEN: 'xapp-1-test', DICE_SLACK_API_URL: socketSlack.apiUrl },
      slack: { apiCall: async (m, a) => (await web.apiCall(m, a)) as any },
    })
    await server.socketReady
  })
  afterEach(async () => {
    await server.close()
    await socketSlack.close()
    await slack.close()
    await store.close()
  })

  it('acknowledges envelopes and runs the same actions as HTTP, then reconnects when Slack asks', async () => {
    expect(socketSlack.opens).toEqual([{ auth: 'Bearer xapp-1-test' }])
    socketSlack.send({ envelope_id: 'e1', type: 'interactive', accepts_response_payload: false,
      payload: blockAction({ user: 'UBOB', actionId: 'dice_mute', value: { statementId: 's1', scope: 'user' }, channel: { id: 'D0000BOB' } }) })
    expect(await socketSlack.ackFor('e1')).toEqual({ envelope_id: 'e1' })
    await server.settled()
    expect(await store.listMutes()).toMatchObject([{ statementId: 's1', scope: 'user', scopeId: 'UBOB' }])
    expect(slack.ok('chat.postEphemeral')).toHaveLength(1)

    socketSlack.send({ envelope_id: 'e2', type: 'events_api', payload: { type: 'event_callback', event: { type: 'app_home_opened', user: 'UBOB', tab: 'home' } } })
    expect(await socketSlack.ackFor('e2')).toEqual({ envelope_id: 'e2' })
    await server.settled()
    expect(JSON.stringify(slack.ok('views.publish')[0]!.body.view)).toContain('dice_unmute')

    socketSlack.send({ envelope_id: 'e3', type: 'interactive', payload: { type: 'view_submission', user: { id: 'UBOB' },
      view: { callback_id: 'dice_reassign_modal', private_metadata: JSON.stringify({ statementId: 's1', channel: null, message: null }), state: { values: {} } } } })
    expect(await socketSlack.ackFor('e3')).toEqual({ envelope_id: 'e3', payload: { response_action: 'errors', errors: { dice_to: expect.any(String) } } })

    socketSlack.send({ type: 'disconnect', reason: 'refresh_requested' })
    for (let i = 0; i < 300 && socketSlack.connections() < 2; i++) await new Promise((r) => setTimeout(r, 10))
    expect(socketSlack.opens).toHaveLength(2)
    expect(socketSlack.connections()).toBe(2)
  })
})

describe('WebSocket framing', () => {
  it('round-trips masked and unmasked frames of every length class, split at any byte', () => {
    for (const len of [0, 5, 125, 126, 65535, 65536, 200_000]) {
      const payload = Buffer.alloc(len, 'x')
      for (const mask of [true, false]) {
        const frame = encodeFrame(1, payload, mask)
        const dec = new FrameDecoder()
        const mid = Math.floor(frame.length / 2)
        const got = [...dec.push(frame.subarray(0, 1)), ...dec.push(frame.subarray(1, mid)), ...dec.push(frame.subarray(mid))]
        expect(got).toHaveLength(1)
        expect(got[0]!.data.equals(payload)).toBe(true)
      }
    }
  })
})
