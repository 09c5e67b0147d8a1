import { stripControl } from '../core/escape.js'
import type { DoctorReport, Finding, FindingKind, Where } from './check.js'

/** Section titles, in the order they are printed. */
const TITLES: Record<FindingKind, string> = {
  missing_scope: 'Slack scopes the bot token lacks',
  bad_people_entry: 'Malformed people entries',
  unknown_people_key: 'Names no people entry has',
  unknown_handle: 'Handles Slack does not know',
  ambiguous_handle: 'Ambiguous handles (several Slack users; Dice does not guess)',
  deactivated_user: 'Deactivated Slack users',
  unknown_email: 'Emails Slack does not know (blame authors, people, CODEOWNERS)',
  unknown_user_id: 'Slack user ids Slack does not know',
  missing_channel: 'Missing channels',
  archived_channel: 'Archived channels',
  not_in_channel: 'Channels the bot is not in',
  unmapped_team: 'CODEOWNERS teams with no route.teams mapping',
  unused_team_mapping: 'route.teams mappings CODEOWNERS never names',
  no_owner: 'Statements nobody owns',
  private_channels_unseen: 'Private channels not listed',
}
const ORDER = Object.keys(TITLES) as FindingKind[]
/** Places listed per finding; the rest are counted (`--json` lists them all). */
const MAX_PLACES = 10

function place(w: Where): string {
  if (w.via === 'config') return `${w.file}: ${w.field}`
  return `${w.file}${w.line !== null ? `:${w.line}` : ''} (${w.via === 'codeowners' && w.statement === null ? 'CODEOWNERS' : w.via})`
}

function finding(f: Finding): string[] {
  const out = [`  ${f.subject}: ${f.detail}${f.suggestion ? ` — did you mean ${f.suggestion}?` : ''}`]
  for (const c of f.candidates ?? []) out.push(`      ${c.id}  ${[c.handle && `@${c.handle}`, c.displayName && `"${c.displayName}"`, c.realName].filter(Boolean).join('  ')}`)
  const shownPlaces = f.where.slice(0, MAX_PLACES).map(place)
  if (shownPlaces.length) out.push(`    ${shownPlaces.join('\n    ')}`)
  if (f.where.length > MAX_PLACES) out.push(`    … and ${f.where.length - MAX_PLACES} more (dice doctor --json lists every one)`)
  return out
}

function groups(list: Finding[]): string[] {
  const out: string[] = []
  for (const kind of ORDER) {
    const of = list.filter((f) => f.kind === kind)
    if (!of.length) continue
    out.push('', `${TITLES[kind]} (${of.length})`)
    for (const f of of) out.push(...finding(f))
  }
  return out
}

/** `dice doctor`'s report for a person: a summary line, the problems grouped by kind with their places, then notes. */
export function renderDoctor(r: DoctorReport): string {
  const c = r.checked
  const what = `${c.statements} statements, ${c.names} names, ${c.channels} channels, ${c.people} people entries, ${c.teams} team mappings`
  const slack = r.slack.checked
    ? `Slack: ${r.slack.users ?? '-'} users, ${r.slack.channels ?? '-'} channels`
    : `Slack checks SKIPPED: ${r.slack.skipped}`
  const head = r.problems.length
    ? `dice doctor: ${r.problems.length} problem${r.problems.length === 1 ? '' : 's'} (checked ${what})`
    : `dice doctor: no problems (checked ${what})`
  const lines = [head, slack, ...groups(r.problems)]
  if (r.notes.length) lines.push('', '-- notes (they do not change the exit status) --', ...groups(r.notes))
  // Names come from code and configuration: never let them move the terminal.
  return lines.map((l) => stripControl(l)).join('\n') + '\n'
}
