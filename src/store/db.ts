/**
 * The small SQL seam both stores share. SQL is written once with `?` placeholders; each driver adapts it.
 * Everything is async because PostgreSQL is; the SQLite driver serialises transactions with a mutex.
 */
export type Dialect = 'sqlite' | 'postgres'
export type Param = string | number | null | boolean | Uint8Array

export interface Db {
  readonly dialect: Dialect
  all<T = Record<string, unknown>>(sql: string, params?: Param[]): Promise<T[]>
  get<T = Record<string, unknown>>(sql: string, params?: Param[]): Promise<T | undefined>
  run(sql: string, params?: Param[]): Promise<{ changes: number }>
  /**
   * Optional: run `sql` once per item of `xs` with `params(x)`, as a loop of run() would. SQLite does it in
   * one synchronous loop over its prepared statement (no promise per row: a flush writes ~10^5 rows).
   */
  runEach?<T>(sql: string, xs: readonly T[], params: (x: T) => Param[]): Promise<void>
  /**
   * Optional: all() with each row, as an array of its columns in the SELECT's order, turned into `f(row)` as it is
   * read: the driver's rows die young instead of living all at once next to the results (the catalog read at 100k
   * statements: ~60 MB of rows otherwise), and SQLite makes an array faster than an object of named fields.
   */
  allRows?<T>(sql: string, params: Param[], f: (row: any[]) => T): Promise<T[]>
  /**
   * Optional: make `fn` callable from SQL as `name(a, b)` (SQLite: the upsert merges a conflicting row's value in
   * the statement itself, where PostgreSQL reads it under a row lock first).
   */
  defineFunction?(name: string, fn: (a: string | null, b: string | null) => string): void
  /** Several statements, no parameters (DDL). */
  exec(sql: string): Promise<void>
  /** Run `fn` in one transaction; `fn` must use the Db it is given. */
  tx<T>(fn: (db: Db) => Promise<T>): Promise<T>
  close(): Promise<void>
}

/** Dialect differences the shared SQL needs. */
export function sqlFns(dialect: Dialect) {
  // `keyedOnly` ends a table of narrow rows read and written by their primary key: SQLite keeps it in that key's
  // b-tree alone instead of a rowid table plus the key's index (staging and moving 78k digest marks: ~750 → ~400 ms).
  // `byLastSeen` follows `FROM occurrences` where the rows last seen before a time are summed per statement: SQLite,
  // which keeps no statistics here, walks the primary key to group without sorting — every row of the table (retention
  // on a busy day's store: 8 s with `dice run`'s thread held) — for what the last_seen index finds at once.
  // PostgreSQL's planner has statistics: no hint. `bigintParam` is a 64-bit integer parameter in a VALUES list:
  // PostgreSQL types a list of bare parameters as text; SQLite's CAST would truncate a fraction.
  return dialect === 'sqlite'
    ? { least: 'min', greatest: 'max', autoId: 'INTEGER PRIMARY KEY AUTOINCREMENT', bigint: 'INTEGER', bytes: 'BLOB', keyedOnly: 'WITHOUT ROWID', byLastSeen: 'INDEXED BY occurrences_last_seen', bigintParam: '?' }
    : { least: 'LEAST', greatest: 'GREATEST', autoId: 'BIGSERIAL PRIMARY KEY', bigint: 'BIGINT', bytes: 'BYTEA', keyedOnly: '', byLastSeen: '', bigintParam: 'CAST(? AS BIGINT)' }
}
