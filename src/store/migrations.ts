import { sqlFns, type Db } from './db.js'

/**
 * Ordered schema migrations, shared by SQLite and PostgreSQL. Append only: a released migration never
 * changes. `t` gives the dialect's spelling of ids and 64-bit integers.
 */
export const migrations: Array<(t: ReturnType<typeof sqlFns>) => string> = [
  (t) => `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE statements (
  id TEXT PRIMARY KEY, file TEXT NOT NULL, line INTEGER NOT NULL, end_line INTEGER NOT NULL,
  language TEXT NOT NULL, level TEXT, template TEXT, matchable INTEGER NOT NULL, channels TEXT NOT NULL,
  mentions TEXT NOT NULL, blame TEXT, callee TEXT NOT NULL);
CREATE INDEX statements_file ON statements(file);
CREATE TABLE indexed_files (file TEXT PRIMARY KEY, hash TEXT NOT NULL, statements INTEGER NOT NULL);
CREATE TABLE occurrences (
  statement_id TEXT NOT NULL, host TEXT NOT NULL, bucket ${t.bigint} NOT NULL, count ${t.bigint} NOT NULL,
  first_seen ${t.bigint} NOT NULL, last_seen ${t.bigint} NOT NULL, level TEXT, samples TEXT NOT NULL,
  PRIMARY KEY (statement_id, host, bucket));
CREATE INDEX occurrences_last_seen ON occurrences(last_seen);
CREATE TABLE unowned (
  shape_hash TEXT NOT NULL, shape TEXT NOT NULL, host TEXT NOT NULL, bucket ${t.bigint} NOT NULL,
  count ${t.bigint} NOT NULL, first_seen ${t.bigint} NOT NULL, last_seen ${t.bigint} NOT NULL, level TEXT,
  samples TEXT NOT NULL, PRIMARY KEY (shape_hash, host, bucket));
CREATE TABLE checkpoints (
  source TEXT PRIMARY KEY, identity TEXT NOT NULL, "offset" ${t.bigint} NOT NULL, lines ${t.bigint} NOT NULL,
  updated_at ${t.bigint} NOT NULL);
CREATE TABLE counters (source TEXT NOT NULL, name TEXT NOT NULL, value ${t.bigint} NOT NULL, PRIMARY KEY (source, name));
CREATE TABLE overrides (
  statement_id TEXT PRIMARY KEY, to_who TEXT NOT NULL, by_who TEXT NOT NULL, reason TEXT, created_at ${t.bigint} NOT NULL);
CREATE TABLE snoozes (
  id ${t.autoId}, statement_id TEXT NOT NULL, scope TEXT NOT NULL, scope_id TEXT NOT NULL,
  until_at ${t.bigint}, remaining ${t.bigint}, by_who TEXT NOT NULL, created_at ${t.bigint} NOT NULL);
CREATE INDEX snoozes_statement ON snoozes(statement_id);
CREATE TABLE mutes (
  statement_id TEXT NOT NULL, scope TEXT NOT NULL, scope_id TEXT NOT NULL, by_who TEXT NOT NULL,
  created_at ${t.bigint} NOT NULL, PRIMARY KEY (statement_id, scope, scope_id));
CREATE TABLE audit (
  id ${t.autoId}, at ${t.bigint} NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, statement_id TEXT,
  before_json TEXT, after_json TEXT);
CREATE TABLE outbox (
  id ${t.autoId}, dedup_key TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, recipient TEXT NOT NULL,
  payload TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL, not_before ${t.bigint} NOT NULL,
  claimed_by TEXT, claimed_until ${t.bigint}, created_at ${t.bigint} NOT NULL, sent_at ${t.bigint}, result TEXT);
CREATE INDEX outbox_status ON outbox(status, not_before);
CREATE TABLE realtime_messages (
  statement_id TEXT NOT NULL, channel TEXT NOT NULL, ts TEXT NOT NULL, window_start ${t.bigint} NOT NULL,
  state TEXT NOT NULL, PRIMARY KEY (statement_id, channel));
CREATE TABLE users (
  key TEXT PRIMARY KEY, slack_id TEXT, name TEXT, email TEXT, tz TEXT, fetched_at ${t.bigint} NOT NULL);
CREATE TABLE leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, until_at ${t.bigint} NOT NULL);
CREATE TABLE digest_marks (
  person TEXT NOT NULL, statement_id TEXT NOT NULL, through ${t.bigint} NOT NULL, PRIMARY KEY (person, statement_id));
`,
  // Real-time message counts, one row per window × host, added to by every instance (never overwritten):
  // instances sharing one database each add what they saw, and the message shows the sums.
  (t) => `
CREATE TABLE realtime_counts (
  statement_id TEXT NOT NULL, channel TEXT NOT NULL, window_start ${t.bigint} NOT NULL, seq INTEGER NOT NULL, host TEXT NOT NULL,
  count ${t.bigint} NOT NULL, first_seen ${t.bigint} NOT NULL, last_seen ${t.bigint} NOT NULL, level TEXT, sample TEXT NOT NULL,
  PRIMARY KEY (statement_id, channel, window_start, seq, host));
`,
  // Keys taken once across instances (Slack request signatures, Socket Mode envelope ids): a request replayed
  // to another instance is refused there too.
  (t) => `
CREATE TABLE seen_keys (key TEXT PRIMARY KEY, seen_at ${t.bigint} NOT NULL);
`,
  // Statements found through a logging wrapper say which (`via`), unmatchable ones why (`reason`); each indexed
  // file keeps what it defines for the others (constants, wrappers, logger function pointers) as JSON.
  () => `
ALTER TABLE statements ADD COLUMN via TEXT;
ALTER TABLE statements ADD COLUMN reason TEXT;
ALTER TABLE indexed_files ADD COLUMN defs TEXT;
`,
  // Alerts (docs/alerts/): detector state shared by instances; snoozes lifted by a spike; `!expect` annotations.
  (t) => `
CREATE TABLE alert_state (kind TEXT NOT NULL, key TEXT NOT NULL, state TEXT NOT NULL, updated_at ${t.bigint} NOT NULL, PRIMARY KEY (kind, key));
ALTER TABLE snoozes ADD COLUMN wake_on TEXT;
ALTER TABLE statements ADD COLUMN expect TEXT;
`,
  // Real-time windows, one row each, with the count committed to it (in the transaction of the occurrences it
  // counts) and the count its message shows, so any instance can bring a message up to date. realtime_messages
  // becomes the pointer to each statement × channel's current window; windows open before this were kept in
  // memory and are closed (their next occurrence starts a new message).
  (t) => `
ALTER TABLE realtime_messages ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
UPDATE realtime_messages SET window_start = 0;
CREATE TABLE realtime_windows (
  statement_id TEXT NOT NULL, channel TEXT NOT NULL, seq INTEGER NOT NULL, window_start ${t.bigint} NOT NULL,
  ts TEXT NOT NULL, channel_id TEXT, total ${t.bigint} NOT NULL, shown ${t.bigint} NOT NULL,
  PRIMARY KEY (statement_id, channel, seq));
CREATE INDEX realtime_windows_start ON realtime_windows(window_start);
`,
  // The workspace's users as users.list gave them (paginated, replaced whole at each refresh): `@handle`
  // annotations and CODEOWNERS users are matched against it, and `dice doctor` checks people against it.
  (t) => `
CREATE TABLE slack_users (
  id TEXT PRIMARY KEY, handle TEXT, display_name TEXT, real_name TEXT, email TEXT, tz TEXT,
  deleted INTEGER NOT NULL, bot INTEGER NOT NULL, fetched_at ${t.bigint} NOT NULL);
`,
  // Occurrences that could not reach their owner (a person Slack has nobody for, nobody at all, a channel Slack
  // refused), per statement × intended recipient, with why and how many: the web page, /metrics and the
  // fallback digest show them. A channel that takes posts again is cleared (cleared_at), its counts kept.
  (t) => `
CREATE TABLE undeliverable (
  statement_id TEXT NOT NULL, intended TEXT NOT NULL, reason TEXT NOT NULL, detail TEXT,
  count ${t.bigint} NOT NULL, first_seen ${t.bigint} NOT NULL, last_seen ${t.bigint} NOT NULL, cleared_at ${t.bigint},
  PRIMARY KEY (statement_id, intended));
`,
  // The versions really running (docs/alerts/versions.md): the catalog of each deployed revision — which
  // statements it has (revision_members), each statement of any revision stored once by id (revision_catalog,
  // the row as JSON: one removed on main is still there) — and what runs where (deploys, append only).
  (t) => `
CREATE TABLE revisions (rev TEXT PRIMARY KEY, commit_id TEXT NOT NULL, indexed_at ${t.bigint} NOT NULL);
CREATE TABLE revision_members (rev TEXT NOT NULL, statement_id TEXT NOT NULL, PRIMARY KEY (rev, statement_id));
CREATE TABLE revision_catalog (id TEXT PRIMARY KEY, statement TEXT NOT NULL);
CREATE TABLE deploys (
  id ${t.autoId}, rev TEXT NOT NULL, commit_id TEXT NOT NULL, host_pattern TEXT NOT NULL, at ${t.bigint} NOT NULL, by_who TEXT NOT NULL);
`,
  // The commit each statement's line numbers belong to (code links): catalogs indexed before get the commit of
  // their last `dice index`, which holds every file as it was read.
  () => `
ALTER TABLE statements ADD COLUMN at_commit TEXT;
UPDATE statements SET at_commit = (SELECT value FROM meta WHERE key = 'catalog.commit' AND value <> '');
`,
  // Caches kept as bytes (the built matcher index, match/stored-plan.ts), each with a tag saying what they were
  // made from: as base64 text in meta, reading the index back cost a 2.8 MB string and its decoding at every start.
  (t) => `
CREATE TABLE blobs (key TEXT PRIMARY KEY, tag TEXT NOT NULL, value ${t.bytes} NOT NULL);
DELETE FROM meta WHERE key = 'matcher.index';
`,
  // Lines counted on one statement that other statements could as well have printed (the same message logged in
  // several places, nothing in the line to tell which): per pair, the lines' time frame and how many, so the
  // other statements' owners get them in their digests too.
  (t) => `
CREATE TABLE ties (
  statement_id TEXT NOT NULL, also_id TEXT NOT NULL, count ${t.bigint} NOT NULL,
  first_seen ${t.bigint} NOT NULL, last_seen ${t.bigint} NOT NULL, PRIMARY KEY (statement_id, also_id));
`,
  // The values each placeholder took, per statement × time bucket: a JSON array of bounded top-value lists
  // (core/top-values.ts), merged by whoever writes (under the row's lock), in the transaction of the occurrences.
  (t) => `
CREATE TABLE statement_values (statement_id TEXT NOT NULL, bucket ${t.bigint} NOT NULL, lists TEXT NOT NULL, PRIMARY KEY (statement_id, bucket));
`,
  // A digest's marks (what it covers, per statement) staged with its outbox item instead of inside its JSON payload:
  // a fallback digest of a catalog nobody owns marks ~10^5 statements, a 7 MB payload written, read back and parsed
  // whole (`dice run` peaked ~40 MB higher for it); sent, they move to digest_marks in SQL a part at a time.
  (t) => `
CREATE TABLE outbox_marks (
  item_id ${t.bigint} NOT NULL, person TEXT NOT NULL, statement_id TEXT NOT NULL, through ${t.bigint} NOT NULL,
  PRIMARY KEY (item_id, person, statement_id)) ${t.keyedOnly};
`,
  // Per statement and hour, the lines counted: added to in the transaction of the occurrences, so the page ranks a
  // catalog and draws its hours from one row per statement × hour instead of summing every host × 5-minute bucket
  // of the day (a busy day's 3.7M rows took 5–13 s a view). Keyed hour first: the last day is one range of the table,
  // a listed statement's hours a seek each; no other index to keep up on every write. Filled from the occurrences
  // already stored.
  (t) => `
CREATE TABLE statement_hours (
  statement_id TEXT NOT NULL, hour ${t.bigint} NOT NULL, count ${t.bigint} NOT NULL, PRIMARY KEY (hour, statement_id)) ${t.keyedOnly};
INSERT INTO statement_hours (statement_id, hour, count)
  SELECT statement_id, ${t.greatest}(bucket, first_seen) / 3600000 * 3600000 AS h, SUM(count) FROM occurrences GROUP BY statement_id, h;
`,
  // Per statement, the lines counted, when first and last, and the most severe level (its rank in LEVELS, -1: none):
  // added to in the transaction of the occurrences, so a list ranks a catalog on its totals from a row a statement, not
  // every bucket retention keeps (14 days of 5-minute buckets raw: a busy day's 3.7M rows took 3–11 s per API request).
  // Filled from the occurrences already stored.
  (t) => `
CREATE TABLE statement_totals (
  statement_id TEXT PRIMARY KEY, count ${t.bigint} NOT NULL, first_seen ${t.bigint} NOT NULL, last_seen ${t.bigint} NOT NULL,
  level_rank INTEGER NOT NULL) ${t.keyedOnly};
INSERT INTO statement_totals (statement_id, count, first_seen, last_seen, level_rank)
  SELECT statement_id, SUM(count), MIN(first_seen), MAX(last_seen), MAX(CASE level WHEN 'trace' THEN 0 WHEN 'debug' THEN 1
    WHEN 'info' THEN 2 WHEN 'notice' THEN 3 WHEN 'warn' THEN 4 WHEN 'error' THEN 5 WHEN 'fatal' THEN 6 ELSE -1 END)
  FROM occurrences GROUP BY statement_id;
`,
  // Per statement, the newest bucket counted (an upper bound: retention's roll-up only lowers buckets): a digest check
  // reads a statement's occurrences only when something is newer than its mark. Every check read every row of every
  // statement counted for someone nobody can reach (a busy day's store: 8.8 s each 10 minutes, to find nothing new).
  (t) => `
ALTER TABLE statement_totals ADD COLUMN last_bucket ${t.bigint};
UPDATE statement_totals SET last_bucket = (SELECT MAX(o.bucket) FROM occurrences o WHERE o.statement_id = statement_totals.statement_id);
`,
]

/**
 * Bring the schema up to date (or to version `upTo`: tests make an older store), inside one transaction. Safe to run
 * concurrently on PostgreSQL.
 */
export async function migrate(db: Db, upTo = migrations.length): Promise<void> {
  const t = sqlFns(db.dialect)
  await db.tx(async (tx) => {
    if (db.dialect === 'postgres') {
      // Serialise concurrent `dice run` instances migrating the same database.
      await tx.exec(`SELECT pg_advisory_xact_lock(727271)`)
    }
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`)
    const row = await tx.get<{ v: number | null }>(`SELECT MAX(version) AS v FROM schema_version`)
    const current = row?.v ?? 0
    for (let v = current; v < upTo; v++) {
      await tx.exec(migrations[v]!(t))
      await tx.run(`INSERT INTO schema_version (version) VALUES (?)`, [v + 1])
    }
  })
}
