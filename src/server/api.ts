import type { Config } from '../config/schema.js'
import type { Store } from '../store/store.js'
import { listStatementStats, pageBound, statementDetail } from '../stats/statements.js'

/** A page bound from the query string (`?limit=` with nothing after it is no bound). */
const whole = (url: URL, name: string) => pageBound(name, url.searchParams.get(name) || null)

/** The JSON read API's answer to one request: a status and a body to serialise. */
export interface ApiAnswer { status: number; body: unknown }

/**
 * `GET /api/statements?q=TEXT&limit=N&offset=M` (every statement, or those whose id, file, message, owner or #channel
 * contain TEXT, with totals, hosts, first and last seen, owner; N of them from the M-th, busiest first) and `GET /api/statements/ID` (one statement with
 * per-hour counts and recent raw lines). Null for any other path. Raw log lines are returned as JSON strings;
 * whoever renders them escapes them.
 */
export async function apiRequest(path: string, url: URL, store: Store, now: number, config: Pick<Config, 'route'>): Promise<ApiAnswer | null> {
  if (path === '/api/statements') {
    const q = (url.searchParams.get('q') ?? '').slice(0, 200)
    // A page of the list (`limit`, from `offset`): 100k statements are ~33 MB of JSON. `count` is every match.
    const limit = whole(url, 'limit')
    const offset = whole(url, 'offset')
    if (typeof limit === 'string') return { status: 400, body: { error: limit } }
    if (typeof offset === 'string') return { status: 400, body: { error: offset } }
    const from = offset ?? 0
    const { count, statements } = await listStatementStats(store, now, q, config, { offset: from, limit })
    return { status: 200, body: { generatedAt: new Date(now).toISOString(), q, count, offset: from, limit, statements } }
  }
  const m = /^\/api\/statements\/([^/]+)$/.exec(path)
  if (m) {
    const id = decodeURIComponent(m[1]!)
    const d = await statementDetail(store, now, id, config)
    return d ? { status: 200, body: d } : { status: 404, body: { error: `no log statement with id ${JSON.stringify(id)} in the catalog` } }
  }
  return null
}
