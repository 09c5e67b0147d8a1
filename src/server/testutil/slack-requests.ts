import { slackSignature } from '../slack/verify.js'

/** Headers and body of a request signed exactly as Slack signs it (`v0:{ts}:{body}`, HMAC-SHA256). */
export function signed(secret: string, body: string, tsSeconds = Math.floor(Date.now() / 1000)): { headers: Record<string, string>; body: string } {
  return {
    body,
    headers: {
      'x-slack-request-timestamp': String(tsSeconds),
      'x-slack-signature': slackSignature(secret, tsSeconds, body),
    },
  }
}

/** POST a signed interactivity payload (`payload=<json>`, form-encoded) to `/slack/actions`. */
export async function postAction(base: string, secret: string, payload: unknown, o: { ts?: number; forge?: boolean } = {}): Promise<Response> {
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString()
  const s = signed(o.forge ? 'not-the-secret' : secret, body, o.ts)
  return fetch(`${base}/slack/actions`, { method: 'POST', headers: { ...s.headers, 'content-type': 'application/x-www-form-urlencoded' }, body })
}

/** POST a signed Events API body to `/slack/events`. */
export async function postEvent(base: string, secret: string, event: unknown): Promise<Response> {
  const body = JSON.stringify(event)
  const s = signed(secret, body)
  return fetch(`${base}/slack/events`, { method: 'POST', headers: { ...s.headers, 'content-type': 'application/json' }, body })
}

/** A block_actions payload for a button (or a static_select when `selected` is set) in a message. */
export function blockAction(o: {
  user: string
  actionId: string
  value: Record<string, unknown>
  channel?: { id: string; name?: string }
  ts?: string
  blocks?: unknown[]
  select?: boolean
  home?: boolean
}): Record<string, unknown> {
  const value = JSON.stringify(o.value)
  return {
    type: 'block_actions',
    user: { id: o.user, username: o.user.toLowerCase() },
    api_app_id: 'A1', token: 'legacy', trigger_id: `trig.${Math.random().toString(36).slice(2)}`,
    team: { id: 'T1', domain: 'pen' },
    container: o.home ? { type: 'view', view_id: 'V1' } : { type: 'message', message_ts: o.ts, channel_id: o.channel?.id, is_ephemeral: false },
    ...(o.home ? { view: { id: 'V1', type: 'home' } } : {}),
    ...(o.channel ? { channel: o.channel } : {}),
    ...(o.ts ? { message: { type: 'message', ts: o.ts, text: 'dice message', blocks: o.blocks ?? [] } } : {}),
    response_url: 'https://hooks.slack.test/actions/x',
    actions: [o.select
      ? { type: 'static_select', action_id: o.actionId, block_id: 'b', selected_option: { text: { type: 'plain_text', text: 'x' }, value }, action_ts: '1' }
      : { type: 'button', action_id: o.actionId, block_id: 'b', value, action_ts: '1' }],
  }
}
