import type { Message, Notifier, SendResult } from '../notifier.js'

/**
 * POSTs each message as JSON (`{ to, text, blocks, updateTs }`) to `webhook.url`; an update carries the
 * `updateTs` of the message it replaces, a digest's continuation the `threadTs` of its first message. 2xx is success; 429 and
 * 5xx are retryable (honouring `Retry-After` seconds); other statuses are not.
 */
export class WebhookNotifier implements Notifier {
  readonly name = 'webhook'
  private seq = 0
  constructor(private url: string, private timeoutMs = 10_000) {}

  async send(m: Message): Promise<SendResult> {
    let res: Response
    try {
      res = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ to: m.to, text: m.text, blocks: m.blocks ?? null, updateTs: m.updateTs ?? null, ...(m.threadTs ? { threadTs: m.threadTs } : {}) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      })
    } catch (e) {
      return { ok: false, retryable: true, error: (e as Error).message }
    }
    await res.arrayBuffer().catch(() => undefined)
    // The receiver may name the message (X-Message-Id); otherwise we do, so updates can refer to it.
    if (res.ok) return { ok: true, ts: m.updateTs ?? res.headers.get('x-message-id') ?? `webhook.${Date.now()}.${++this.seq}`, channel: m.to }
    const retryAfter = Number.parseInt(res.headers.get('retry-after') ?? '', 10)
    return {
      ok: false,
      retryable: res.status === 429 || res.status >= 500,
      retryAfterMs: Number.isFinite(retryAfter) ? retryAfter * 1000 : undefined,
      error: `http_${res.status}`,
    }
  }
}
