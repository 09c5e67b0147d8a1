import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { PassThrough } from 'node:stream'
import { runNotifierContract } from './notifier.contract.js'
import { ConsoleNotifier } from './console/notifier.js'
import { WebhookNotifier } from './webhook/notifier.js'
import { SlackNotifier } from './slack/notifier.js'
import { SlackWebApi } from './slack/api.js'
import { startSlackStandin } from './testutil/slack-standin.js'

runNotifierContract('slack', async () => {
  const slack = await startSlackStandin()
  return {
    notifier: new SlackNotifier(new SlackWebApi({ token: 'xoxb-test', url: slack.url })),
    received: async () => slack.calls.filter((c) => c.ok).map((c) => ({ to: c.body.channel, text: c.body.text, update: c.method === 'chat.update' })),
    close: () => slack.close(),
  }
})

runNotifierContract('webhook', async () => {
  const got: Array<{ to: string; text: string; update: boolean }> = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (d) => (body += d))
    req.on('end', () => {
      const m = JSON.parse(body)
      got.push({ to: m.to, text: m.text, update: !!m.updateTs })
      res.writeHead(204).end()
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    notifier: new WebhookNotifier(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`),
    received: async () => got,
    close: () => new Promise((r) => server.close(() => r())),
  }
})

runNotifierContract('console', async () => {
  const out = new PassThrough()
  let text = ''
  out.on('data', (d) => (text += d))
  return {
    notifier: new ConsoleNotifier(out),
    received: async () => text.split(/\n(?=── )/).filter(Boolean).map((block) => ({ to: 'ops', text: block, update: block.startsWith('── update') })),
    close: async () => {},
  }
})
