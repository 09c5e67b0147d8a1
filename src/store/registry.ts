import { SqliteDb } from './sqlite/db.js'
import { SqlStore } from './sql-store.js'
import type { Store } from './store.js'
import { DiceError, ErrorCode } from '../core/errors.js'

export interface StoreOptions {
  /** SQLite file (the embedded default). */
  dbFile?: string
  /** `postgres://…`: PostgreSQL instead of SQLite. */
  databaseUrl?: string
  /** PostgreSQL schema to use (tests isolate themselves with it); from `?schema=` or `DICE_DATABASE_SCHEMA`. */
  schema?: string
}

export const DEFAULT_DB_FILE = '.dice/dice.db'

/** The one place a Store is chosen: PostgreSQL when a URL is given, else SQLite. */
export async function openStore(o: StoreOptions = {}): Promise<Store> {
  try {
    if (o.databaseUrl) {
      const u = new URL(o.databaseUrl)
      if (!/^postgres(ql)?:$/.test(u.protocol)) throw new DiceError(ErrorCode.Usage, `--database-url: expected postgres://…, got ${u.protocol}`, 2)
      const schema = o.schema ?? u.searchParams.get('schema') ?? process.env.DICE_DATABASE_SCHEMA ?? null
      u.searchParams.delete('schema')
      // pg is loaded only for PostgreSQL: the embedded default never pays for it.
      const { openPostgresDb } = await import('./postgres/db.js')
      const db = openPostgresDb(u.toString(), schema)
      if (schema) await db.exec(`CREATE SCHEMA IF NOT EXISTS ${schema}`).catch(async (e) => {
        // Two instances creating the schema at once: the loser sees a unique violation; the schema exists.
        if ((e as { code?: string }).code !== '23505') throw e
      })
      return await SqlStore.open(db)
    }
    return await SqlStore.open(new SqliteDb(o.dbFile ?? DEFAULT_DB_FILE))
  } catch (e) {
    if (e instanceof DiceError) throw e
    const where = o.databaseUrl ? 'PostgreSQL' : `SQLite file ${o.dbFile ?? DEFAULT_DB_FILE}`
    throw new DiceError(ErrorCode.Store, `cannot open the store (${where}): ${(e as Error).message}`, 1)
  }
}
