import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Config } from '../config/schema.js'
import { systemClock, type Clock } from '../core/clock.js'
import { DiceError } from '../core/errors.js'
import { slackFromEnv } from '../deliver/slack/api.js'
import type { Actions } from '../route/actions.js'
import type { Store } from '../store/store.js'
import { renderMetrics, type MetricsSource } from './metrics.js'
import { parseSlackRequest, SlackPayloadError, type SlackAction } from './slack/action.js'
import { SlackActionHandler, type SlackWeb } from './slack/handler.js'
import { REPLAY_WINDOW_MS, ReplayGuard, SlackSignatureError, verifySlack } from './slack/verify.js'
import { assertExposureChosen, authorize, webAuthFrom } from './auth.js'
// The page, the JSON API and deploy recording (which re-indexes a revision: the catalog's parsers and git) are
// imported by their first request: a start that serves none of them does not load ~50 modules for them.

/** What the server needs from the pipeline: its numbers (for /metrics) and, for /ingest, the pipeline itself. */
export interface PipelineLike {
  metrics(): Record<string, number | Record<string, number>>
}

/** An HTTP handler for POST /ingest (helper D's createIngestHandler). */
export type IngestHandler = (req: IncomingMessage, res: ServerResponse) => void

/** A running server. `settled()` waits for Slack work acknowledged but not yet finished (tests, shutdown). */
export interface RunningServer {
  url: string
  close(): Promise<void>
  settled(): Promise<void>
  /** With SLACK_APP_TOKEN: resolves once Socket Mode is connected. */
  socketReady?: Promise<void>
}

const MAX_SLACK_BODY = 1 << 20

class HttpError extends Error {
  constructor(public status: number, message: string) {
    super(message)
  }
}

/** A deploy request is a few words. */
const MAX_DEPLOY_BODY = 16 * 1024

async function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const chunks: Buffer[] = []
  let n = 0
  for await (const c of req) {
    n += (c as Buffer).length
    if (n > max) throw new HttpError(413, 'request body too large')
    chunks.push(c as Buffer)
  }
  return Buffer.concat(chunks)
}

function send(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8', extra: Record<string, string> = {}): void {
  if (res.headersSent) return void res.end()
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...extra })
  res.end(body)
}

/**
 * Start `dice run`'s HTTP server (node:http): POST /ingest, POST /slack/actions, POST /slack/events,
 * GET / (web page), GET /healthz, GET /metrics. Slack requests are verified (signature, age, replay),
 * turned into a SlackAction, acknowledged at once, and handled after the answer. Errors never leak
 * internals to clients: they get a status and a short sentence; details go to `log`.
 */
export async function startServer(o: {
  store: Store
  config: Config
  clock: Clock
  pipeline?: PipelineLike
  delivery?: unknown
  actions: Actions
  host: string
  port: number
  env: NodeJS.ProcessEnv
  /** POST /ingest handler; built by `dice run` from the pipeline (createIngestHandler). */
  ingest?: IngestHandler
  /** Dice's Slack client (`SlackWebApi`); default from SLACK_BOT_TOKEN / DICE_SLACK_API_URL. */
  slack?: SlackWeb | null
  /** Use Socket Mode when SLACK_APP_TOKEN is set (default true). */
  socketMode?: boolean
  /** Wall clock for Slack request freshness: Slack's timestamps are real even under `--at`. */
  wallClock?: Clock
  log?: (line: string) => void
}): Promise<RunningServer> {
  const log = o.log ?? ((l: string) => process.stderr.write(`dice: ${l}\n`))
  const wall = o.wallClock ?? systemClock
  const slack = o.slack !== undefined ? o.slack : slackFromEnv(o.env)
  const handler = new SlackActionHandler({ actions: o.actions, store: o.store, clock: o.clock, slack, log })
  const replays = new ReplayGuard()
  const inflight = new Set<Promise<void>>()
  const counts: Record<string, number> = { requests: 0, slack_rejected: 0, ingest_429: 0, errors: 0 }
  // The Delivery exposes `stats` (posts, updates, digests, failures, retries); `metrics()` if it grows one.
  const d = o.delivery as { metrics?: () => Record<string, number | Record<string, number>>; stats?: Record<string, number> } | undefined
  const deliveryMetrics = d?.metrics ? () => d.metrics!() : d?.stats ? () => ({ ...d.stats! }) : null

  // A Socket Mode envelope is taken once across instances; settled() must not return between that check and
  // the work it lets through (started a microtask later), so the check counts as in flight until the next turn.
  const claim = (key: string): Promise<boolean> => {
    const taken = o.store.firstSeen(`slack-socket:${key}`, wall(), REPLAY_WINDOW_MS)
    const gate = taken.then(() => new Promise<void>((r) => setImmediate(r)), () => {})
    inflight.add(gate)
    void gate.finally(() => inflight.delete(gate))
    return taken
  }
  const work = (a: SlackAction) => {
    const p = handler.handle(a).catch((e) => log(`slack work failed: ${(e as Error).stack ?? e}`))
    inflight.add(p)
    void p.finally(() => inflight.delete(p))
  }

  async function slackRequest(path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const secret = o.env.SLACK_SIGNING_SECRET ?? ''
    if (!secret) throw new HttpError(503, 'Slack interactivity is not configured on this server')
    const body = await readBody(req, MAX_SLACK_BODY)
    const signature = String(req.headers['x-slack-signature'] ?? '')
    try {
      verifySlack(secret, { timestamp: req.headers['x-slack-request-timestamp'] as string | undefined, signature, body }, wall())
      // This process first (no database write for a replay it saw itself), then every instance on the store.
      if (!replays.firstSeen(signature, wall())) throw new SlackSignatureError('replayed request')
      if (!(await o.store.firstSeen(`slack-signature:${signature}`, wall(), REPLAY_WINDOW_MS))) throw new SlackSignatureError('replayed request (seen by another instance)')
    } catch (e) {
      if (!(e instanceof SlackSignatureError)) throw e
      counts.slack_rejected!++
      log(`slack request refused: ${e.message}`)
      throw new HttpError(401, 'invalid request signature')
    }
    let action: SlackAction
    try {
      action = parseSlackRequest(path, body.toString('utf8'))
    } catch (e) {
      if (e instanceof SlackPayloadError || e instanceof DiceError) throw new HttpError(400, 'unreadable Slack payload')
      throw e
    }
    if (action.kind === 'url_verification') return send(res, 200, JSON.stringify({ challenge: action.challenge }), 'application/json')
    if (action.kind === 'invalid_submission') return send(res, 200, JSON.stringify({ response_action: 'errors', errors: action.errors }), 'application/json')
    // Ack first (Slack gives up after 3 s), then do the work; views.open runs first inside the handler.
    send(res, 200, '')
    if (action.kind !== 'ignore') work(action)
  }

  // The page and the API show log lines: only to whom server.auth / DICE_WEB_TOKEN allow (see auth.ts).
  const auth = webAuthFrom(o.config, o.env)
  assertExposureChosen(o.host, auth, null)
  /** Who may (null: anyone) when the request may read; otherwise false, and the answer (redirect, 401, 403) has been sent. */
  const admitted = (req: IncomingMessage, res: ServerResponse, url: URL): { user: string | null } | false => {
    const d = authorize({ headers: req.headers, url }, auth)
    if (d.ok) return { user: d.user }
    if (d.status === 303) {
      res.writeHead(303, { location: d.location, 'set-cookie': d.cookie, 'cache-control': 'no-store' })
      res.end()
    } else send(res, d.status, d.message + '\n', undefined, d.status === 401 ? { 'www-authenticate': 'Bearer realm="dice"' } : {})
    return false
  }

  /**
   * POST /api/deploy `{"rev": "v1.5.0", "host": "web-*"}` (docs/alerts/versions.md): what a CD pipeline calls. JSON
   * only (a browser cannot send it from another site without asking first); behind the same auth as the page.
   */
  async function deployRequest(req: IncomingMessage, res: ServerResponse, user: string | null): Promise<void> {
    if (!/^application\/json\b/i.test(String(req.headers['content-type'] ?? ''))) throw new HttpError(415, 'send the deploy as JSON (Content-Type: application/json): {"rev": "v1.5.0", "host": "web-*"}')
    let body: { rev?: unknown; host?: unknown }
    try {
      body = JSON.parse((await readBody(req, MAX_DEPLOY_BODY)).toString('utf8'))
    } catch (e) {
      if (e instanceof HttpError) throw e
      throw new HttpError(400, 'unreadable JSON')
    }
    if (typeof body?.rev !== 'string' || (body.host != null && typeof body.host !== 'string')) throw new HttpError(400, 'expected {"rev": "v1.5.0", "host": "web-*"} (host: optional, default every host)')
    try {
      const { recordDeploy } = await import('../catalog/deploys.js')
      const { deploy, indexed } = await recordDeploy({ store: o.store, config: o.config, clock: o.clock, rev: body.rev, host: body.host as string | undefined, by: user ?? 'api' })
      log(`deploy: ${deploy.rev} (${deploy.commit.slice(0, 12)}) on ${deploy.hostPattern}${indexed ? `, catalogued: ${indexed.statements} statements` : ''}`)
      return send(res, 201, JSON.stringify({ ...deploy, at: new Date(deploy.at).toISOString() }) + '\n', 'application/json; charset=utf-8')
    } catch (e) {
      // The caller's mistake (an unknown revision, a bad pattern): said without the server's paths.
      if (e instanceof DiceError && e.exitCode === 2) throw new HttpError(400, `cannot deploy ${JSON.stringify(body.rev)}: not a revision of the repository Dice indexes, or a bad host pattern (catalogue it with dice index --rev)`)
      throw e
    }
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://dice.local')
    const path = url.pathname
    const method = req.method ?? 'GET'
    const allow = (m: string) => {
      if (method !== m && !(m === 'GET' && method === 'HEAD')) throw new HttpError(405, `use ${m} for ${path}`)
    }
    if (path === '/api/deploy') {
      allow('POST')
      const who = admitted(req, res, url)
      if (!who) return
      return deployRequest(req, res, who.user)
    }
    if (path.startsWith('/api/')) {
      allow('GET')
      if (!admitted(req, res, url)) return
      const { apiRequest } = await import('./api.js')
      const a = await apiRequest(path, url, o.store, o.clock(), o.config)
      if (!a) throw new HttpError(404, 'not found')
      return send(res, a.status, JSON.stringify(a.body) + '\n', 'application/json; charset=utf-8')
    }
    switch (path) {
      case '/ingest':
        allow('POST')
        if (!o.ingest) throw new HttpError(404, 'ingest is not enabled on this server')
        res.on('finish', () => {
          if (res.statusCode === 429) counts.ingest_429!++
        })
        return o.ingest(req, res)
      case '/slack/actions':
      case '/slack/events':
        allow('POST')
        return slackRequest(path, req, res)
      case '/healthz':
        allow('GET')
        return send(res, 200, JSON.stringify({ ok: true }), 'application/json')
      case '/metrics': {
        allow('GET')
        const text = await renderMetrics({ store: o.store, now: o.clock(), pipeline: o.pipeline ? () => o.pipeline!.metrics() : null, delivery: deliveryMetrics, server: counts })
        return send(res, 200, text, 'text/plain; version=0.0.4; charset=utf-8')
      }
      case '/': {
        allow('GET')
        if (!admitted(req, res, url)) return
        const { loadPageData, renderPage } = await import('./web/page.js')
        const data = await loadPageData(o.store, o.clock(), (url.searchParams.get('q') ?? '').slice(0, 200), o.config)
        return send(res, 200, renderPage(data, o.config), 'text/html; charset=utf-8', {
          'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; form-action 'self'",
        })
      }
      default:
        throw new HttpError(404, 'not found')
    }
  }

  const server = createServer((req, res) => {
    counts.requests!++
    route(req, res).catch((e) => {
      if (e instanceof HttpError) return send(res, e.status, e.message + '\n')
      counts.errors!++
      log(`${req.method} ${req.url} failed: ${(e as Error).stack ?? e}`)
      send(res, 500, 'internal error\n')
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(o.port, o.host, () => (server.off('error', reject), resolve()))
  })
  const addr = server.address() as AddressInfo
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address
  // Socket Mode: the same actions over a WebSocket Dice opens, for hosts Slack cannot reach.
  const socket = o.env.SLACK_APP_TOKEN && o.socketMode !== false
    // Loaded only then: @slack/socket-mode and its WebSocket stack are ~45 ms of a start that has no app token.
    ? (await import('./slack/socket-mode.js')).startSocketMode({ appToken: o.env.SLACK_APP_TOKEN, apiUrl: o.env.DICE_SLACK_API_URL, work, log, claim })
    : null
  const settled = async () => {
    while (inflight.size) await Promise.allSettled([...inflight])
  }
  return {
    url: `http://${host}:${addr.port}`,
    settled,
    socketReady: socket?.ready,
    async close() {
      socket?.close()
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeIdleConnections()
      // Finish acknowledged Slack work, but never hang shutdown on a slow Slack.
      await Promise.race([settled(), new Promise((r) => setTimeout(r, 5000).unref())])
      setTimeout(() => server.closeAllConnections(), 2000).unref()
      await closed
    },
  }
}
