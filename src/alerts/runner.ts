import type { Config } from '../config/schema.js'
import type { Clock } from '../core/clock.js'
import type { Statement } from '../core/types.js'
import type { Notifier } from '../deliver/notifier.js'
import type { MessageKinds } from '../deliver/outbox/kinds.js'
import { People } from '../people/people.js'
import type { Silences } from '../deliver/silences.js'
import type { SlackApi } from '../deliver/slack/api.js'
import type { Router } from '../route/router.js'
import type { Store } from '../store/store.js'
import { META_INDEXED_AT } from '../catalog/meta.js'
import { FIRST_SEEN_KIND, FirstSeenDetector, firstSeenKind } from './first-seen.js'
import { AlertSender } from './sender.js'
import { SPIKE_KIND, SpikeDetector, spikeKind } from './spikes.js'
import { SILENCE_KIND, SilenceDetector, silenceKind } from './silence.js'

/** Options of an AlertRunner. */
export interface AlertRunnerOptions {
  store: Store
  config: Config
  clock: Clock
  router: Router
  silences: Silences
  slack?: SlackApi | null
  /** This instance's id: the `alerts` lease holder. */
  instanceId: string
  log: (line: string) => void
}

/** Name of the store lease under which one instance detects. */
const LEASE = 'alerts'
/** Statements kept in memory for rendering and routing (read from the store past it). */
const MAX_STATEMENTS = 20_000

/**
 * The alert detectors of `dice run` (docs/alerts/): every `alerts.checkSeconds`, under one store lease (one
 * instance detects at a time; another takes over when it stops renewing), read the buckets committed in the
 * last two bucket widths and hand them to each enabled detector, which enqueues outbox items under dedup keys.
 * Their message kinds (`kinds()`) join the delivery's outbox registry: sending, retries and leases are the
 * outbox worker's, mutes and snoozes the one silence stage's.
 */
export class AlertRunner {
  private first: FirstSeenDetector | null
  private spikes: SpikeDetector | null
  private silence: SilenceDetector | null
  /** Whether this instance held the lease last round (on taking it over, memory of other rounds is stale). */
  private held = false
  private people: People
  private cache = new Map<string, Statement | null>()
  private catalogStamp: string | null = null

  constructor(private o: AlertRunnerOptions) {
    const a = o.config.alerts
    this.people = new People({ store: o.store, config: o.config, clock: o.clock, slack: o.slack })
    const statement = (id: string) => this.statement(id)
    this.first = a.firstSeen.enabled ? new FirstSeenDetector({ store: o.store, config: o.config, router: o.router, statement }) : null
    this.spikes = a.spikes.enabled ? new SpikeDetector({ store: o.store, config: o.config, router: o.router, statement }) : null
    this.silence = a.silence.enabled ? new SilenceDetector({ store: o.store, config: o.config, router: o.router, statement }) : null
  }

  /** True when `dice.yml` turns on at least one alert. */
  static enabled(config: Config): boolean {
    const a = config.alerts
    return a.firstSeen.enabled || a.spikes.enabled || a.silence.enabled
  }

  /** The message kinds of the alerts, for the outbox worker's registry. */
  kinds(notifier: Notifier): MessageKinds {
    const { store, config, silences } = this.o
    const sender = new AlertSender({ store, config, notifier, silences, people: this.people })
    const statement = (id: string) => this.statement(id)
    return {
      [FIRST_SEEN_KIND]: firstSeenKind({ store, config, sender, statement }),
      [SPIKE_KIND]: spikeKind({ store, config, sender, silences, statement }),
      [SILENCE_KIND]: silenceKind({ config, sender, statement }),
    }
  }

  /** One round of detection, if this instance holds the lease. Returns how many outbox items it enqueued. */
  async check(): Promise<number> {
    const { store, config, clock } = this.o
    const now = clock()
    const ttl = Math.max(30_000, 3 * config.alerts.checkSeconds * 1000)
    if (!(await store.tryLease(LEASE, this.o.instanceId, now, ttl))) {
      this.held = false
      return 0
    }
    // Another instance may have moved the detectors' states on while this one did not hold the lease.
    if (!this.held) this.spikes?.reset()
    this.held = true
    await this.forgetStaleCatalog()
    const bucketMs = config.match.bucketSeconds * 1000
    const current = now - (now % bucketMs)
    // Buckets ahead of the clock (a host whose clock runs fast) are judged when their time comes.
    const recent = (await store.bucketSums({ since: current - bucketMs })).filter((b) => b.bucket <= current)
    let n = 0
    if (this.first) n += await this.first.check(recent, now)
    if (this.spikes) n += await this.spikes.check(recent, now)
    if (this.silence) n += await this.silence.check(now)
    return n
  }

  /** Check every `alerts.checkSeconds` until `signal` aborts; `pump` drains the outbox after a round that enqueued. */
  start(signal: AbortSignal, pump: () => Promise<void>): void {
    const every = this.o.config.alerts.checkSeconds * 1000
    const loop = async () => {
      while (!signal.aborted) {
        try {
          if ((await this.check()) > 0) await pump()
        } catch (e) {
          this.o.log(`alerts: ${(e as Error)?.message ?? e}`)
        }
        await new Promise<void>((r) => {
          const onAbort = () => (clearTimeout(t), r())
          const t = setTimeout(() => (signal.removeEventListener('abort', onAbort), r()), every)
          signal.addEventListener('abort', onAbort, { once: true })
        })
      }
    }
    void loop()
  }

  private async statement(id: string): Promise<Statement | null> {
    if (this.cache.has(id)) return this.cache.get(id)!
    const s = await this.o.store.getStatement(id)
    if (this.cache.size >= MAX_STATEMENTS) this.cache.clear()
    this.cache.set(id, s)
    return s
  }

  /** A re-index may change any statement: forget the cached ones when it happened. */
  private async forgetStaleCatalog(): Promise<void> {
    const stamp = await this.o.store.getMeta(META_INDEXED_AT)
    if (stamp === this.catalogStamp) return
    this.catalogStamp = stamp
    this.cache.clear()
    this.silence?.reload()
  }
}
