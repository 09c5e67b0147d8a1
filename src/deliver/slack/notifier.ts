import type { Message, Notifier, SendResult } from '../notifier.js'
import { SlackCallError, type SlackApi } from './api.js'
import { isConversationId, isSlackUserId } from '../../core/slack-ids.js'

/**
 * Delivers through the Slack Web API: `chat.postMessage` for new messages (DMs opened with
 * `conversations.open` so the returned channel id can later be used with `chat.update`), `chat.update`
 * when `updateTs` is set. 429s are waited out inside `SlackApi`; what still fails says whether a retry helps.
 */
export class SlackNotifier implements Notifier {
  readonly name = 'slack'
  constructor(private api: SlackApi) {}

  async send(m: Message): Promise<SendResult> {
    try {
      // Slack takes an id, or a public channel's name written `#name`.
      const channel = isSlackUserId(m.to) ? await this.api.openDm(m.to) : isConversationId(m.to) ? m.to : `#${m.to.replace(/^#/, '')}`
      if (m.updateTs) {
        await this.api.update({ channel, ts: m.updateTs, text: m.text, blocks: m.blocks })
        return { ok: true, ts: m.updateTs, channel }
      }
      const r = await this.api.postMessage({ channel, text: m.text, blocks: m.blocks, threadTs: m.threadTs })
      return { ok: true, ts: r.ts, channel: r.channel }
    } catch (e) {
      if (e instanceof SlackCallError) return { ok: false, retryable: e.retryable, retryAfterMs: e.retryAfterMs, error: e.error }
      return { ok: false, retryable: true, error: (e as Error).message }
    }
  }
}
