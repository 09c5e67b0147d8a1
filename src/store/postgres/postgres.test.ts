import { describe, expect, it } from 'vitest'
import type { Db, Param } from '../db.js'
import { runStoreContract } from '../store.contract.js'
import { openStore } from '../registry.js'
import { tempPostgresStore } from '../testutil/stores.js'

runStoreContract('PostgreSQL', async () => (await tempPostgresStore()).store)

describe('PostgreSQL blobs', () => {
  it('reads a large blob a part at a time (bytea comes as hex text: whole, a 19 MB matcher plan was ~100 MB at once), the same bytes', async () => {
    const { store } = await tempPostgresStore()
    const bytes = Buffer.alloc(9 * 1024 * 1024 + 17)
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24
    await store.setBlob('plan', 'id-1', bytes)
    // Every answer PostgreSQL gives while the blob is read, and the largest bytes in one.
    const db = (store as unknown as { db: Db }).db
    let largest = 0
    let answers = 0
    const tx = db.tx.bind(db)
    const watch = (d: Db): Db => ({
      ...d,
      get: async <T>(sql: string, params?: Param[]) => {
        const r = await d.get<T>(sql, params)
        answers++
        for (const v of Object.values((r ?? {}) as Record<string, unknown>)) if (Buffer.isBuffer(v)) largest = Math.max(largest, v.length)
        return r
      },
    })
    db.tx = (fn) => tx((d) => fn(watch(d)))
    const get = db.get.bind(db)
    db.get = watch({ ...db, get }).get
    const b = await store.getBlob('plan')
    expect(b!.tag).toBe('id-1')
    expect(Buffer.from(b!.bytes).equals(bytes)).toBe(true)
    expect(answers).toBeGreaterThan(2)
    expect(largest).toBeLessThanOrEqual(4 * 1024 * 1024)
    expect(await store.getBlob('none')).toBeNull()
    await store.close()
  })
})

describe('PostgreSQL count writes', () => {
  it('two instances writing the same keys, each in its own order, at once: no deadlock, every count added', async () => {
    const { store: a, url } = await tempPostgresStore()
    const b = await openStore({ databaseUrl: url })
    const occ = Array.from({ length: 600 }, (_, i) => ({ statementId: `s${i}`, host: `h${i % 2}`, bucket: 0, count: 1, firstSeen: 1, lastSeen: 2, level: 'warn' as const, samples: ['x'], tied: [`t${i % 3}`] }))
    const shapes = Array.from({ length: 300 }, (_, i) => ({ shapeHash: `u${i}`, shape: 'disk <NUM> full', host: 'h', bucket: 0, count: 1, firstSeen: 1, lastSeen: 2, level: 'warn' as const, samples: ['x'] }))
    // Each instance's flush lists its keys in the order it first saw them: here, opposite orders.
    for (let round = 0; round < 3; round++) {
      await Promise.all([
        a.applyCounts({ occurrences: occ, unowned: shapes, checkpoints: [] }),
        b.applyCounts({ occurrences: [...occ].reverse(), unowned: [...shapes].reverse(), checkpoints: [] }),
      ])
    }
    // Per-source counters and checkpoints alone (no occurrence row to queue the two on first).
    const sources = Array.from({ length: 200 }, (_, i) => `src${i}`)
    const counters = sources.flatMap((source) => [{ source, name: 'lines', value: 1 }, { source, name: 'matched', value: 1 }])
    const checkpoints = sources.map((source) => ({ source, identity: 'i', offset: 1, lines: 1 }))
    for (let round = 0; round < 3; round++) {
      await Promise.all([
        a.applyCounts({ occurrences: [], unowned: [], checkpoints, counters }),
        b.applyCounts({ occurrences: [], unowned: [], checkpoints: [...checkpoints].reverse(), counters: [...counters].reverse() }),
      ])
    }
    expect((await a.counters()).reduce((x, k) => x + k.value, 0)).toBe(6 * 400)
    expect([...(await a.counts()).values()].reduce((x, y) => x + y, 0)).toBe(6 * 600)
    expect((await a.listUnowned({ limit: 1000 })).reduce((x, u) => x + u.count, 0)).toBe(6 * 300)
    await a.close()
    await b.close()
  })
})
