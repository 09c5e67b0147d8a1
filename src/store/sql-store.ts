import { LEVELS, type Checkpoint, type Level, type MatchStatement, type OccurrenceDelta, type Statement, type UnownedDelta } from '../core/types.js'
import { levelRank } from '../core/levels.js'
import { interner, NO_NAMES } from '../core/interned.js'
import { isStoredShape, mergeLists, parseLists, readValues, type PlaceholderValues, type TopList, type ValuesDelta } from '../core/top-values.js'
import { sqlFns, type Db, type Param } from './db.js'
import { migrate } from './migrations.js'
import type {
  AlertStateRow, AuditRow, BucketSum, CountedStatement, ChannelCountDelta, CountBatch, DigestMark, MuteRow, OccurrenceRow, OutboxEntry, OutboxItem, OverrideRow, RealtimeBatch,
  RealtimeCounts, RealtimeMessage, RealtimeWindow, Scope, SnoozeRow,
  SlackUserRow, StatementTotal, Store, TieRow, UndeliverableRow, UnownedRow, UserRow, RevisionRow, DeployRow,
} from './store.js'
import { KEPT_STATEMENTS_BLOB } from './store.js'

const J = (v: unknown) => JSON.stringify(v ?? null)
/** Bytes of a blob read a query at a time from PostgreSQL (getBlob). */
const BLOB_PART = 1 << 22
/** SQL function (SQLite) merging two stored values lists: the stored row's and the delta's (applyValues). */
const MERGE_LISTS = 'dice_merge_lists'
const P = <T>(v: unknown, d: T): T => (typeof v === 'string' ? (JSON.parse(v) as T) : d)
const HOUR = 3_600_000
const DAY = 24 * HOUR
/** Rows per multi-row INSERT: well under SQLite's 32k and PostgreSQL's 65k parameter limits. */
const CHUNK = 200

function chunks<T>(xs: readonly T[], n = CHUNK): T[][] {
  const out: T[][] = []
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n))
  return out
}
/** Run `sql(n)` over `xs`, `per` rows a statement; the SQL text is built once per statement size, not per run. */
/** The statement × tied statement pairs of `occurrences` (OccurrenceDelta.tied), one row each: count, first, last seen. */
function tiesOf(occurrences: readonly OccurrenceDelta[]): Param[][] {
  const pairs = new Map<string, [string, string, number, number, number]>()
  for (const o of occurrences) {
    if (o.tied === undefined) continue
    for (const also of o.tied) {
      const k = `${o.statementId}\u0000${also}`
      const r = pairs.get(k)
      const n = o.tiedLines ?? o.count
      if (r === undefined) pairs.set(k, [o.statementId, also, n, o.firstSeen, o.lastSeen])
      else (r[2] += n), (r[3] = Math.min(r[3], o.firstSeen)), (r[4] = Math.max(r[4], o.lastSeen))
    }
  }
  return [...pairs.values()]
}

/** A level's rank in LEVELS (statement_totals.level_rank), -1 for none. */
const rankOf = (l: Level | null) => (l === null ? -1 : levelRank(l))

/**
 * The sums `occurrences` add to, in one pass, a record a statement: its statement_totals row (lines, first and last
 * seen, newest bucket, the most severe level's rank) and its statement_hours rows (lines per hour: a delta counts in the hour its
 * bucket began, or its first line was seen in when later). `sorted` (PostgreSQL): in id order, so instances adding to
 * the same rows lock them in one order and cannot deadlock.
 */
function sumsOf(occurrences: readonly OccurrenceDelta[], sorted: boolean): Sums[] {
  // A statement's deltas of one flush mostly fall in one hour: it is kept inline, a map made only for more.
  const by = new Map<string, Sums>()
  let last: Sums | undefined
  for (const o of occurrences) {
    const at = o.firstSeen > o.bucket ? o.firstSeen : o.bucket
    const hour = at - (((at % HOUR) + HOUR) % HOUR)
    const rank = rankOf(o.level)
    // A flush's deltas come a statement at a time (Counter.drain): most lookups are the previous delta's statement.
    let s = last !== undefined && last.id === o.statementId ? last : by.get(o.statementId)
    if (s === undefined) {
      by.set(o.statementId, (s = { id: o.statementId, count: o.count, first: o.firstSeen, last: o.lastSeen, bucket: o.bucket, rank, hour, inHour: o.count, more: null }))
      last = s
      continue
    }
    last = s
    s.count += o.count
    if (o.firstSeen < s.first) s.first = o.firstSeen
    if (o.lastSeen > s.last) s.last = o.lastSeen
    if (o.bucket > s.bucket) s.bucket = o.bucket
    if (rank > s.rank) s.rank = rank
    if (hour === s.hour) s.inHour += o.count
    else {
      const more = (s.more ??= new Map())
      more.set(hour, (more.get(hour) ?? 0) + o.count)
    }
  }
  const all = [...by.values()]
  return sorted ? all.sort(SUMS_ORDER) : all
}
/** The statement_hours rows of the statements of `sums` that counted in more than one hour, past their first. */
function moreHours(sums: readonly Sums[]): Array<[string, number, number]> {
  const out: Array<[string, number, number]> = []
  for (const s of sums) if (s.more !== null) for (const [h, n] of s.more) out.push([s.id, h, n])
  return out
}
/** Every statement_hours row of `sums` (in `sums`' order, each statement's by hour): one lock order for PostgreSQL. */
function allHours(sums: readonly Sums[]): Array<[string, number, number]> {
  const out: Array<[string, number, number]> = []
  for (const s of sums) {
    const first: [string, number, number] = [s.id, s.hour, s.inHour]
    if (s.more === null) out.push(first)
    else for (const r of [first, ...moreHours([s])].sort((a, b) => a[1] - b[1])) out.push(r)
  }
  return out
}
interface Sums { id: string; count: number; first: number; last: number; bucket: number; rank: number; hour: number; inHour: number; more: Map<number, number> | null }

/**
 * The hosts of each of `n` statements (parameters: their ids), as rows (statement id, host): read off the occurrences'
 * primary key (statement_id, host, bucket) a seek per host — the next host after the last one — not a row per bucket.
 */
function hostsOf(n: number): string {
  return `WITH RECURSIVE h(sid, host) AS (
    SELECT q.column1, (SELECT MIN(o.host) FROM occurrences o WHERE o.statement_id = q.column1) FROM (VALUES ${Array(n).fill('(?)').join(',')}) AS q
    UNION ALL
    SELECT h.sid, (SELECT MIN(o.host) FROM occurrences o WHERE o.statement_id = h.sid AND o.host > h.host) FROM h WHERE h.host IS NOT NULL)`
}

async function upsertRows<T>(db: Db, xs: readonly T[], per: number, sql: (n: number) => string, params: (x: T) => Param[]): Promise<void> {
  if (per === 1 && db.runEach) return db.runEach(sql(1), xs, params)
  const texts = new Map<number, string>()
  for (let i = 0; i < xs.length; i += per) {
    const n = Math.min(per, xs.length - i)
    let text = texts.get(n)
    if (text === undefined) texts.set(n, (text = sql(n)))
    const p: Param[] = n === 1 ? params(xs[i]!) : []
    if (n > 1) for (let k = i; k < i + n; k++) p.push(...params(xs[k]!))
    await db.run(text, p)
  }
}

/**
 * Compare by each of `fields` in turn (strings or numbers): a key's order, for sorting rows before they are locked — every
 * PostgreSQL write of many rows goes in one of the orders below, so instances lock shared rows alike.
 */
function byFields<T>(...fields: Array<(x: T) => string | number>): (a: T, b: T) => number {
  return (a, b) => {
    for (const f of fields) {
      const x = f(a)
      const y = f(b)
      if (x !== y) return x < y ? -1 : 1
    }
    return 0
  }
}
const OCCURRENCE_ORDER = byFields<OccurrenceDelta>((o) => o.statementId, (o) => o.host, (o) => o.bucket)
const UNOWNED_ORDER = byFields<UnownedDelta & { shapeHash: string }>((o) => o.shapeHash, (o) => o.host, (o) => o.bucket)
const TIE_ORDER = byFields<Param[]>((r) => r[0] as string, (r) => r[1] as string)
const CHECKPOINT_ORDER = byFields<Checkpoint>((c) => c.source)
const COUNTER_ORDER = byFields<{ source: string; name: string }>((k) => k.source, (k) => k.name)
const SUMS_ORDER = byFields<Sums>((s) => s.id)
const VALUES_ORDER = byFields<ValuesDelta>((d) => d.statementId, (d) => d.bucket)

/** One row per `key`, rows of a key folded with `merge` in order (PostgreSQL refuses a multi-row upsert naming a key twice). */
function onePerKey<T>(xs: readonly T[], key: (x: T) => string, merge: (had: T, x: T) => T): T[] {
  const by = new Map<string, T>()
  for (const x of xs) {
    const k = key(x)
    const had = by.get(k)
    by.set(k, had === undefined ? x : merge(had, x))
  }
  return [...by.values()]
}
/** One mark per person × statement: the furthest. */
const furthest = (marks: readonly DigestMark[]) =>
  onePerKey(marks, (m) => `${m.person}\u0000${m.statementId}`, (a, b) => (b.through > a.through ? b : a))
/** One row per statement × intended recipient: counts summed, the last row's reason and detail, the latest time. */
const undeliverableOnce = <T extends { statementId: string; intended: string; count: number; at: number }>(rows: readonly T[]) =>
  onePerKey(rows, (r) => `${r.statementId}\u0000${r.intended}`, (a, b) => ({ ...b, count: a.count + b.count, at: Math.max(a.at, b.at) }))

const values = (rows: number, cols: number) =>
  Array.from({ length: rows }, () => `(${Array(cols).fill('?').join(',')})`).join(',')

type Row = Record<string, any>

/** The statements table's columns in the order the statement readers take them (SELECT lists and row arrays). */
const STATEMENT_COLUMNS = 'id, file, line, end_line, language, level, template, matchable, channels, mentions, blame, callee, via, reason, expect, at_commit'

const list = (v: unknown): string[] => (v === '[]' ? NO_NAMES : P(v, NO_NAMES))

/**
 * A reader of statements rows (STATEMENT_COLUMNS, by position: SQLite hands a catalog read over as arrays, which it
 * makes faster than objects of 16 named fields). For a whole catalog, the texts many statements repeat (file,
 * language, level, callee, a commit's blame) are one string / one object each, not one per row as the driver returns
 * them — at 100k statements that is tens of MB a long-running process keeps.
 */
function statementReader(): (r: readonly any[]) => Statement {
  const one = interner()
  const blames = new Map<string, unknown>()
  return (r) => {
    let blame = null
    const b = r[10]
    if (typeof b === 'string') {
      blame = blames.get(b) ?? null
      if (blame === null && (blame = P(b, null)) !== null && blames.size < 100_000) blames.set(b, blame)
    }
    return {
      id: r[0], file: one(r[1]), line: Number(r[2]), endLine: Number(r[3]), language: one(r[4]), level: (r[5] == null ? null : one(r[5])) as Statement['level'],
      template: r[6] ?? null, matchable: !!Number(r[7]), channels: list(r[8]), mentions: list(r[9]),
      blame: blame as Statement['blame'], callee: one(r[11]), via: r[12] == null ? null : one(r[12]), reason: r[13] ?? null, expect: P(r[14], null),
      commit: r[15] == null ? null : one(r[15]),
    }
  }
}
const toOverride = (r: Row): OverrideRow => ({ statementId: r.statement_id, to: r.to_who, by: r.by_who, reason: r.reason ?? null, createdAt: Number(r.created_at) })
const toSnooze = (r: Row): SnoozeRow => ({
  id: Number(r.id), statementId: r.statement_id, scope: r.scope, scopeId: r.scope_id, until: r.until_at == null ? null : Number(r.until_at),
  remaining: r.remaining == null ? null : Number(r.remaining), wakeOn: r.wake_on ?? null, by: r.by_who, createdAt: Number(r.created_at),
})
const toMute = (r: Row): MuteRow => ({ statementId: r.statement_id, scope: r.scope, scopeId: r.scope_id, by: r.by_who, createdAt: Number(r.created_at) })
/** The occurrence columns but the samples. */
const OCCURRENCE_COUNTS = ['statement_id', 'host', 'bucket', 'count', 'first_seen', 'last_seen', 'level']
/** An occurrence from an array row of OCCURRENCE_COUNTS' columns in that order, then `samples` when it was read. */
const occurrenceOf = (r: any[]): OccurrenceRow => ({
  statementId: r[0], host: r[1], bucket: Number(r[2]), count: Number(r[3]), firstSeen: Number(r[4]), lastSeen: Number(r[5]),
  level: r[6] ?? null, samples: r.length > OCCURRENCE_COUNTS.length ? P(r[7], []) : [],
})
const toOccurrence = (r: Row): OccurrenceRow => ({
  statementId: r.statement_id, host: r.host, bucket: Number(r.bucket), count: Number(r.count), firstSeen: Number(r.first_seen),
  lastSeen: Number(r.last_seen), level: r.level ?? null, samples: P(r.samples, []),
})
const toWindow = (r: Row): RealtimeWindow => ({
  statementId: r.statement_id, channel: r.channel, seq: Number(r.seq), windowStart: Number(r.window_start), ts: r.ts,
  channelId: r.channel_id ?? null, total: Number(r.total), shown: Number(r.shown),
})
const toUser = (r: Row): UserRow => ({
  key: r.key, slackId: r.slack_id ?? null, name: r.name ?? null, email: r.email ?? null, tz: r.tz ?? null, fetchedAt: Number(r.fetched_at),
})
const toOutbox = (r: Row): OutboxItem => ({
  id: Number(r.id), dedupKey: r.dedup_key, kind: r.kind, recipient: r.recipient, payload: P(r.payload, null), status: r.status,
  attempts: Number(r.attempts), notBefore: Number(r.not_before), createdAt: Number(r.created_at), sentAt: r.sent_at == null ? null : Number(r.sent_at),
  result: P(r.result, null),
})

/** The Store over any `Db`: SQL written once for SQLite and PostgreSQL. */
export class SqlStore implements Store {
  readonly kind
  private f

  private constructor(private db: Db) {
    this.kind = db.dialect
    this.f = sqlFns(db.dialect)
    // SQLite (one writer): a values row that exists is merged inside the upsert, no read first (applyValues).
    db.defineFunction?.(MERGE_LISTS, (a, b) => J(mergeLists(parseLists(a ?? '[]'), parseLists(b ?? '[]'))))
  }

  /** Open and migrate. */
  static async open(db: Db): Promise<SqlStore> {
    await migrate(db)
    return new SqlStore(db)
  }

  close() {
    return this.db.close()
  }

  async getMeta(key: string) {
    return (await this.db.get<Row>(`SELECT value FROM meta WHERE key = ?`, [key]))?.value ?? null
  }
  async setMeta(key: string, value: string) {
    await this.db.run(`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, [key, value])
  }
  async getBlob(key: string) {
    if (this.kind === 'postgres') return this.blobInParts(key)
    const r = await this.db.get<Row>(`SELECT tag, value FROM blobs WHERE key = ?`, [key])
    return r ? { tag: r.tag as string, bytes: r.value as Uint8Array } : null
  }
  /**
   * PostgreSQL sends bytea as hex text: the 19 MB matcher plan of a 100k-statement catalog arrived as 38 MB of text, held
   * as a string and then parsed (an empty `dice replay` peaked at 336 MB, against SQLite's 180). Read a part at a time
   * into one buffer, in one snapshot (another instance may write the blob meanwhile).
   */
  private async blobInParts(key: string): Promise<{ tag: string; bytes: Uint8Array } | null> {
    return this.db.tx(async (tx) => {
      await tx.exec('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY')
      const head = await tx.get<Row>(`SELECT tag, length(value) AS n FROM blobs WHERE key = ?`, [key])
      if (!head) return null
      const bytes = Buffer.allocUnsafe(Number(head.n))
      for (let at = 0; at < bytes.length; at += BLOB_PART) {
        const r = await tx.get<Row>(`SELECT substring(value FROM ? FOR ?) AS part FROM blobs WHERE key = ?`, [at + 1, BLOB_PART, key])
        ;(r!.part as Buffer).copy(bytes, at)
      }
      return { tag: head.tag as string, bytes }
    })
  }
  async setBlob(key: string, tag: string, bytes: Uint8Array) {
    await this.db.run(`INSERT INTO blobs (key, tag, value) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET tag = excluded.tag, value = excluded.value`, [key, tag, bytes])
  }

  // ---- catalog
  async indexedFiles() {
    const rows = await this.db.all<Row>(`SELECT file, hash FROM indexed_files`)
    return new Map(rows.map((r) => [r.file as string, r.hash as string]))
  }

  async fileDefinitions() {
    const rows = await this.db.all<Row>(`SELECT file, defs FROM indexed_files WHERE defs IS NOT NULL`)
    return new Map(rows.map((r) => [r.file as string, r.defs as string]))
  }

  async replaceFiles(files: Array<{ file: string; hash: string; defs?: string | null }>, statements: Statement[], removed: string[]) {
    await this.db.tx(async (tx) => {
      // The kept list of every statement is stale from here, whoever stamps the catalog afterwards (or not).
      await tx.run(`DELETE FROM blobs WHERE key = ?`, [KEPT_STATEMENTS_BLOB])
      const gone = [...files.map((f) => f.file), ...removed]
      for (const c of chunks(gone)) {
        const ph = c.map(() => '?').join(',')
        await tx.run(`DELETE FROM statements WHERE file IN (${ph})`, c)
        await tx.run(`DELETE FROM indexed_files WHERE file IN (${ph})`, c)
      }
      const perFile = new Map<string, number>()
      for (const s of statements) perFile.set(s.file, (perFile.get(s.file) ?? 0) + 1)
      for (const c of chunks(files)) {
        await tx.run(`INSERT INTO indexed_files (file, hash, statements, defs) VALUES ${values(c.length, 4)}`,
          c.flatMap((f) => [f.file, f.hash, perFile.get(f.file) ?? 0, f.defs ?? null]))
      }
      for (const c of chunks(statements)) {
        const params: Param[] = c.flatMap((s) => [s.id, s.file, s.line, s.endLine, s.language, s.level, s.template, s.matchable ? 1 : 0,
          J(s.channels), J(s.mentions), s.blame ? J(s.blame) : null, s.callee, s.via ?? null, s.reason ?? null, s.expect ? J(s.expect) : null, s.commit ?? null])
        // A duplicate id (same id from two files in one batch) keeps the later one rather than failing the index.
        await tx.run(`INSERT INTO statements (id, file, line, end_line, language, level, template, matchable, channels, mentions, blame, callee, via, reason, expect, at_commit)
          VALUES ${values(c.length, 16)} ON CONFLICT (id) DO UPDATE SET file = excluded.file, line = excluded.line,
          end_line = excluded.end_line, language = excluded.language, level = excluded.level, template = excluded.template,
          matchable = excluded.matchable, channels = excluded.channels, mentions = excluded.mentions, blame = excluded.blame,
          callee = excluded.callee, via = excluded.via, reason = excluded.reason, expect = excluded.expect, at_commit = excluded.at_commit`, params)
      }
    })
  }

  async listStatements() {
    const sql = `SELECT ${STATEMENT_COLUMNS} FROM statements ORDER BY file, line, id`
    return this.rows(sql, [], statementReader())
  }
  async listMatchStatements() {
    const sql = `SELECT id, file, line, template, matchable FROM statements ORDER BY file, line, id`
    // all(), not allRows(): five small columns, so the driver's rows are no burden, and one call reads faster.
    return (await this.db.all<Row>(sql)).map((r): MatchStatement => ({ id: r.id, file: r.file, line: Number(r.line), template: r.template ?? null, matchable: !!Number(r.matchable) }))
  }
  async countStatements() {
    const r = await this.db.get<Row>(`SELECT COUNT(*) AS n FROM statements`)
    return Number(r?.n ?? 0)
  }
  async statementsByIds(ids: readonly string[]) {
    const read = statementReader()
    const out: Statement[] = []
    for (const c of chunks([...new Set(ids)], 500)) {
      out.push(...await this.rows(`SELECT ${STATEMENT_COLUMNS} FROM statements WHERE id IN (${c.map(() => '?').join(',')})`, c, read))
    }
    return out
  }
  async getStatement(id: string) {
    const r = await this.db.get<Row>(`SELECT ${STATEMENT_COLUMNS} FROM statements WHERE id = ?`, [id])
    if (r) return statementReader()(Object.values(r))
    const old = await this.db.get<Row>(`SELECT statement FROM revision_catalog WHERE id = ?`, [id])
    return old ? P<Statement>(old.statement, null as never) : null
  }

  // ---- revisions
  async putRevision(r: { rev: string; commit: string; at: number }, statements: readonly Statement[]) {
    await this.db.tx(async (tx) => {
      await tx.run(`DELETE FROM revision_members WHERE rev = ?`, [r.rev])
      await tx.run(`INSERT INTO revisions (rev, commit_id, indexed_at) VALUES (?, ?, ?) ON CONFLICT (rev) DO UPDATE SET commit_id = excluded.commit_id, indexed_at = excluded.indexed_at`,
        [r.rev, r.commit, r.at])
      const ids = [...new Map(statements.map((s) => [s.id, s])).values()]
      for (const c of chunks(ids)) {
        await tx.run(`INSERT INTO revision_members (rev, statement_id) VALUES ${values(c.length, 2)}`, c.flatMap((s) => [r.rev, s.id]))
        // The same id is the same file, message and level: the newest catalogued row (its line, its blame) is kept.
        await tx.run(`INSERT INTO revision_catalog (id, statement) VALUES ${values(c.length, 2)} ON CONFLICT (id) DO UPDATE SET statement = excluded.statement`,
          c.flatMap((s) => [s.id, J(s)]))
      }
    })
  }
  async listRevisions(): Promise<RevisionRow[]> {
    const rows = await this.db.all<Row>(`SELECT r.rev, r.commit_id, r.indexed_at, (SELECT COUNT(*) FROM revision_members m WHERE m.rev = r.rev) AS n FROM revisions r ORDER BY r.rev`)
    return rows.map((r) => ({ rev: r.rev, commit: r.commit_id, indexedAt: Number(r.indexed_at), statements: Number(r.n) }))
  }
  async revisionCatalog(revs: readonly string[]) {
    const members = new Map<string, string[]>(revs.map((r) => [r, []]))
    const statements = new Map<string, Statement>()
    for (const c of chunks(revs)) {
      const rows = await this.db.all<Row>(`SELECT m.rev, c.id, c.statement FROM revision_members m JOIN revision_catalog c ON c.id = m.statement_id
        WHERE m.rev IN (${c.map(() => '?').join(',')}) ORDER BY c.id`, c)
      for (const r of rows) {
        members.get(r.rev)!.push(r.id)
        if (!statements.has(r.id)) statements.set(r.id, P<Statement>(r.statement, null as never))
      }
    }
    return { statements: [...statements.values()], members }
  }
  async addDeploy(d: Omit<DeployRow, 'id'>): Promise<DeployRow> {
    const r = await this.db.get<Row>(`INSERT INTO deploys (rev, commit_id, host_pattern, at, by_who) VALUES (?, ?, ?, ?, ?) RETURNING id`,
      [d.rev, d.commit, d.hostPattern, d.at, d.by])
    return { ...d, id: Number(r!.id) }
  }
  async listDeploys(): Promise<DeployRow[]> {
    const rows = await this.db.all<Row>(`SELECT * FROM deploys ORDER BY at, id`)
    return rows.map((r) => ({ id: Number(r.id), rev: r.rev, commit: r.commit_id, hostPattern: r.host_pattern, at: Number(r.at), by: r.by_who }))
  }

  // ---- counting
  async getCheckpoint(source: string): Promise<Checkpoint | null> {
    const r = await this.db.get<Row>(`SELECT * FROM checkpoints WHERE source = ?`, [source])
    return r ? { source: r.source, identity: r.identity, offset: Number(r.offset), lines: Number(r.lines) } : null
  }

  async applyCounts(batch: CountBatch) {
    const { least, greatest } = this.f
    const occSql = (n: number) => `INSERT INTO occurrences (statement_id, host, bucket, count, first_seen, last_seen, level, samples)
          VALUES ${values(n, 8)} ON CONFLICT (statement_id, host, bucket) DO UPDATE SET
          count = occurrences.count + excluded.count, first_seen = ${least}(occurrences.first_seen, excluded.first_seen),
          last_seen = ${greatest}(occurrences.last_seen, excluded.last_seen), level = COALESCE(excluded.level, occurrences.level),
          samples = CASE WHEN occurrences.samples = '[]' THEN excluded.samples ELSE occurrences.samples END`
    const unownedSql = (n: number) => `INSERT INTO unowned (shape_hash, shape, host, bucket, count, first_seen, last_seen, level, samples)
          VALUES ${values(n, 9)} ON CONFLICT (shape_hash, host, bucket) DO UPDATE SET
          count = unowned.count + excluded.count, first_seen = ${least}(unowned.first_seen, excluded.first_seen),
          last_seen = ${greatest}(unowned.last_seen, excluded.last_seen), level = COALESCE(excluded.level, unowned.level),
          samples = CASE WHEN unowned.samples = '[]' THEN excluded.samples ELSE unowned.samples END`
    // SQLite runs in-process: one prepared single-row upsert per key costs ~30% less CPU there than 200-row
    // VALUES lists (measured on a 230k-key replay flush). PostgreSQL pays a round trip per statement: chunks.
    const rows = this.kind === 'sqlite' ? 1 : CHUNK
    const pg = this.kind === 'postgres'
    // PostgreSQL: every table's rows in one order of their keys, so that instances writing the same keys (a statement
    // logged on every host, shipped to either instance) lock them in the same order and cannot deadlock — the loser's
    // flush failed, and a POST /ingest waiting for it answered 503.
    const inOrder = <T>(xs: readonly T[], order: (a: T, b: T) => number): readonly T[] => (pg && xs.length > 1 ? [...xs].sort(order) : xs)
    await this.db.tx(async (tx) => {
      await upsertRows(tx, inOrder(batch.occurrences, OCCURRENCE_ORDER), rows, occSql,
        (o) => [o.statementId, o.host, o.bucket, o.count, o.firstSeen, o.lastSeen, o.level, J(o.samples)])
      // The sums lists rank on, beside the rows they sum (migrations: statement_hours, statement_totals).
      const sums = sumsOf(batch.occurrences, pg)
      const hourSql = (n: number) => `INSERT INTO statement_hours (statement_id, hour, count) VALUES ${values(n, 3)}
          ON CONFLICT (hour, statement_id) DO UPDATE SET count = statement_hours.count + excluded.count`
      // SQLite (one writer): each statement's first hour read off its record, no row made for it; PostgreSQL: in key order.
      if (pg) await upsertRows(tx, allHours(sums), rows, hourSql, (r) => r)
      else {
        await upsertRows(tx, sums, rows, hourSql, (s) => [s.id, s.hour, s.inHour])
        await upsertRows(tx, moreHours(sums), rows, hourSql, (r) => r)
      }
      // (last_bucket is null only for a totals row the migration found no occurrences of.)
      await upsertRows(tx, sums, rows, (n) => `INSERT INTO statement_totals (statement_id, count, first_seen, last_seen, level_rank, last_bucket)
          VALUES ${values(n, 6)} ON CONFLICT (statement_id) DO UPDATE SET count = statement_totals.count + excluded.count,
          first_seen = ${least}(statement_totals.first_seen, excluded.first_seen), last_seen = ${greatest}(statement_totals.last_seen, excluded.last_seen),
          level_rank = ${greatest}(statement_totals.level_rank, excluded.level_rank),
          last_bucket = ${greatest}(COALESCE(statement_totals.last_bucket, excluded.last_bucket), excluded.last_bucket)`, (s) => [s.id, s.count, s.first, s.last, s.rank, s.bucket])
      const ties = inOrder(tiesOf(batch.occurrences), TIE_ORDER)
      if (ties.length) await upsertRows(tx, ties, rows, (n) => `INSERT INTO ties (statement_id, also_id, count, first_seen, last_seen) VALUES ${values(n, 5)}
          ON CONFLICT (statement_id, also_id) DO UPDATE SET count = ties.count + excluded.count,
          first_seen = ${least}(ties.first_seen, excluded.first_seen), last_seen = ${greatest}(ties.last_seen, excluded.last_seen)`, (r) => r)
      await upsertRows(tx, inOrder(batch.unowned, UNOWNED_ORDER), rows, unownedSql,
        (o) => [o.shapeHash, o.shape, o.host, o.bucket, o.count, o.firstSeen, o.lastSeen, o.level, J(o.samples)])
      const now = Date.now()
      for (const cp of inOrder(batch.checkpoints, CHECKPOINT_ORDER)) {
        await tx.run(`INSERT INTO checkpoints (source, identity, "offset", lines, updated_at) VALUES (?, ?, ?, ?, ?)
          ON CONFLICT (source) DO UPDATE SET identity = excluded.identity, "offset" = excluded."offset", lines = excluded.lines,
          updated_at = excluded.updated_at`, [cp.source, cp.identity, cp.offset, cp.lines, now])
      }
      for (const k of inOrder(batch.counters ?? [], COUNTER_ORDER)) {
        if (!k.value) continue
        await tx.run(`INSERT INTO counters (source, name, value) VALUES (?, ?, ?) ON CONFLICT (source, name)
          DO UPDATE SET value = counters.value + excluded.value`, [k.source, k.name, k.value])
      }
      if (batch.values?.length) await this.applyValues(tx, batch.values)
      if (batch.realtime?.deltas.length) await this.applyRealtime(tx, batch.realtime)
    })
  }

  /**
   * Add placeholder values to the stored lists of their statement × bucket: read under the row's lock, merged,
   * written back (bounded by VALUES_K per placeholder). On PostgreSQL the rows are first made to exist (an
   * instance inserting the same new row waits for the other's commit, then merges into it) and then locked in
   * key order, so two instances writing the same statements cannot lose each other's values nor deadlock.
   */
  private async applyValues(tx: Db, deltas: ValuesDelta[]): Promise<void> {
    const by = new Map<string, ValuesDelta>()
    for (const d of deltas) {
      const k = `${d.statementId}\u0000${d.bucket}`
      const had = by.get(k)
      by.set(k, had ? { ...d, lists: mergeLists(had.lists, d.lists) } : d)
    }
    const sorted = [...by.values()].sort(VALUES_ORDER)
    const pg = this.kind === 'postgres'
    // A new row takes the delta as it is when it is already a stored list's shape (sorted, bounded: a Counter's).
    const own = (d: ValuesDelta) => J(isStoredShape(d.lists) ? d.lists : mergeLists([], d.lists))
    if (this.db.defineFunction && !pg) {
      // One writer at a time (the transaction holds SQLite's write lock): merge a stored row in the upsert itself.
      for (const c of chunks(sorted, 100)) {
        await tx.run(`INSERT INTO statement_values (statement_id, bucket, lists) VALUES ${values(c.length, 3)}
          ON CONFLICT (statement_id, bucket) DO UPDATE SET lists = ${MERGE_LISTS}(statement_values.lists, excluded.lists)`, c.flatMap((d) => [d.statementId, d.bucket, own(d)]))
      }
      return
    }
    for (const c of chunks(sorted, pg ? CHUNK : 100)) {
      const keys = c.flatMap((d) => [d.statementId, d.bucket])
      if (pg) {
        await tx.run(`INSERT INTO statement_values (statement_id, bucket, lists) VALUES ${c.map(() => `(?, ?, '[]')`).join(',')}
          ON CONFLICT (statement_id, bucket) DO NOTHING`, keys)
      }
      const stored = new Map<string, TopList[]>()
      const rows = await tx.all<Row>(`SELECT statement_id, bucket, lists FROM statement_values WHERE ${c.map(() => '(statement_id = ? AND bucket = ?)').join(' OR ')}
        ORDER BY statement_id, bucket${pg ? ' FOR UPDATE' : ''}`, keys)
      for (const r of rows) stored.set(`${r.statement_id}\u0000${Number(r.bucket)}`, parseLists(r.lists))
      const merged = c.map((d) => {
        const had = stored.get(`${d.statementId}\u0000${d.bucket}`)
        return [d.statementId, d.bucket, had && had.length ? J(mergeLists(had, d.lists)) : own(d)]
      })
      await tx.run(`INSERT INTO statement_values (statement_id, bucket, lists) VALUES ${values(c.length, 3)}
        ON CONFLICT (statement_id, bucket) DO UPDATE SET lists = excluded.lists`, merged.flat())
    }
  }

  async statementValues(q: {
    statements: ReadonlyArray<{ statementId: string; since?: number | null }>; until?: number; top?: number
  }): Promise<Map<string, PlaceholderValues[]>> {
    const out = new Map<string, PlaceholderValues[]>()
    for (const c of chunks(q.statements, 500)) {
      const since = new Map(c.map((s) => [s.statementId, s.since ?? null]))
      const lowest = c.some((s) => s.since == null) ? null : Math.min(...c.map((s) => s.since!))
      const p: Param[] = c.map((s) => s.statementId)
      let where = `statement_id IN (${c.map(() => '?').join(',')})`
      if (lowest !== null) (where += ' AND bucket > ?', p.push(lowest))
      if (q.until != null) (where += ' AND bucket <= ?', p.push(q.until))
      const lists = new Map<string, TopList[][]>()
      for (const r of await this.db.all<Row>(`SELECT statement_id, bucket, lists FROM statement_values WHERE ${where} ORDER BY statement_id, bucket`, p)) {
        const s = since.get(r.statement_id)
        if (s != null && Number(r.bucket) <= s) continue
        const l = lists.get(r.statement_id)
        if (l) l.push(parseLists(r.lists))
        else lists.set(r.statement_id, [parseLists(r.lists)])
      }
      for (const [id, l] of lists) {
        const v = readValues(l, q.top)
        if (v.some((x) => x.top.length)) out.set(id, v)
      }
    }
    return out
  }

  /**
   * Each statement × channel's deltas go into its open window, or open the next (the pointer row in
   * realtime_messages decides, under its row lock on PostgreSQL, so concurrent instances agree); a window
   * opened here gets its post enqueued. Statement × channel pairs in one order, so writers cannot deadlock.
   */
  private async applyRealtime(tx: Db, rt: RealtimeBatch): Promise<void> {
    const groups = new Map<string, ChannelCountDelta[]>()
    for (const d of rt.deltas) {
      const k = `${d.statementId}\u0000${d.channel}`
      const g = groups.get(k)
      if (g) g.push(d)
      else groups.set(k, [d])
    }
    const expired = `realtime_messages.window_start + ? <= excluded.window_start`
    for (const k of [...groups.keys()].sort()) {
      const g = groups.get(k)!
      const { statementId, channel } = g[0]!
      const p = await tx.get<Row>(`INSERT INTO realtime_messages (statement_id, channel, ts, window_start, state, seq) VALUES (?, ?, '', ?, '{}', 1)
        ON CONFLICT (statement_id, channel) DO UPDATE SET
          seq = CASE WHEN ${expired} THEN realtime_messages.seq + 1 ELSE realtime_messages.seq END,
          ts = CASE WHEN ${expired} THEN '' ELSE realtime_messages.ts END,
          window_start = CASE WHEN ${expired} THEN excluded.window_start ELSE realtime_messages.window_start END
        RETURNING seq, window_start`, [statementId, channel, rt.now, rt.windowMs, rt.windowMs, rt.windowMs])
      const seq = Number(p!.seq)
      const windowStart = Number(p!.window_start)
      const total = g.reduce((n, d) => n + d.count, 0)
      await tx.run(`INSERT INTO realtime_windows (statement_id, channel, seq, window_start, ts, channel_id, total, shown) VALUES (?, ?, ?, ?, '', NULL, ?, 0)
        ON CONFLICT (statement_id, channel, seq) DO UPDATE SET total = realtime_windows.total + excluded.total`, [statementId, channel, seq, windowStart, total])
      await this.addRealtimeCounts(tx, g, { windowStart, seq, hostCap: rt.hostCap })
      if (windowStart === rt.now) {
        await this.insertOutbox(tx, rt.post({ statementId, channel, seq, windowStart, ts: '', channelId: null, total, shown: 0 }))
      }
    }
  }

  async counters() {
    return (await this.db.all<Row>(`SELECT source, name, value FROM counters ORDER BY source, name`)).map((r) => ({
      source: r.source as string, name: r.name as string, value: Number(r.value),
    }))
  }

  async listOccurrences(q: { statementId?: string; since?: number; until?: number; limit?: number } = {}): Promise<OccurrenceRow[]> {
    const where: string[] = []
    const p: Param[] = []
    if (q.statementId) (where.push('statement_id = ?'), p.push(q.statementId))
    if (q.since != null) (where.push('last_seen > ?'), p.push(q.since))
    if (q.until != null) (where.push('first_seen <= ?'), p.push(q.until))
    p.push(q.limit ?? 10_000)
    const rows = await this.db.all<Row>(`SELECT * FROM occurrences ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
      ORDER BY bucket DESC, statement_id, host LIMIT ?`, p)
    return rows.map(toOccurrence)
  }

  async listOccurrencesOf(q: {
    statements: ReadonlyArray<{ statementId: string; since?: number | null }>; until?: number; limitPerStatement?: number; samples?: boolean
  }): Promise<Map<string, OccurrenceRow[]>> {
    const out = new Map<string, OccurrenceRow[]>()
    if (new Set(q.statements.map((s) => s.statementId)).size !== q.statements.length) throw new Error('listOccurrencesOf: a statement id twice')
    // 500 statements (1,000 parameters) a query: far below either database's parameter limit. The SQL text
    // depends on the number of statements only, so it is prepared once per chunk size.
    for (const c of chunks(q.statements, 500)) {
      // Each statement with its own `since` (null: none), as listOccurrences({ statementId, since }) filters.
      const p: Param[] = c.flatMap((s) => [s.statementId, s.since ?? null])
      let where = `(q.column2 IS NULL OR o.last_seen > q.column2)`
      if (q.until != null) (where += ' AND o.first_seen <= ?', p.push(q.until))
      const from = `(VALUES ${c.map(() => `(?, ${this.f.bigintParam})`).join(',')}) AS q JOIN occurrences o ON o.statement_id = q.column1 WHERE ${where}`
      // The samples are most of a row's bytes (JSON text, parsed per row): a reader that only counts leaves them.
      const cols = q.samples === false ? OCCURRENCE_COUNTS : [...OCCURRENCE_COUNTS, 'samples']
      // Each statement's newest `limitPerStatement` rows in listOccurrences' order: its LIMIT, per statement, applied
      // as the rows come (a window function numbering them took two thirds of the query: 0.5 s of 0.75 for a part of
      // a busy day's statements, the first digest check 20 s). The bound is far above what retention keeps a statement.
      const limit = q.limitPerStatement ?? Infinity
      let statement: string | null = null
      let taken = 0
      await this.rows(`SELECT ${cols.map((c) => `o.${c}`).join(', ')} FROM ${from} ORDER BY o.statement_id, o.bucket DESC, o.host`, p, (r) => {
        const id = r[0] as string
        if (id !== statement) (statement = id), (taken = 0)
        if (++taken > limit) return
        const o = occurrenceOf(r)
        const l = out.get(id)
        if (l) l.push(o)
        else out.set(id, [o])
      })
    }
    return out
  }

  async countedStatements(q: { until?: number } = {}): Promise<CountedStatement[]> {
    return this.rows(`SELECT statement_id, last_bucket FROM statement_totals ${q.until != null ? 'WHERE first_seen <= ?' : ''} ORDER BY statement_id`,
      q.until != null ? [q.until] : [], (r) => ({ statementId: r[0] as string, lastBucket: r[1] == null ? null : Number(r[1]) }))
  }

  /** The statement_hours rows of the `hours` hours from `start`: what `hourlyCounts` and `windowCounts` sum alike. */
  private hoursWindow(q: { start: number; hours: number }) {
    return { where: 'hour >= ? AND hour < ?', params: [q.start, q.start + q.hours * HOUR] }
  }
  async hourlyCounts(q: { start: number; hours: number; statementIds?: readonly string[] }) {
    const { where, params } = this.hoursWindow(q)
    const row = (r: any[]) => ({ statementId: r[0] as string, hour: Number(r[1]), count: Number(r[2]) })
    if (!q.statementIds) return this.rows(`SELECT statement_id, hour, count FROM statement_hours WHERE ${where} ORDER BY statement_id, hour`, params, row)
    // Of a few statements: each hour × statement looked up by key (hour, statement_id), not the window's rows scanned.
    const hours = Array.from({ length: q.hours }, (_, i) => q.start + i * HOUR)
    const out: Array<{ statementId: string; hour: number; count: number }> = []
    for (const c of chunks([...new Set(q.statementIds)].sort())) {
      out.push(...await this.rows(`SELECT statement_id, hour, count FROM statement_hours WHERE hour IN (${hours.map(() => '?').join(',')})
        AND statement_id IN (${c.map(() => '?').join(',')})`, [...hours, ...c], row))
    }
    return out.sort((a, b) => (a.statementId < b.statementId ? -1 : a.statementId > b.statementId ? 1 : a.hour - b.hour))
  }
  async windowCounts(q: { start: number; hours: number }) {
    const { where, params } = this.hoursWindow(q)
    const rows = await this.rows(`SELECT statement_id, SUM(count) AS n FROM statement_hours WHERE ${where} GROUP BY statement_id`,
      params, (r) => [r[0] as string, Number(r[1])] as const)
    return new Map(rows)
  }

  async totals(q: { since?: number; until?: number; statementIds?: readonly string[] } = {}): Promise<StatementTotal[]> {
    const by = new Map<string, StatementTotal>()
    // Host names are a handful repeated over every statement: one string each, not one per row.
    const hosts = new Map<string, string>()
    const hostOf = (h: string) => {
      const had = hosts.get(h)
      if (had !== undefined) return had
      hosts.set(h, h)
      return h
    }
    const fold = (id: string, h: string, level: Level | null, n: number, first: number, last: number) => {
      let t = by.get(id)
      if (t === undefined) by.set(id, (t = { statementId: id, count: 0, hosts: [], firstSeen: Infinity, lastSeen: -Infinity, level: null }))
      t.count += n
      const host = hostOf(h)
      if (!t.hosts.includes(host)) t.hosts.push(host)
      if (level && (t.level === null || levelRank(level) > levelRank(t.level))) t.level = level
      t.firstSeen = Math.min(t.firstSeen, first)
      t.lastSeen = Math.max(t.lastSeen, last)
    }
    // A time frame: the occurrences last seen in it, one row per statement × host × level as summed, folded as read.
    // All time: the totals applyCounts keeps (statement_totals, a row a statement), with each one's hosts read off the
    // occurrences' key.
    const read = async (ids: readonly string[] | null) => {
      const { where, p } = this.lastSeenIn(q)
      if (ids) (where.push(`statement_id IN (${ids.map(() => '?').join(',')})`), p.push(...ids))
      const cond = where.length ? 'WHERE ' + where.join(' AND ') : ''
      if (q.since != null) {
        await this.rows(`SELECT statement_id, host, level, SUM(count) AS n, MIN(first_seen) AS fs, MAX(last_seen) AS ls
          FROM occurrences ${cond} GROUP BY statement_id, host, level`, p, (r) => fold(r[0], r[1], r[2], Number(r[3]), Number(r[4]), Number(r[5])))
        return
      }
      const rows = await this.rows(`SELECT statement_id, count, first_seen, last_seen, level_rank FROM statement_totals ${cond}`, p, (r) => r)
      for (const c of chunks(rows, 500)) {
        const hostsBy = new Map<string, string[]>()
        await this.rows(`${hostsOf(c.length)} SELECT sid, host FROM h WHERE host IS NOT NULL`, c.map((r) => r[0]), (r) => {
          const l = hostsBy.get(r[0])
          if (l) l.push(r[1])
          else hostsBy.set(r[0], [r[1]])
        })
        for (const r of c) {
          const t: StatementTotal = { statementId: r[0], count: Number(r[1]), hosts: [], firstSeen: Number(r[2]), lastSeen: Number(r[3]), level: LEVELS[Number(r[4])] ?? null }
          for (const h of hostsBy.get(t.statementId) ?? []) t.hosts.push(hostOf(h))
          by.set(t.statementId, t)
        }
      }
    }
    if (!q.statementIds) await read(null)
    else for (const c of chunks(q.statementIds, 500)) await read(c)
    for (const t of by.values()) t.hosts.sort()
    return [...by.values()].sort((a, b) => b.count - a.count || a.statementId.localeCompare(b.statementId))
  }

  async counts(q: { until?: number } = {}): Promise<Map<string, number>> {
    const { where, p } = this.lastSeenIn({ until: q.until })
    const rows = await this.rows(`SELECT statement_id, count FROM statement_totals ${where.length ? 'WHERE ' + where.join(' AND ') : ''}`,
      p, (r) => [r[0] as string, Number(r[1])] as const)
    return new Map(rows)
  }

  /** The conditions of rows with last_seen in (since, until] (first seen by `until`), as `totals` and `counts` read them. */
  private lastSeenIn(q: { since?: number; until?: number }): { where: string[]; p: Param[] } {
    const where: string[] = []
    const p: Param[] = []
    if (q.since != null) (where.push('last_seen > ?'), p.push(q.since))
    if (q.until != null) (where.push('first_seen <= ?'), p.push(q.until))
    return { where, p }
  }

  /**
   * `f` of every row of `sql` as an array of its columns (SELECT order: both drivers keep a row's fields in it), as
   * read: the driver's rows are not all alive at once where it can hand them over one by one (Db.allRows).
   */
  private async rows<T>(sql: string, params: Param[], f: (row: any[]) => T): Promise<T[]> {
    if (this.db.allRows) return this.db.allRows(sql, params, f)
    return (await this.db.all<Row>(sql, params)).map((r) => f(Object.values(r)))
  }

  async listUnowned(q: { since?: number; limit?: number } = {}): Promise<UnownedRow[]> {
    const rows = await this.db.all<Row>(`SELECT * FROM unowned WHERE last_seen > ? ORDER BY count DESC LIMIT ?`, [q.since ?? -1, q.limit ?? 1000])
    return rows.map((r) => ({
      shapeHash: r.shape_hash, shape: r.shape, host: r.host, bucket: Number(r.bucket), count: Number(r.count), firstSeen: Number(r.first_seen),
      lastSeen: Number(r.last_seen), level: r.level ?? null, samples: P(r.samples, []),
    }))
  }

  async getShape(hash: string) {
    const r = await this.db.get<Row>(`SELECT shape, level FROM unowned WHERE shape_hash = ? ORDER BY last_seen DESC LIMIT 1`, [hash])
    return r ? { shape: r.shape as string, level: (r.level ?? null) as Level | null } : null
  }

  // ---- actions
  async setOverride(o: OverrideRow) {
    return this.db.tx(async (tx) => {
      const before = await tx.get<Row>(`SELECT * FROM overrides WHERE statement_id = ?`, [o.statementId])
      await tx.run(`INSERT INTO overrides (statement_id, to_who, by_who, reason, created_at) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (statement_id) DO UPDATE SET to_who = excluded.to_who, by_who = excluded.by_who, reason = excluded.reason,
        created_at = excluded.created_at`, [o.statementId, o.to, o.by, o.reason, o.createdAt])
      return before ? toOverride(before) : null
    })
  }
  async removeOverride(statementId: string) {
    return this.db.tx(async (tx) => {
      const before = await tx.get<Row>(`SELECT * FROM overrides WHERE statement_id = ?`, [statementId])
      await tx.run(`DELETE FROM overrides WHERE statement_id = ?`, [statementId])
      return before ? toOverride(before) : null
    })
  }
  async listOverrides() {
    return (await this.db.all<Row>(`SELECT * FROM overrides ORDER BY created_at, statement_id`)).map(toOverride)
  }
  async addSnooze(s: Omit<SnoozeRow, 'id'>) {
    const r = await this.db.get<Row>(`INSERT INTO snoozes (statement_id, scope, scope_id, until_at, remaining, wake_on, by_who, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`, [s.statementId, s.scope, s.scopeId, s.until, s.remaining, s.wakeOn ?? null, s.by, s.createdAt])
    return toSnooze(r!)
  }
  async wakeSnoozes(statementId: string, on: 'worse') {
    return (await this.db.run(`DELETE FROM snoozes WHERE statement_id = ? AND wake_on = ?`, [statementId, on])).changes
  }
  async removeSnoozes(statementId: string, scope?: Scope, scopeId?: string) {
    const p: Param[] = [statementId]
    let sql = `DELETE FROM snoozes WHERE statement_id = ?`
    if (scope) (sql += ' AND scope = ?', p.push(scope))
    if (scopeId) (sql += ' AND scope_id = ?', p.push(scopeId))
    return (await this.db.run(sql, p)).changes
  }
  async activeSnoozes(now: number) {
    return (await this.db.all<Row>(`SELECT * FROM snoozes WHERE (until_at IS NULL OR until_at > ?) AND (remaining IS NULL OR remaining > 0)
      ORDER BY id`, [now])).map(toSnooze)
  }
  async snoozesEndingAfter(t: number) {
    return (await this.db.all<Row>(`SELECT * FROM snoozes WHERE until_at IS NULL OR until_at > ? ORDER BY id`, [t])).map(toSnooze)
  }
  async decrementSnooze(id: number, by: number) {
    const r = await this.db.get<Row>(`UPDATE snoozes SET remaining = ${this.f.greatest}(remaining - ?, 0) WHERE id = ? AND remaining IS NOT NULL
      RETURNING remaining`, [by, id])
    return r ? Number(r.remaining) : null
  }
  async addMute(m: MuteRow) {
    await this.db.run(`INSERT INTO mutes (statement_id, scope, scope_id, by_who, created_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (statement_id, scope, scope_id) DO NOTHING`, [m.statementId, m.scope, m.scopeId, m.by, m.createdAt])
  }
  async removeMute(statementId: string, scope?: Scope, scopeId?: string) {
    const p: Param[] = [statementId]
    let sql = `DELETE FROM mutes WHERE statement_id = ?`
    if (scope) (sql += ' AND scope = ?', p.push(scope))
    if (scopeId) (sql += ' AND scope_id = ?', p.push(scopeId))
    return (await this.db.run(sql, p)).changes
  }
  async listMutes() {
    return (await this.db.all<Row>(`SELECT * FROM mutes ORDER BY created_at, statement_id`)).map(toMute)
  }
  async addAudit(a: Omit<AuditRow, 'id'>) {
    await this.db.run(`INSERT INTO audit (at, actor, action, statement_id, before_json, after_json) VALUES (?, ?, ?, ?, ?, ?)`,
      [a.at, a.actor, a.action, a.statementId, J(a.before), J(a.after)])
  }
  async listAudit(limit = 200) {
    return (await this.db.all<Row>(`SELECT * FROM audit ORDER BY id DESC LIMIT ?`, [limit])).map((r) => ({
      id: Number(r.id), at: Number(r.at), actor: r.actor, action: r.action, statementId: r.statement_id ?? null,
      before: P(r.before_json, null), after: P(r.after_json, null),
    }))
  }

  // ---- delivery
  async enqueue(i: OutboxEntry, marks: readonly DigestMark[] = []) {
    if (!marks.length) return (await this.insertOutbox(this.db, i)) !== null
    // The item and its marks in one transaction: a crash leaves neither or both, and an instance that lost the race
    // for the dedup key stages nothing.
    return this.db.tx(async (tx) => {
      const id = await this.insertOutbox(tx, i)
      if (id === null) return false
      const sql = (n: number) => `INSERT INTO outbox_marks (item_id, person, statement_id, through) VALUES ${values(n, 4)}
        ON CONFLICT (item_id, person, statement_id) DO UPDATE SET through = ${this.f.greatest}(outbox_marks.through, excluded.through)`
      await this.upsertMany(tx, marks, furthest, sql, (m) => [id, m.person, m.statementId, m.through])
      return true
    })
  }
  /**
   * Upsert many rows (~10^5 for a large digest's marks or undeliverable counts): SQLite runs a prepared single-row
   * upsert per row; PostgreSQL pays a round trip per statement (78k marks a row at a time took 15–26 s), so VALUES
   * lists of CHUNK rows there, made one row a key by `once` first.
   */
  private upsertMany<T>(tx: Db, xs: readonly T[], once: (xs: readonly T[]) => T[], sql: (n: number) => string, params: (x: T) => Param[]): Promise<void> {
    return this.kind === 'postgres' ? upsertRows(tx, once(xs), CHUNK, sql, params) : upsertRows(tx, xs, 1, sql, params)
  }
  async moveOutboxMarks(id: number, limit: number) {
    const part = `SELECT person, statement_id, through FROM outbox_marks WHERE item_id = ? ORDER BY person, statement_id LIMIT ?`
    return this.db.tx(async (tx) => {
      await tx.run(`INSERT INTO digest_marks (person, statement_id, through) ${part}
        ON CONFLICT (person, statement_id) DO UPDATE SET through = ${this.f.greatest}(digest_marks.through, excluded.through)`, [id, limit])
      return (await tx.run(`DELETE FROM outbox_marks WHERE item_id = ? AND (person, statement_id) IN (SELECT person, statement_id FROM (${part}) AS p)`,
        [id, id, limit])).changes
    })
  }
  async outboxMarks(id: number) {
    return (await this.db.all<Row>(`SELECT person, statement_id, through FROM outbox_marks WHERE item_id = ? ORDER BY person, statement_id`, [id]))
      .map((r): DigestMark => ({ person: r.person, statementId: r.statement_id, through: Number(r.through) }))
  }
  /** Insert the item unless its dedup key exists: its id, or null. */
  private async insertOutbox(db: Db, i: OutboxEntry): Promise<number | null> {
    const r = await db.get<Row>(`INSERT INTO outbox (dedup_key, kind, recipient, payload, status, attempts, not_before, created_at)
      VALUES (?, ?, ?, ?, 'pending', 0, ?, ?) ON CONFLICT (dedup_key) DO NOTHING RETURNING id`,
      [i.dedupKey, i.kind, i.recipient, J(i.payload), i.notBefore, i.createdAt])
    return r ? Number(r.id) : null
  }

  async claim(q: { kinds?: string[]; limit: number; holder: string; now: number; leaseMs: number }) {
    const kinds = q.kinds ?? []
    const kindSql = kinds.length ? `AND kind IN (${kinds.map(() => '?').join(',')})` : ''
    // Due: pending and not before now, or claimed by someone whose lease ran out (they crashed).
    const due = `((status = 'pending' AND not_before <= ?) OR (status = 'claimed' AND claimed_until <= ?)) ${kindSql}`
    const lock = this.kind === 'postgres' ? 'FOR UPDATE SKIP LOCKED' : ''
    const rows = await this.db.tx((tx) => tx.all<Row>(`UPDATE outbox SET status = 'claimed', claimed_by = ?, claimed_until = ?, attempts = attempts + 1
      WHERE id IN (SELECT id FROM outbox WHERE ${due} ORDER BY id LIMIT ? ${lock}) RETURNING *`,
      [q.holder, q.now + q.leaseMs, q.now, q.now, ...kinds, q.limit]))
    return rows.map(toOutbox).sort((a, b) => a.id - b.id)
  }

  async markSent(id: number, holder: string, now: number, result?: unknown) {
    const r = await this.db.run(`UPDATE outbox SET status = 'sent', sent_at = ?, result = ?, claimed_until = NULL
      WHERE id = ? AND status = 'claimed' AND claimed_by = ?`, [now, J(result), id, holder])
    return r.changes > 0
  }
  async noteProgress(id: number, holder: string, result: unknown) {
    return (await this.db.run(`UPDATE outbox SET result = ? WHERE id = ? AND status = 'claimed' AND claimed_by = ?`, [J(result), id, holder])).changes > 0
  }
  async renewClaims(ids: readonly number[], holder: string, until: number) {
    let n = 0
    for (const c of chunks(ids)) {
      n += (await this.db.run(`UPDATE outbox SET claimed_until = ? WHERE status = 'claimed' AND claimed_by = ? AND id IN (${c.map(() => '?').join(',')})`,
        [until, holder, ...c])).changes
    }
    return n
  }
  async release(id: number, holder: string, notBefore: number, dead = false, result?: unknown) {
    await this.db.run(`UPDATE outbox SET status = ?, not_before = ?, claimed_by = NULL, claimed_until = NULL, result = ?
      WHERE id = ? AND claimed_by = ?`, [dead ? 'dead' : 'pending', notBefore, J(result), id, holder])
  }
  async listOutbox(q: { status?: string; kind?: string; limit?: number } = {}) {
    const where: string[] = []
    const p: Param[] = []
    if (q.status) (where.push('status = ?'), p.push(q.status))
    if (q.kind) (where.push('kind = ?'), p.push(q.kind))
    p.push(q.limit ?? 1000)
    return (await this.db.all<Row>(`SELECT * FROM outbox ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id LIMIT ?`, p)).map(toOutbox)
  }
  async outboxStatus(dedupKey: string) {
    const r = await this.db.get<Row>(`SELECT status FROM outbox WHERE dedup_key = ?`, [dedupKey])
    return r ? (r.status as OutboxItem['status']) : null
  }
  async outboxCounts() {
    return (await this.db.all<Row>(`SELECT kind, status, COUNT(*) AS n FROM outbox GROUP BY kind, status ORDER BY kind, status`)).map((r) => ({
      kind: r.kind as string, status: r.status as string, count: Number(r.n),
    }))
  }
  async getRealtime(statementId: string, channel: string) {
    const r = await this.db.get<Row>(`SELECT * FROM realtime_messages WHERE statement_id = ? AND channel = ?`, [statementId, channel])
    return r ? { statementId: r.statement_id, channel: r.channel, ts: r.ts, windowStart: Number(r.window_start), state: { ...P<object>(r.state, {}), seq: Number(r.seq) } } : null
  }
  async putRealtime(m: RealtimeMessage) {
    await this.db.run(`INSERT INTO realtime_messages (statement_id, channel, ts, window_start, state) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (statement_id, channel) DO UPDATE SET ts = excluded.ts, window_start = excluded.window_start, state = excluded.state`,
      [m.statementId, m.channel, m.ts, m.windowStart, J(m.state)])
  }
  /** Add one statement × channel's host deltas to a window's counts (upsert-increment per host, in `tx`). */
  private async addRealtimeCounts(tx: Db, deltas: ChannelCountDelta[], w: { windowStart: number; seq: number; hostCap: number }) {
    const { least, greatest } = this.f
    const { statementId, channel } = deltas[0]!
    const key = `statement_id = ? AND channel = ? AND window_start = ? AND seq = ?`
    const kp: Param[] = [statementId, channel, w.windowStart, w.seq]
    // Past the cap, hosts the window does not list yet are counted under ''.
    let known: Set<string> | null = null
    const stored = Number((await tx.get<Row>(`SELECT COUNT(*) AS n FROM realtime_counts WHERE ${key}`, kp))?.n ?? 0)
    if (stored + deltas.length > w.hostCap) {
      const hosts = [...new Set(deltas.map((d) => d.host))]
      known = new Set()
      for (const c of chunks(hosts)) {
        for (const r of await tx.all<Row>(`SELECT host FROM realtime_counts WHERE ${key} AND host IN (${c.map(() => '?').join(',')})`, [...kp, ...c])) known.add(r.host)
      }
    }
    // One row per host: PostgreSQL refuses to upsert the same row twice in one statement.
    const byHost = new Map<string, ChannelCountDelta>()
    let room = known ? Math.max(0, w.hostCap - stored) : Infinity
    for (const d of deltas) {
      let host = d.host
      if (known && !known.has(host) && host !== '') {
        if (room > 0) (room--, known.add(host))
        else host = ''
      }
      const m = byHost.get(host)
      if (!m) {
        byHost.set(host, { ...d, host })
        continue
      }
      const newer = d.sample !== null && d.sample !== '' && (m.sample === null || m.sample === '' || d.lastSeen >= m.lastSeen)
      m.count += d.count
      m.firstSeen = Math.min(m.firstSeen, d.firstSeen)
      m.lastSeen = Math.max(m.lastSeen, d.lastSeen)
      if (newer) (m.sample = d.sample), (m.level = d.level ?? m.level)
    }
    const rows = [...byHost.values()].sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0))
    for (const c of chunks(rows)) {
      // The newest sample wins; a delta without one ('') keeps the stored sample.
      await tx.run(`INSERT INTO realtime_counts (statement_id, channel, window_start, seq, host, count, first_seen, last_seen, level, sample)
        VALUES ${values(c.length, 10)} ON CONFLICT (statement_id, channel, window_start, seq, host) DO UPDATE SET
        count = realtime_counts.count + excluded.count, first_seen = ${least}(realtime_counts.first_seen, excluded.first_seen),
        last_seen = ${greatest}(realtime_counts.last_seen, excluded.last_seen),
        sample = CASE WHEN excluded.sample <> '' AND (realtime_counts.sample = '' OR excluded.last_seen >= realtime_counts.last_seen)
          THEN excluded.sample ELSE realtime_counts.sample END,
        level = CASE WHEN excluded.sample <> '' AND (realtime_counts.sample = '' OR excluded.last_seen >= realtime_counts.last_seen)
          THEN COALESCE(excluded.level, realtime_counts.level) ELSE COALESCE(realtime_counts.level, excluded.level) END`,
        c.flatMap((d) => [statementId, channel, w.windowStart, w.seq, d.host, d.count, d.firstSeen, d.lastSeen, d.level, d.sample ?? '']))
    }
  }
  async realtimeWindow(statementId: string, channel: string, seq?: number) {
    const r = seq === undefined
      ? await this.db.get<Row>(`SELECT w.* FROM realtime_messages m JOIN realtime_windows w ON w.statement_id = m.statement_id AND w.channel = m.channel
          AND w.seq = m.seq AND w.window_start = m.window_start WHERE m.statement_id = ? AND m.channel = ?`, [statementId, channel])
      : await this.db.get<Row>(`SELECT * FROM realtime_windows WHERE statement_id = ? AND channel = ? AND seq = ?`, [statementId, channel, seq])
    return r ? toWindow(r) : null
  }
  async realtimeWindowsBehind(since: number, limit: number) {
    return (await this.db.all<Row>(`SELECT * FROM realtime_windows WHERE window_start >= ? AND ts <> '' AND shown < total
      ORDER BY window_start, statement_id, channel LIMIT ?`, [since, limit])).map(toWindow)
  }
  async recordRealtimePost(w: { statementId: string; channel: string; seq: number; ts: string; channelId: string | null; shown: number }) {
    // The pointer row first, then the window: the order applyCounts locks them in, so the two cannot deadlock.
    await this.db.tx(async (tx) => {
      await tx.run(`UPDATE realtime_messages SET ts = ?, state = ? WHERE statement_id = ? AND channel = ? AND seq = ?`,
        [w.ts, J({ channelId: w.channelId }), w.statementId, w.channel, w.seq])
      await tx.run(`UPDATE realtime_windows SET ts = ?, channel_id = ?, shown = ${this.f.greatest}(shown, ?) WHERE statement_id = ? AND channel = ? AND seq = ?`,
        [w.ts, w.channelId, w.shown, w.statementId, w.channel, w.seq])
    })
  }
  async markRealtimeShown(statementId: string, channel: string, seq: number, shown: number) {
    await this.db.run(`UPDATE realtime_windows SET shown = ${this.f.greatest}(shown, ?) WHERE statement_id = ? AND channel = ? AND seq = ?`,
      [shown, statementId, channel, seq])
  }
  async closeRealtimeWindow(statementId: string, channel: string, seq: number) {
    await this.db.tx(async (tx) => {
      await tx.run(`UPDATE realtime_messages SET window_start = 0 WHERE statement_id = ? AND channel = ? AND seq = ?`, [statementId, channel, seq])
      // Its message is gone: nothing to bring up to date any more.
      await tx.run(`UPDATE realtime_windows SET shown = total WHERE statement_id = ? AND channel = ? AND seq = ?`, [statementId, channel, seq])
    })
  }
  async realtimeCounts(q: { statementId: string; channel: string; windowStart: number; seq: number; hostLimit?: number }): Promise<RealtimeCounts | null> {
    const key = `statement_id = ? AND channel = ? AND window_start = ? AND seq = ?`
    const p: Param[] = [q.statementId, q.channel, q.windowStart, q.seq]
    const sum = await this.db.get<Row>(`SELECT SUM(count) AS n, MIN(first_seen) AS fs, MAX(last_seen) AS ls,
      SUM(CASE WHEN host = '' THEN 0 ELSE 1 END) AS hosts, SUM(CASE WHEN host = '' THEN 1 ELSE 0 END) AS more
      FROM realtime_counts WHERE ${key}`, p)
    if (!sum || sum.n == null) return null
    const hosts = await this.db.all<Row>(`SELECT host FROM realtime_counts WHERE ${key} AND host <> '' ORDER BY first_seen, host LIMIT ?`,
      [...p, q.hostLimit ?? 1000])
    const latest = await this.db.get<Row>(`SELECT sample, level FROM realtime_counts WHERE ${key} AND sample <> ''
      ORDER BY last_seen DESC, host LIMIT 1`, p)
    return {
      count: Number(sum.n), firstSeen: Number(sum.fs), lastSeen: Number(sum.ls), hosts: hosts.map((r) => r.host as string),
      hostCount: Number(sum.hosts), moreUncounted: Number(sum.more) > 0, sample: latest?.sample ?? null, level: latest?.level ?? null,
    }
  }
  async listTies() {
    const rows = await this.db.all<Row>(`SELECT * FROM ties ORDER BY statement_id, also_id`)
    return rows.map((r): TieRow => ({ statementId: r.statement_id, alsoId: r.also_id, count: Number(r.count), firstSeen: Number(r.first_seen), lastSeen: Number(r.last_seen) }))
  }
  async addUndeliverable(rows: ReadonlyArray<{ statementId: string; intended: string; reason: string; detail: string | null; count: number; at: number }>) {
    if (!rows.length) return
    // A row a statement (a digest counts ~10^5 at once for a catalog nobody owns): the SQL text built once per size.
    const sql = (n: number) => `INSERT INTO undeliverable (statement_id, intended, reason, detail, count, first_seen, last_seen) VALUES ${values(n, 7)}
      ON CONFLICT (statement_id, intended) DO UPDATE SET reason = excluded.reason, detail = excluded.detail, count = undeliverable.count + excluded.count,
      last_seen = ${this.f.greatest}(undeliverable.last_seen, excluded.last_seen), cleared_at = NULL`
    await this.db.tx((tx) => this.upsertMany(tx, rows, undeliverableOnce, sql, (r) => [r.statementId, r.intended, r.reason, r.detail, r.count, r.at, r.at]))
  }
  async listUndeliverable(q: { limit?: number } = {}) {
    const rows = await this.db.all<Row>(`SELECT * FROM undeliverable ORDER BY CASE WHEN cleared_at IS NULL THEN 0 ELSE 1 END, last_seen DESC, statement_id, intended LIMIT ?`, [q.limit ?? 1000])
    return rows.map((r): UndeliverableRow => ({
      statementId: r.statement_id, intended: r.intended, reason: r.reason, detail: r.detail ?? null, count: Number(r.count),
      firstSeen: Number(r.first_seen), lastSeen: Number(r.last_seen), clearedAt: r.cleared_at == null ? null : Number(r.cleared_at),
    }))
  }
  async undeliverableTotals() {
    const rows = await this.db.all<Row>(`SELECT reason, SUM(count) AS n FROM undeliverable GROUP BY reason ORDER BY reason`)
    return rows.map((r) => ({ reason: String(r.reason), count: Number(r.n) }))
  }
  async clearUndeliverable(intended: string, at: number) {
    return (await this.db.run(`UPDATE undeliverable SET cleared_at = ? WHERE intended = ? AND cleared_at IS NULL`, [at, intended])).changes
  }
  async putSlackUsers(users: readonly SlackUserRow[], fetchedAt: number) {
    await this.db.tx(async (tx) => {
      await tx.run(`DELETE FROM slack_users`)
      const sql = `INSERT INTO slack_users (id, handle, display_name, real_name, email, tz, deleted, bot, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
      const params = (u: SlackUserRow) => [u.id, u.handle, u.displayName, u.realName, u.email, u.tz, u.deleted ? 1 : 0, u.bot ? 1 : 0, fetchedAt]
      if (tx.runEach) await tx.runEach(sql, users, params)
      else for (const u of users) await tx.run(sql, params(u))
      // An empty workspace still records when it was read: the time lives in meta, not only in the rows.
      await tx.run(`INSERT INTO meta (key, value) VALUES ('slack.users.at', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, [String(fetchedAt)])
    })
  }
  async slackUsers() {
    const [rows, at] = await Promise.all([this.db.all<Row>(`SELECT * FROM slack_users ORDER BY id`), this.getMeta('slack.users.at')])
    const users = rows.map((r): SlackUserRow => ({
      id: r.id, handle: r.handle ?? null, displayName: r.display_name ?? null, realName: r.real_name ?? null, email: r.email ?? null,
      tz: r.tz ?? null, deleted: !!Number(r.deleted), bot: !!Number(r.bot),
    }))
    return { users, fetchedAt: at ? Number(at) : null }
  }
  async getUser(key: string) {
    const r = await this.db.get<Row>(`SELECT * FROM users WHERE key = ?`, [key])
    return r ? toUser(r) : null
  }
  async putUser(u: UserRow) {
    await this.db.run(`INSERT INTO users (key, slack_id, name, email, tz, fetched_at) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (key) DO UPDATE SET slack_id = excluded.slack_id, name = excluded.name, email = excluded.email, tz = excluded.tz,
      fetched_at = excluded.fetched_at`, [u.key, u.slackId, u.name, u.email, u.tz, u.fetchedAt])
  }
  async usersBySlackId(slackIds: readonly string[]) {
    const out: UserRow[] = []
    for (const c of chunks(slackIds)) {
      const rows = await this.db.all<Row>(`SELECT * FROM users WHERE slack_id IN (${c.map(() => '?').join(',')}) ORDER BY key`, [...c])
      for (const r of rows) out.push(toUser(r))
    }
    return out
  }
  async channelIds() {
    const out = new Map<string, string>()
    for (const r of await this.db.all<Row>(`SELECT channel, state FROM realtime_messages ORDER BY channel`)) {
      const id = P<{ channelId?: unknown } | null>(r.state, null)?.channelId
      if (typeof id === 'string' && id) out.set(r.channel, id)
    }
    return [...out].map(([channel, channelId]) => ({ channel, channelId }))
  }
  async getDigestMark(person: string, statementId: string) {
    const r = await this.db.get<Row>(`SELECT through FROM digest_marks WHERE person = ? AND statement_id = ?`, [person, statementId])
    return r ? Number(r.through) : null
  }
  async digestMarks(person: string) {
    const rows = await this.db.all<Row>(`SELECT statement_id, through FROM digest_marks WHERE person = ?`, [person])
    return new Map(rows.map((r) => [r.statement_id as string, Number(r.through)]))
  }
  async setDigestMarks(marks: readonly DigestMark[]) {
    const sql = (n: number) => `INSERT INTO digest_marks (person, statement_id, through) VALUES ${values(n, 3)} ON CONFLICT (person, statement_id)
      DO UPDATE SET through = ${this.f.greatest}(digest_marks.through, excluded.through)`
    await this.db.tx((tx) => this.upsertMany(tx, marks, furthest, sql, (m) => [m.person, m.statementId, m.through]))
  }
  private firstSeenCalls = 0
  async firstSeen(key: string, now: number, ttlMs: number) {
    // Forget expired keys now and then: the table holds about ttlMs of requests.
    if (this.firstSeenCalls++ % 100 === 0) await this.db.run(`DELETE FROM seen_keys WHERE seen_at <= ?`, [now - ttlMs])
    const r = await this.db.run(`INSERT INTO seen_keys (key, seen_at) VALUES (?, ?) ON CONFLICT (key) DO UPDATE
      SET seen_at = excluded.seen_at WHERE seen_keys.seen_at <= ?`, [key, now, now - ttlMs])
    return r.changes > 0
  }
  async releaseLease(name: string, holder: string) {
    await this.db.run(`DELETE FROM leases WHERE name = ? AND holder = ?`, [name, holder])
  }
  async tryLease(name: string, holder: string, now: number, ttlMs: number) {
    const r = await this.db.run(`INSERT INTO leases (name, holder, until_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE
      SET holder = excluded.holder, until_at = excluded.until_at WHERE leases.holder = excluded.holder OR leases.until_at <= ?`,
      [name, holder, now + ttlMs, now])
    return r.changes > 0
  }

  // ---- alerts
  async bucketSums(q: { since: number; statementIds?: readonly string[] }): Promise<BucketSum[]> {
    const read = (rows: Row[]) => rows.map((r) => ({
      statementId: r.statement_id as string, bucket: Number(r.bucket), count: Number(r.n), hosts: Number(r.hosts),
      firstSeen: Number(r.fs), lastSeen: Number(r.ls),
    }))
    // last_seen >= since picks the rows through its index; a bucket's rows never end before it starts.
    const sql = (where: string) => `SELECT statement_id, bucket, SUM(count) AS n, COUNT(*) AS hosts, MIN(first_seen) AS fs, MAX(last_seen) AS ls
      FROM occurrences WHERE last_seen >= ? AND bucket >= ?${where} GROUP BY statement_id, bucket ORDER BY statement_id, bucket`
    if (!q.statementIds) return read(await this.db.all<Row>(sql(''), [q.since, q.since]))
    const out: BucketSum[] = []
    for (const c of chunks(q.statementIds, 500)) {
      out.push(...read(await this.db.all<Row>(sql(` AND statement_id IN (${c.map(() => '?').join(',')})`), [q.since, q.since, ...c])))
    }
    return out
  }
  async lastSeenBefore(statementIds: readonly string[], before: number) {
    const out = new Map<string, number>()
    for (const c of chunks(statementIds, 500)) {
      // A bucket that straddles `before` was seen before it at least at its first_seen.
      const rows = await this.db.all<Row>(`SELECT statement_id, MAX(CASE WHEN last_seen < ? THEN last_seen ELSE first_seen END) AS t
        FROM occurrences WHERE statement_id IN (${c.map(() => '?').join(',')}) AND first_seen < ? GROUP BY statement_id`, [before, ...c, before])
      for (const r of rows) out.set(r.statement_id as string, Number(r.t))
    }
    return out
  }
  async alertStates(kind: string, q: { keys?: readonly string[]; prefix?: string } = {}): Promise<AlertStateRow[]> {
    const read = (r: Row): AlertStateRow => ({ kind: r.kind, key: r.key, state: P(r.state, null), updatedAt: Number(r.updated_at) })
    if (q.keys) {
      const out: AlertStateRow[] = []
      for (const c of chunks(q.keys, 500)) {
        out.push(...(await this.db.all<Row>(`SELECT * FROM alert_state WHERE kind = ? AND key IN (${c.map(() => '?').join(',')}) ORDER BY key`, [kind, ...c])).map(read))
      }
      return out
    }
    // A prefix compared as a substring, not LIKE (keys may hold '%' or '_') nor a range (collations differ).
    const rows = q.prefix
      ? await this.db.all<Row>(`SELECT * FROM alert_state WHERE kind = ? AND substr(key, 1, ?) = ? ORDER BY key`, [kind, q.prefix.length, q.prefix])
      : await this.db.all<Row>(`SELECT * FROM alert_state WHERE kind = ? ORDER BY key`, [kind])
    return rows.map(read)
  }
  async putAlertStates(rows: readonly AlertStateRow[], o: { ifAbsent?: boolean } = {}) {
    const written: string[] = []
    await this.db.tx(async (tx) => {
      for (const r of rows) {
        const done = await tx.run(`INSERT INTO alert_state (kind, key, state, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (kind, key)
          ${o.ifAbsent ? 'DO NOTHING' : 'DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at'}`, [r.kind, r.key, J(r.state), r.updatedAt])
        if (done.changes > 0) written.push(r.key)
      }
    })
    return written
  }
  async deleteAlertStates(kind: string, keys: readonly string[]) {
    for (const c of chunks(keys, 500)) await this.db.run(`DELETE FROM alert_state WHERE kind = ? AND key IN (${c.map(() => '?').join(',')})`, [kind, ...c])
  }

  async prune(rawBefore: number, keepBefore: number) {
    return this.db.tx(async (tx) => {
      // What leaves the occurrences leaves the totals: its lines taken off, statements with none left gone, and first
      // seen moved to the oldest row left (the lowest bucket of each host, a key seek each). The level keeps the most
      // severe one counted.
      const gone = await tx.all<Row>(`SELECT statement_id, SUM(count) AS n FROM occurrences ${this.f.byLastSeen} WHERE last_seen < ? GROUP BY statement_id`, [keepBefore])
      const deleted = (await tx.run(`DELETE FROM occurrences WHERE last_seen < ?`, [keepBefore])).changes
        + (await tx.run(`DELETE FROM unowned WHERE last_seen < ?`, [keepBefore])).changes
      for (const c of chunks(gone)) {
        await tx.run(`UPDATE statement_totals SET count = statement_totals.count - g.column2 FROM (VALUES ${c.map(() => `(?, ${this.f.bigintParam})`).join(',')}) AS g
          WHERE statement_totals.statement_id = g.column1`, c.flatMap((r) => [r.statement_id, Number(r.n)]))
        await tx.run(`${hostsOf(c.length)}, f AS (SELECT sid, MIN((SELECT o.first_seen FROM occurrences o WHERE o.statement_id = h.sid AND o.host = h.host
          ORDER BY o.bucket LIMIT 1)) AS fs FROM h WHERE h.host IS NOT NULL GROUP BY sid)
          UPDATE statement_totals SET first_seen = f.fs FROM f WHERE statement_totals.statement_id = f.sid`, c.map((r) => r.statement_id))
      }
      if (gone.length) await tx.run(`DELETE FROM statement_totals WHERE count <= 0`)
      await tx.run(`DELETE FROM ties WHERE last_seen < ?`, [keepBefore])
      await tx.run(`DELETE FROM realtime_counts WHERE window_start < ?`, [rawBefore])
      await tx.run(`DELETE FROM realtime_windows WHERE window_start < ?`, [rawBefore])
      // Placeholder values are kept as long as the raw buckets (they are not rolled up).
      await tx.run(`DELETE FROM statement_values WHERE bucket < ?`, [rawBefore])
      // So are the hourly sums (the page reads the last 24 h of them).
      await tx.run(`DELETE FROM statement_hours WHERE hour < ?`, [rawBefore])
      // Roll sub-day buckets older than rawBefore into one bucket per statement × host × UTC day.
      const old = await tx.all<Row>(`SELECT statement_id, host, bucket, count, first_seen, last_seen, level, samples FROM occurrences
        WHERE last_seen < ? AND bucket % ${DAY} <> 0`, [rawBefore])
      if (!old.length) return { rolledUp: 0, deleted }
      const day = new Map<string, Row>()
      for (const r of old) {
        const b = Math.floor(Number(r.bucket) / DAY) * DAY
        const k = `${r.statement_id}\u0000${r.host}\u0000${b}`
        const d = day.get(k)
        if (!d) day.set(k, { ...r, bucket: b, count: Number(r.count) })
        else {
          d.count += Number(r.count)
          d.first_seen = Math.min(Number(d.first_seen), Number(r.first_seen))
          d.last_seen = Math.max(Number(d.last_seen), Number(r.last_seen))
        }
      }
      await tx.run(`DELETE FROM occurrences WHERE last_seen < ? AND bucket % ${DAY} <> 0`, [rawBefore])
      const { least, greatest } = this.f
      for (const c of chunks([...day.values()])) {
        await tx.run(`INSERT INTO occurrences (statement_id, host, bucket, count, first_seen, last_seen, level, samples) VALUES ${values(c.length, 8)}
          ON CONFLICT (statement_id, host, bucket) DO UPDATE SET count = occurrences.count + excluded.count,
          first_seen = ${least}(occurrences.first_seen, excluded.first_seen), last_seen = ${greatest}(occurrences.last_seen, excluded.last_seen)`,
          c.flatMap((r) => [r.statement_id, r.host, r.bucket, r.count, Number(r.first_seen), Number(r.last_seen), r.level ?? null, r.samples]))
      }
      return { rolledUp: old.length, deleted }
    })
  }
}
