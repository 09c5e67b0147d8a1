import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { PassThrough } from 'node:stream'
import { afterEach, describe, expect, it } from 'vitest'
import { createNotifier } from './notifier.js'
import { WebhookNotifier } from './webhook/notifier.js'
import { ConsoleNotifier } from './console/notifier.js'
import { SlackNotifier } from './slack/notifier.js'
import { config } from './testutil/fixtures.js'
import { startSlackStandin, type SlackStandin } from './testutil/slack-standin.js'
import { escapeTruncate, slackEscape, truncateEscaped } from '../core/escape.js'

const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of closers.splice(0)) await c()
})

async function receiver(status = 200, headers: Record<string, string> = {}) {
  const got: any[] = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (d) => (body += d))
    req.on('end', () => {
      got.push({ headers: req.headers, body: JSON.parse(body) })
      res.writeHead(status, headers).end()
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  closers.push(() => new Promise((r) => server.close(() => r())))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, got }
}

describe('notifiers', () => {
  it('webhook: POSTs the message as JSON to webhook.url', async () => {
    const r = await receiver()
    const n = createNotifier({ config: config({ webhook: { url: r.url } }), env: {} })
    expect(n.name).toBe('webhook')
    const res = await n.send({ to: 'ops', text: 'hi &lt;', blocks: [{ type: 'section' }] })
    expect(res.ok).toBe(true)
    expect(r.got[0].headers['content-type']).toContain('application/json')
    expect(r.got[0].body).toEqual({ to: 'ops', text: 'hi &lt;', blocks: [{ type: 'section' }], updateTs: null })
  })

  it('webhook: 429 and 5xx are retryable with Retry-After; 4xx is not', async () => {
    const busy = await receiver(429, { 'retry-after': '3' })
    expect(await new WebhookNotifier(busy.url).send({ to: 'x', text: 'y' })).toEqual({ ok: false, retryable: true, retryAfterMs: 3000, error: 'http_429' })
    const bad = await receiver(404)
    expect(await new WebhookNotifier(bad.url).send({ to: 'x', text: 'y' })).toMatchObject({ ok: false, retryable: false })
  })

  it('console: readable text, Slack escaping undone, terminal control characters removed', async () => {
    const out = new PassThrough()
    let text = ''
    out.on('data', (d) => (text += d))
    const n = createNotifier({ config: config(), env: {}, out })
    expect(n).toBeInstanceOf(ConsoleNotifier)
    await n.send({ to: 'hello-worlders', text: 'a &lt;b&gt; \u001b[31mred' })
    expect(text).toContain('#hello-worlders')
    expect(text).toContain('a <b> [31mred')
    expect(text).not.toContain('\u001b')
  })

  it('slack: chosen when SLACK_BOT_TOKEN is set, talks to DICE_SLACK_API_URL, DMs go through conversations.open', async () => {
    const slack: SlackStandin = await startSlackStandin({ users: [{ id: 'UPIG00001' }] })
    closers.push(() => slack.close())
    const n = createNotifier({ config: config(), env: { SLACK_BOT_TOKEN: 'xoxb-1', DICE_SLACK_API_URL: slack.url } })
    expect(n).toBeInstanceOf(SlackNotifier)
    const r = await n.send({ to: 'UPIG00001', text: 'hi' })
    expect(r).toMatchObject({ ok: true, channel: expect.stringMatching(/^D/) })
    expect(slack.ok('conversations.open')).toHaveLength(1)
    slack.failNext('chat.postMessage', { error: 'channel_not_found' })
    expect(await n.send({ to: '#nope', text: 'x' })).toMatchObject({ ok: false, retryable: false, error: 'channel_not_found' })
  })
})

describe('Slack escaping and limits', () => {
  it('escapes &, < and > so mentions and links from logs are inert', () => {
    expect(slackEscape('<!channel> <https://evil|click> & <@U1>')).toBe('&lt;!channel&gt; &lt;https://evil|click&gt; &amp; &lt;@U1&gt;')
  })
  it('truncates after escaping, never inside an entity', () => {
    const t = escapeTruncate('<'.repeat(5000), 3000)
    expect(t.length).toBeLessThanOrEqual(3000)
    expect(t).toMatch(/^(&lt;)+…$/)
    expect(truncateEscaped('ab&amp;cd', 5)).toBe('ab…')
  })
})
