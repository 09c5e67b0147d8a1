import type { Config } from '../config/schema.js'
import type { Clock } from '../core/clock.js'
import { isSlackUserId } from '../core/slack-ids.js'
import type { Person } from '../core/types.js'
import { personFor } from '../catalog/people.js'
import type { SlackUserRow, Store, UserRow } from '../store/store.js'
import type { SlackUser } from '../deliver/slack/api.js'
import { validTimeZone } from '../deliver/digest/schedule.js'
import { SlackDirectory, type DirectoryApi } from './directory.js'

/** The Slack calls people resolution makes (Dice's `SlackWebApi` fits). */
export interface PeopleApi extends DirectoryApi {
  userInfo(userId: string): Promise<SlackUser | null>
  lookupByEmail(email: string): Promise<SlackUser | null>
}

/** Why Slack has nobody for a name: no such user, several (not guessed), or only a deactivated account. */
export type Unreachable = 'unknown' | 'ambiguous' | 'deactivated'

/** A person as every part of Dice sees them: one key, one Slack user (or why there is none). */
export interface Recipient {
  /**
   * The one key a person's digests are grouped and marked under: their `people` key when configured, else the
   * email Slack has for them (else their Slack id), else the name as given. An `@riley` annotation, riley's
   * blame email and a hand-over to riley's Slack id all come out the same here: one digest.
   */
  key: string
  /** Slack user id; null when Slack is off (console/webhook) or Slack has no such person. */
  slackId: string | null
  name: string | null
  email: string | null
  /** The configured person, when there is one. */
  person: Person | null
  /** IANA zone for their working hours: `people.<key>.tz`, else Slack's profile zone, else `digest.defaultTimezone`. */
  tz: string
  /** False when Slack is on and has nobody for this name: see `problem` and `detail`. */
  known: boolean
  problem: Unreachable | null
  /** What went wrong, in words a person can act on (names the look-up that failed). */
  detail: string | null
  /** The Slack users an ambiguous name matched (`problem: 'ambiguous'`), for `dice doctor` to list. */
  candidates?: SlackUserRow[]
}

/** Where a name led in Slack. */
interface Found {
  user: Pick<SlackUser, 'id' | 'name' | 'email' | 'tz'> | null
  problem: Unreachable | null
  detail: string | null
  candidates?: SlackUserRow[]
}

const MAX_CACHE = 10_000
const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/
/** GitHub's private commit email: `12345+login@users.noreply.github.com` (or the older `login@…`). */
const NOREPLY = /^(?:\d+\+)?([^@]+)@users\.noreply\.github\.com$/i

const clean = (who: string) => who.trim().replace(/^<(.*)>$/, '$1').replace(/^@/, '')
const display = (u: SlackUserRow) => u.realName ?? u.displayName ?? u.handle ?? null
const describe = (u: SlackUserRow) => `${u.id} (${[u.handle, u.displayName, u.realName].filter(Boolean).join(', ')})`

/**
 * The one people resolver: a name as Dice meets it (a `people` key, alias or email, a Slack user id, a blame
 * email, an `@handle` from an annotation or CODEOWNERS, a `--to`/`--user` argument) → a `Recipient`. In order:
 *  1. `people` config (key, alias, email, Slack id): its `slack` id, else its `email`, else its key as a handle;
 *  2. a Slack user id: users.info (the directory when it has it);
 *  3. an email: the users.list directory when it lists the address (a live person), else users.lookupByEmail
 *     (a GitHub noreply address is its login, looked up as a handle);
 *  4. a handle: users.list (paginated, kept in the store, refreshed in the background), matched on `name`,
 *     `profile.display_name` and `real_name` without case, then on the local part of a known email;
 *     two matches are reported as ambiguous, never guessed.
 * Answers of users.info and users.lookupByEmail are cached in the store (`users`) under what was asked, so a
 * `people` entry added later (a new question) is used at the next look-up whatever an older answer said.
 * With Slack off, every name is known as itself (console and webhook delivery address people by key).
 */
export class People {
  private cache = new Map<string, { r: Recipient; at: number }>()
  readonly directory: SlackDirectory | null

  constructor(private o: { store: Store; config: Config; clock: Clock; slack?: PeopleApi | null; directory?: SlackDirectory | null; log?: (line: string) => void }) {
    this.directory = o.directory ?? (o.slack
      ? new SlackDirectory({ store: o.store, slack: o.slack, clock: o.clock, maxAgeMs: o.config.slack.userCacheHours * 3_600_000, log: o.log })
      : null)
  }

  /** True when names are checked against Slack (a bot token is set). */
  get slackOn(): boolean {
    return !!this.o.slack
  }

  /** Resolve `who` (see the class comment). Slack being unreachable throws: try again later. */
  async resolve(who: string): Promise<Recipient> {
    const now = this.o.clock()
    const hit = this.cache.get(who)
    if (hit && now - hit.at < this.ttl()) return hit.r
    const r = await this.identify(clean(who))
    if (this.cache.size >= MAX_CACHE) this.cache.clear()
    this.cache.set(who, { r, at: now })
    return r
  }

  private ttl(): number {
    return this.o.config.slack.userCacheHours * 3_600_000
  }

  private async identify(q: string): Promise<Recipient> {
    const { config } = this.o
    const p = personFor(q, config)
    if (!this.o.slack) {
      return { key: p?.key ?? q, slackId: p?.slackId ?? null, name: p?.name ?? null, email: p?.email ?? null, person: p, tz: this.zone(p, null), known: true, problem: null, detail: null }
    }
    const found = p
      ? p.slackId ? await this.byId(p.slackId) : p.email ? await this.byEmail(p.email) : await this.byHandle(p.key)
      : isSlackUserId(q) ? await this.byId(q) : EMAIL.test(q) ? await this.byEmail(q) : await this.byHandle(q)
    const u = found.user
    // Slack's answer may be a configured person under another name (`@riley` → U… that `people` keys by email).
    const person = p ?? (u ? personFor(u.id, config) ?? personFor(u.email, config) : null)
    const key = person?.key ?? (u ? u.email?.toLowerCase() ?? u.id : q)
    return {
      key, slackId: u?.id ?? null, name: person?.name ?? u?.name ?? null, email: u?.email ?? person?.email ?? null, person,
      tz: this.zone(person, u?.tz ?? null), known: !!u, problem: found.problem, detail: found.detail,
      ...(found.candidates ? { candidates: found.candidates } : {}),
    }
  }

  private zone(p: Person | null, slackTz: string | null): string {
    return validTimeZone(p?.tz) ? p!.tz! : validTimeZone(slackTz) ? slackTz : this.o.config.digest.defaultTimezone
  }

  private async byId(id: string): Promise<Found> {
    const d = await this.directory!.user(id).catch(() => null)
    if (d) return d.deleted ? { user: null, problem: 'deactivated', detail: `Slack user ${id} is deactivated` } : { user: { id: d.id, name: display(d), email: d.email, tz: d.tz }, problem: null, detail: null }
    const row = await this.cached(id, () => this.o.slack!.userInfo(id))
    if (row.slackId) return { user: { id: row.slackId, name: row.name, email: row.email, tz: row.tz }, problem: null, detail: null }
    return { user: null, problem: 'unknown', detail: `no Slack user ${id} (users.info)` }
  }

  private async byEmail(email: string): Promise<Found> {
    // The directory when it has the address (users.list carries emails with users:read.email): no call per author.
    const listed = await this.directory!.userByEmail(email).catch(() => null)
    if (listed) return { user: { id: listed.id, name: display(listed), email: listed.email ?? email, tz: listed.tz }, problem: null, detail: null }
    const row = await this.cached(email.toLowerCase(), () => this.o.slack!.lookupByEmail(email))
    if (row.slackId) return { user: { id: row.slackId, name: row.name, email: row.email ?? email, tz: row.tz }, problem: null, detail: null }
    const login = NOREPLY.exec(email)?.[1]
    if (login && !login.includes('[bot]')) {
      const viaLogin = await this.byHandle(login)
      if (viaLogin.user || viaLogin.problem !== 'unknown') return viaLogin
    }
    // users.lookupByEmail says nothing of deactivated accounts; the directory does (with users:read.email).
    const gone = (await this.directory!.users().catch(() => [])).find((x) => x.deleted && x.email?.toLowerCase() === email.toLowerCase())
    if (gone) return { user: null, problem: 'deactivated', detail: `${email} is ${describe(gone)}, a deactivated Slack account` }
    return { user: null, problem: 'unknown', detail: `no Slack user has the email ${email} (users.lookupByEmail)` }
  }

  private async byHandle(handle: string): Promise<Found> {
    const m = await this.directory!.matchHandle(handle)
    if (m.kind === 'one') return { user: { id: m.user.id, name: display(m.user), email: m.user.email, tz: m.user.tz }, problem: null, detail: null }
    if (m.kind === 'ambiguous') {
      return { user: null, problem: 'ambiguous', candidates: m.users, detail: `@${handle} matches ${m.users.length} Slack users: ${m.users.map(describe).join(', ')}; add it to people (slack: U…) to choose` }
    }
    if (m.kind === 'deactivated') return { user: null, problem: 'deactivated', detail: `@${handle} is ${describe(m.user)}, a deactivated Slack account` }
    return { user: null, problem: 'unknown', detail: `no Slack user is called @${handle} (users.list: name, display name, real name, email)` }
  }

  /** users.info / users.lookupByEmail through the store's cache, keyed by what was asked. Negative answers too. */
  private async cached(query: string, ask: () => Promise<SlackUser | null>): Promise<UserRow> {
    const { store, clock } = this.o
    const now = clock()
    const row = await store.getUser(query)
    if (row && now - row.fetchedAt < this.ttl()) return row
    try {
      const u = await ask()
      const live = u && !u.deleted ? u : null
      const fresh: UserRow = { key: query, slackId: live?.id ?? null, name: live?.name ?? null, email: live?.email ?? (query.includes('@') ? query : null), tz: live?.tz ?? null, fetchedAt: now }
      await store.putUser(fresh)
      return fresh
    } catch (e) {
      // Slack unreachable: a stale answer is better than none; with none, let the caller retry.
      if (row) return row
      throw e
    }
  }
}
