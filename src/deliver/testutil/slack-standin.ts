/**
 * A local Slack Web API stand-in for tests: a real HTTP server on 127.0.0.1 speaking the wire format that
 * `@slack/web-api` sends (POST /api/<method>, form-urlencoded or JSON body, `Authorization: Bearer …`) and
 * answering `{ ok: true, … }` JSON. It records every call and can be scripted to fail.
 *
 * ```ts
 * const slack = await startSlackStandin()
 * slack.setUsers([{ id: 'U1', email: 'pig@pen.mssn', tz: 'Asia/Tokyo' }])
 * slack.setPresence('U1', 'away')
 * slack.failNext('chat.postMessage', { status: 429, retryAfter: 1 })      // next call only
 * slack.failNext('chat.update', { error: 'message_not_found', times: 2 })  // next two calls
 * const web = new WebClient('xoxb-test', { slackApiUrl: slack.url, retryConfig: { retries: 0 } })
 * …
 * slack.calls.filter((c) => c.method === 'chat.postMessage' && c.ok)
 * await slack.close()
 * ```
 *
 * Methods: auth.test, chat.postMessage, chat.update, chat.postEphemeral, users.lookupByEmail, users.info,
 * users.list (paginated by `limit`/`cursor`, deleted users and bots included, as Slack does), users.getPresence,
 * conversations.open, conversations.members, conversations.list (paginated; the channels given to `setChannels`),
 * views.open, views.publish, views.update, apps.connections.open (Socket Mode: answers the URL given to
 * `setSocketModeUrl`). Once `setChannels` was called, chat.postMessage answers like Slack for a channel name it
 * does not list (`channel_not_found`), a private channel the bot is not in (`not_in_channel`) and an archived one
 * (`is_archived`); before that every channel exists. Every answer carries `x-oauth-scopes` (option `scopes`), and a
 * call the token's scopes do not cover answers `missing_scope` with the scope `needed`, as Slack does (users.list:
 * users:read; users.lookupByEmail: users:read.email; conversations.list: channels:read for public channels,
 * groups:read for private ones).
 * Anything else answers `{ ok: false, error: 'unknown_method' }`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A user the stand-in knows. `tz` is an IANA zone; `tz_offset` (seconds) is derived from it when omitted. */
export interface StandinUser {
  id: string
  email?: string
  /** The username (`name`); also the display name unless `display_name` is given. */
  name?: string
  display_name?: string
  real_name?: string
  is_bot?: boolean
  tz?: string
  tz_offset?: number
  presence?: 'active' | 'away'
  deleted?: boolean
}

/** One recorded call. `body` is the decoded request: form fields whose values are JSON (blocks…) are parsed. */
export interface StandinCall {
  method: string
  body: any
  token: string | null
  /** Epoch ms of arrival (real time). */
  at: number
  /** HTTP status answered. */
  status: number
  /** Whether the JSON answer had `ok: true` (false for 429s and scripted errors). */
  ok: boolean
}

/** A message as the stand-in holds it after posts and updates. */
export interface StandinMessage {
  channel: string
  ts: string
  text: string
  blocks: unknown[] | null
  updates: number
  /** The ts of the message this one replies to in a thread, or null. */
  threadTs: string | null
}

/** A scripted failure for the next call(s) of a method. */
export type StandinFailure =
  | { status: 429; retryAfter: number; times?: number }
  | { error: string; times?: number }
  | { status: number; times?: number }

export interface SlackStandin {
  /** Base URL to give WebClient's `slackApiUrl`: `http://127.0.0.1:PORT/api/`. */
  url: string
  /** Every call in arrival order, failures included. */
  calls: StandinCall[]
  /** Users by id. */
  users: Map<string, StandinUser>
  /** Posted messages by `channel ts` (see `message()`), with their latest text after updates. */
  messages: Map<string, StandinMessage>
  /** Add or replace users. */
  setUsers(users: StandinUser[]): void
  /** Presence answered by users.getPresence from now on. */
  setPresence(userId: string, presence: 'active' | 'away'): void
  /** Members answered by conversations.members for a channel (default: every user). */
  setMembers(channel: string, userIds: string[]): void
  /** The workspace's channels (conversations.list), and from now on the only ones chat.postMessage posts to by name. */
  setChannels(channels: StandinChannel[]): void
  /** The WebSocket URL apps.connections.open answers (Socket Mode tests); until set it answers an error. */
  setSocketModeUrl(url: string): void
  /** Fail the next `times` (default 1) calls of `method`. */
  failNext(method: string, failure: StandinFailure): void
  /**
   * Hold the next call of `method` unanswered (it is recorded in `calls` at once) until the returned function
   * is called: a call in flight when its caller is killed.
   */
  hold(method: string): () => void
  /** Calls of one method that succeeded. */
  ok(method: string): StandinCall[]
  /** The channel id the stand-in gave a channel name (`hello-worlders`, `#hello-worlders`) or id. */
  channelId(nameOrId: string): string
  close(): Promise<void>
}

/** A channel of the stand-in's workspace; `is_member` (default true) says whether the bot is in it. */
export interface StandinChannel {
  name: string
  id?: string
  is_private?: boolean
  is_archived?: boolean
  is_member?: boolean
}

/** Options: `token` makes every other token answer `invalid_auth`; `delayMs` delays each answer; `scopes` the token's scopes. */
export interface StandinOptions {
  token?: string
  users?: StandinUser[]
  delayMs?: number
  scopes?: string[]
}

const DEFAULT_SCOPES = ['chat:write', 'chat:write.public', 'im:write', 'users:read', 'users:read.email', 'channels:read', 'groups:read']

/** Offset in seconds of `tz` at `at` (ms), from Intl; 0 for unknown zones. */
function tzOffsetSeconds(tz: string, at: number): number {
  try {
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    }).formatToParts(new Date(at))
    const g = (t: string) => Number(parts.find((p) => p.type === t)!.value)
    const asUtc = Date.UTC(g('year'), g('month') - 1, g('day'), g('hour'), g('minute'), g('second'))
    return Math.round((asUtc - Math.floor(at / 1000) * 1000) / 1000)
  } catch {
    return 0
  }
}

async function readBody(req: IncomingMessage): Promise<any> {
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  const raw = Buffer.concat(chunks).toString('utf8')
  const type = String(req.headers['content-type'] ?? '')
  if (type.includes('application/json')) return raw ? JSON.parse(raw) : {}
  const body: Record<string, unknown> = {}
  for (const [k, v] of new URLSearchParams(raw)) {
    // WebClient JSON-encodes arrays and objects (blocks, attachments, view) inside form fields.
    if (/^[[{]/.test(v)) {
      try {
        body[k] = JSON.parse(v)
        continue
      } catch {
        /* a plain string that happens to start with a bracket */
      }
    }
    body[k] = v
  }
  return body
}

/** Start the stand-in on 127.0.0.1 with a free port. */
export async function startSlackStandin(opts: StandinOptions = {}): Promise<SlackStandin> {
  const calls: StandinCall[] = []
  const users = new Map<string, StandinUser>()
  const messages = new Map<string, StandinMessage>()
  const failures = new Map<string, Array<StandinFailure & { left: number }>>()
  const holds = new Map<string, Array<Promise<void>>>()
  const members = new Map<string, string[]>()
  const channels = new Map<string, string>()
  /** null until setChannels: every channel exists. */
  let workspace: Map<string, StandinChannel & { id: string }> | null = null
  let seq = 0
  let tsSeq = 0
  let socketModeUrl: string | null = null

  const channelId = (nameOrId: string): string => {
    const s = nameOrId.replace(/^#/, '')
    // Ids (C…, D…, G…, U…) pass through; names get a stable made-up id, as Slack answers ids.
    if (/^[CDGU][A-Z0-9]{6,}$/.test(s)) return s.startsWith('U') ? channelId(`dm-${s}`) : s
    let id = channels.get(s)
    if (!id) {
      id = `${s.startsWith('dm-') ? 'D' : 'C'}${String(++seq).padStart(8, '0')}`
      channels.set(s, id)
    }
    return id
  }
  const nextTs = () => {
    tsSeq++
    return `${Math.floor(Date.now() / 1000)}.${String(tsSeq).padStart(6, '0')}`
  }
  const userView = (u: StandinUser) => ({
    id: u.id, name: u.name ?? u.id, real_name: u.real_name ?? u.name ?? u.id, deleted: !!u.deleted, is_bot: !!u.is_bot,
    tz: u.tz ?? 'UTC', tz_offset: u.tz_offset ?? tzOffsetSeconds(u.tz ?? 'UTC', Date.now()),
    profile: { email: u.email, real_name: u.real_name ?? u.name ?? u.id, display_name: u.display_name ?? u.name ?? u.id },
  })
  /** Slack pages with an opaque cursor; the stand-in's is the next offset, base64 like Slack's. */
  const page = <T>(all: T[], b: any): { items: T[]; next: string } => {
    const limit = Math.max(1, Math.min(1000, Number(b.limit) || 100))
    const from = b.cursor ? Number(Buffer.from(String(b.cursor), 'base64').toString('utf8').replace(/^offset:/, '')) || 0 : 0
    const items = all.slice(from, from + limit)
    return { items, next: from + limit < all.length ? Buffer.from(`offset:${from + limit}`).toString('base64') : '' }
  }
  /** Why Slack would refuse a post to `channel` (a name or id), or null. */
  const postRefusal = (channel: string): string | null => {
    const s = channel.replace(/^#/, '')
    if (!workspace || /^[DU]/.test(channelId(s))) return null
    const c = [...workspace.values()].find((x) => x.name === s || x.id === s)
    if (!c || (c.is_private && c.is_member === false)) return 'channel_not_found'
    if (c.is_archived) return 'is_archived'
    if (c.is_member === false && !(opts.scopes ?? DEFAULT_SCOPES).includes('chat:write.public')) return 'not_in_channel'
    return null
  }

  /** The scope a call needs that the token lacks, or null. */
  const missingScope = (method: string, b: any): string | null => {
    const has = (x: string) => (opts.scopes ?? DEFAULT_SCOPES).includes(x)
    const types = String(b.types ?? 'public_channel').split(',')
    const needs = method === 'users.list' ? ['users:read']
      : method === 'users.lookupByEmail' ? ['users:read.email']
      : method === 'conversations.list' ? [...(types.includes('public_channel') ? ['channels:read'] : []), ...(types.includes('private_channel') ? ['groups:read'] : [])]
      : []
    return needs.find((x) => !has(x)) ?? null
  }

  const handlers: Record<string, (b: any) => Record<string, unknown>> = {
    'auth.test': () => ({ url: 'https://standin.slack.test/', team: 'Standin', user: 'dice', team_id: 'T00000001', user_id: 'U0DICEBOT', bot_id: 'B00000001' }),
    'chat.postMessage': (b) => {
      if (!b.channel) return { ok: false, error: 'channel_not_found' }
      if (!b.text && !b.blocks) return { ok: false, error: 'no_text' }
      const refused = postRefusal(String(b.channel))
      if (refused) return { ok: false, error: refused }
      const channel = channelId(String(b.channel))
      const ts = nextTs()
      const threadTs = b.thread_ts ? String(b.thread_ts) : null
      if (threadTs && !messages.has(`${channel} ${threadTs}`)) return { ok: false, error: 'thread_not_found' }
      messages.set(`${channel} ${ts}`, { channel, ts, text: String(b.text ?? ''), blocks: b.blocks ?? null, updates: 0, threadTs })
      return { channel, ts, message: { text: b.text, ts, blocks: b.blocks } }
    },
    'chat.update': (b) => {
      const channel = channelId(String(b.channel ?? ''))
      const m = messages.get(`${channel} ${b.ts}`)
      if (!m) return { ok: false, error: 'message_not_found' }
      if (b.text !== undefined) m.text = String(b.text)
      if (b.blocks !== undefined) m.blocks = b.blocks
      m.updates++
      return { channel, ts: m.ts, text: m.text }
    },
    'chat.postEphemeral': (b) => {
      if (!b.user) return { ok: false, error: 'user_not_in_channel' }
      return { message_ts: nextTs() }
    },
    'users.lookupByEmail': (b) => {
      const u = [...users.values()].find((x) => x.email && x.email.toLowerCase() === String(b.email ?? '').toLowerCase())
      return u ? { user: userView(u) } : { ok: false, error: 'users_not_found' }
    },
    'users.info': (b) => {
      const u = users.get(String(b.user ?? ''))
      return u ? { user: userView(u) } : { ok: false, error: 'user_not_found' }
    },
    'users.list': (b) => {
      const { items, next } = page([...users.values()], b)
      return { members: items.map(userView), response_metadata: { next_cursor: next } }
    },
    'conversations.list': (b) => {
      const types = String(b.types ?? 'public_channel').split(',')
      const visible = [...(workspace?.values() ?? [])].filter((c) =>
        (c.is_private ? types.includes('private_channel') && c.is_member !== false : types.includes('public_channel'))
        && !(c.is_archived && String(b.exclude_archived) === 'true'))
      const { items, next } = page(visible, b)
      return {
        channels: items.map((c) => ({ id: c.id, name: c.name, is_channel: !c.is_private, is_private: !!c.is_private, is_archived: !!c.is_archived, is_member: c.is_member !== false })),
        response_metadata: { next_cursor: next },
      }
    },
    'users.getPresence': (b) => {
      const u = users.get(String(b.user ?? ''))
      if (!u) return { ok: false, error: 'user_not_found' }
      const presence = u.presence ?? 'active'
      return { presence, online: presence === 'active' }
    },
    'conversations.open': (b) => {
      const ids = String(b.users ?? '').split(',').filter(Boolean)
      if (!ids.length && !b.channel) return { ok: false, error: 'users_list_not_supplied' }
      if (ids.some((id) => !users.has(id))) return { ok: false, error: 'user_not_found' }
      return { channel: { id: b.channel ? channelId(String(b.channel)) : channelId(`dm-${ids.sort().join(',')}`) } }
    },
    'conversations.members': (b) => {
      const ch = channelId(String(b.channel ?? ''))
      const list = [...members.entries()].find(([k]) => channelId(k) === ch)?.[1] ?? [...users.keys()]
      return { members: list, response_metadata: { next_cursor: '' } }
    },
    'views.open': (b) => (b.trigger_id ? { view: { id: `V${String(++seq).padStart(8, '0')}`, ...(b.view ?? {}) } } : { ok: false, error: 'invalid_trigger_id' }),
    'views.publish': (b) => (b.user_id ? { view: { id: `V${String(++seq).padStart(8, '0')}`, ...(b.view ?? {}) } } : { ok: false, error: 'invalid_arguments' }),
    'apps.connections.open': () => (socketModeUrl ? { url: socketModeUrl } : { ok: false, error: 'not_allowed_token_type' }),
    'views.update': (b) => (b.view_id || b.external_id ? { view: { id: b.view_id ?? `V${String(++seq).padStart(8, '0')}`, ...(b.view ?? {}) } } : { ok: false, error: 'invalid_arguments' }),
  }

  const answer = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-oauth-scopes': (opts.scopes ?? DEFAULT_SCOPES).join(','), ...headers })
    res.end(JSON.stringify(body))
  }

  const server = createServer(async (req, res) => {
    const m = /^\/api\/([A-Za-z.]+)$/.exec((req.url ?? '').split('?')[0]!)
    let body: any = {}
    try {
      body = await readBody(req)
    } catch {
      return answer(res, 200, { ok: false, error: 'invalid_json' })
    }
    if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs))
    const method = m?.[1] ?? (req.url ?? '')
    const auth = String(req.headers.authorization ?? '')
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : (body.token ?? null)
    const call: StandinCall = { method, body, token, at: Date.now(), status: 200, ok: false }
    calls.push(call)
    const held = holds.get(method)?.shift()
    if (held) await held
    if (req.method !== 'POST' || !m) return answer(res, (call.status = 404), { ok: false, error: 'unknown_method' })
    const queue = failures.get(method)
    const f = queue?.[0]
    if (f) {
      if (--f.left <= 0) queue!.shift()
      if ('retryAfter' in f) return answer(res, (call.status = 429), { ok: false, error: 'ratelimited' }, { 'retry-after': String(f.retryAfter) })
      if ('error' in f) return answer(res, 200, { ok: false, error: f.error })
      return answer(res, (call.status = f.status), { ok: false, error: 'http_error' })
    }
    if (!token || (opts.token && token !== opts.token)) return answer(res, 200, { ok: false, error: token ? 'invalid_auth' : 'not_authed' })
    const h = handlers[method]
    if (!h) return answer(res, 200, { ok: false, error: 'unknown_method' })
    const needed = missingScope(method, body)
    if (needed) return answer(res, 200, { ok: false, error: 'missing_scope', needed, provided: (opts.scopes ?? DEFAULT_SCOPES).join(',') })
    const out = h(body)
    const ok = out.ok !== false
    call.ok = ok
    answer(res, 200, ok ? { ok: true, ...out } : out)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port

  const standin: SlackStandin = {
    url: `http://127.0.0.1:${port}/api/`,
    calls,
    users,
    messages,
    setUsers(list) {
      for (const u of list) users.set(u.id, { ...users.get(u.id), ...u })
    },
    setPresence(userId, presence) {
      const u = users.get(userId) ?? { id: userId }
      users.set(userId, { ...u, presence })
    },
    setMembers(channel, ids) {
      members.set(channel.replace(/^#/, ''), ids)
    },
    setChannels(list) {
      workspace = new Map()
      for (const c of list) {
        const name = c.name.replace(/^#/, '')
        const id = c.id ?? channelId(name)
        channels.set(name, id)
        workspace.set(name, { ...c, name, id })
      }
    },
    setSocketModeUrl(url) {
      socketModeUrl = url
    },
    hold(method) {
      let release!: () => void
      const gate = new Promise<void>((r) => (release = r))
      const list = holds.get(method) ?? []
      list.push(gate)
      holds.set(method, list)
      return release
    },
    failNext(method, failure) {
      const q = failures.get(method) ?? []
      q.push({ ...failure, left: failure.times ?? 1 })
      failures.set(method, q)
    },
    ok: (method) => calls.filter((c) => c.method === method && c.ok),
    channelId,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
  standin.setUsers(opts.users ?? [])
  return standin
}
