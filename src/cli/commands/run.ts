import { hostname } from 'node:os'
import { randomBytes } from 'node:crypto'
import type { Command } from '../command.js'
import { SPECS } from './specs.js'
import type { CliContext } from '../context.js'
import type { Store } from '../../store/store.js'
import { systemClock } from '../../core/clock.js'
import { DiceError, ErrorCode, UsageError } from '../../core/errors.js'
import { Delivery } from '../../deliver/delivery.js'
import { Silences } from '../../deliver/silences.js'
import { AlertRunner } from '../../alerts/runner.js'
import { createNotifier } from '../../deliver/registry.js'
import { slackFromEnv } from '../../deliver/slack/api.js'
import { createIngestHandler } from '../../ingest/http/handler.js'
import { ingest, parserFor, Pipeline } from '../../ingest/pipeline.js'
import { workerCount } from '../../ingest/parallel/workers.js'
import { keepPlan, storedPlan } from '../../match/stored-plan.js'
import { createSource } from '../../ingest/registry.js'
import { Actions, ACTIONS_META_KEY } from '../../route/actions.js'
import { Router } from '../../route/router.js'
import { People } from '../../people/people.js'
import { startServer } from '../../server/http.js'
import { applyRetention } from '../../server/retention.js'
import { checkRunnable } from '../../config/check.js'
import { assertExposureChosen, webAuthFrom } from '../../server/auth.js'
import { withCatalogCache } from '../../catalog/cached.js'
import { catalogStamp } from '../../catalog/meta.js'
import { liveCatalog } from '../../catalog/live.js'
import { fitHeapGrowth } from '../heap.js'

const POLL_MS = 2_000
const RETENTION_EVERY_MS = 60 * 60_000

/** The statements as the catalog-cached store lists them (kept in memory; read from the kept blob or the rows). */
const listed = (store: Store) => store.listStatements()

function port(v: unknown, fallback: number): number {
  if (v == null) return fallback
  const n = Number(v)
  if (!/^\d+$/.test(String(v)) || n > 65535) throw new UsageError(`--port: expected a port number 0-65535, got ${JSON.stringify(v)}`)
  return n
}

/**
 * `dice run`: the service. Opens the store, loads the catalog, tails the configured sources through the
 * Pipeline into Delivery (real time + digests), serves HTTP (ingest, Slack, web page, metrics), reloads the
 * catalog when it is re-indexed, applies retention hourly, and shuts down cleanly on SIGTERM/SIGINT
 * (sources stopped, counts and checkpoints flushed, server and store closed, exit 0).
 */
export const run: Command = {
  ...SPECS.run,
  async run(ctx, { values, positionals }) {
    if (positionals.length) throw new UsageError(`run: unexpected argument ${JSON.stringify(positionals[0])}`)
    const p = port(values.port, ctx.config.server.port)
    const host = (values.host as string | undefined) ?? ctx.config.server.host
    // Refuse a bad source format now, as `dice config check` does, not after the store is open; and an
    // address others can reach when nobody chose who may read the log lines the page shows.
    checkRunnable(ctx.config, ctx.configFile)
    assertExposureChosen(host, webAuthFrom(ctx.config, ctx.env), ctx.configFile)
    const stop = new AbortController()
    const onSignal = () => stop.abort()
    process.once('SIGTERM', onSignal)
    process.once('SIGINT', onSignal)
    let code = 1
    try {
      code = await serve(ctx, { port: p, host, signal: stop.signal, workers: workerCount(values.workers, ctx.config) })
      return code
    } finally {
      process.off('SIGTERM', onSignal)
      process.off('SIGINT', onSignal)
      // Everything is closed; a stray handle (a stdin read, a socket) must not keep the process alive.
      setTimeout(() => process.exit(code), 1500).unref()
    }
  },
}

/** The service body, separated from signal handling so tests and `dice demo` can drive it with a signal. */
export async function serve(ctx: CliContext, o: { port: number; host: string; signal: AbortSignal; workers?: number; onListening?: (url: string) => void }): Promise<number> {
  const { config, clock } = ctx
  const log = (line: string) => ctx.stderr.write(`dice: ${line}\n`)
  const instanceId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`
  // The catalog is read once and shared: the matcher, the page, the API, App Home and digests (catalog/cached.ts).
  const store = withCatalogCache(await ctx.openStore())
  const sources = new AbortController()
  const timers: NodeJS.Timeout[] = []
  let server: Awaited<ReturnType<typeof startServer>> | null = null
  let pipeline: Pipeline | null = null
  let delivery: Delivery | null = null
  const tasks: Promise<void>[] = []
  try {
    // The work tree's catalog and, once deploys are recorded, the statements only the live revisions have.
    // Through the cached store: the page, API and digests then share the list the matcher is built from.
    const { statements, prefs } = await liveCatalog(store, listed)
    const workers = o.workers ?? workerCount(undefined, config)
    fitHeapGrowth(statements.length, workers)
    const slack = slackFromEnv(ctx.env)
    const notifier = createNotifier({ config, env: ctx.env, out: ctx.stdout, slack })
    const router = new Router({ store, config, clock })
    const silences = new Silences({ store, config, clock })
    // Actions and polls re-read both: who owns what, and what is muted or snoozed.
    const routing = { refresh: async () => void (await Promise.all([router.refresh(), silences.refresh()])) }
    await routing.refresh()
    // The alerts (docs/alerts/) send through the delivery's outbox worker: their kinds join its registry.
    const alerts = AlertRunner.enabled(config) ? new AlertRunner({ store, config, clock, router, silences, slack, instanceId, log }) : null
    delivery = new Delivery({ store, config, clock, notifier, slack, router, silences, instanceId, log, kinds: alerts?.kinds(notifier) })
    const d = delivery
    pipeline = new Pipeline({
      store, config, clock, statements, revisions: prefs, plan: await storedPlan(store), sink: d,
      workers,
      onFlushError: (e) => log(`flush failed (will retry): ${(e as Error).message}`),
    })
    await pipeline.matcherReady()
    await keepPlan(store, pipeline)
    pipeline.start(1000)
    const actions = new Actions({ store, config, clock, router: routing, notifier, people: new People({ store, config, clock, slack, log }) })
    delivery.start(sources.signal)
    alerts?.start(sources.signal, () => d.pump())

    for (const cfg of config.sources) {
      const source = createSource(cfg, { store, maxLineBytes: config.match.maxLineBytes, cwd: ctx.cwd })
      const parser = parserFor(cfg.format, config, clock)
        tasks.push(ingest({ pipeline, source, parser, signal: sources.signal }).catch((e) => void log(`source ${source.name} stopped: ${(e as Error).message}`)))
    }

    server = await startServer({
      store, config, clock, pipeline, delivery, actions, host: o.host, port: o.port, env: ctx.env, log,
      ingest: createIngestHandler({ pipeline, config }),
      slack,
      wallClock: systemClock,
    }).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE' || e.code === 'EACCES' || e.code === 'EADDRNOTAVAIL') {
        // A runtime condition (exit 1), but the message names the flags that choose the address.
        throw new DiceError(ErrorCode.Unknown, `--port ${o.port} / --host ${o.host}: cannot listen (${e.code}${e.code === 'EADDRINUSE' ? ': another dice run?' : ''})`, 1)
      }
      throw e
    })

    // Catalog re-index and actions taken elsewhere (the CLI, another instance): reload promptly.
    let stamp = await catalogStamp(store)
    let acted = await store.getMeta(ACTIONS_META_KEY)
    const pipe = pipeline
    const poll = setInterval(() => {
      void (async () => {
        const now = await catalogStamp(store)
        if (now !== stamp) {
          stamp = now
          const { statements: list, prefs: revs } = await liveCatalog(store, listed)
          fitHeapGrowth(list.length, workers)
          pipe.setStatements(list, await storedPlan(store), revs)
          await pipe.matcherReady()
          await keepPlan(store, pipe)
          await routing.refresh()
          log(`catalog reloaded: ${list.length} statements`)
        }
        const a = await store.getMeta(ACTIONS_META_KEY)
        if (a !== acted) (acted = a), await routing.refresh()
      })().catch((e) => log(`catalog poll failed: ${(e as Error).message}`))
    }, POLL_MS)
    timers.push(poll)
    const prune = () => applyRetention({ store, config, now: clock(), holder: instanceId })
      .then((r) => r && (r.rolledUp || r.deleted) && log(`retention: ${r.rolledUp} buckets rolled up, ${r.deleted} deleted`))
      .catch((e) => log(`retention failed: ${(e as Error).message}`))
    timers.push(setTimeout(prune, 30_000), setInterval(prune, RETENTION_EVERY_MS))

    log(`listening on ${server.url} (${statements.length} statements, ${config.sources.length} sources, store ${store.kind}, notifier ${notifier.name})`)
    o.onListening?.(server.url)
    if (!o.signal.aborted) await new Promise<void>((r) => o.signal.addEventListener('abort', () => r(), { once: true }))
    log('shutting down')
    return 0
  } finally {
    for (const t of timers) clearTimeout(t)
    sources.abort()
    await Promise.race([Promise.allSettled(tasks), new Promise((r) => setTimeout(r, 5000).unref())])
    // Counts and the checkpoints they cover are written together: a restart resumes exactly here.
    if (pipeline) await pipeline.stop().catch((e) => log(`final flush failed: ${(e as Error).message}`))
    if (delivery) {
      const dl = delivery
      await Promise.race([dl.idle().catch(() => {}), new Promise((r) => setTimeout(r, 3000).unref())])
      // Posts claimed but not sent yet go back to the outbox: a restart or another instance sends them now.
      await dl.close().catch(() => {})
    }
    if (server) await server.close().catch(() => {})
    await store.close().catch(() => {})
  }
}
