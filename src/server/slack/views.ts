import type { Statement } from '../../core/types.js'
import type { MuteRow, OverrideRow, Scope, SnoozeRow } from '../../store/store.js'
import { slackEscape as esc } from '../../core/escape.js'
import { mentionOrText as who } from '../../core/slack-ids.js'
import { MODAL, type ModalMeta } from './action.js'

const plain = (text: string) => ({ type: 'plain_text', text: text.slice(0, 150), emoji: true })
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text: text.slice(0, 2900) })
const short = (s: Statement | undefined, id: string, link: ((s: Statement) => string | null) | null = null) => {
  if (!s) return `\`${esc(id)}\` (no longer in the catalog)`
  const url = link?.(s)
  const at = `${esc(s.file)}:${s.line}`
  return `\`${esc((s.template ?? s.callee).slice(0, 120))}\` (${url ? `<${url}|${at}>` : at})`
}

/** The "it wasn't me" modal: pick the real owner (users_select), optional reason. */
export function reassignModal(s: Statement, meta: ModalMeta): Record<string, unknown> {
  return {
    type: 'modal', callback_id: MODAL.reassign, private_metadata: JSON.stringify(meta),
    title: plain("It wasn't me"), submit: plain('Hand over'), close: plain('Cancel'),
    blocks: [
      { type: 'section', text: mrkdwn(`Who should hear about ${short(s, s.id)} from now on?`) },
      { type: 'input', block_id: MODAL.userBlock, label: plain('Owner'), element: { type: 'users_select', action_id: MODAL.userAction, placeholder: plain('Pick a person') } },
      { type: 'input', block_id: MODAL.reasonBlock, optional: true, label: plain('Why (shown to them)'), element: { type: 'plain_text_input', action_id: MODAL.reasonAction, max_length: 300 } },
    ],
  }
}

/** The custom snooze modal: a duration (`90m`, `2d`, `1h30m`) or a count (`10 times`). */
export function snoozeModal(s: Statement, meta: ModalMeta): Record<string, unknown> {
  return {
    type: 'modal', callback_id: MODAL.snooze, private_metadata: JSON.stringify(meta),
    title: plain('Snooze'), submit: plain('Snooze'), close: plain('Cancel'),
    blocks: [
      { type: 'section', text: mrkdwn(`Snooze ${short(s, s.id)}`) },
      { type: 'input', block_id: MODAL.durationBlock, label: plain('For how long?'), hint: plain('90m, 4h, 2d, 1w, 1h30m — or "10 times"'),
        element: { type: 'plain_text_input', action_id: MODAL.durationAction, placeholder: plain('4h') } },
    ],
  }
}

/**
 * The original message with a note about what happened to one statement: the note replaces that
 * statement's action buttons (so they are not clicked twice); elsewhere it is appended.
 */
export function annotateMessage(blocks: unknown[] | undefined, fallbackText: string | undefined, statementId: string, note: string): unknown[] {
  const context = { type: 'context', elements: [mrkdwn(note)] }
  const list = Array.isArray(blocks) && blocks.length ? [...blocks] : [{ type: 'section', text: mrkdwn(esc(fallbackText ?? '').slice(0, 2900) || ' ') }]
  const id = JSON.stringify(statementId).slice(1, -1)
  const i = list.findIndex((b: any) => b?.type === 'actions' && JSON.stringify(b.elements ?? []).includes(id))
  if (i >= 0) {
    list.splice(i, 1, context)
    return list.slice(-50)
  }
  // A digest item: its controls sit beside its text. The note takes their place, in the same block, so a
  // full digest (50 blocks) keeps its header.
  const j = list.findIndex((b: any) => b?.type === 'section' && b.accessory && JSON.stringify(b.accessory).includes(id))
  if (j >= 0) {
    const { accessory: _a, ...section } = list[j] as { accessory: unknown; text: { type: string; text: string } }
    const text = `${section.text.text}\n${note}`
    list.splice(j, 1, { ...section, text: { ...section.text, text: text.length > 3000 ? section.text.text.slice(0, 2999 - note.length) + '…\n' + note : text } })
    return list
  }
  list.push(context)
  return list.slice(-50)
}

/** The App Home tab: the viewer's snoozes, mutes and hand-overs, each with an undo button. */
export function homeView(o: {
  user: string
  statements: Map<string, Statement>
  snoozes: SnoozeRow[]
  mutes: MuteRow[]
  overrides: OverrideRow[]
  now: number
  /** The statement's code link (`Actions.codeLink`, core/links.ts), shown on its file:line. */
  link?: (s: Statement) => string | null
}): Record<string, unknown> {
  const blocks: unknown[] = [
    { type: 'header', text: plain('Dice — what you have quieted') },
    { type: 'context', elements: [mrkdwn('Snoozes, mutes and "Not mine" hand-overs you made or that concern you. Undo any of them here.')] },
  ]
  const section = (title: string, rows: unknown[]) => {
    blocks.push({ type: 'divider' }, { type: 'section', text: mrkdwn(`*${title}*`) })
    if (!rows.length) blocks.push({ type: 'context', elements: [mrkdwn('_none_')] })
    blocks.push(...rows.slice(0, 25))
    if (rows.length > 25) blocks.push({ type: 'context', elements: [mrkdwn(`…and ${rows.length - 25} more (see the web page)`)] })
  }
  const where = (scope: Scope, id: string) => (scope === 'user' ? (id === o.user ? 'for you' : `for ${who(id)}`) : scope === 'channel' ? `for #${esc(id)}` : 'for everyone')
  const button = (text: string, action: string, value: Record<string, unknown>) => ({ type: 'button', action_id: action, text: plain(text), value: JSON.stringify(value) })
  section('Snoozes', o.snoozes.map((z) => {
    // An end past what a Date holds (a huge snooze stored before the 365d cap) reads as no end, not a crash.
    const until = [z.until != null && Number.isFinite(new Date(z.until).getTime()) ? `until <!date^${Math.floor(z.until / 1000)}^{date_short_pretty} {time}|${new Date(z.until).toISOString()}>` : null,
      z.remaining != null ? `for ${z.remaining} more` : null].filter(Boolean).join(' or ')
    return { type: 'section', text: mrkdwn(`${short(o.statements.get(z.statementId), z.statementId, o.link)} ${where(z.scope, z.scopeId)} ${until}`),
      accessory: button('Unsnooze', 'dice_unsnooze', { statementId: z.statementId, scope: z.scope, scopeId: z.scopeId }) }
  }))
  section('Mutes', o.mutes.map((m) => ({
    type: 'section', text: mrkdwn(`${short(o.statements.get(m.statementId), m.statementId, o.link)} ${where(m.scope, m.scopeId)}, by ${who(m.by)}`),
    accessory: button('Unmute', 'dice_unmute', { statementId: m.statementId, scope: m.scope, scopeId: m.scopeId }),
  })))
  section('Hand-overs', o.overrides.map((x) => ({
    type: 'section', text: mrkdwn(`${short(o.statements.get(x.statementId), x.statementId, o.link)} → ${who(x.to)}, by ${who(x.by)}${x.reason ? ` (“${esc(x.reason)}”)` : ''}`),
    accessory: button('Undo', 'dice_undo_override', { statementId: x.statementId }),
  })))
  return { type: 'home', blocks: blocks.slice(0, 100) }
}
