import type { Config } from '../config/schema.js'
import type { Statement } from '../core/types.js'
import { codeLink } from '../core/links.js'
import { LIMITS, codeSpan, slackEscape, truncateEscaped } from '../core/escape.js'
import { actionsBlock } from '../deliver/digest/blocks.js'
import { formatTime } from '../core/time-format.js'

const DAY = 86_400_000

/** `14:02` when `t` is within a day of `now`, else `Tue 3 Nov 14:02`, in `tz`. */
export function shortTime(t: number, now: number, tz: string): string {
  const near = Math.abs(now - t) < DAY
  return formatTime(t, tz, near ? 'time' : 'weekdayDayTime').replace(',', '')
}

/** `Tuesday 14:00`: the weekday and time of `t` in `tz`. */
export function weekdayTime(t: number, tz: string): string {
  return formatTime(t, tz, 'weekdayLongTime').replace(' at ', ' ')
}

/** `1 h 12 min`, `3 d 4 h`, `45 s`: a duration as people say it. */
export function span(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000))
  if (s < 60) return `${s} s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m} min`
  const h = Math.floor(m / 60)
  if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`
  const d = Math.floor(h / 24)
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`
}

/** The statement's template as an escaped code span (the callee when it has no literal template). */
export const templateSpan = (s: Statement, max = 300): string => codeSpan(s.template ?? `${s.callee}(…)`, max)

/** `file:line`, linked to the code when `repo.url` is set; escaped. */
export function where(s: Statement, config: Config): string {
  const link = codeLink(config.repo, s)
  const at = slackEscape(`${s.file}:${s.line}`)
  return link ? `<${link}|${at}>` : at
}

/** The same without a link, for the plain-text fallback; escaped. */
export const wherePlain = (s: Statement): string => slackEscape(`${s.file}:${s.line}`)

/** A section block of mrkdwn, cut to Block Kit's limit (the text is already escaped). */
export function section(mrkdwn: string): unknown {
  return { type: 'section', text: { type: 'mrkdwn', text: mrkdwn.length > LIMITS.sectionText ? mrkdwn.slice(0, LIMITS.sectionText - 1) + '…' : mrkdwn } }
}

/** A context block (small grey text), already escaped. */
export function context(mrkdwn: string): unknown {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: mrkdwn.length > LIMITS.contextText ? mrkdwn.slice(0, LIMITS.contextText - 1) + '…' : mrkdwn }] }
}

/** Snooze / Mute / Not mine for a person, Snooze / Mute here for a channel: the buttons every Dice message has. */
export const buttons = (statementId: string, channel: boolean): unknown => actionsBlock(statementId, channel ? 'channel' : null)

/** The message's fallback `text`, built from escaped pieces, cut without splitting an entity. */
export const plain = (escaped: string, max = 3900): string => truncateEscaped(escaped, max)
