import type { Owner, Statement } from '../../core/types.js'
import type { Store } from '../../store/store.js'

/** Why an occurrence did not reach the one it was meant for. */
export interface Lost {
  /** The intended recipient: a person key or name as the owner rule gave it, `#channel`, or `nobody`. */
  intended: string
  /** `unknown`, `ambiguous`, `deactivated`, `no_owner`, or the Slack error of a refused channel. */
  reason: string
  /** What to fix, in words. */
  detail: string | null
}

/** Slack errors after which a channel cannot take posts until someone acts (fix the name, invite the bot). */
export const CHANNEL_REFUSALS = new Set(['channel_not_found', 'not_in_channel', 'is_archived'])

/** Why a statement has no owner at all, for the fallback digest and the web page. */
export function noOwner(s: Statement): Lost {
  const detail = s.blame?.bot
    ? `its last author is a bot (${s.blame.name || s.blame.email}) and no human touched the line before`
    : s.blame === null
      ? 'no annotation, override, rule or CODEOWNERS line names anyone, and git blame has no author (uncommitted or past a shallow clone)'
      : 'no annotation, override, rule or CODEOWNERS line names anyone'
  // One object per reason, not per statement: a digest build holds one for each of up to ~10^5 statements.
  let l = NO_OWNER.get(detail)
  if (!l) {
    if (NO_OWNER.size >= 1000) NO_OWNER.clear()
    NO_OWNER.set(detail, (l = Object.freeze({ intended: 'nobody', reason: 'no_owner', detail })))
  }
  return l
}
const NO_OWNER = new Map<string, Lost>()

/** The note a fallback digest shows beside an item that was meant for someone else. */
export function noteFor(l: Lost): string {
  const who = l.intended === 'nobody' ? 'Nobody owns this' : `Meant for ${l.intended.startsWith('#') ? l.intended : `@${l.intended.replace(/^@/, '')}`}`
  return `${who}: ${l.detail ?? l.reason.replace(/_/g, ' ')}`
}

/** The channels Slack refused a post to and that have not taken one since, with why. */
export async function refusedChannels(store: Pick<Store, 'listUndeliverable'>): Promise<Map<string, Lost>> {
  const out = new Map<string, Lost>()
  for (const r of await store.listUndeliverable({ limit: 10_000 })) {
    if (r.clearedAt === null && r.intended.startsWith('#') && CHANNEL_REFUSALS.has(r.reason)) out.set(r.intended.slice(1).toLowerCase(), r)
  }
  return out
}

/**
 * A `#channel` statement whose channels Slack all refused is no longer the channel's alone: it goes to its
 * owner's digest (or the fallback) with the reason. Null while any of its channels still takes posts.
 */
export function channelsLost(s: Statement, owner: Owner, refused: ReadonlyMap<string, Lost>): Lost | null {
  if (!s.channels.length || owner.kind === 'annotation' || owner.kind === 'override') return null
  const dead = s.channels.map((c) => refused.get(c.replace(/^#/, '').toLowerCase()))
  if (dead.some((d) => !d)) return null
  const first = dead[0]!
  return { intended: first.intended, reason: first.reason, detail: `Slack refused #${first.intended.replace(/^#/, '')} (${first.reason}); fix the annotation or invite the bot` }
}

/**
 * Log `line` once per intended recipient and day across every instance on the store (`dice run`'s warning,
 * so a loss is seen without any configuration and without a warning per check).
 */
export async function warnOnce(store: Pick<Store, 'firstSeen'>, log: (line: string) => void, intended: string, day: string, now: number, line: string): Promise<void> {
  if (await store.firstSeen(`undeliverable:${intended}:${day}`, now, 2 * 86_400_000)) log(line)
}
