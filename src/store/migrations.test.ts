import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { sqlFns, type Db } from './db.js'
import { migrate, migrations } from './migrations.js'
import { openPostgresDb } from './postgres/db.js'
import { SqliteDb } from './sqlite/db.js'
import { SqlStore } from './sql-store.js'
import { freshSchema, TEST_PG_URL } from './testutil/stores.js'
import { tempDir } from '../testutil/tmp.js'

const H = 3_600_000

const KINDS: Array<{ name: string; open: () => Promise<Db> }> = [
  { name: 'SQLite', open: async () => new SqliteDb(join(tempDir('migrate'), 'dice.db')) },
  {
    name: 'PostgreSQL',
    open: async () => {
      const schema = freshSchema()
      const db = openPostgresDb(TEST_PG_URL, schema)
      await db.exec(`CREATE SCHEMA ${schema}`)
      return db
    },
  },
]

describe.each(KINDS)('upgrading a $name store', ({ open }) => {
  it('fills the hourly sums and the per-host totals from the occurrences an older Dice counted, so the page and the API rank them at once', async () => {
    const db = await open()
    // The store as the release before the hourly sums and per-host totals left it, with a day of counts.
    await migrate(db, migrations.findIndex((m) => m(sqlFns(db.dialect)).includes('CREATE TABLE statement_hours')))
    const t0 = 1000 * H
    const rows: Array<[string, string, number, number, number, number, string | null]> = [
      ['a', 'h1', t0, 2, t0 + 10, t0 + 20, 'warn'],
      ['a', 'h2', t0 + 300_000, 3, t0 + 300_001, t0 + 400_000, 'error'],
      ['a', 'h1', t0 + H - 300_000, 4, t0 + H + 5, t0 + H + 9, 'warn'], // bucket in hour 0, first seen in hour 1
      ['b', 'h1', t0 + 5 * H, 7, t0 + 5 * H, t0 + 5 * H, null],
    ]
    for (const r of rows) {
      await db.run(`INSERT INTO occurrences (statement_id, host, bucket, count, first_seen, last_seen, level, samples) VALUES (?, ?, ?, ?, ?, ?, ?, '[]')`, r)
    }
    const store = await SqlStore.open(db)
    expect(await store.hourlyCounts({ start: t0, hours: 24 })).toEqual([
      { statementId: 'a', hour: t0, count: 5 }, { statementId: 'a', hour: t0 + H, count: 4 }, { statementId: 'b', hour: t0 + 5 * H, count: 7 },
    ])
    expect(await store.totals()).toEqual([
      { statementId: 'a', count: 9, hosts: ['h1', 'h2'], firstSeen: t0 + 10, lastSeen: t0 + H + 9, level: 'error' },
      { statementId: 'b', count: 7, hosts: ['h1'], firstSeen: t0 + 5 * H, lastSeen: t0 + 5 * H, level: null },
    ])
    // And go on adding to them.
    await store.applyCounts({ occurrences: [{ statementId: 'b', host: 'h1', bucket: t0 + 5 * H, count: 1, firstSeen: t0 + 5 * H + 1, lastSeen: t0 + 5 * H + 1, level: 'warn', samples: [] }], unowned: [], checkpoints: [] })
    expect(await store.windowCounts({ start: t0, hours: 24 })).toEqual(new Map([['a', 9], ['b', 8]]))
    expect(await store.counts()).toEqual(new Map([['a', 9], ['b', 8]]))
    await store.close()
  })

  it("fills each statement's newest bucket from the occurrences, so the first digest check after the upgrade skips what its marks have", async () => {
    const db = await open()
    // The store as the release before the newest buckets left it: its totals kept, the occurrences they sum.
    await migrate(db, migrations.findIndex((m) => m(sqlFns(db.dialect)).includes('ADD COLUMN last_bucket')))
    const t0 = 1000 * H
    for (const r of [['a', 'h1', t0], ['a', 'h2', t0 + 2 * H], ['a', 'h1', t0 + H], ['b', 'h1', t0 + 5 * H]] as const) {
      await db.run(`INSERT INTO occurrences (statement_id, host, bucket, count, first_seen, last_seen, level, samples) VALUES (?, ?, ?, 1, ?, ?, 'warn', '[]')`, [r[0], r[1], r[2], r[2], r[2] + 10])
    }
    await db.run(`INSERT INTO statement_totals (statement_id, count, first_seen, last_seen, level_rank) VALUES ('a', 3, ?, ?, 4), ('b', 1, ?, ?, 4), ('c', 1, ?, ?, 4)`,
      [t0, t0 + 2 * H + 10, t0 + 5 * H, t0 + 5 * H + 10, t0, t0])
    const store = await SqlStore.open(db)
    // c: a totals row without occurrences (not known: read), until it is counted again.
    expect(await store.countedStatements()).toEqual([{ statementId: 'a', lastBucket: t0 + 2 * H }, { statementId: 'b', lastBucket: t0 + 5 * H }, { statementId: 'c', lastBucket: null }])
    await store.applyCounts({ occurrences: [{ statementId: 'c', host: 'h1', bucket: t0 + H, count: 1, firstSeen: t0 + H, lastSeen: t0 + H, level: 'warn', samples: [] }], unowned: [], checkpoints: [] })
    expect((await store.countedStatements()).at(-1)).toEqual({ statementId: 'c', lastBucket: t0 + H })
    await store.close()
  })
})
