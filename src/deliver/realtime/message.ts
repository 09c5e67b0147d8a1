import type { Config } from '../../config/schema.js'
import type { Level, Statement } from '../../core/types.js'
import type { PlaceholderValues } from '../../core/top-values.js'
import type { RealtimeCounts, RealtimeWindow, Store } from '../../store/store.js'
import { labeled, valuesMrkdwn, type LabeledValues } from '../values.js'
import type { Message } from '../notifier.js'
import { codeLink } from '../../core/links.js'
import { LIMITS, codeSpan, escapeTruncate, slackEscape } from '../../core/escape.js'
import { actionsBlock } from '../digest/blocks.js'

/** What a channel's real-time message shows for one statement in one window. */
export interface RealtimeState {
  statementId: string
  channel: string
  /** Slack's channel id once posted (chat.update needs it). */
  channelId: string | null
  count: number
  /** Distinct hosts, at most MAX_HOSTS kept; `hostsMore` counts the rest. */
  hosts: string[]
  hostsMore: number
  firstSeen: number
  lastSeen: number
  /** Latest raw line (shown escaped). */
  sample: string
  level: Level | null
  /** The top values of each placeholder in the window's time buckets (absent: none kept). */
  values?: PlaceholderValues[]
}

/** Hosts listed per message; more are counted. */
export const MAX_HOSTS = 20

/** A window's message as the stored sums of every instance's counts make it. */
export function windowState(w: RealtimeWindow, c: RealtimeCounts): RealtimeState {
  const hosts = c.hosts.slice(0, MAX_HOSTS)
  return {
    statementId: w.statementId, channel: w.channel, channelId: w.channelId, count: c.count, hosts, hostsMore: Math.max(0, c.hostCount - hosts.length),
    firstSeen: c.firstSeen, lastSeen: c.lastSeen, sample: c.sample ?? '', level: c.level,
  }
}

/**
 * A window's state with its placeholder values: those of the time buckets its lines fall in (the store keeps values
 * per statement × bucket, so the first bucket may hold a few from just before the window opened).
 */
export async function windowStateWithValues(store: Store, w: RealtimeWindow, c: RealtimeCounts, bucketSeconds: number): Promise<RealtimeState> {
  const state = windowState(w, c)
  const v = await store.statementValues({ statements: [{ statementId: w.statementId, since: c.firstSeen - bucketSeconds * 1000 }], until: c.lastSeen })
  const values = v.get(w.statementId)
  if (values) state.values = values
  return state
}

const iso = (t: number) => new Date(t).toISOString().replace('.000Z', 'Z')

/** The Slack message for a real-time state: everything from the log escaped, within Block Kit limits. */
export function realtimeMessage(state: RealtimeState, s: Statement | null, config: Config): Message {
  const level = (state.level ?? s?.level ?? 'log').toUpperCase()
  const template = s?.template ?? state.sample
  const where = s ? `${s.file}:${s.line}` : state.statementId
  const link = s ? codeLink(config.repo, s) : null
  const hosts = state.hosts.join(', ') + (state.hostsMore ? ` +${state.hostsMore} more` : '')
  const times = state.count > 1 ? `first ${iso(state.firstSeen)} · last ${iso(state.lastSeen)}` : `at ${iso(state.lastSeen)}`
  const countText = state.count > 1 ? ` ×${state.count}` : ''
  const head = `*${level}*${countText} ${codeSpan(template, 1000)}`
  const vals: LabeledValues[] = labeled(s?.template ?? null, state.values)
  const valuesText = vals.length ? valuesMrkdwn(vals, 1000) : ''
  const sample = `>${escapeTruncate(state.sample.replace(/\s*\n\s*/g, ' ⏎ '), LIMITS.sectionText - head.length - valuesText.length - 12)}`
  const meta = [`hosts: ${slackEscape(hosts)}`, times, link ? `<${link}|${slackEscape(where)}>` : slackEscape(where)].join(' · ')
  const blocks = [
    { type: 'section', text: { type: 'mrkdwn', text: `${head}\n${sample}${valuesText ? `\n${valuesText}` : ''}` } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: escapeCut(meta, LIMITS.contextText) }] },
    actionsBlock(state.statementId, 'channel'),
  ]
  const text = `[${level}]${countText} ${escapeTruncate(template, 1500)}\n${escapeTruncate(state.sample, 1500)}${valuesText ? `\n${valuesText}` : ''}\nhosts: ${slackEscape(hosts)} · ${times} · ${slackEscape(where)}${link ? `\n${link}` : ''}`
  return { to: state.channelId ?? state.channel, text, blocks }
}

// `meta` is already escaped: only cut it.
function escapeCut(t: string, max: number): string {
  return t.length <= max ? t : t.slice(0, max - 1) + '…'
}
