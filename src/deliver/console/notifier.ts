import type { Message, Notifier, SendResult } from '../notifier.js'
import { slackUnescape, stripControl } from '../../core/escape.js'
import { isSlackUserId } from '../../core/slack-ids.js'

/**
 * No Slack token: messages are printed as readable text (the Slack escaping undone, terminal control
 * characters removed so a log line cannot drive the terminal). Used by `dice demo` and by default.
 */
export class ConsoleNotifier implements Notifier {
  readonly name = 'console'
  private seq = 0
  constructor(private out: NodeJS.WritableStream = process.stdout) {}

  async send(m: Message): Promise<SendResult> {
    const to = isSlackUserId(m.to) || m.to.includes('@') ? `@${m.to.replace(/^@/, '')}` : `#${m.to.replace(/^#/, '')}`
    const head = m.updateTs ? `── update ${to} ──` : m.threadTs ? `── ${to}, continued in the thread ──` : `── ${to} ──`
    this.out.write(`${head}\n${stripControl(slackUnescape(m.text)).trimEnd()}\n\n`)
    return { ok: true, ts: m.updateTs ?? `console.${++this.seq}`, channel: m.to }
  }
}
