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
    expect(await store.countedStatements({ until: 5000 })).toEqual(['s1', 's2'])
    await store.close()
  })
})
