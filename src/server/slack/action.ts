import { parseDuration } from '../../core/clock.js'
import type { Scope } from '../../store/store.js'

/** The message a button sat in, so it can be updated in place. */
export interface MessageRef {
  channel: string
  ts: string
  text?: string
  blocks?: unknown[]
}

/** Who clicked, where. Common to every interactive action. */
export interface ActionOrigin {
  /** Slack user id of the actor. */
  user: string
  /** The channel the click came from (a DM has an id starting with D), or null from App Home / modals. */
  channel: { id?: string; name?: string } | null
  message: MessageRef | null
  /** For views.open: valid about 3 seconds. */
  triggerId: string | null
  /** Clicked in the App Home tab: republish it afterwards. */
  fromHome: boolean
}

/**
 * Every Slack request Dice understands, as one typed value. Built in one place (`parseSlackRequest`);
 * handlers never see the HTTP request.
 */
export type SlackAction =
  | { kind: 'url_verification'; challenge: string }
  | { kind: 'home'; user: string }
  | (ActionOrigin & { kind: 'snooze'; statementId: string; forMs: number | null; count: number | null; scope: Scope | null; untilWorse?: boolean })
  | (ActionOrigin & { kind: 'snooze_custom'; statementId: string; scope: Scope | null })
  | (ActionOrigin & { kind: 'unsnooze'; statementId: string; scope: Scope | null; scopeId: string | null })
  | (ActionOrigin & { kind: 'mute'; statementId: string; scope: Scope })
  | (ActionOrigin & { kind: 'unmute'; statementId: string; scope: Scope | null; scopeId: string | null })
  | (ActionOrigin & { kind: 'reassign_open'; statementId: string })
  | (ActionOrigin & { kind: 'reassign'; statementId: string; to: string; reason: string | null })
  | (ActionOrigin & { kind: 'undo_override'; statementId: string })
  /** A modal submission with field errors: answered at once with `response_action: errors`. */
  | { kind: 'invalid_submission'; errors: Record<string, string> }
  /** Valid and signed, but nothing for Dice to do (other events, unknown action ids). */
  | { kind: 'ignore'; why: string }

/** Callback ids of Dice's modals, and the block/action ids of their inputs. */
export const MODAL = {
  reassign: 'dice_reassign_modal',
  snooze: 'dice_snooze_modal',
  userBlock: 'dice_to', userAction: 'dice_to_user',
  reasonBlock: 'dice_reason', reasonAction: 'dice_reason_text',
  durationBlock: 'dice_duration', durationAction: 'dice_duration_text',
} as const

/** What Dice puts in modal `private_metadata`: enough to finish the action and update the message. */
export interface ModalMeta {
  statementId: string
  channel: { id?: string; name?: string } | null
  message: { channel: string; ts: string } | null
  scope?: Scope | null
}

/** Thrown for a signed request Dice cannot read: answered 400 with a short message. */
export class SlackPayloadError extends Error {}

const SCOPES = new Set<Scope>(['user', 'channel', 'all'])
const scopeOf = (v: unknown): Scope | null => (typeof v === 'string' && SCOPES.has(v as Scope) ? (v as Scope) : null)
const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null)

function parseValue(v: unknown): Record<string, unknown> {
  if (typeof v !== 'string') throw new SlackPayloadError('action without a value')
  try {
    const o = JSON.parse(v)
    if (o && typeof o === 'object' && typeof o.statementId === 'string' && o.statementId) return o
  } catch {
    /* fall through */
  }
  throw new SlackPayloadError('action value is not Dice JSON')
}

/**
 * Turn a verified Slack request into a SlackAction. `path` is `/slack/actions` (form body with
 * `payload=<json>`) or `/slack/events` (JSON body). Throws SlackPayloadError on malformed input.
 */
export function parseSlackRequest(path: string, body: string): SlackAction {
  if (path === '/slack/events') {
    let e: any
    try {
      e = JSON.parse(body)
    } catch {
      throw new SlackPayloadError('events body is not JSON')
    }
    if (e?.type === 'url_verification') return { kind: 'url_verification', challenge: String(e.challenge ?? '') }
    if (e?.type === 'event_callback' && e.event?.type === 'app_home_opened' && (e.event.tab ?? 'home') === 'home' && str(e.event.user)) {
      return { kind: 'home', user: e.event.user }
    }
    return { kind: 'ignore', why: `event ${e?.event?.type ?? e?.type ?? '?'}` }
  }
  const raw = new URLSearchParams(body).get('payload')
  if (!raw) throw new SlackPayloadError('no payload field')
  let p: any
  try {
    p = JSON.parse(raw)
  } catch {
    throw new SlackPayloadError('payload is not JSON')
  }
  const user = str(p?.user?.id)
  if (!user) throw new SlackPayloadError('payload without a user')
  if (p.type === 'block_actions') return blockAction(p, user)
  if (p.type === 'view_submission') return viewSubmission(p, user)
  return { kind: 'ignore', why: `payload ${String(p.type)}` }
}

function blockAction(p: any, user: string): SlackAction {
  const a = p.actions?.[0]
  if (!a) throw new SlackPayloadError('block_actions without an action')
  const fromHome = p.container?.type === 'view' && p.view?.type === 'home'
  const channelId = str(p.channel?.id) ?? str(p.container?.channel_id)
  const ts = str(p.container?.message_ts) ?? str(p.message?.ts)
  const origin: ActionOrigin = {
    user,
    channel: channelId ? { id: channelId, name: str(p.channel?.name) ?? undefined } : null,
    message: channelId && ts ? { channel: channelId, ts, text: typeof p.message?.text === 'string' ? p.message.text : undefined, blocks: Array.isArray(p.message?.blocks) ? p.message.blocks : undefined } : null,
    triggerId: str(p.trigger_id),
    fromHome,
  }
  const v = parseValue(a.type === 'static_select' ? a.selected_option?.value : a.value)
  const statementId = String(v.statementId)
  // A digest item's one select: its option says which action (`op`), with that action's own fields.
  const id = a.action_id === 'dice_item' ? ({ snooze: 'dice_snooze', mute: 'dice_mute', reassign: 'dice_reassign' } as Record<string, string>)[String(v.op)] : a.action_id
  switch (id) {
    case 'dice_snooze': {
      const scope = scopeOf(v.scope)
      if (v.for === 'custom') return { ...origin, kind: 'snooze_custom', statementId, scope }
      const forMs = typeof v.for === 'string' ? parseDuration(v.for, 'snooze') : null
      const count = typeof v.count === 'number' && Number.isInteger(v.count) && v.count > 0 ? v.count : null
      if (v.worse === true) return { ...origin, kind: 'snooze', statementId, forMs, count, scope, untilWorse: true }
      if (forMs == null && count == null) throw new SlackPayloadError('snooze without a duration or count')
      return { ...origin, kind: 'snooze', statementId, forMs, count, scope }
    }
    case 'dice_unsnooze':
      return { ...origin, kind: 'unsnooze', statementId, scope: scopeOf(v.scope), scopeId: str(v.scopeId) }
    case 'dice_mute':
      return { ...origin, kind: 'mute', statementId, scope: scopeOf(v.scope) ?? 'user' }
    case 'dice_unmute':
      return { ...origin, kind: 'unmute', statementId, scope: scopeOf(v.scope), scopeId: str(v.scopeId) }
    case 'dice_reassign':
      return { ...origin, kind: 'reassign_open', statementId }
    case 'dice_undo_override':
      return { ...origin, kind: 'undo_override', statementId }
    default:
      return { kind: 'ignore', why: `action ${String(a.action_id)}` }
  }
}

function viewSubmission(p: any, user: string): SlackAction {
  const view = p.view ?? {}
  let meta: ModalMeta
  try {
    meta = JSON.parse(view.private_metadata ?? '')
  } catch {
    return { kind: 'ignore', why: 'view without Dice metadata' }
  }
  if (!meta || typeof meta.statementId !== 'string') return { kind: 'ignore', why: 'view without Dice metadata' }
  const values = view.state?.values ?? {}
  const origin: ActionOrigin = {
    user, channel: meta.channel ?? null, message: meta.message ?? null, triggerId: str(p.trigger_id), fromHome: false,
  }
  if (view.callback_id === MODAL.reassign) {
    const to = str(values[MODAL.userBlock]?.[MODAL.userAction]?.selected_user)
    if (!to) return { kind: 'invalid_submission', errors: { [MODAL.userBlock]: 'Pick the person who owns this log statement.' } }
    const reason = str(values[MODAL.reasonBlock]?.[MODAL.reasonAction]?.value)
    return { ...origin, kind: 'reassign', statementId: meta.statementId, to, reason }
  }
  if (view.callback_id === MODAL.snooze) {
    const text = str(values[MODAL.durationBlock]?.[MODAL.durationAction]?.value) ?? ''
    const m = /^\s*(\d+)\s*(?:x|times?|occurrences?)\s*$/i.exec(text)
    if (m && Number(m[1]) > 0) return { ...origin, kind: 'snooze', statementId: meta.statementId, forMs: null, count: Number(m[1]), scope: meta.scope ?? null }
    try {
      return { ...origin, kind: 'snooze', statementId: meta.statementId, forMs: parseDuration(text), count: null, scope: meta.scope ?? null }
    } catch {
      return { kind: 'invalid_submission', errors: { [MODAL.durationBlock]: 'Try 90m, 4h, 2d, 1w, 1h30m — or "10 times".' } }
    }
  }
  return { kind: 'ignore', why: `view ${String(view.callback_id)}` }
}
