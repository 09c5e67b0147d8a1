import { LogLevel, SocketModeClient, type Logger } from '@slack/socket-mode'
import { parseSlackRequest, type SlackAction } from './action.js'

/** A running Socket Mode connection. */
export interface SocketMode {
  /** Resolves once the first connection said hello; rejects if Slack refuses the app token (tests). */
  ready: Promise<void>
  /** Disconnect and stop reconnecting. Resolves once the connection is closed. */
  close(): Promise<void>
}

/** Envelope ids (and Events API event ids) remembered to drop redeliveries; oldest forgotten first. */
const SEEN_CAP = 2000

/** One envelope as `@slack/socket-mode` emits it on `slack_event`. */
interface SlackEnvelope {
  ack: (response?: Record<string, unknown>) => Promise<void>
  envelope_id: string
  type: string
  body: unknown
  retry_num?: number
  retry_reason?: string
}

/** The package's logger, routed to Dice's log: warnings and errors only (debug/info are per-envelope noise). */
function slackLogger(log: (line: string) => void): Logger {
  let level = LogLevel.WARN
  const line = (msg: unknown[]) => log(`socket mode: ${msg.map((m) => (m instanceof Error ? m.message : String(m))).join(' ')}`)
  return {
    debug: () => {},
    info: () => {},
    warn: (...msg) => line(msg),
    error: (...msg) => line(msg),
    setLevel: (l) => void (level = l),
    getLevel: () => level,
    setName: () => {},
  }
}

/**
 * Turn one envelope into the SlackAction the HTTP path would build from the same payload: `interactive`
 * payloads are what Slack POSTs to /slack/actions (form field `payload`), `events_api` payloads what it POSTs
 * to /slack/events. Other types (slash_commands…) are ignored. Throws SlackPayloadError on a bad payload.
 */
export function envelopeAction(type: string, payload: unknown): SlackAction {
  if (type === 'interactive') return parseSlackRequest('/slack/actions', new URLSearchParams({ payload: JSON.stringify(payload) }).toString())
  if (type === 'events_api') return parseSlackRequest('/slack/events', JSON.stringify(payload))
  return { kind: 'ignore', why: `envelope ${type}` }
}

/**
 * Slack Socket Mode with an app-level token (`SLACK_APP_TOKEN`, xapp-…), through the official
 * `@slack/socket-mode` client: instead of Slack calling `/slack/actions` and `/slack/events`, Dice opens a
 * WebSocket (apps.connections.open at `apiUrl`, default Slack's) and receives the same payloads as envelopes.
 * The client owns the connection: hello, ping/pong, reconnects with backoff and on Slack's `disconnect`.
 *
 * Each envelope is acknowledged at once (with field errors for a bad modal submission), parsed by the same
 * parser as HTTP and handed to `work`. No request signature here: the connection itself is authenticated by
 * the app token. Redeliveries: Slack resends an envelope it saw no ack for (`retry_attempt` > 0, same
 * envelope_id; for Events API also the same `event_id`). Dice acks every delivery again but hands an
 * envelope to `work` only the first time its envelope_id (or event_id) is seen, so a mute or hand-over
 * never runs twice. The memory of ids in the process is capped at SEEN_CAP; with `claim` (the store) an
 * envelope redelivered to another instance's connection is recognised there too.
 */
export function startSocketMode(o: {
  appToken: string
  apiUrl?: string
  work: (a: SlackAction) => void
  log: (line: string) => void
  /** The client's ping timeout in ms (also its reconnect step); tests shorten it. Default 5000. */
  pingTimeoutMs?: number
  /** True when no instance has taken `key` yet (the store's firstSeen): Slack may redeliver an envelope to
   *  another instance's connection. Without it, redeliveries are recognised within this process only. */
  claim?: (key: string) => Promise<boolean>
}): SocketMode {
  const client = new SocketModeClient({
    appToken: o.appToken,
    logger: slackLogger(o.log),
    clientPingTimeout: o.pingTimeoutMs,
    clientOptions: o.apiUrl ? { slackApiUrl: o.apiUrl.replace(/\/?$/, '/') } : {},
  })
  const seen = new Set<string>()
  const firstTime = (ids: Array<string | undefined>): boolean => {
    const keys = ids.filter((k): k is string => !!k)
    if (keys.some((k) => seen.has(k))) return false
    for (const k of keys) {
      seen.add(k)
      // A Set iterates in insertion order: dropping the first entry forgets the oldest id.
      if (seen.size > SEEN_CAP) seen.delete(seen.values().next().value!)
    }
    return true
  }

  client.on('slack_event', (env: SlackEnvelope) => {
    // hello/disconnect are handled by the client; anything without an id cannot be acked or deduplicated.
    if (!env.envelope_id) return
    const ack = (payload?: Record<string, unknown>) => void env.ack(payload).catch((e: Error) => o.log(`socket mode: ack failed: ${e.message}`))
    let action: SlackAction
    try {
      action = envelopeAction(env.type, env.body)
    } catch (e) {
      // SlackPayloadError or a bad duration: acknowledged (Slack would resend otherwise), then dropped.
      o.log(`socket mode: unreadable ${env.type} payload: ${(e as Error).message}`)
      return ack()
    }
    if (action.kind === 'invalid_submission') return ack({ response_action: 'errors', errors: action.errors })
    ack()
    const eventId = env.type === 'events_api' ? (env.body as { event_id?: string } | null)?.event_id : undefined
    const keys = [`envelope ${env.envelope_id}`, eventId && `event ${eventId}`]
    const redelivered = () => o.log(`socket mode: envelope ${env.envelope_id} redelivered (retry ${env.retry_num ?? '?'}, ${env.retry_reason ?? 'no reason'}); already handled`)
    if (!firstTime(keys)) return redelivered()
    if (action.kind === 'ignore' || action.kind === 'url_verification') return
    if (!o.claim) return o.work(action)
    const claim = o.claim
    void Promise.all(keys.filter((k): k is string => !!k).map((k) => claim(k))).then(
      (firsts) => (firsts.every(Boolean) ? o.work(action) : redelivered()),
      (e: Error) => o.log(`socket mode: could not check envelope ${env.envelope_id} against other instances: ${e.message}`),
    )
  })

  let closed = false
  // start() resolves at the first hello; it rejects only for errors the client will not retry (bad token).
  const start = client.start.bind(client)
  // The client reconnects by calling this.start() from a timer and chains only `.then(resolve)` on it; a
  // disconnect() while that attempt waits makes it reject with `undefined`, an unhandled rejection (it once
  // failed a whole test run that had passed). Reconnects go through this wrapper, which settles either way.
  client.start = () => start().catch((e: unknown) => {
    if (!closed) o.log(`socket mode: reconnect failed: ${(e as Error | undefined)?.message ?? 'disconnected'}`)
    return undefined
  }) as ReturnType<typeof start>
  const ready = start().then(
    () => undefined,
    (e: Error) => {
      o.log(`socket mode: could not connect: ${e.message}; Slack buttons work only over HTTP`)
      throw e
    },
  )
  // close() while start() is still fetching the URL would be undone by start() connecting afterwards.
  ready.then(() => closed && void client.disconnect(), () => {})
  // Nobody has to wait for `ready` (dice run does not); a refused token is logged above, not an unhandled rejection.
  ready.catch(() => {})
  return {
    ready,
    close: () => ((closed = true), client.disconnect()),
  }
}
