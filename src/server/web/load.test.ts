import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { defaultConfig } from '../../config/load.js'
import { statement } from '../../deliver/testutil/fixtures.js'
import type { Store } from '../../store/store.js'
import { tempSqliteStore } from '../../store/testutil/stores.js'
import { loadPageData, renderPage } from './page.js'

const HOUR = 3_600_000
const NOW = Date.parse('2026-11-23T12:30:00Z')

describe('the web page of a catalog larger than it lists', () => {
  let store: Store
  const read = { totals: [] as string[][], values: [] as string[][] }
  beforeEach(async () => {
    store = (await tempSqliteStore()).store
    // 700 statements, each counted a different number of times in the last 24 h, with a value each; the page lists 500.
    const all = Array.from({ length: 700 }, (_, i) => statement({ id: `s${String(i).padStart(3, '0')}`, file: 'src/many.c', line: i + 1, template: `many ${i} peer %s` }))
    await store.replaceFiles([{ file: 'src/many.c', hash: 'm' }], all, [])
    const bucket = Math.floor((NOW - HOUR) / 300_000) * 300_000
    await store.applyCounts({
      occurrences: all.flatMap((s, i) => [
        { statementId: s.id, host: 'web-1', bucket, count: i + 1, firstSeen: NOW - HOUR, lastSeen: NOW - HOUR + 1, level: 'warn' as const, samples: [] },
        // An older day: in the all-time totals (last seen, hosts) but not the 24 h count that ranks the rows.
        { statementId: s.id, host: 'old-2', bucket: bucket - 72 * HOUR, count: 1, firstSeen: NOW - 73 * HOUR, lastSeen: NOW - 73 * HOUR, level: 'warn' as const, samples: [] },
      ]),
      unowned: [], checkpoints: [],
      values: all.map((s, i) => ({ statementId: s.id, bucket, lists: [{ v: [`10.0.0.${i % 250}`], c: [i + 1], e: [0], o: 0 }] })),
    })
    const totals = store.totals.bind(store)
    const values = store.statementValues.bind(store)
    read.totals = []
    read.values = []
    store.totals = async (q) => (read.totals.push([...(q?.statementIds ?? ['(all)'])]), totals(q))
    store.statementValues = async (q) => (read.values.push(q.statements.map((s) => s.statementId)), values(q))
  })
  afterEach(async () => {
    await store.close()
  })

  it('lists the 500 busiest with their totals and values, reading those for the listed rows only', async () => {
    const config = defaultConfig()
    const d = await loadPageData(store, NOW, '', config)
    const html = renderPage(d, config)
    const listed = [...html.matchAll(/<tr class="stmt"[^>]* data-id="([^"]+)"/g)].map((m) => m[1]!)
    expect(listed).toHaveLength(500)
    expect(listed[0]).toBe('s699')
    expect(listed.at(-1)).toBe('s200')
    // Every listed row has its all-time total (its 24 h count + the older day's one) and its value; none other was read.
    expect(read.totals.flat().sort()).toEqual([...listed].sort())
    expect(read.values.flat().sort()).toEqual([...listed].sort())
    const row = (id: string) => new RegExp(`data-id="${id}"[\\s\\S]*?</tr>`).exec(html)![0]
    expect(row('s699')).toContain('701 total · 2 hosts')
    expect(row('s699')).toContain('<code>10.0.0.199</code> ×700')
    expect(row('s200')).toContain('202 total · 2 hosts')
    expect(html).not.toContain('data-id="s199"')
    // Each listed row's hours (its sparkline), kept for the listed rows only; the rest are ranked on their 24 h sums.
    expect(row('s699')).toContain('<title>700 in the last 24 h (hourly)</title>')
    expect(row('s200')).toContain('<title>201 in the last 24 h (hourly)</title>')
    expect([...d.hourly.keys()].sort()).toEqual([...listed].sort())
    expect(d.hourly.get('s699')!.reduce((a, b) => a + b, 0)).toBe(700)
    // The header still counts every statement and every occurrence of the last 24 h.
    expect(html).toContain(`700 log statements · ${(700 * 701) / 2} occurrences in the last 24 h`)
  })

  it('tells a listed row its message is logged in several places, counting the copies it does not list', async () => {
    // A second copy of the busiest row's message, never counted: ranked last, not listed.
    await store.replaceFiles([{ file: 'src/copy.c', hash: 'c' }], [statement({ id: 'copy', file: 'src/copy.c', line: 1, template: 'many 699 peer %s' })], [])
    const config = defaultConfig()
    const html = renderPage(await loadPageData(store, NOW, '', config), config)
    expect(html).not.toContain('data-id="copy"')
    const row = (id: string) => new RegExp(`data-id="${id}"[\\s\\S]*?</tr>`).exec(html)![0]
    expect(row('s699')).toContain('same message in 2 places')
    expect(row('s698')).not.toContain('same message in')
  })

  it('a search ranks and reads what it finds, even past the first 500 of the whole catalog', async () => {
    const config = defaultConfig()
    const html = renderPage(await loadPageData(store, NOW, 'many 7 peer', config), config)
    const listed = [...html.matchAll(/<tr class="stmt"[^>]* data-id="([^"]+)"/g)].map((m) => m[1]!)
    expect(listed).toEqual(['s007'])
    expect(read.totals.flat()).toEqual(['s007'])
    expect(html).toContain('9 total · 2 hosts')
  })
})
