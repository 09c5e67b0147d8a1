import { configSchema, type Config } from '../../config/schema.js'
import { Delivery } from '../../deliver/delivery.js'
import { Silences } from '../../deliver/silences.js'
import { SlackWebApi } from '../../deliver/slack/api.js'
import { SlackNotifier } from '../../deliver/slack/notifier.js'
import type { SlackStandin, StandinCall } from '../../deliver/testutil/slack-standin.js'
import { Router } from '../../route/router.js'
import type { OccurrenceDelta } from '../../core/types.js'
import type { Store } from '../../store/store.js'
import { AlertRunner } from '../runner.js'

/** A configuration for alert tests: every alert on unless `raw.alerts` says otherwise. */
export function alertConfig(raw: Record<string, any> = {}): Config {
  const { alerts, ...rest } = raw
  return configSchema.parse({
    ...rest,
    alerts: { firstSeen: { enabled: true }, spikes: { enabled: true }, silence: { enabled: true }, ...alerts },
  })
}

/** An AlertRunner and the Delivery whose outbox worker sends its kinds, over one store and the Slack stand-in. */
export function alertHarness(o: { store: Store; config: Config; slack: SlackStandin; clock: () => number; instanceId?: string }) {
  const { store, config, clock } = o
  const api = new SlackWebApi({ token: 'xoxb-test', url: o.slack.url })
  const notifier = new SlackNotifier(api)
  const router = new Router({ store, config, clock })
  const silences = new Silences({ store, config, clock })
  const log: string[] = []
  const runner = new AlertRunner({ store, config, clock, router, silences, slack: api, instanceId: o.instanceId ?? 'a1', log: (l) => log.push(l) })
  const delivery = new Delivery({ store, config, clock, notifier, slack: api, router, silences, instanceId: o.instanceId ?? 'a1', log: (l) => log.push(l), kinds: runner.kinds(notifier) })
  return {
    runner, delivery, router, silences, log,
    /** One detection round, then send what is due. */
    async round(): Promise<void> {
      await Promise.all([router.refresh(), silences.refresh()])
      await runner.check()
      await delivery.pump()
    },
  }
}

/** chat.postMessage calls that went to a person's DM (by their Slack user id). */
export function dmsTo(slack: SlackStandin, userId: string): StandinCall[] {
  const dm = slack.channelId(`dm-${userId}`)
  return slack.ok('chat.postMessage').filter((c) => c.body.channel === userId || slack.channelId(String(c.body.channel)) === dm)
}

/** An occurrence row for applyCounts: `count` lines of `statementId` on `host` at `at` (bucket of `bucketMs`). */
export function occ(statementId: string, host: string, at: number, count = 1, bucketMs = 300_000): OccurrenceDelta {
  return { statementId, host, bucket: at - (at % bucketMs), count, firstSeen: at, lastSeen: at, level: 'warn', samples: [] }
}
