/**
 * The counting side of lines that differ from their template (issue 16): the other lines of a message of
 * several lines are part of it (counted once, not as unowned lines), and a line that may come from several
 * statements (nothing in it says which) is counted once, on the first, with the others kept beside it (Store
 * ties) so each owner's digest has it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { defaultConfig } from '../config/load.js'
import type { Hit, Statement } from '../core/types.js'
import { tempSqliteStore } from '../store/testutil/stores.js'
import type { Store } from '../store/store.js'
import { parserFor, Pipeline } from './pipeline.js'
import type { HitSink } from './sink.js'

const T0 = Date.parse('2026-03-02T10:00:00Z')
const stmt = (id: string, template: string, extra: Partial<Statement> = {}): Statement => ({
  id, file: `src/${id}.py`, line: 10, endLine: 10, language: 'python', level: 'warn', template, matchable: true,
  channels: [], mentions: [], blame: null, callee: 'log.warning', ...extra,
})
const REGEX = 'regex:^(?:(?<level>[A-Z]+) )?(?<message>.*)$'

describe('Pipeline on lines that differ from their template', () => {
  let store: Store
  beforeEach(async () => {
    store = (await tempSqliteStore()).store
  })
  afterEach(async () => store.close())

  async function run(statements: Statement[], lines: string[]): Promise<{ totals: Record<string, number>; unowned: number; hits: Hit[] }> {
    const config = defaultConfig()
    const hits: Hit[] = []
    const sink: HitSink = { attach: () => {}, wantsHit: () => true, onHit: (h) => void hits.push(h), take: () => undefined, putBack: () => {}, committed: () => {} }
    const p = new Pipeline({ store, config, clock: () => T0, statements, sink })
    const parser = parserFor(REGEX, config)
    for (const text of lines) p.push('t', { text }, parser)
    p.endSource('t')
    await p.flush()
    const totals = Object.fromEntries((await store.totals()).map((t) => [t.statementId, t.count]))
    const unowned = (await store.listUnowned()).reduce((n, u) => n + u.count, 0)
    return { totals, unowned, hits }
  }

  it('counts a message of several lines once: its other lines are neither counted again nor unowned', async () => {
    const { totals, unowned } = await run([stmt('banner', 'WARN mode active:\n  cache %s\n  disk %s\n')], [
      'WARN WARN mode active:', 'WARN   cache off', 'WARN   disk ro', 'WARN WARN mode active:', 'WARN   cache on', 'WARN   disk rw',
    ])
    expect(totals).toEqual({ banner: 2 })
    expect(unowned).toBe(0)
  })

  it('counts a line nothing decides once, on the first statement that may have printed it, keeps the others beside it and tells delivery', async () => {
    const a = stmt('pool', 'retrying request %s', { file: 'app/db/pool.py' })
    const b = stmt('client', 'retrying request %s', { file: 'app/http/client.py', channels: ['http'] })
    const c = stmt('worker', 'retrying request %s', { file: 'app/jobs/worker.py' })
    const { totals, hits } = await run([a, b, c], ['WARN retrying request 7', 'WARN retrying request 8', 'WARN something else'])
    // Totals add up to the lines that matched: each once.
    expect(totals).toEqual({ pool: 2 })
    expect((await store.listTies()).map((t) => [t.statementId, t.alsoId, t.count])).toEqual([['pool', 'client', 2], ['pool', 'worker', 2]])
    expect(hits.map((h) => [h.statement.id, (h.also ?? []).map((s) => s.id)])).toEqual([['pool', ['client', 'worker']], ['pool', ['client', 'worker']]])
  })
})
