import { describe, expect, it } from 'vitest'
import type { Db, Param } from '../db.js'
import { runStoreContract } from '../store.contract.js'
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
