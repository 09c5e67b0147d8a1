import { timingSafeEqual } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import type { Config } from '../config/schema.js'
import { ConfigError } from '../core/errors.js'

/** Who may read the web page and the JSON API (`/`, `/api/…`): the only endpoints that show log text. */
export interface WebAuth {
  /** Header a trusted reverse proxy sets to the signed-in user (lower case), or null. */
  proxyHeader: string | null
  /** Users the proxy may let through (`a@x.com`, `*@x.com`); empty: anyone it signed in. */
  allowedUsers: string[]
  /** Shared secret (DICE_WEB_TOKEN), or null. */
  token: string | null
  /** Explicitly open to anyone who reaches the port. */
  allowAnonymous: boolean
}

/** The cookie a `?token=` visit sets, so a browser sends the token with every later request. */
export const TOKEN_COOKIE = 'dice_token'

/** Read the policy from `server.auth` and DICE_WEB_TOKEN (a secret: never in dice.yml). */
export function webAuthFrom(config: Config, env: NodeJS.ProcessEnv): WebAuth {
  const a = config.server.auth
  return {
    proxyHeader: a.proxyHeader ? a.proxyHeader.toLowerCase() : null,
    allowedUsers: a.allowedUsers.map((u) => u.toLowerCase()),
    token: env.DICE_WEB_TOKEN || null,
    allowAnonymous: a.allowAnonymous,
  }
}

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase()
  return h === 'localhost' || h === '::1' || /^(::ffff:)?127\.\d+\.\d+\.\d+$/.test(h)
}

/**
 * Refuse to serve production log text to a network unless someone chose how: a token, a trusted proxy, or an
 * explicit `allowAnonymous`. Failing at start-up is seen at once; a warning in a log is not.
 */
export function assertExposureChosen(host: string, auth: WebAuth, configFile: string | null): void {
  if (isLoopback(host) || auth.token || auth.proxyHeader || auth.allowAnonymous) return
  throw new ConfigError(`--host ${host} (server.host${configFile ? ` in ${configFile}` : ''}): the web page and /api show production log ` +
    'lines to anyone who can reach this address. Choose who may read them: set DICE_WEB_TOKEN (a shared token), or ' +
    'server.auth.proxyHeader behind an authenticating proxy such as oauth2-proxy, or server.auth.allowAnonymous: true ' +
    'where the network already restricts access (docs/OPERATIONS.md, "Who can read the web page")')
}

/** What to do with a request for a protected path. */
export type AuthDecision =
  | { ok: true; user: string | null }
  | { ok: false; status: 401 | 403; message: string }
  | { ok: false; status: 303; location: string; cookie: string }

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

function cookie(headers: IncomingHttpHeaders, name: string): string | null {
  for (const part of String(headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=')
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim())
  }
  return null
}

function allowed(user: string, list: string[]): boolean {
  if (!list.length) return true
  const u = user.toLowerCase()
  return list.some((a) => a === u || (a.startsWith('*@') && u.endsWith(a.slice(1))))
}

/**
 * Decide a request for `/` or `/api/…`. With no method configured everything passes (loopback only, see
 * assertExposureChosen). A token is accepted as `Authorization: Bearer`, the `dice_token` cookie, or once as
 * `?token=` (answered with a redirect that sets the cookie and drops the token from the address bar). With a
 * proxy header, the user it names must be allowed. Both configured: both are required.
 */
export function authorize(req: { headers: IncomingHttpHeaders; url: URL }, auth: WebAuth): AuthDecision {
  let user: string | null = null
  if (auth.proxyHeader) {
    const v = req.headers[auth.proxyHeader]
    user = (Array.isArray(v) ? v[0] : v)?.trim() || null
    if (!user) return { ok: false, status: 401, message: `no signed-in user: the ${auth.proxyHeader} header is missing (open Dice through its sign-in proxy)` }
    if (!allowed(user, auth.allowedUsers)) return { ok: false, status: 403, message: `${user} may not read this page (server.auth.allowedUsers)` }
  }
  if (auth.token) {
    const bearer = /^Bearer\s+(.+)$/i.exec(String(req.headers.authorization ?? ''))?.[1]
    const given = bearer ?? cookie(req.headers, TOKEN_COOKIE)
    if (given && sameSecret(given, auth.token)) return { ok: true, user }
    const q = req.url.searchParams.get('token')
    if (q && sameSecret(q, auth.token)) {
      const rest = new URL(req.url)
      rest.searchParams.delete('token')
      const secure = String(req.headers['x-forwarded-proto'] ?? '') === 'https' ? '; Secure' : ''
      return { ok: false, status: 303, location: rest.pathname + rest.search, cookie: `${TOKEN_COOKIE}=${encodeURIComponent(auth.token)}; HttpOnly; SameSite=Strict; Path=/${secure}` }
    }
    return { ok: false, status: 401, message: 'this Dice needs its token: open the page once with ?token=… (DICE_WEB_TOKEN), or send Authorization: Bearer …' }
  }
  return { ok: true, user }
}
