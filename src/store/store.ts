import type { PlaceholderValues, ValuesDelta } from '../core/top-values.js'
import type { Checkpoint, Level, OccurrenceDelta, MatchStatement, Statement, UnownedDelta } from '../core/types.js'

/** The blob of the work tree's statements (catalog/kept-statements.ts): dropped by every change of the statements. */
export const KEPT_STATEMENTS_BLOB = 'catalog.kept-statements'

export interface OverrideRow { statementId: string; to: string; by: string; reason: string | null; createdAt: number }
export type Scope = 'user' | 'channel' | 'all'
export interface SnoozeRow {
  id: number; statementId: string; scope: Scope; scopeId: string
  /** Epoch ms, or null when the snooze is count-based only. */
  until: number | null
  /** Occurrences still to swallow, or null when time-based only. */
  remaining: number | null
  /** 'worse': lifted by the statement's next spike ("snooze until it gets worse"); null otherwise. */
  wakeOn?: 'worse' | null
  by: string; createdAt: number
}
export interface MuteRow { statementId: string; scope: Scope; scopeId: string; by: string; createdAt: number }
export interface AuditRow { id: number; at: number; actor: string; action: string; statementId: string | null; before: unknown; after: unknown }
export interface OutboxItem {
  id: number; dedupKey: string; kind: string; recipient: string; payload: unknown; status: 'pending' | 'claimed' | 'sent' | 'dead'
  attempts: number; notBefore: number; createdAt: number; sentAt: number | null; result: unknown
}
/** A statement × channel's current real-time window as `getRealtime` shows it (`state.channelId`: Slack's id of the channel). */
export interface RealtimeMessage { statementId: string; channel: string; ts: string; windowStart: number; state: unknown }
/**
 * What one instance saw of a statement × channel since its last flush, for one host. Host '' holds
 * occurrences from hosts past a cap: counted, never listed.
 */
export interface ChannelCountDelta {
  statementId: string; channel: string; host: string
  count: number; firstSeen: number; lastSeen: number
  /** Latest raw line of this delta, or null to leave the stored one; the newest (by lastSeen) wins. */
  sample: string | null
  level: Level | null
}
/** One real-time message: a statement × channel × window (`seq` counts the windows of a statement × channel). */
export interface RealtimeWindow {
  statementId: string; channel: string; seq: number; windowStart: number
  /** The message's ts once posted; '' before. */
  ts: string
  /** Slack's id of the channel, once posted. */
  channelId: string | null
  /** Occurrences committed to the window, and the count its message last showed. */
  total: number; shown: number
}
/** How far `person`'s digests have covered a statement (`through`: a bucket, or a count for `<id>#p<bucket>` keys). */
export interface DigestMark { person: string; statementId: string; through: number }

/** An outbox item to insert (unless its dedup key exists). */
export interface OutboxEntry { dedupKey: string; kind: string; recipient: string; payload: unknown; notBefore: number; createdAt: number }
/**
 * Real-time channel counts, committed with the occurrences they come from: each statement × channel goes
 * into its open window, or opens the next one (a window lasts `windowMs` from `now` of the batch that opened
 * it), and a window opened here gets its post (`post(window)`) in the outbox in the same transaction.
 */
export interface RealtimeBatch {
  now: number
  windowMs: number
  /** Distinct hosts kept per window; hosts beyond are added under host ''. */
  hostCap: number
  deltas: ChannelCountDelta[]
  post(w: RealtimeWindow): OutboxEntry
}
/** The sums over every instance's deltas for one real-time message window. */
export interface RealtimeCounts {
  count: number; firstSeen: number; lastSeen: number
  /** Up to `hostLimit` hosts ('' excluded), in the order first seen. */
  hosts: string[]
  /** Distinct hosts ('' excluded). */
  hostCount: number
  /** Some occurrences came from hosts past a cap (host ''): `hostCount` is a lower bound. */
  moreUncounted: boolean
  /** Newest sample and its level. */
  sample: string | null
  level: Level | null
}
export interface UserRow { key: string; slackId: string | null; name: string | null; email: string | null; tz: string | null; fetchedAt: number }
/** Occurrences of one statement that could not reach `intended` (a person key, `#channel`, or `nobody`), and why. */
export interface UndeliverableRow {
  statementId: string
  intended: string
  /** `unknown`, `ambiguous`, `deactivated` (people), `no_owner`, `channel_not_found`, `not_in_channel`, `is_archived`. */
  reason: string
  /** The words that say what to fix (the look-up that failed). */
  detail: string | null
  count: number
  firstSeen: number
  lastSeen: number
  /** Set when the intended channel took a post again; null while it is still broken. */
  clearedAt: number | null
}
/** One Slack user as users.list described it. */
export interface SlackUserRow {
  id: string
  /** `name`: the username (`@handle` in older workspaces). */
  handle: string | null
  /** `profile.display_name`: what Slack shows after `@` today. */
  displayName: string | null
  realName: string | null
  email: string | null
  tz: string | null
  deleted: boolean
  bot: boolean
}
export interface OccurrenceRow extends Omit<OccurrenceDelta, 'samples'> { samples: string[] }
export interface UnownedRow extends UnownedDelta { shapeHash: string }
export interface StatementTotal { statementId: string; count: number; hosts: string[]; firstSeen: number; lastSeen: number; level: Level | null }
/**
 * A statement counted, and the newest bucket it was counted in: an upper bound (retention's roll-up lowers buckets, not
 * this), so a reader of what is newer than a bucket skips the statement when this is not; null: not known (read it).
 */
export interface CountedStatement { statementId: string; lastBucket: number | null }

/** A catalogued revision (`dice index --rev`): what REV named, its commit, when it was catalogued, how many statements. */
export interface RevisionRow { rev: string; commit: string; indexedAt: number; statements: number }
/** A deploy (`dice deploy REV --host PATTERN`): from `at` on, hosts matching the glob run `rev` (every host: `*`). */
export interface DeployRow { id: number; rev: string; commit: string; hostPattern: string; at: number; by: string }

/** One piece of an alert detector's memory: a statement's usual rate, an open episode, a statement told once per deploy. */
export interface AlertStateRow { kind: string; key: string; state: unknown; updatedAt: number }
/** A statement's count in one time bucket, summed over hosts (what the alert detectors read). */
export interface BucketSum { statementId: string; bucket: number; count: number; hosts: number; firstSeen: number; lastSeen: number }

/** One atomic write of counts and the source positions they cover: the basis of exactly-once counting. */
export interface CountBatch {
  occurrences: OccurrenceDelta[]
  unowned: Array<UnownedDelta & { shapeHash: string }>
  checkpoints: Checkpoint[]
  /** Per-source counters (`lines`, `matched`, `bad_utf8`, …) added to the stored totals. */
  counters?: Array<{ source: string; name: string; value: number }>
  /** Real-time channel counts of the same lines. */
  realtime?: RealtimeBatch
  /** Placeholder values of the same lines, per statement × bucket (added to the stored lists, which stay bounded). */
  values?: ValuesDelta[]
}

/** Everything Dice keeps. Two implementations (SQLite, PostgreSQL) pass one contract suite. */
export interface Store {
  readonly kind: 'sqlite' | 'postgres'
  close(): Promise<void>

  getMeta(key: string): Promise<string | null>
  setMeta(key: string, value: string): Promise<void>
  /**
   * Bytes kept under `key` with a `tag` saying what they were made from (a cache: match/stored-plan.ts,
   * catalog/kept-statements.ts). `replaceFiles` drops the blob KEPT_STATEMENTS_BLOB in its transaction.
   */
  getBlob(key: string): Promise<{ tag: string; bytes: Uint8Array } | null>
  setBlob(key: string, tag: string, bytes: Uint8Array): Promise<void>

  // catalog
  indexedFiles(): Promise<Map<string, string>>
  /**
   * Replace the statements of `files` (with their content hashes and, as JSON, what each defines for the other
   * files: catalog/extract.ts FileDefs) and forget `removed` files, atomically.
   */
  replaceFiles(files: Array<{ file: string; hash: string; defs?: string | null }>, statements: Statement[], removed: string[]): Promise<void>
  /** Each indexed file's definitions (the JSON replaceFiles stored), for the files that define anything. */
  fileDefinitions(): Promise<Map<string, string>>
  listStatements(): Promise<Statement[]>
  /** The catalog in listStatements' order, only what matching reads (`dice match` starts faster without the rest). */
  listMatchStatements(): Promise<MatchStatement[]>
  /** Number of statements in the catalog (cheap: no rows are read). */
  countStatements(): Promise<number>
  /** A statement of the catalog, else of a catalogued revision (one removed on main still renders); null when neither. */
  getStatement(id: string): Promise<Statement | null>
  /** The catalog's statements among `ids` (those not in the catalog are left out), in no particular order. */
  statementsByIds(ids: readonly string[]): Promise<Statement[]>

  // revisions (docs/alerts/versions.md)
  /**
   * Store the catalog of revision `rev` at `commit` atomically, replacing what `rev` held: its members, and each
   * statement once by id (a statement unchanged across revisions is one row).
   */
  putRevision(r: { rev: string; commit: string; at: number }, statements: readonly Statement[]): Promise<void>
  /** The catalogued revisions, by name. */
  listRevisions(): Promise<RevisionRow[]>
  /** The statements of `revs`, each id once, and which ids each revision has. */
  revisionCatalog(revs: readonly string[]): Promise<{ statements: Statement[]; members: Map<string, string[]> }>
  /** Record a deploy; returns it with its id. */
  addDeploy(d: Omit<DeployRow, 'id'>): Promise<DeployRow>
  /** Every deploy, oldest first. */
  listDeploys(): Promise<DeployRow[]>

  // counting
  getCheckpoint(source: string): Promise<Checkpoint | null>
  applyCounts(batch: CountBatch): Promise<void>
  counters(): Promise<Array<{ source: string; name: string; value: number }>>
  listOccurrences(q?: { statementId?: string; since?: number; until?: number; limit?: number }): Promise<OccurrenceRow[]>
  /**
   * The occurrences of many statements in one query per 500: for each `{ statementId, since }` exactly the rows
   * `listOccurrences({ statementId, since, until, limit: limitPerStatement })` returns, in its order (bucket
   * descending, host), keyed by statement id; statements without rows are left out. `since` is per statement
   * (null: none); without `limitPerStatement` nothing is cut. Each id at most once. For a large catalog, pass a
   * few hundred statements per call, so a call's rows stay few.
   */
  listOccurrencesOf(q: {
    statements: ReadonlyArray<{ statementId: string; since?: number | null }>; until?: number; limitPerStatement?: number
    /** false: rows without their samples (`samples` empty), for a reader that only counts. Default true. */
    samples?: boolean
  }): Promise<Map<string, OccurrenceRow[]>>
  /**
   * Statements that had lines counted which others could as well have printed (OccurrenceDelta.tied, written by
   * applyCounts): one row per counted statement × other statement, with the time frame of those lines.
   */
  listTies(): Promise<TieRow[]>
  /**
   * Per statement and hour, the lines counted in the `hours` hours from `start` (lines of a bucket count in the hour it
   * began, or in the hour the first of them counted together was seen in when that is later): from the hourly sums
   * applyCounts keeps beside the occurrences, kept as long as raw buckets (retention.rawDays) — a busy day is
   * 10^6 rows of host × 5-minute buckets, one row per statement × hour here. Of the statements `statementIds` only
   * when given.
   */
  hourlyCounts(q: { start: number; hours: number; statementIds?: readonly string[] }): Promise<Array<{ statementId: string; hour: number; count: number }>>
  /**
   * Per statement, its lines over the same hours as `hourlyCounts` (the same rows, summed): one entry a statement,
   * not one an hour (the page ranks a catalog on them and draws hours for the rows it lists only).
   */
  windowCounts(q: { start: number; hours: number }): Promise<Map<string, number>>
  /**
   * Per-statement totals, busiest first; of the statements `statementIds` only when given (a statement's detail, a page
   * of a list: read by key, not every row of the table). Without `since`: all time (as far as retention keeps it), from
   * the totals applyCounts keeps (a row a statement; `until`: of statements first seen by then), each one's hosts read
   * off the occurrences' key; with it, the occurrences last seen in (since, until].
   */
  totals(q?: { since?: number; until?: number; statementIds?: readonly string[] }): Promise<StatementTotal[]>
  /** Per statement, its lines counted all time (`totals`' counts alone; `until`: of statements first seen by then). */
  counts(q?: { until?: number }): Promise<Map<string, number>>
  /** The statements counted (first seen by `until`), in id order: what `totals` covers, without the sums. */
  countedStatements(q?: { until?: number }): Promise<CountedStatement[]>
  listUnowned(q?: { since?: number; limit?: number }): Promise<UnownedRow[]>
  /** An unowned shape by its hash (its text and latest level), or null when no line of that shape was counted. */
  getShape(hash: string): Promise<{ shape: string; level: Level | null } | null>
  /**
   * The values each placeholder took, over the buckets in (since, until] of each statement (`since` per statement,
   * null: all): per statement with any, per placeholder the `top` most counted (default VALUES_K) and how many more.
   */
  statementValues(q: {
    statements: ReadonlyArray<{ statementId: string; since?: number | null }>; until?: number; top?: number
  }): Promise<Map<string, PlaceholderValues[]>>

  // actions
  setOverride(o: Omit<OverrideRow, 'createdAt'> & { createdAt: number }): Promise<OverrideRow | null>
  removeOverride(statementId: string): Promise<OverrideRow | null>
  listOverrides(): Promise<OverrideRow[]>
  addSnooze(s: Omit<SnoozeRow, 'id'>): Promise<SnoozeRow>
  /** Lift the snoozes of a statement that wait for `on` (a spike: "until it gets worse"); returns how many. */
  wakeSnoozes(statementId: string, on: 'worse'): Promise<number>
  removeSnoozes(statementId: string, scope?: Scope, scopeId?: string): Promise<number>
  /** Snoozes still in force at `now` (time not passed, count not exhausted). */
  activeSnoozes(now: number): Promise<SnoozeRow[]>
  /**
   * Snoozes in force at `t` or set since, ended or not (what was snoozed when: a snooze's occurrences are not
   * delivered after it ends). Count snoozes have no end time and are all included.
   */
  snoozesEndingAfter(t: number): Promise<SnoozeRow[]>
  /** Swallow one occurrence from a count-based snooze; returns the remaining count. */
  decrementSnooze(id: number, by: number): Promise<number | null>
  addMute(m: MuteRow): Promise<void>
  removeMute(statementId: string, scope?: Scope, scopeId?: string): Promise<number>
  listMutes(): Promise<MuteRow[]>
  addAudit(a: Omit<AuditRow, 'id'>): Promise<void>
  listAudit(limit?: number): Promise<AuditRow[]>

  // delivery
  /**
   * Insert unless an item with the same dedup key exists. Returns true when inserted. `marks` (a digest's: what it
   * covers) are staged with the item in the same transaction, for `moveOutboxMarks` once it is sent.
   */
  enqueue(item: { dedupKey: string; kind: string; recipient: string; payload: unknown; notBefore: number; createdAt: number }, marks?: readonly DigestMark[]): Promise<boolean>
  /**
   * Move up to `limit` of item `id`'s staged marks to the digest marks (each only forward) and drop them from the
   * item, in one transaction; returns how many moved (fewer than `limit`: none are left).
   */
  moveOutboxMarks(id: number, limit: number): Promise<number>
  /** Item `id`'s staged marks, not yet moved (tools and tests). */
  outboxMarks(id: number): Promise<DigestMark[]>
  /** Lease up to `limit` due items to `holder` for `leaseMs` (SKIP LOCKED on PostgreSQL). */
  claim(q: { kinds?: string[]; limit: number; holder: string; now: number; leaseMs: number }): Promise<OutboxItem[]>
  markSent(id: number, holder: string, now: number, result?: unknown): Promise<boolean>
  /** Record how far `holder` got with a claimed item (its `result`, read by the next attempt); false when not its. */
  noteProgress(id: number, holder: string, result: unknown): Promise<boolean>
  /** Extend `holder`'s lease on the claimed items `ids` to `until` (a heartbeat); returns how many it still holds. */
  renewClaims(ids: readonly number[], holder: string, until: number): Promise<number>
  /** Give an item back for a later retry (`notBefore`), or mark it dead. */
  release(id: number, holder: string, notBefore: number, dead?: boolean, result?: unknown): Promise<void>
  listOutbox(q?: { status?: string; kind?: string; limit?: number }): Promise<OutboxItem[]>
  /** The status of the item with `dedupKey`, or null when there is none (a digest already sent today, say). */
  outboxStatus(dedupKey: string): Promise<OutboxItem['status'] | null>
  /** Outbox item counts by kind and status (for /metrics: queue depth, deliveries). */
  outboxCounts(): Promise<Array<{ kind: string; status: string; count: number }>>
  /** The current window of a statement × channel: its message ts, and `state.channelId`. */
  getRealtime(statementId: string, channel: string): Promise<RealtimeMessage | null>
  /** Set the current window row directly (tests and tools; delivery goes through `applyCounts`). */
  putRealtime(m: RealtimeMessage): Promise<void>
  /** One window: `seq`, else the current one. */
  realtimeWindow(statementId: string, channel: string, seq?: number): Promise<RealtimeWindow | null>
  /** Posted windows opened since `since` whose message shows fewer occurrences than were committed to them. */
  realtimeWindowsBehind(since: number, limit: number): Promise<RealtimeWindow[]>
  /** A window's message went out: its ts, Slack's channel id and the count it showed. */
  recordRealtimePost(w: { statementId: string; channel: string; seq: number; ts: string; channelId: string | null; shown: number }): Promise<void>
  /** The window's message now shows `shown` (never lowered). */
  markRealtimeShown(statementId: string, channel: string, seq: number, shown: number): Promise<void>
  /** The window's message cannot be edited any more (deleted in Slack): the next occurrence opens a new window. */
  closeRealtimeWindow(statementId: string, channel: string, seq: number): Promise<void>
  /** The summed counts of one real-time message window, or null when nothing was added to it. */
  realtimeCounts(q: { statementId: string; channel: string; windowStart: number; seq: number; hostLimit?: number }): Promise<RealtimeCounts | null>
  /**
   * Add undeliverable occurrences: per statement × intended recipient the count grows by `count`, reason and
   * detail become the latest, and a cleared row is open again.
   */
  addUndeliverable(rows: ReadonlyArray<{ statementId: string; intended: string; reason: string; detail: string | null; count: number; at: number }>): Promise<void>
  /** Undeliverable rows, open ones first, newest first. */
  listUndeliverable(q?: { limit?: number }): Promise<UndeliverableRow[]>
  /** Undeliverable occurrences counted so far, per reason, over every row (cleared ones too): a counter. */
  undeliverableTotals(): Promise<Array<{ reason: string; count: number }>>
  /** Close the open rows of `intended` (a channel that took a post again). Returns how many. */
  clearUndeliverable(intended: string, at: number): Promise<number>
  /** Replace the whole Slack user directory with `users` (one users.list sweep), fetched at `fetchedAt`. */
  putSlackUsers(users: readonly SlackUserRow[], fetchedAt: number): Promise<void>
  /** The Slack user directory as last stored, and when it was fetched (null: never). */
  slackUsers(): Promise<{ users: SlackUserRow[]; fetchedAt: number | null }>
  getUser(key: string): Promise<UserRow | null>
  putUser(u: UserRow): Promise<void>
  /** Cached users whose Slack id is one of `slackIds` (a Slack id from a click names the same person as their key). */
  usersBySlackId(slackIds: readonly string[]): Promise<UserRow[]>
  /** The Slack channel id each real-time channel (as the code names it) was posted to, where known. */
  channelIds(): Promise<Array<{ channel: string; channelId: string }>>
  getDigestMark(person: string, statementId: string): Promise<number | null>
  /** Every digest mark of `person` (statement id → through) in one query, partial-bucket ones (`<id>#p<bucket>`) included. */
  digestMarks(person: string): Promise<Map<string, number>>
  setDigestMarks(marks: readonly DigestMark[]): Promise<void>
  /** Take or renew a named lease; true when `holder` holds it until `now + ttlMs`. */
  tryLease(name: string, holder: string, now: number, ttlMs: number): Promise<boolean>
  /** Give a named lease up before it runs out (only `holder`'s). */
  releaseLease(name: string, holder: string): Promise<void>
  /**
   * True the first time `key` is offered within `ttlMs` across every instance sharing the store (a Slack request
   * signature, a Socket Mode envelope id); false when some instance already took it. Keys older than `ttlMs`
   * are forgotten.
   */
  firstSeen(key: string, now: number, ttlMs: number): Promise<boolean>

  // alerts
  /**
   * Per statement × time bucket sums over hosts, of buckets from `since` on (bucket >= since) that were
   * written to since then (over the last_seen index): the newest buckets, cheaply. Only `statementIds` when given.
   */
  bucketSums(q: { since: number; statementIds?: readonly string[] }): Promise<BucketSum[]>
  /** For each of `statementIds` seen before `before`: the latest time it was seen before then (absent when never, or pruned). */
  lastSeenBefore(statementIds: readonly string[], before: number): Promise<Map<string, number>>
  /** Alert states of one kind: those with one of `keys`, those whose key starts with `prefix`, or all. */
  alertStates(kind: string, q?: { keys?: readonly string[]; prefix?: string }): Promise<AlertStateRow[]>
  /** Write alert states; with `ifAbsent` only rows whose kind × key is not stored yet. Returns the keys written. */
  putAlertStates(rows: readonly AlertStateRow[], o?: { ifAbsent?: boolean }): Promise<string[]>
  deleteAlertStates(kind: string, keys: readonly string[]): Promise<void>

  /**
   * Roll occurrences older than `rawBefore` into daily buckets; delete those older than `keepBefore`, and
   * real-time counts of windows opened before `rawBefore` (those messages are long closed).
   */
  prune(rawBefore: number, keepBefore: number): Promise<{ rolledUp: number; deleted: number }>
}

/** Lines counted on `statementId` that `alsoId` could as well have printed (Store.listTies). */
export interface TieRow {
  statementId: string
  alsoId: string
  /** How many such lines. */
  count: number
  firstSeen: number
  lastSeen: number
}
