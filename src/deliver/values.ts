/**
 * Placeholder values as Slack shows them: "peer: `203.0.113.9` ×812, `198.51.100.4` ×40, +3 more". Values come
 * from log lines (attacker-controlled): each is escaped and put in a code span, so none can mention, link or
 * format anything.
 */
import type { PlaceholderValues } from '../core/top-values.js'
import { codeSpan, slackEscape, truncateEscaped } from '../core/escape.js'
import { placeholderLabels } from '../match/labels.js'

/** One placeholder's values with the name people read them under. */
export interface LabeledValues extends PlaceholderValues { label: string }

/** Values shown per placeholder in a Slack message. */
export const SLACK_VALUES = 3

/** `values` (one per placeholder, in order) named after `template`'s placeholders; those with no value left out. */
export function labeled(template: string | null, values: readonly PlaceholderValues[] | undefined): LabeledValues[] {
  if (!values?.length) return []
  const labels = template ? placeholderLabels(template) : []
  const out: LabeledValues[] = []
  values.forEach((v, i) => {
    if (v.top.length) out.push({ ...v, label: labels[i] ?? `value ${i + 1}` })
  })
  return out
}

/** How many more, in words: `+3 more`, or `+3 or more` (`+others`) when the bound dropped some. */
export function moreText(v: PlaceholderValues, shown: number): string {
  const more = v.more + Math.max(0, v.top.length - shown)
  if (more <= 0) return v.inexact ? '+others' : ''
  return v.inexact ? `+${more.toLocaleString('en-US')} or more` : `+${more.toLocaleString('en-US')} more`
}

/** Slack mrkdwn, one line per placeholder, cut to `max` characters (already escaped). */
export function valuesMrkdwn(vs: readonly LabeledValues[], max = 1000, n = SLACK_VALUES): string {
  const lines = vs.map((v) => {
    const shown = v.top.slice(0, n).map((t) => `${codeSpan(t.value, 100)} ×${t.count.toLocaleString('en-US')}`)
    const more = moreText(v, Math.min(n, v.top.length))
    return `${slackEscape(v.label)}: ${[...shown, ...(more ? [more] : [])].join(', ')}`
  })
  return truncateEscaped(lines.join('\n'), max)
}
