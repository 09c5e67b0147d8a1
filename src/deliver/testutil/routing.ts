import type { Config } from '../../config/schema.js'
import type { Clock } from '../../core/clock.js'
import type { Hit } from '../../core/types.js'
import { Router, type RouteDecision } from '../../route/router.js'
import type { Store } from '../../store/store.js'
import { Silences } from '../silences.js'

/** The route and silence stages together, as `dice run` wires them: `route()` is what delivery receives. */
export interface Routing {
  router: Router
  silences: Silences
  route(h: Hit): RouteDecision
  /** What Actions call after every action: both re-read. */
  refresh(): Promise<void>
}

/** A fresh router and silences over `store`, both read once. */
export async function routing(o: { store: Store; config: Config; clock: Clock }): Promise<Routing> {
  const router = new Router(o)
  const silences = new Silences(o)
  const r: Routing = {
    router, silences,
    route: (h) => silences.apply(router.route(h)),
    refresh: async () => void (await Promise.all([router.refresh(), silences.refresh()])),
  }
  await r.refresh()
  return r
}
