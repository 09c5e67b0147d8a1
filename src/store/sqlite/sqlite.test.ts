import { describe, expect, it } from 'vitest'
import type { Db, Param } from '../db.js'
import { runStoreContract } from '../store.contract.js'
import { tempSqliteStore } from '../testutil/stores.js'

runStoreContract('SQLite', async () => (await tempSqliteStore()).store)

describe('SQLite reads of the counts', () => {
  it('ranks by the totals, not the occurrences (their hosts a key seek each), and the last day by a range of the hourly sums by their key', async () => {
    const store = (await tempSqliteStore()).store
    const occ = (statementId: string, lastSeen: number) => ({ statementId, host: 'h1', bucket: lastSeen, count: 1, firstSeen: lastSeen, lastSeen, level: 'warn' as const, samples: ['x'] })
    await store.applyCounts({ occurrences: [occ('s1', 1000), occ('s2', 2000)], unowned: [], checkpoints: [] })
    // What the store asks SQLite, and how SQLite says it will read it.
    const db = (store as unknown as { db: Db }).db
    const asked: Array<{ sql: string; params: Param[] }> = []
    const allRows = db.allRows!.bind(db)
    db.allRows = (sql, params, f) => (asked.push({ sql, params }), allRows(sql, params, f))
    const plan = async (run: () => Promise<unknown>, table: string): Promise<string> => {
      asked.length = 0
      await run()
      expect(asked.map((a) => a.sql).join('\n')).not.toMatch(/FROM occurrences(?! o WHERE o.statement_id)/)
      const { sql, params } = asked.find((a) => a.sql.includes(`FROM ${table}`))!
      return (await db.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, params)).map((r) => r.detail).join('; ')
    }
    for (const p of [await plan(() => store.counts({ until: 5000 }), 'statement_totals'), await plan(() => store.counts(), 'statement_totals'),
      await plan(() => store.countedStatements({ until: 5000 }), 'statement_totals'), await plan(() => store.totals(), 'statement_totals')]) {
      expect(p).toMatch(/SCAN statement_totals(;|$)/)
    }
    // A statement's hosts: a seek per host on the occurrences' primary key.
    expect(await plan(() => store.totals(), 'occurrences')).toMatch(/SEARCH o USING COVERING INDEX sqlite_autoindex_occurrences_1 \(statement_id=\? AND host>\?\)/)
    expect(await plan(() => store.windowCounts({ start: 0, hours: 24 }), 'statement_hours')).toMatch(/SEARCH statement_hours USING PRIMARY KEY \(hour>\? AND hour<\?\)/)
    // A listed statement's hours: a key seek each, not the day's rows.
    expect(await plan(() => store.hourlyCounts({ start: 0, hours: 24, statementIds: ['s1'] }), 'statement_hours')).toMatch(/SEARCH statement_hours USING PRIMARY KEY \(hour=\? AND statement_id=\?\)/)
    // Same answers.
    expect(await store.windowCounts({ start: 0, hours: 24 })).toEqual(new Map([['s1', 1], ['s2', 1]]))
    expect(await store.counts({ until: 1500 })).toEqual(new Map([['s1', 1]]))
    expect(await store.countedStatements({ until: 5000 })).toEqual([{ statementId: 's1', lastBucket: 1000 }, { statementId: 's2', lastBucket: 2000 }])
    await store.close()
  })
  it("reads many statements' occurrences a key seek per statement and one sort, not a window numbering every row", async () => {
    const store = (await tempSqliteStore()).store
    const occ = (statementId: string, host: string, bucket: number) => ({ statementId, host, bucket, count: 1, firstSeen: bucket, lastSeen: bucket, level: 'warn' as const, samples: [`${statementId}@${bucket}`] })
    await store.applyCounts({ occurrences: ['s1', 's2'].flatMap((id) => [occ(id, 'h1', 1000), occ(id, 'h2', 1000), occ(id, 'h1', 2000)]), unowned: [], checkpoints: [] })
    const db = (store as unknown as { db: Db }).db
    const asked: Array<{ sql: string; params: Param[] }> = []
    const allRows = db.allRows!.bind(db)
    db.allRows = (sql, params, f) => (asked.push({ sql, params }), allRows(sql, params, f))
    const got = await store.listOccurrencesOf({ statements: [{ statementId: 's1' }, { statementId: 's2', since: 1000 }], limitPerStatement: 2 })
    expect(asked).toHaveLength(1)
    const plan = (await db.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${asked[0]!.sql}`, asked[0]!.params)).map((r) => r.detail).join('; ')
    expect(plan).toMatch(/SEARCH o USING INDEX sqlite_autoindex_occurrences_1 \(statement_id=\?\)/)
    expect(plan.match(/TEMP B-TREE/g)).toHaveLength(1)
    expect(plan).not.toMatch(/CO-ROUTINE/)
    // The limit still holds per statement, newest first.
    expect([...got].map(([id, rows]) => [id, rows.map((r) => `${r.host}@${r.bucket}`)])).toEqual([['s1', ['h1@2000', 'h1@1000']], ['s2', ['h1@2000']]])
    await store.close()
  })
  it('retention finds the rows it deletes and rolls up by the last_seen index, not by walking every row', async () => {
    const store = (await tempSqliteStore()).store
    const D = 86_400_000
    const occ = (statementId: string, host: string, at: number) => ({ statementId, host, bucket: at, count: 1, firstSeen: at, lastSeen: at, level: 'warn' as const, samples: ['x'] })
    await store.applyCounts({ occurrences: [occ('old', 'h1', 10 * D + 5000), occ('old', 'h2', 40 * D + 5000), occ('new', 'h1', 100 * D + 5000)], unowned: [], checkpoints: [] })
    // Every statement SQLite is asked to prepare while retention runs, and how it says it would read occurrences.
    const db = (store as unknown as { db: Db }).db as unknown as { stmt: (sql: string, raw?: boolean) => unknown }
    const seen: string[] = []
    const stmt = db.stmt.bind(db)
    db.stmt = (sql, raw) => (seen.push(sql), stmt(sql, raw))
    await store.prune(50 * D, 20 * D)
    db.stmt = stmt
    const reads = seen.filter((sql) => /FROM occurrences\b(?! o WHERE o\.statement_id)/.test(sql) && !/^\s*(INSERT|UPDATE|WITH)/.test(sql))
    expect(reads.length).toBeGreaterThanOrEqual(3)
    for (const sql of reads) {
      const params = Array((sql.match(/\?/g) ?? []).length).fill(20 * D)
      const plan = (await (store as unknown as { db: Db }).db.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, params)).map((r) => r.detail).join('; ')
      expect(plan, sql).toMatch(/occurrences USING (COVERING )?INDEX occurrences_last_seen/)
    }
    // And the totals lost what it deleted.
    expect(await store.counts()).toEqual(new Map([['old', 1], ['new', 1]]))
    expect((await store.totals({ statementIds: ['old'] }))[0]).toMatchObject({ hosts: ['h2'], firstSeen: 40 * D + 5000 })
    await store.close()
  })
})
