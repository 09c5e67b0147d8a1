import type { Level } from '../../core/types.js'
import { LIMITS, codeSpan, escapeTruncate, slackEscape, truncateEscaped } from '../../core/escape.js'
import { valuesMrkdwn, type LabeledValues } from '../values.js'
import { formatTime } from '../../core/time-format.js'

/** One statement (or unowned shape) in a digest: its occurrences since the recipient's last digest. */
export interface DigestItem {
  /** Statement id, or `shape:<hash>` for a WARN+ line that matched no statement. */
  statementId: string
  file: string | null
  line: number | null
  level: Level | null
  template: string
  /** One raw sample line. */
  sample: string | null
  count: number
  hosts: string[]
  /** The deployed revisions its occurrences came from (docs/alerts/versions.md); absent or empty when no deploy covers them. */
  revisions?: string[]
  firstSeen: number
  lastSeen: number
  link: string | null
  /** Never in one of this recipient's digests before (shown first, marked NEW). */
  isNew: boolean
  /** Why it is here although meant for someone else (the fallback digest names the intended owner and why). */
  note?: string | null
  /** Occurrences since the last digest left out because a snooze was in force ("also N while snoozed"). */
  snoozed?: number
  /** The top values of its placeholders over the same buckets. */
  values?: LabeledValues[]
}

/** Action ids on digest and channel-message controls; values are JSON carrying the statement id (docs/SLACK.md). */
export const DIGEST_ACTIONS = { snooze: 'dice_snooze', mute: 'dice_mute', reassign: 'dice_reassign', item: 'dice_item' } as const

/**
 * The buttons under a channel message's statement: Snooze (a menu of durations / counts / custom, values
 * `{statementId, for|count}`) and "Mute here", both `scope: 'channel'` (acting for that channel).
 */
export function actionsBlock(statementId: string, scope: 'channel' | null): unknown {
  const v = (extra: Record<string, unknown> = {}) => JSON.stringify({ statementId, ...(scope ? { scope } : {}), ...extra })
  const opt = (text: string, extra: Record<string, unknown>) => ({ text: { type: 'plain_text', text }, value: v(extra) })
  const elements: unknown[] = [
    {
      type: 'static_select', action_id: DIGEST_ACTIONS.snooze, placeholder: { type: 'plain_text', text: 'Snooze…' },
      options: [opt('for 1 hour', { for: '1h' }), opt('for 1 day', { for: '1d' }), opt('for 1 week', { for: '1w' }), opt('next 100 times', { count: 100 }), opt('until it gets worse', { worse: true }), opt('custom…', { for: 'custom' })],
    },
    { type: 'button', action_id: DIGEST_ACTIONS.mute, text: { type: 'plain_text', text: scope === 'channel' ? 'Mute here' : 'Mute' }, value: v(), style: 'danger' },
  ]
  if (!scope) elements.push({ type: 'button', action_id: DIGEST_ACTIONS.reassign, text: { type: 'plain_text', text: 'Not mine' }, value: v() })
  return { type: 'actions', block_id: `dice_${statementId}`.slice(0, 255), elements }
}

/**
 * A digest item's controls, one select beside its text (so an item is one block and a message holds up to
 * 47): Snooze for 1 hour / 1 day / 1 week / the next 100 / custom…, Mute, Not mine. Each option's value is
 * `{statementId, op: 'snooze'|'mute'|'reassign', for?|count?, scope?}`: a channel's digest (the fallback) passes
 * `scope: 'channel'`, so a snooze or mute there quiets that channel's digest, not only the clicker's. Unowned
 * shapes (`shape:<hash>`) get the same controls as statements.
 */
export function itemControls(statementId: string, scope: 'channel' | null = null): unknown {
  const opt = (text: string, x: Record<string, unknown>) => ({ text: { type: 'plain_text', text }, value: JSON.stringify({ statementId, ...x, ...(scope ? { scope } : {}) }) })
  return {
    type: 'static_select', action_id: DIGEST_ACTIONS.item, placeholder: { type: 'plain_text', text: 'Snooze, mute…' },
    options: [
      opt('Snooze for 1 hour', { op: 'snooze', for: '1h' }), opt('Snooze for 1 day', { op: 'snooze', for: '1d' }),
      opt('Snooze for 1 week', { op: 'snooze', for: '1w' }), opt('Snooze the next 100', { op: 'snooze', count: 100 }),
      opt('Snooze… (custom)', { op: 'snooze', for: 'custom' }), opt('Mute', { op: 'mute' }), opt('Not mine', { op: 'reassign' }),
    ],
  }
}

/** Blocks around the items of the first message (header, summary, what follows) and of a continuation (one). */
const FIXED = 3

/** How many items one message holds: `digest.maxItems`, within Slack's 50 blocks. */
export function itemsPerMessage(maxItems: number): number {
  return Math.min(maxItems, LIMITS.blocks - FIXED)
}

function timeFrame(i: DigestItem, tz: string): string {
  const a = formatTime(i.firstSeen, tz, 'dayTime')
  const b = formatTime(i.lastSeen, tz, 'dayTime')
  return a === b ? a : `${a} – ${b}`
}

function hostList(hosts: string[]): string {
  const shown = hosts.slice(0, 10).join(', ')
  return hosts.length > 10 ? `${shown} +${hosts.length - 10} more` : shown
}

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`

/** One item: a section with its level, count, template, escaped sample, hosts, time frame and code link, controls beside. */
function itemBlock(i: DigestItem, tz: string, scope: 'channel' | null): { block: unknown; lines: string[] } {
  const level = (i.level ?? 'log').toUpperCase()
  const where = i.file ? `${i.file}:${i.line}` : `no matching statement (${i.statementId})`
  const whereMd = i.link ? `<${i.link}|${slackEscape(where)}>` : slackEscape(where)
  const also = i.snoozed ? ` · also ${i.snoozed.toLocaleString('en-US')} while snoozed` : ''
  const on = i.revisions?.length ? ` · on ${slackEscape(hostList(i.revisions))}` : ''
  const meta = `hosts: ${slackEscape(hostList(i.hosts))}${on} · ${slackEscape(timeFrame(i, tz))} · ${whereMd}${also}${i.note ? `\n:warning: ${escapeTruncate(i.note, 400)}` : ''}`
  const head = `${i.isNew ? '*NEW* ' : ''}*${level}* ×${i.count.toLocaleString('en-US')}  ${codeSpan(i.template, 800)}`
  const vals = i.values?.length ? `\n${valuesMrkdwn(i.values, 800)}` : ''
  const room = LIMITS.sectionText - head.length - meta.length - vals.length - 8
  const sample = i.sample ? `\n>${escapeTruncate(i.sample.replace(/\s*\n\s*/g, ' ⏎ '), Math.max(50, room))}` : ''
  const text = { type: 'mrkdwn', text: truncateEscaped(`${head}${sample}${vals}\n${meta}`, LIMITS.sectionText) }
  const block = { type: 'section', text, accessory: itemControls(i.statementId, scope) }
  const lines = [`• ${i.isNew ? 'NEW ' : ''}${level} ×${i.count}  ${escapeTruncate(i.template, 800)}`]
  if (i.sample) lines.push(`    sample: ${escapeTruncate(i.sample.replace(/\s*\n\s*/g, ' ⏎ '), 500)}`)
  if (i.values?.length) for (const l of valuesMrkdwn(i.values, 800).split('\n')) lines.push(`    ${l}`)
  lines.push(`    hosts: ${slackEscape(hostList(i.hosts))}${on} · ${slackEscape(timeFrame(i, tz))} · ${slackEscape(where)}${also}`)
  if (i.link) lines.push(`    ${i.link}`)
  if (i.note) lines.push(`    ${escapeTruncate(i.note, 400)}`)
  return { block, lines }
}

/** One Slack message of a digest. */
export interface DigestPart { text: string; blocks: unknown[] }

/** How many of `n` items a digest lists: `perMessage` a message, at most `maxMessages` messages. */
export function listedItems(n: number, perMessage: number, maxMessages: number): number {
  return Math.min(n, Math.max(1, perMessage) * Math.max(1, maxMessages))
}

/**
 * Render a digest as messages of `perMessage` items each, in the order given: the first carries the header
 * and says how many statements there are and how many follow in the thread; each further one (posted as a
 * thread reply) says which of them it holds. At most `maxMessages` messages (default: as many as it takes): the
 * items past them (the last in the order given) are not listed, and both the first message and the last say how
 * many statements and occurrences that is.
 */
export function digestMessages(o: { title: string; tz: string; items: DigestItem[]; perMessage: number; maxMessages?: number; scope?: 'channel' | null }): DigestPart[] {
  const per = Math.max(1, o.perMessage)
  const n = o.items.length
  const shown = listedItems(n, per, o.maxMessages ?? Infinity)
  const total = o.items.reduce((x, i) => x + i.count, 0)
  const fresh = o.items.filter((i) => i.isNew).length
  let notListed = 0
  for (let k = shown; k < n; k++) notListed += o.items[k]!.count
  const rest = n > shown ? `${plural(n - shown, 'more statement')} with ${plural(notListed, 'occurrence')} not listed` : ''
  const parts: DigestPart[] = []
  for (let at = 0; at < Math.max(shown, 1); at += per) {
    const chunk = o.items.slice(at, Math.min(at + per, shown))
    const first = at === 0
    const last = at + per >= shown
    const blocks: unknown[] = []
    const lines: string[] = []
    if (first) {
      let summary = `${plural(n, 'statement')}${fresh ? ` (${fresh.toLocaleString('en-US')} new)` : ''}, ${plural(total, 'occurrence')} (times in ${o.tz})`
      if (shown > per) summary += ` — ${chunk.length} here, ${shown - chunk.length} more in ${plural(Math.ceil((shown - per) / per), 'reply', 'replies')} in this thread`
      if (rest) summary += `; ${rest} (digest.maxMessages)`
      blocks.push(
        { type: 'header', text: { type: 'plain_text', text: truncateEscaped(o.title, LIMITS.headerText), emoji: false } },
        { type: 'context', elements: [{ type: 'mrkdwn', text: slackEscape(summary) }] },
      )
      lines.push(slackEscape(o.title), slackEscape(summary), '')
    } else {
      const which = `${o.title} (continued: ${at + 1}–${at + chunk.length} of ${n})`
      blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: truncateEscaped(slackEscape(which), LIMITS.contextText) }] })
      lines.push(slackEscape(which), '')
    }
    for (const i of chunk) {
      const r = itemBlock(i, o.tz, o.scope ?? null)
      blocks.push(r.block)
      lines.push(...r.lines)
    }
    if (last && rest) {
      // The blocks FIXED keeps room for: a message is at most 2 + perMessage + 1 of them.
      const note = `… and ${rest} here: the least new, lowest level and least frequent of this digest, past digest.maxMessages (${Math.ceil(shown / per)} messages). \`dice stats\` and Dice's web page show every statement.`
      blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: truncateEscaped(slackEscape(note), LIMITS.contextText) }] })
      lines.push('', slackEscape(note))
    }
    parts.push({ text: truncateEscaped(lines.join('\n'), LIMITS.messageText), blocks })
  }
  return parts
}
