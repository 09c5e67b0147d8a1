import { describe, expect, it } from 'vitest'
import type { Db, Param } from '../db.js'
import { runStoreContract } from '../store.contract.js'
import { tempSqliteStore } from '../testutil/stores.js'

runStoreContract('SQLite', async () => (await tempSqliteStore()).store)

describe('SQLite reads of the occurrences', () => {
  it('sums every occurrence by a plain scan of the table, and the last day by the hour index of the hourly sums (a range of it, not every row)', async () => {
    const store = (await tempSqliteStore()).store
    const occ = (statementId: string, lastSeen: number) => ({ statementId, host: 'h1', bucket: lastSeen, count: 1, firstSeen: lastSeen, lastSeen, level: 'warn' as const, samples: ['x'] })
    await store.applyCounts({ occurrences: [occ('s1', 1000), occ('s2', 2000)], unowned: [], checkpoints: [] })
    // What the store asks SQLite, and how SQLite says it will read it.
    const db = (store as unknown as { db: Db }).db
    const asked: Array<{ sql: string; params: Param[] }> = []
    const allRows = db.allRows!.bind(db)
    db.allRows = (sql, params, f) => (asked.push({ sql, params }), allRows(sql, params, f))
    const plan = async (run: () => Promise<unknown>, table = 'occurrences'): Promise<string> => {
      asked.length = 0
      await run()
      const { sql, params } = asked.find((a) => a.sql.includes(`FROM ${table}`))!
      return (await db.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, params)).map((r) => r.detail).join('; ')
    }
    for (const p of [await plan(() => store.counts({ since: 1500, until: 5000 })), await plan(() => store.counts()), await plan(() => store.countedStatements({ until: 5000 }))]) {
      expect(p).toMatch(/SCAN occurrences(;|$)/)
      expect(p).not.toMatch(/INDEX/)
    }
    expect(await plan(() => store.windowCounts({ start: 0, hours: 24 }), 'statement_hours')).toMatch(/SEARCH statement_hours USING COVERING INDEX statement_hours_hour \(hour>\? AND hour<\?\)/)
    expect(await store.windowCounts({ start: 0, hours: 24 })).toEqual(new Map([['s1', 1], ['s2', 1]]))
    // Same answers.
    expect(await store.counts({ since: 1500 })).toEqual({ all: new Map([['s1', 1], ['s2', 1]]), recent: new Map([['s2', 1]]) })
    expect(await store.countedStatements({ until: 5000 })).toEqual(['s1', 's2'])
    await store.close()
  })
})
