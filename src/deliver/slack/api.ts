import { createRequire } from 'node:module'
import type { WebClient } from '@slack/web-api'
import { DiceError, ErrorCode } from '../../core/errors.js'

/**
 * `@slack/web-api`, loaded when the first client is made: `dice run`, `replay` and the demo without a Slack token
 * never need it (~30 ms of a ~250 ms start). It is CommonJS, so `require` loads it where a constructor needs it.
 */
let webApiModule: typeof import('@slack/web-api') | undefined
const webApi = (): typeof import('@slack/web-api') => (webApiModule ??= createRequire(import.meta.url)('@slack/web-api'))

/** Default Slack Web API base URL; `DICE_SLACK_API_URL` points it elsewhere (tests, proxies). */
export const SLACK_API_URL = 'https://slack.com/api/'

/** Slack errors that are worth another try later (Slack's side, not our request). */
const RETRYABLE = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'ratelimited', 'team_added_to_org'])

/** A Slack call that failed. `retryable` says whether trying again later can help. */
export class SlackCallError extends DiceError {
  constructor(
    public method: string,
    public error: string,
    public retryable: boolean,
    public retryAfterMs?: number,
  ) {
    super(ErrorCode.Unknown, `slack ${method}: ${error}`, 1)
    this.name = 'SlackCallError'
  }
}

/** What Dice needs to know about a Slack user. */
export interface SlackUser {
  id: string
  /** The name to show: real name, else display name, else username. */
  name: string | null
  /** `name`: the username. */
  handle: string | null
  /** `profile.display_name`: what Slack shows after `@`. */
  displayName: string | null
  realName: string | null
  email: string | null
  tz: string | null
  tzOffset: number | null
  deleted: boolean
  /** A bot user (`is_bot`, or Slackbot). */
  bot: boolean
}

/** A Slack conversation as conversations.list describes it. */
export interface SlackChannel {
  id: string
  name: string
  private: boolean
  archived: boolean
  /** The bot is in it (Slack's `is_member`). */
  member: boolean
}

/** The Slack Web API calls Dice makes, with rate limits handled: see `SlackWebApi`. */
export interface SlackApi {
  /** The underlying client, for calls not wrapped here (views.*). Rate limits are then the caller's. */
  readonly web: WebClient
  authTest(): Promise<{ userId: string; teamId: string }>
  postMessage(m: { channel: string; text: string; blocks?: unknown[]; threadTs?: string }): Promise<{ ts: string; channel: string }>
  update(m: { channel: string; ts: string; text: string; blocks?: unknown[] }): Promise<void>
  postEphemeral(m: { channel: string; user: string; text: string; blocks?: unknown[] }): Promise<void>
  lookupByEmail(email: string): Promise<SlackUser | null>
  userInfo(userId: string): Promise<SlackUser | null>
  /** One page of users.list (every user, deleted ones and bots included); `next` is null after the last. */
  usersList(cursor?: string | null): Promise<{ users: SlackUser[]; next: string | null }>
  /**
   * One page of conversations.list (archived channels too): public and private channels the token can see, or only
   * the `types` given (`public_channel` needs `channels:read`, `private_channel` needs `groups:read`).
   */
  conversationsList(cursor?: string | null, types?: ReadonlyArray<'public_channel' | 'private_channel'>): Promise<{ channels: SlackChannel[]; next: string | null }>
  /** The scopes the token was granted (Slack's `x-oauth-scopes`, read from auth.test), or null when Slack does not say. */
  grantedScopes(): Promise<string[] | null>
  getPresence(userId: string): Promise<'active' | 'away'>
  /** The DM channel id with a user (cached). */
  openDm(userId: string): Promise<string>
  /** Generic call through the same rate-limit handling. */
  call(method: string, args: Record<string, unknown>): Promise<any>
}

/** Options of the wrapper. */
export interface SlackApiOptions {
  token: string
  url?: string
  /** Longest total time to keep waiting out 429s for one call before giving up (retryable). */
  maxWaitMs?: number
  /** For tests: how to wait (defaults to setTimeout). */
  sleep?: (ms: number) => Promise<void>
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))
const DM_CACHE_MAX = 10_000

/**
 * `@slack/web-api` with its own retries off (`retries: 0`, `rejectRateLimitedCalls`), so Dice decides:
 * on HTTP 429 the call waits the `Retry-After` the server gave and tries again — a 429 means Slack did
 * not act on the request, so the retry cannot post twice — and every later call of the same method waits
 * out the same pause instead of piling on. Other failures become a `SlackCallError` saying whether a
 * later retry can help.
 */
export class SlackWebApi implements SlackApi {
  readonly web: WebClient
  private pausedUntil = new Map<string, number>()
  private dms = new Map<string, string>()
  private maxWaitMs: number
  private sleep: (ms: number) => Promise<void>
  /** 429s seen (for metrics and tests). */
  rateLimited = 0

  constructor(o: SlackApiOptions) {
    const { WebClient, LogLevel } = webApi()
    this.web = new WebClient(o.token, {
      slackApiUrl: o.url ?? SLACK_API_URL,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      logLevel: LogLevel.ERROR,
      timeout: 30_000,
    })
    this.maxWaitMs = o.maxWaitMs ?? 300_000
    this.sleep = o.sleep ?? realSleep
  }

  async call(method: string, args: Record<string, unknown>): Promise<any> {
    let waited = 0
    for (;;) {
      const pause = (this.pausedUntil.get(method) ?? 0) - Date.now()
      if (pause > 0) {
        if (waited + pause > this.maxWaitMs) throw new SlackCallError(method, 'ratelimited', true, pause)
        await this.sleep(pause)
        waited += pause
      }
      try {
        return await this.web.apiCall(method, args)
      } catch (e) {
        const err = e as { code?: string; retryAfter?: number; data?: { error?: string }; statusCode?: number; message?: string }
        const SlackErrorCode = webApi().ErrorCode
        if (err.code === SlackErrorCode.RateLimitedError) {
          this.rateLimited++
          const ms = Math.max(1, err.retryAfter ?? 1) * 1000
          this.pausedUntil.set(method, Date.now() + ms)
          continue
        }
        if (err.code === SlackErrorCode.PlatformError) {
          const code = err.data?.error ?? 'unknown_error'
          throw new SlackCallError(method, code, RETRYABLE.has(code))
        }
        if (err.code === SlackErrorCode.HTTPError) throw new SlackCallError(method, `http_${err.statusCode}`, (err.statusCode ?? 500) >= 500)
        // Network trouble (slack_webapi_request_error) or anything unexpected: worth retrying later.
        throw new SlackCallError(method, err.message ?? String(e), true)
      }
    }
  }

  async authTest() {
    const r = await this.call('auth.test', {})
    return { userId: String(r.user_id ?? ''), teamId: String(r.team_id ?? '') }
  }

  async postMessage(m: { channel: string; text: string; blocks?: unknown[]; threadTs?: string }) {
    const r = await this.call('chat.postMessage', { channel: m.channel, text: m.text, blocks: m.blocks, unfurl_links: false, unfurl_media: false, ...(m.threadTs ? { thread_ts: m.threadTs } : {}) })
    return { ts: String(r.ts), channel: String(r.channel) }
  }

  async update(m: { channel: string; ts: string; text: string; blocks?: unknown[] }) {
    await this.call('chat.update', { channel: m.channel, ts: m.ts, text: m.text, blocks: m.blocks })
  }

  async postEphemeral(m: { channel: string; user: string; text: string; blocks?: unknown[] }) {
    await this.call('chat.postEphemeral', { channel: m.channel, user: m.user, text: m.text, blocks: m.blocks })
  }

  async lookupByEmail(email: string) {
    try {
      return toUser((await this.call('users.lookupByEmail', { email })).user)
    } catch (e) {
      if (e instanceof SlackCallError && e.error === 'users_not_found') return null
      throw e
    }
  }

  async userInfo(userId: string) {
    try {
      return toUser((await this.call('users.info', { user: userId })).user)
    } catch (e) {
      if (e instanceof SlackCallError && e.error === 'user_not_found') return null
      throw e
    }
  }

  async usersList(cursor?: string | null) {
    const r = await this.call('users.list', { limit: 200, ...(cursor ? { cursor } : {}) })
    const users = ((r.members ?? []) as unknown[]).map(toUser).filter((u): u is SlackUser => u !== null)
    return { users, next: String(r.response_metadata?.next_cursor ?? '') || null }
  }

  async conversationsList(cursor?: string | null, types: ReadonlyArray<'public_channel' | 'private_channel'> = ['public_channel', 'private_channel']) {
    const r = await this.call('conversations.list', { limit: 200, types: types.join(','), exclude_archived: false, ...(cursor ? { cursor } : {}) })
    const channels = ((r.channels ?? []) as any[]).filter((c) => c?.id && c?.name).map((c): SlackChannel => ({
      id: String(c.id), name: String(c.name), private: !!c.is_private, archived: !!c.is_archived, member: !!c.is_member,
    }))
    return { channels, next: String(r.response_metadata?.next_cursor ?? '') || null }
  }

  async grantedScopes() {
    const r = await this.call('auth.test', {})
    const scopes = r.response_metadata?.scopes
    return Array.isArray(scopes) ? scopes.map(String) : null
  }

  async getPresence(userId: string) {
    const r = await this.call('users.getPresence', { user: userId })
    return r.presence === 'active' ? 'active' : 'away'
  }

  async openDm(userId: string) {
    const hit = this.dms.get(userId)
    if (hit) return hit
    const r = await this.call('conversations.open', { users: userId })
    const id = String(r.channel?.id)
    if (this.dms.size >= DM_CACHE_MAX) this.dms.clear()
    this.dms.set(userId, id)
    return id
  }
}

function toUser(u: any): SlackUser | null {
  if (!u?.id) return null
  const text = (x: unknown) => (typeof x === 'string' && x ? x : null)
  return {
    id: String(u.id),
    name: text(u.real_name) ?? text(u.profile?.real_name) ?? text(u.profile?.display_name) ?? text(u.name),
    handle: text(u.name),
    displayName: text(u.profile?.display_name),
    realName: text(u.real_name) ?? text(u.profile?.real_name),
    email: text(u.profile?.email),
    tz: text(u.tz),
    tzOffset: typeof u.tz_offset === 'number' ? u.tz_offset : null,
    deleted: !!u.deleted,
    bot: !!u.is_bot || u.id === 'USLACKBOT',
  }
}

/** The Slack API from the environment: `SLACK_BOT_TOKEN` (none → null: Slack is off), `DICE_SLACK_API_URL`. */
export function slackFromEnv(env: NodeJS.ProcessEnv): SlackApi | null {
  const token = env.SLACK_BOT_TOKEN?.trim()
  if (!token) return null
  return new SlackWebApi({ token, url: env.DICE_SLACK_API_URL?.trim() || SLACK_API_URL })
}
