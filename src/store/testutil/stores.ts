import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { openStore } from '../registry.js'
import type { Store } from '../store.js'
import { tempDir } from '../../testutil/tmp.js'

/** PostgreSQL used by tests: the machine's local server, database `test`, trust auth. */
export const TEST_PG_URL = process.env.DICE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

/** A fresh SQLite file in a temporary directory. */
export async function tempSqliteStore(): Promise<{ store: Store; file: string }> {
  const file = join(tempDir('store'), 'dice.db')
  return { store: await openStore({ dbFile: file }), file }
}

/** A fresh PostgreSQL schema, so parallel test files never see each other's rows. */
export function freshSchema(): string {
  return `t_${randomBytes(6).toString('hex')}`
}

export async function tempPostgresStore(schema = freshSchema()): Promise<{ store: Store; url: string; schema: string }> {
  const url = `${TEST_PG_URL}?schema=${schema}`
  return { store: await openStore({ databaseUrl: url }), url, schema }
}

/** Both real stores, for suites that must pass on each. */
export const STORE_KINDS = [
  { name: 'sqlite', open: async () => (await tempSqliteStore()).store },
  { name: 'postgres', open: async () => (await tempPostgresStore()).store },
] as const
