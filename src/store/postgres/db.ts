import pg from 'pg'
import type { Db, Param } from '../db.js'

// BIGINT (int8) and NUMERIC come back as strings by default; our values fit in a double.
const types = {
  getTypeParser(oid: number, format?: string) {
    if (oid === 20 || oid === 1700) return (v: string) => (v === null ? null : Number(v))
    return pg.types.getTypeParser(oid, format as 'text')
  },
}

/** `?` → `$n`. Our SQL never contains a literal question mark. */
function placeholders(sql: string): string {
  let i = 0
  return sql.replace(/\?/g, () => `$${++i}`)
}

type Queryable = pg.Pool | pg.PoolClient

function makeDb(q: Queryable, pool: pg.Pool, schema: string | null): Db {
  const d: Db = {
    dialect: 'postgres',
    async all<T>(sql: string, params: Param[] = []) {
      return (await q.query(placeholders(sql), params)).rows as T[]
    },
    async get<T>(sql: string, params: Param[] = []) {
      return (await q.query(placeholders(sql), params)).rows[0] as T | undefined
    },
    async run(sql: string, params: Param[] = []) {
      return { changes: (await q.query(placeholders(sql), params)).rowCount ?? 0 }
    },
    async exec(sql: string) {
      await q.query(sql)
    },
    async tx<T>(fn: (db: Db) => Promise<T>): Promise<T> {
      if (q !== pool) return fn(d)
      const client = await pool.connect()
      try {
        await client.query('BEGIN')
        const out = await fn(makeDb(client, pool, schema))
        await client.query('COMMIT')
        return out
      } catch (e) {
        await client.query('ROLLBACK').catch(() => {})
        throw e
      } finally {
        client.release()
      }
    },
    async close() {
      await pool.end()
    },
  }
  return d
}

/**
 * PostgreSQL through `pg`. `schema` (optional) isolates one Dice deployment, or one test, inside a
 * shared database: every connection sets its `search_path` to it.
 */
export function openPostgresDb(url: string, schema: string | null = null): Db {
  if (schema && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name ${schema}`)
  // search_path is a connection option, so every pooled connection gets it before its first query.
  const options = schema ? `-c search_path=${schema}` : undefined
  const pool = new pg.Pool({ connectionString: url, max: 8, types, options })
  pool.on('error', () => {
    // Idle client errors (server restart) must not crash the process; the next query reconnects.
  })
  return makeDb(pool, pool, schema)
}
