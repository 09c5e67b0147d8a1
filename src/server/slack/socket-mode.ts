import { parseSlackRequest, type SlackAction } from './action.js'
import { MiniWebSocket } from './websocket.js'

/** A running Socket Mode connection loop. */
export interface SocketMode {
  /** Resolves once the first connection said hello (tests). */
  ready: Promise<void>
  close(): void
}

const DEFAULT_API = 'https://slack.com/api/'

/**
 * Slack Socket Mode with an app-level token (`SLACK_APP_TOKEN`, xapp-…): instead of Slack calling
 * `/slack/actions` and `/slack/events`, Dice opens a WebSocket (apps.connections.open) and receives the
 * same payloads as envelopes. Each envelope is acknowledged at once (with field errors for a bad modal
 * submission), turned into a SlackAction by the same parser as HTTP, and handed to `work`. No request
 * signature here: the connection itself is authenticated by the app token. Reconnects with backoff, and
 * when Slack asks (`disconnect` envelopes).
 */
export function startSocketMode(o: {
  appToken: string
  apiUrl?: string
  work: (a: SlackAction) => void
  log: (line: string) => void
}): SocketMode {
  let stopped = false
  let ws: MiniWebSocket | null = null
  let failures = 0
  let timer: NodeJS.Timeout | null = null
  let markReady: () => void
  const ready = new Promise<void>((r) => (markReady = r))
  const api = (o.apiUrl || DEFAULT_API).replace(/\/?$/, '/')

  const openUrl = async (): Promise<string> => {
    const r = await fetch(`${api}apps.connections.open`, { method: 'POST', headers: { authorization: `Bearer ${o.appToken}`, 'content-type': 'application/x-www-form-urlencoded' } })
    const body = (await r.json().catch(() => ({}))) as { ok?: boolean; url?: string; error?: string }
    if (!body.ok || !body.url) throw new Error(`apps.connections.open: ${body.error ?? `HTTP ${r.status}`}`)
    return body.url
  }

  const onMessage = (text: string) => {
    let env: { type?: string; envelope_id?: string; payload?: unknown; reason?: string }
    try {
      env = JSON.parse(text)
    } catch {
      return o.log('socket mode: unreadable envelope')
    }
    if (env.type === 'hello') return (failures = 0), markReady()
    if (env.type === 'disconnect') {
      o.log(`socket mode: Slack asked to reconnect (${env.reason ?? 'no reason'})`)
      return ws?.close()
    }
    if (!env.envelope_id) return
    const ack = (payload?: unknown) => ws?.send(JSON.stringify({ envelope_id: env.envelope_id, ...(payload ? { payload } : {}) }))
    let action: SlackAction
    try {
      if (env.type === 'interactive') action = parseSlackRequest('/slack/actions', new URLSearchParams({ payload: JSON.stringify(env.payload) }).toString())
      else if (env.type === 'events_api') action = parseSlackRequest('/slack/events', JSON.stringify(env.payload))
      else action = { kind: 'ignore', why: `envelope ${env.type}` }
    } catch (e) {
      // SlackPayloadError or a bad duration: acknowledged (Slack would retry otherwise), then dropped.
      o.log(`socket mode: unreadable ${env.type} payload: ${(e as Error).message}`)
      return ack()
    }
    if (action.kind === 'invalid_submission') return ack({ response_action: 'errors', errors: action.errors })
    ack()
    if (action.kind !== 'ignore' && action.kind !== 'url_verification') o.work(action)
  }

  const connect = async (): Promise<void> => {
    timer = null
    if (stopped) return
    try {
      const url = await openUrl()
      if (stopped) return
      ws = await MiniWebSocket.connect(url, {
        message: onMessage,
        close: (why) => {
          ws = null
          if (!stopped) (o.log(`socket mode: ${why}; reconnecting`), schedule())
        },
      })
      if (stopped) ws.close()
    } catch (e) {
      o.log(`socket mode: ${(e as Error).message}; retrying`)
      schedule()
    }
  }
  const schedule = () => {
    if (stopped || timer) return
    const wait = Math.min(30_000, 500 * 2 ** Math.min(failures++, 6))
    timer = setTimeout(() => void connect(), wait)
    timer.unref()
  }
  void connect()
  return {
    ready,
    close() {
      stopped = true
      if (timer) clearTimeout(timer)
      ws?.close()
    },
  }
}
