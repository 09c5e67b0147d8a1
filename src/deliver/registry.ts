import type { Config } from '../config/schema.js'
import type { Notifier } from './notifier.js'
import { ConsoleNotifier } from './console/notifier.js'
import { SlackNotifier } from './slack/notifier.js'
import { slackFromEnv, type SlackApi } from './slack/api.js'
import { WebhookNotifier } from './webhook/notifier.js'

/**
 * Pick the notifier: Slack when `SLACK_BOT_TOKEN` is set, else a webhook when `webhook.url` is configured,
 * else the console. `slack` may pass an already-built client (so the notifier and the digest scheduler share
 * one rate-limit state).
 */
export function createNotifier(o: { config: Config; env: NodeJS.ProcessEnv; out?: NodeJS.WritableStream; slack?: SlackApi | null }): Notifier {
  const slack = o.slack ?? slackFromEnv(o.env)
  if (slack) return new SlackNotifier(slack)
  if (o.config.webhook.url) return new WebhookNotifier(o.config.webhook.url)
  return new ConsoleNotifier(o.out ?? process.stdout)
}
