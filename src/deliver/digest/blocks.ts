import type { Level } from '../../core/types.js'
import { LIMITS, codeSpan, escapeTruncate, slackEscape, truncateEscaped } from '../../core/escape.js'

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
  firstSeen: number
  lastSeen: number
  link: string | null
}

/** Action ids on digest buttons; the value is JSON `{ "statementId": "…" }` (see docs/SLACK.md). */
export const DIGEST_ACTIONS = { snooze: 'dice_snooze', mute: 'dice_mute', reassign: 'dice_reassign' } as const

/**
 * The buttons under a statement: Snooze (a menu of durations / counts / custom, values
 * `{statementId, for|count}`), Mute (`{statementId[, scope]}`), and in digests "Not mine" (`{statementId}`,
 * opens the reassign modal). `scope: 'channel'` on channel messages acts for that channel.
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

/** Blocks per item (a section and its buttons) and the fixed blocks around them. */
const PER_ITEM = 2
const FIXED = 4

/** How many items fit one message (Slack allows 50 blocks). */
export function maxItemsPerMessage(maxItems: number): number {
  return Math.min(maxItems, Math.floor((LIMITS.blocks - FIXED) / PER_ITEM))
}

function fmtTime(t: number, tz: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: tz, month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(t))
}

function timeFrame(i: DigestItem, tz: string): string {
  const a = fmtTime(i.firstSeen, tz)
  const b = fmtTime(i.lastSeen, tz)
  return a === b ? a : `${a} – ${b}`
}

function hostList(hosts: string[]): string {
  const shown = hosts.slice(0, 10).join(', ')
  return hosts.length > 10 ? `${shown} +${hosts.length - 10} more` : shown
}

/**
 * Render a digest: a header, then per item its level, count, template, an escaped sample, hosts, time frame
 * (in the recipient's zone) and code link, with Snooze / Mute / "Not mine" buttons carrying the statement id.
 * `hidden` items did not fit and roll into the next digest.
 */
export function digestMessage(o: { title: string; tz: string; items: DigestItem[]; hidden: number }): { text: string; blocks: unknown[] } {
  const total = o.items.reduce((n, i) => n + i.count, 0)
  const summary = `${o.items.length} statement${o.items.length === 1 ? '' : 's'}, ${total} occurrence${total === 1 ? '' : 's'} (times in ${o.tz})`
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: truncateEscaped(o.title, LIMITS.headerText), emoji: false } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: slackEscape(summary) }] },
  ]
  const lines: string[] = [slackEscape(o.title), slackEscape(summary), '']
  for (const i of o.items) {
    const level = (i.level ?? 'log').toUpperCase()
    const where = i.file ? `${i.file}:${i.line}` : 'no matching statement'
    const whereMd = i.link ? `<${i.link}|${slackEscape(where)}>` : slackEscape(where)
    const meta = `hosts: ${slackEscape(hostList(i.hosts))} · ${slackEscape(timeFrame(i, o.tz))} · ${whereMd}`
    const head = `*${level}* ×${i.count}  ${codeSpan(i.template, 800)}`
    const room = LIMITS.sectionText - head.length - meta.length - 8
    const sample = i.sample ? `\n>${escapeTruncate(i.sample.replace(/\s*\n\s*/g, ' ⏎ '), Math.max(50, room))}` : ''
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncateEscaped(`${head}${sample}\n${meta}`, LIMITS.sectionText) } })
    if (!i.statementId.startsWith('shape:')) blocks.push(actionsBlock(i.statementId, null))
    lines.push(`• ${level} ×${i.count}  ${escapeTruncate(i.template, 800)}`)
    if (i.sample) lines.push(`    sample: ${escapeTruncate(i.sample.replace(/\s*\n\s*/g, ' ⏎ '), 500)}`)
    lines.push(`    hosts: ${slackEscape(hostList(i.hosts))} · ${slackEscape(timeFrame(i, o.tz))} · ${slackEscape(where)}`)
    if (i.link) lines.push(`    ${i.link}`)
  }
  if (o.hidden) {
    const more = `…and ${o.hidden} more statement${o.hidden === 1 ? '' : 's'}, in the next digest.`
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: more }] })
    lines.push('', more)
  }
  return { text: truncateEscaped(lines.join('\n'), LIMITS.messageText), blocks: blocks.slice(0, LIMITS.blocks) }
}
