import type { Config } from '../config/schema.js'
import type { Clock } from '../core/clock.js'
import { personFor } from '../catalog/people.js'
import type { Store, UserRow } from '../store/store.js'
import type { SlackApi } from './slack/api.js'
import { validTimeZone } from './digest/schedule.js'
import { isSlackUserId } from '../core/slack-ids.js'

/** A person as delivery sees them. */
export interface Recipient {
  /** The person key digests are grouped and marked under. */
  key: string
  /** Slack user id; null when Slack is off (console/webhook) or they are unknown to Slack. */
  slackId: string | null
  name: string | null
  /** IANA zone used for their working hours. */
  tz: string
  /** False when Slack is on and does not know them: their entries go to the fallback channel. */
  known: boolean
}

const MAX_CACHE = 10_000

/**
 * People → Slack users. The configured `people` entry wins (its `slack` id and `tz`); otherwise the blame
 * email is looked up with `users.lookupByEmail` and the zone read from the user. Answers are cached in the
 * store (`users` table, negative answers too) for `slack.userCacheHours`, and in memory for the same time.
 */
export class People {
  private cache = new Map<string, { r: Recipient; at: number }>()
  constructor(private o: { store: Store; config: Config; clock: Clock; slack?: SlackApi | null }) {}

  /**
   * Resolve a person key (email, annotation name, alias, Slack id) to the configured person's key when there
   * is one — so `@elmore` and `elmore@pen.mssn` get one digest — and their Slack user. Slack failures
   * propagate: retry later.
   */
  async resolve(who: string): Promise<Recipient> {
    const { config, clock, slack, store } = this.o
    const now = clock()
    const ttl = config.slack.userCacheHours * 3_600_000
    const hit = this.cache.get(who)
    if (hit && now - hit.at < ttl) return hit.r
    const p = personFor(who, config)
    const key = p?.key ?? who
    const fallbackTz = validTimeZone(p?.tz) ? p!.tz! : config.digest.defaultTimezone
    let r: Recipient
    if (!slack) {
      r = { key, slackId: p?.slackId ?? null, name: p?.name ?? null, tz: fallbackTz, known: true }
    } else {
      let row: UserRow | null = await store.getUser(key)
      if (!row || now - row.fetchedAt >= ttl) {
        try {
          row = await this.fetch(key, p?.slackId ?? (isSlackUserId(key) ? key : null), p?.email ?? (key.includes('@') ? key : null), now)
          await store.putUser(row)
        } catch (e) {
          // Slack unreachable: a stale answer is better than none; with none, let the caller retry.
          if (!row) throw e
        }
      }
      const tz = validTimeZone(p?.tz) ? p!.tz! : validTimeZone(row.tz) ? row.tz : config.digest.defaultTimezone
      r = { key, slackId: row.slackId, name: p?.name ?? row.name, tz, known: !!row.slackId }
      // A bare Slack id (an "it wasn't me" hand-over picks one) is the same person as their email, which
      // keys their blame and configured statements: resolve through it so they get one digest, not two.
      if (!p && row.slackId && row.email && row.email !== who && isSlackUserId(who)) {
        const viaEmail = await this.resolve(row.email)
        if (viaEmail.slackId === row.slackId) r = viaEmail
      }
    }
    if (this.cache.size >= MAX_CACHE) this.cache.clear()
    this.cache.set(who, { r, at: now })
    return r
  }

  private async fetch(key: string, slackId: string | null, email: string | null, now: number): Promise<UserRow> {
    const slack = this.o.slack!
    const u = slackId ? await slack.userInfo(slackId) : email ? await slack.lookupByEmail(email) : null
    const live = u && !u.deleted ? u : null
    return { key, slackId: live?.id ?? null, name: live?.name ?? null, email: live?.email ?? email, tz: live?.tz ?? null, fetchedAt: now }
  }
}
