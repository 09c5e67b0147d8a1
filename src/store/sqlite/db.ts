import Database from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Db, Param } from '../db.js'

/** A minimal FIFO mutex: SQLite has one connection, so one transaction at a time. */
class Mutex {
  private tail: Promise<void> = Promise.resolve()
  lock(): Promise<() => void> {
    let release!: () => void
    const next = new Promise<void>((r) => (release = r))
    const prev = this.tail
    this.tail = prev.then(() => next)
    return prev.then(() => release)
  }
}

type WellFormed = { isWellFormed(): boolean; toWellFormed(): string }
/**
 * A lone UTF-16 half (log text from a JSON body can carry one) as U+FFFD, as PostgreSQL's driver writes it: bound as
 * it is, SQLite stored its three bytes, read back as three U+FFFD. (A one-byte string is well-formed at no cost.)
 */
const wellFormed = (s: string): string => ((s as unknown as WellFormed).isWellFormed() ? s : (s as unknown as WellFormed).toWellFormed())
// better-sqlite3 binds Buffers as BLOBs, not other typed arrays.
const norm = (p: Param[] = []) => p.map((v) => (typeof v === 'string' ? wellFormed(v) : typeof v === 'boolean' ? (v ? 1 : 0) : v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v))

/** SQLite through better-sqlite3: one file, WAL, statements cached. */
export class SqliteDb implements Db {
  readonly dialect = 'sqlite' as const
  private db: Database.Database
  private cache = new Map<string, Database.Statement>()
  private mutex = new Mutex()

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true })
    this.db = new Database(file)
    this.db.pragma('journal_mode = WAL')
    this.db.pragma('synchronous = NORMAL')
    this.db.pragma('busy_timeout = 5000')
    this.db.pragma('foreign_keys = ON')
  }

  defineFunction(name: string, fn: (a: string | null, b: string | null) => string): void {
    this.db.function(name, { deterministic: true, varargs: false }, fn)
  }

  /** The prepared statement of `sql`; with `raw`, a second one returning rows as arrays (a statement's mode is its own). */
  private stmt(sql: string, raw = false): Database.Statement {
    const key = raw ? `raw\u0000${sql}` : sql
    let s = this.cache.get(key)
    if (!s) {
      s = raw ? this.db.prepare(sql).raw(true) : this.db.prepare(sql)
      if (this.cache.size > 500) this.cache.clear()
      this.cache.set(key, s)
    }
    return s
  }

  private direct(): Db {
    const self = this
    const d: Db = {
      dialect: 'sqlite',
      async all<T>(sql: string, params?: Param[]) {
        return self.stmt(sql).all(...norm(params)) as T[]
      },
      async allRows<T>(sql: string, params: Param[], f: (row: any[]) => T) {
        const out: T[] = []
        for (const row of self.stmt(sql, true).iterate(...norm(params))) out.push(f(row as any[]))
        return out
      },
      async get<T>(sql: string, params?: Param[]) {
        return self.stmt(sql).get(...norm(params)) as T | undefined
      },
      async run(sql: string, params?: Param[]) {
        return { changes: self.stmt(sql).run(...norm(params)).changes }
      },
      async runEach<T>(sql: string, xs: readonly T[], params: (x: T) => Param[]) {
        const s = self.stmt(sql)
        for (let i = 0; i < xs.length; i++) s.run(...norm(params(xs[i]!)))
      },
      async exec(sql: string) {
        self.db.exec(sql)
      },
      tx: (fn) => fn(d),
      close: async () => {},
    }
    return d
  }

  // Outside a transaction, wait for any open one so our statements never land inside it.
  private async locked<T>(f: (d: Db) => Promise<T>): Promise<T> {
    const release = await this.mutex.lock()
    try {
      return await f(this.direct())
    } finally {
      release()
    }
  }

  all<T>(sql: string, params?: Param[]) {
    return this.locked((d) => d.all<T>(sql, params))
  }
  allRows<T>(sql: string, params: Param[], f: (row: any[]) => T) {
    return this.locked((d) => d.allRows!(sql, params, f))
  }
  get<T>(sql: string, params?: Param[]) {
    return this.locked((d) => d.get<T>(sql, params))
  }
  run(sql: string, params?: Param[]) {
    return this.locked((d) => d.run(sql, params))
  }
  exec(sql: string) {
    return this.locked((d) => d.exec(sql))
  }
  async tx<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    return this.locked(async (d) => {
      this.db.exec('BEGIN IMMEDIATE')
      try {
        const out = await fn(d)
        this.db.exec('COMMIT')
        return out
      } catch (e) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK')
        throw e
      }
    })
  }
  async close() {
    const release = await this.mutex.lock()
    try {
      this.db.close()
    } finally {
      release()
    }
  }
}
