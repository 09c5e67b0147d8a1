import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Store } from '../../store/store.js'
import { STORE_KINDS } from '../../store/testutil/stores.js'
import { buildDigests } from './build.js'
import { config, statement } from '../testutil/fixtures.js'
import type { Statement } from '../../core/types.js'

const HOUR = 3_600_000
// Inputs: a Friday, the Monday after it.
const FRIDAY_11 = Date.parse('2026-11-20T11:00:00Z')
const MONDAY_8 = Date.parse('2026-11-23T08:00:00Z')
const MONDAY_10 = Date.parse('2026-11-23T10:00:00Z')
const PIG = 'pig@pen.mssn'

const sky = statement({ id: 'sky', level: 'warn', template: 'the sky is crying', file: 'src/sky.c', line: 20 })
const hurts = statement({ id: 'hurts', level: 'error', template: 'it hurts me too: %s', file: 'src/hurts.c', line: 7 })

for (const kind of STORE_KINDS) {
  describe(`snoozes suppress, they do not defer (${kind.name})`, () => {
    let store: Store
    let now: number
    const clock = () => now

    beforeEach(async () => {
      store = await kind.open()
      await store.replaceFiles([{ file: 'x', hash: 'x' }], [sky, hurts], [])
      // Friday's digest carried everything up to then.
      await store.setDigestMarks([{ person: PIG, statementId: 'sky', through: FRIDAY_11 - HOUR }, { person: PIG, statementId: 'hurts', through: FRIDAY_11 - HOUR }])
    })
    afterEach(async () => store.close())

    async function count(s: Statement, at: number, n: number) {
      const bucket = Math.floor(at / 300_000) * 300_000
      await store.applyCounts({
        occurrences: [{ statementId: s.id, host: 'web-1', bucket, count: n, firstSeen: at, lastSeen: at, level: s.level, samples: [`${s.template}`] }],
        unowned: [], checkpoints: [],
      })
    }

    it('leaves out what happened during a snooze that ended before the next digest, and says how many in one line', async () => {
      // Snoozed from Friday 11:00 until Monday 08:00: no workday, so no digest ran while it was in force.
      await store.addSnooze({ statementId: 'sky', scope: 'user', scopeId: PIG, until: MONDAY_8, remaining: null, by: PIG, createdAt: FRIDAY_11 })
      await store.addSnooze({ statementId: 'hurts', scope: 'user', scopeId: PIG, until: MONDAY_8, remaining: null, by: PIG, createdAt: FRIDAY_11 })
      await count(sky, FRIDAY_11 + 24 * HOUR, 200)
      await count(sky, FRIDAY_11 + 48 * HOUR, 40)
      await count(sky, MONDAY_8 + HOUR, 3) // after the snooze
      await count(hurts, FRIDAY_11 + 30 * HOUR, 9) // only during it
      now = MONDAY_10
      const [d] = await buildDigests({ store, config: config(), clock, preview: false })
      expect(d!.status).toBe('enqueued')
      expect(d!.items.map((i) => [i.statementId, i.count, i.snoozed])).toEqual([['sky', 3, 240]])
      expect(d!.text).toContain('also 240 while snoozed')
      expect(d!.text).not.toContain('it hurts me too')
      // Nothing of it comes back: the next digest has nothing.
      const [queued] = await store.listOutbox({ kind: 'digest' })
      await store.setDigestMarks(await store.outboxMarks(queued!.id))
      now = MONDAY_10 + 24 * HOUR
      expect(await buildDigests({ store, config: config(), clock, preview: true })).toEqual([])
    })

    it('a count snooze swallows that many; the digest reports only the rest, and "also N while snoozed"', async () => {
      const z = await store.addSnooze({ statementId: 'sky', scope: 'user', scopeId: PIG, until: null, remaining: 100, by: PIG, createdAt: FRIDAY_11 })
      await count(sky, FRIDAY_11 + HOUR, 150)
      now = MONDAY_10
      const [d] = await buildDigests({ store, config: config(), clock, preview: false })
      expect(d!.items.map((i) => [i.statementId, i.count, i.snoozed])).toEqual([['sky', 50, 100]])
      expect(d!.text).toContain('×50')
      expect(d!.text).toContain('also 100 while snoozed')
      expect((await store.activeSnoozes(now)).map((x) => x.id)).not.toContain(z.id)
    })
  })
}
