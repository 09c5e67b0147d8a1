import { describe, expect, it } from 'vitest'
import { defaultConfig } from '../config/load.js'
import type { Statement } from '../core/types.js'
import { parserFor, Pipeline } from '../ingest/pipeline.js'
import { tempSqliteStore } from '../store/testutil/stores.js'
import { applyRetention } from './retention.js'

const DAY = 86_400_000
const stmt = (id: string, template: string): Statement => ({
  id, file: `src/${id}.c`, line: 1, endLine: 1, language: 'c', level: 'error', template, matchable: true, channels: [], mentions: [],
  blame: null, callee: 'ERROR_LOG',
})

describe('retention', () => {
  it('keeps the SQLite row count bounded over a month of replayed occurrences, without losing counts', async () => {
    const { store } = await tempSqliteStore()
    const config = defaultConfig()
    config.retention = { rawDays: 3, keepDays: 20 }
    const statements = [stmt('a', 'disk %d full'), stmt('b', 'peer %s gone'), stmt('c', 'retry %d failed')]
    await store.replaceFiles(statements.map((s) => ({ file: s.file, hash: 'h' })), statements, [])
    const start = Date.UTC(2026, 0, 1)
    let now = start
    const pipeline = new Pipeline({ store, config, clock: () => now, statements })
    const parser = parserFor('json', config)
    const hosts = ['h1', 'h2']
    let lines = 0
    let maxRows = 0
    const rows = async () => (await store.listOccurrences({ limit: 1_000_000 })).length
    // 30 days, one line per statement × host every 5 minutes (one bucket each): 51,840 lines.
    for (let day = 0; day < 30; day++) {
      for (let m = 0; m < 24 * 60; m += 5) {
        const t = start + day * DAY + m * 60_000
        for (const h of hosts) {
          for (const [i, msg] of ['disk 3 full', 'peer x gone', 'retry 2 failed'].entries()) {
            pipeline.push('replay', { text: JSON.stringify({ time: new Date(t + i).toISOString(), level: 'error', host: h, msg }) }, parser)
            lines++
          }
        }
      }
      pipeline.endSource('replay')
      await pipeline.flush({ final: true })
      now = start + (day + 1) * DAY
      expect(await applyRetention({ store, config, now, holder: 'test' })).not.toBeNull()
      maxRows = Math.max(maxRows, await rows())
    }
    const perKeyRaw = 3 * 288 // rawDays of 5-minute buckets
    const keys = statements.length * hosts.length
    const bound = keys * (perKeyRaw + 20 + 1)
    expect(maxRows).toBeLessThanOrEqual(bound)
    expect(maxRows).toBeLessThan(lines / 9)
    // Everything newer than keepDays is still counted, rolled up or raw.
    const total = (await store.totals()).reduce((a, t) => a + t.count, 0)
    expect(total).toBe(20 * 288 * keys)
    // Without retention the same month would be one row per line.
    expect(lines).toBe(30 * 288 * keys)
    await store.close()
  })

  it('prunes on one instance at a time (lease)', async () => {
    const { store } = await tempSqliteStore()
    const config = defaultConfig()
    expect(await applyRetention({ store, config, now: 1e12, holder: 'A' })).toEqual({ rolledUp: 0, deleted: 0 })
    expect(await applyRetention({ store, config, now: 1e12 + 1000, holder: 'B' })).toBeNull()
    await store.close()
  })
})
