import type { Clock } from '../core/clock.js'
import type { SlackUserRow, Store } from '../store/store.js'
import type { SlackUser } from '../deliver/slack/api.js'

/** The Slack calls the directory makes (Dice's `SlackWebApi` fits). */
export interface DirectoryApi {
  usersList(cursor?: string | null): Promise<{ users: SlackUser[]; next: string | null }>
}

/** What a handle matched: one person, several (not guessed), only deactivated accounts, or nobody. */
export type HandleMatch =
  | { kind: 'one'; user: SlackUserRow; via: 'name' | 'email' }
  | { kind: 'ambiguous'; users: SlackUserRow[] }
  | { kind: 'deactivated'; user: SlackUserRow }
  | { kind: 'none' }

/** users.list pages read in one sweep at most (200 users each: 200,000 users). */
const MAX_PAGES = 1000

const lower = (x: string | null | undefined) => (x ? x.trim().toLowerCase() : null)
const localPart = (email: string | null) => (email && email.includes('@') ? email.slice(0, email.lastIndexOf('@')).toLowerCase() : null)

/**
 * The workspace's users, from users.list (every page), kept in the store (`slack_users`) so every command and
 * every instance shares one copy. A read older than `maxAgeMs` answers from the stored copy and refreshes it in
 * the background; with no stored copy at all it waits for the first sweep. Handles are matched here.
 */
export class SlackDirectory {
  private list: SlackUserRow[] | null = null
  private fetchedAt = -Infinity
  private byId = new Map<string, SlackUserRow>()
  private byName = new Map<string, SlackUserRow[]>()
  private byLocal = new Map<string, SlackUserRow[]>()
  private byEmail = new Map<string, SlackUserRow[]>()
  private refreshing: Promise<void> | null = null

  constructor(private o: { store: Pick<Store, 'slackUsers' | 'putSlackUsers'>; slack: DirectoryApi; clock: Clock; maxAgeMs: number; log?: (line: string) => void }) {}

  /** Every user (deleted ones and bots included), fetched if never stored, refreshed in the background when stale. */
  async users(): Promise<SlackUserRow[]> {
    if (this.list === null) {
      const stored = await this.o.store.slackUsers()
      if (stored.fetchedAt !== null) this.use(stored.users, stored.fetchedAt)
    }
    if (this.list === null) await this.refresh()
    else if (this.o.clock() - this.fetchedAt >= this.o.maxAgeMs) {
      void this.refresh().catch((e) => this.o.log?.(`slack users.list refresh failed (keeping the stored directory): ${(e as Error).message}`))
    }
    return this.list!
  }

  /** Sweep users.list now (all pages) and store the result. Concurrent calls share one sweep. */
  refresh(): Promise<void> {
    if (this.refreshing) return this.refreshing
    this.refreshing = (async () => {
      try {
        const rows: SlackUserRow[] = []
        let cursor: string | null = null
        for (let page = 0; page < MAX_PAGES; page++) {
          const r: { users: SlackUser[]; next: string | null } = await this.o.slack.usersList(cursor)
          for (const u of r.users) rows.push({ id: u.id, handle: u.handle, displayName: u.displayName, realName: u.realName, email: u.email, tz: u.tz, deleted: u.deleted, bot: u.bot })
          cursor = r.next
          if (!cursor) break
        }
        const at = this.o.clock()
        await this.o.store.putSlackUsers(rows, at)
        this.use(rows, at)
      } finally {
        this.refreshing = null
      }
    })()
    return this.refreshing
  }

  /** The user with Slack id `id`, or null when the directory does not list it. */
  async user(id: string): Promise<SlackUserRow | null> {
    await this.users()
    return this.byId.get(id) ?? null
  }

  /** The live person (not a bot, not deactivated) whose email is `email`, compared without case, or null. */
  async userByEmail(email: string): Promise<SlackUserRow | null> {
    await this.users()
    const found = (this.byEmail.get(email.trim().toLowerCase()) ?? []).filter((u) => !u.bot && !u.deleted)
    return found.length === 1 ? found[0]! : null
  }

  /**
   * Who `@handle` is: people (not bots) whose username, display name or real name is `handle`, compared without
   * case; when none, those whose email's local part is. Two or more is ambiguous and is reported, never guessed.
   * Deactivated accounts count only when nobody active matches.
   */
  async matchHandle(handle: string): Promise<HandleMatch> {
    await this.users()
    const h = handle.trim().replace(/^@/, '').toLowerCase()
    if (!h) return { kind: 'none' }
    for (const [via, index] of [['name', this.byName], ['email', this.byLocal]] as const) {
      const found = (index.get(h) ?? []).filter((u) => !u.bot)
      const live = found.filter((u) => !u.deleted)
      if (live.length === 1) return { kind: 'one', user: live[0]!, via }
      if (live.length > 1) return { kind: 'ambiguous', users: live }
      if (found.length) return { kind: 'deactivated', user: found[0]! }
    }
    return { kind: 'none' }
  }

  private use(rows: SlackUserRow[], at: number): void {
    this.list = rows
    this.fetchedAt = at
    this.byId = new Map(rows.map((u) => [u.id, u]))
    this.byName = new Map()
    this.byLocal = new Map()
    this.byEmail = new Map()
    const add = (m: Map<string, SlackUserRow[]>, k: string | null, u: SlackUserRow) => {
      if (!k) return
      const l = m.get(k)
      if (!l) m.set(k, [u])
      else if (!l.includes(u)) l.push(u)
    }
    for (const u of rows) {
      for (const n of [u.handle, u.displayName, u.realName]) add(this.byName, lower(n), u)
      add(this.byLocal, localPart(u.email), u)
      add(this.byEmail, lower(u.email), u)
    }
  }
}
