import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Statement } from '../core/types.js'
import type { ChannelCountDelta, CountBatch, OccurrenceRow, SlackUserRow, Store } from './store.js'

const stmt = (id: string, file: string, line: number, extra: Partial<Statement> = {}): Statement => ({
  id, file, line, endLine: line, language: 'c', level: 'error', template: `msg ${id} %s`, matchable: true,
  channels: [], mentions: [], blame: null, callee: 'ERROR_LOG', ...extra,
})

/** The behaviour every Store must have. Each implementation's test calls this with its own factory. */
export function runStoreContract(name: string, newStore: () => Promise<Store>): void {
  describe(`${name} store contract`, () => {
    let store: Store
    beforeEach(async () => {
      store = await newStore()
    })
    afterEach(async () => {
      await store.close()
    })

    it('keeps meta values and overwrites them', async () => {
      expect(await store.getMeta('k')).toBeNull()
      await store.setMeta('k', 'a')
      await store.setMeta('k', 'b')
      expect(await store.getMeta('k')).toBe('b')
    })

    it('keeps bytes with their tag and overwrites them', async () => {
      expect(await store.getBlob('b')).toBeNull()
      await store.setBlob('b', 't1', new Uint8Array([1, 2, 3]))
      const bytes = new Uint8Array(1 << 16).map((_, i) => i & 255)
      await store.setBlob('b', 't2', bytes.subarray(4))
      const b = await store.getBlob('b')
      expect(b?.tag).toBe('t2')
      expect(Buffer.from(b!.bytes).equals(Buffer.from(bytes.subarray(4)))).toBe(true)
    })

    it('replaces a file\'s statements atomically and forgets removed files', async () => {
      await store.replaceFiles([{ file: 'a.c', hash: 'h1' }, { file: 'b.c', hash: 'h2' }],
        [stmt('s1', 'a.c', 1, { channels: ['ops'], blame: { email: 'x@y', name: 'X', commit: 'c'.repeat(40), time: '2026-01-01T00:00:00Z' } }), stmt('s2', 'b.c', 2)], [])
      await store.replaceFiles([{ file: 'a.c', hash: 'h3' }], [stmt('s3', 'a.c', 5)], ['b.c'])
      const all = await store.listStatements()
      expect(all.map((s) => s.id)).toEqual(['s3'])
      expect(await store.countStatements()).toBe(1)
      expect(Object.fromEntries(await store.indexedFiles())).toEqual({ 'a.c': 'h3' })
      await store.replaceFiles([{ file: 'c.c', hash: 'h' }], [stmt('s4', 'c.c', 9, { channels: ['ops'], mentions: ['elmore'], matchable: false, template: null })], [])
      expect(await store.getStatement('s4')).toMatchObject({ channels: ['ops'], mentions: ['elmore'], matchable: false, template: null, line: 9 })
    })

    it('lists the catalog for matching: the same statements in the same order, id, file, line, template and matchable only', async () => {
      await store.replaceFiles([{ file: 'b.c', hash: 'h' }, { file: 'a.c', hash: 'h' }],
        [stmt('s2', 'b.c', 2), stmt('s1', 'a.c', 7, { channels: ['ops'] }), stmt('s0', 'a.c', 3, { matchable: false, template: null })], [])
      const full = await store.listStatements()
      expect(await store.listMatchStatements()).toEqual(full.map((s) => ({ id: s.id, file: s.file, line: s.line, template: s.template, matchable: s.matchable })))
      expect(full.map((s) => s.id)).toEqual(['s0', 's1', 's2'])
    })

    it('reads the statements named by id as the whole catalog lists them: unknown ids left out, a repeated id once, past a chunk of ids', async () => {
      const many = Array.from({ length: 1203 }, (_, i) => stmt(`m${i}`, `f${i % 7}.c`, i + 1, i % 5 === 0 ? { channels: ['ops'], mentions: ['elmore'] } : {}))
      await store.replaceFiles([...new Set(many.map((s) => s.file))].map((file) => ({ file, hash: 'h' })), many, [])
      const all = new Map((await store.listStatements()).map((s) => [s.id, s]))
      const ids = ['m0', 'm5', 'nope', 'm5', ...Array.from({ length: 600 }, (_, i) => `m${2 * i + 1}`)]
      const got = await store.statementsByIds(ids)
      expect(got.map((s) => s.id).sort()).toEqual([...new Set(ids)].filter((id) => all.has(id)).sort())
      for (const s of got) expect(s).toEqual(all.get(s.id))
      expect(await store.statementsByIds([])).toEqual([])
    })

    it('adds counts and moves checkpoints in one transaction', async () => {
      const occ = { statementId: 's1', host: 'h1', bucket: 0, count: 2, firstSeen: 10, lastSeen: 20, level: 'error' as const, samples: ['a'] }
      await store.applyCounts({ occurrences: [occ], unowned: [], checkpoints: [{ source: 'f', identity: '1:2', offset: 100, lines: 2 }],
        counters: [{ source: 'f', name: 'lines', value: 2 }] })
      await store.applyCounts({ occurrences: [{ ...occ, count: 3, firstSeen: 5, lastSeen: 30, samples: ['b'] }, { ...occ, host: 'h2', count: 1 }],
        unowned: [{ shapeHash: 'x', shape: 'disk <NUM> full', host: 'h1', bucket: 0, count: 4, firstSeen: 1, lastSeen: 2, level: 'warn', samples: ['disk 9 full'] }],
        checkpoints: [{ source: 'f', identity: '1:2', offset: 250, lines: 6 }], counters: [{ source: 'f', name: 'lines', value: 4 }] })
      const rows = await store.listOccurrences({ statementId: 's1' })
      const h1 = rows.find((r) => r.host === 'h1')!
      expect(h1).toMatchObject({ count: 5, firstSeen: 5, lastSeen: 30, samples: ['a'] })
      expect(await store.getCheckpoint('f')).toEqual({ source: 'f', identity: '1:2', offset: 250, lines: 6 })
      expect(await store.counters()).toEqual([{ source: 'f', name: 'lines', value: 6 }])
      const totals = await store.totals()
      expect(totals).toEqual([{ statementId: 's1', count: 6, hosts: ['h1', 'h2'], firstSeen: 5, lastSeen: 30, level: 'error' }])
      // One statement's totals alone (a statement's detail).
      await store.applyCounts({ occurrences: [{ ...occ, statementId: 's2', count: 7 }], unowned: [], checkpoints: [] })
      expect(await store.totals({ statementIds: ['s1'] })).toEqual(totals)
      expect((await store.totals({ statementIds: ['s2'] })).map((t) => [t.statementId, t.count])).toEqual([['s2', 7]])
      expect(await store.totals({ statementIds: ['none'] })).toEqual([])
      expect(await store.totals({ statementIds: [] })).toEqual([])
      // Several statements' (a page of a list), busiest first, whatever the order asked in; past one query's 500 ids.
      const many = ['none', ...Array.from({ length: 600 }, (_, i) => `x${i}`), 's1', 's2']
      expect((await store.totals({ statementIds: many })).map((t) => [t.statementId, t.count])).toEqual([['s2', 7], ['s1', 6]])
      // The counts alone, per statement: all time, or of the statements first seen by `until`.
      expect(await store.counts()).toEqual(new Map([['s1', 6], ['s2', 7]]))
      expect(await store.counts({ until: 9 })).toEqual(new Map([['s1', 6]]))
      expect(await store.countedStatements()).toEqual([{ statementId: 's1', lastBucket: 0 }, { statementId: 's2', lastBucket: 0 }])
      expect(await store.countedStatements({ until: 9 })).toEqual([{ statementId: 's1', lastBucket: 0 }])
      // The most severe level counted, whichever flush brought it.
      await store.applyCounts({ occurrences: [{ ...occ, statementId: 's2', count: 1, level: 'fatal' }, { ...occ, statementId: 's2', host: 'h3', count: 1, level: null }], unowned: [], checkpoints: [] })
      await store.applyCounts({ occurrences: [{ ...occ, statementId: 's2', count: 1, level: 'warn' }], unowned: [], checkpoints: [] })
      expect(await store.totals({ statementIds: ['s2'] })).toEqual([{ statementId: 's2', count: 10, hosts: ['h1', 'h3'], firstSeen: 10, lastSeen: 20, level: 'fatal' }])
      expect((await store.totals({ since: 20 })).map((t) => [t.statementId, t.count])).toEqual([['s1', 5]])
      expect((await store.listUnowned())[0]).toMatchObject({ shape: 'disk <NUM> full', count: 4 })
      expect(await store.getShape('x')).toEqual({ shape: 'disk <NUM> full', level: 'warn' })
      expect(await store.getShape('y')).toBeNull()
      // The newest bucket a statement was counted in, whichever flush and host brought it: an older bucket later does not lower it.
      await store.applyCounts({ occurrences: [{ ...occ, statementId: 's3', bucket: 600_000 }, { ...occ, statementId: 's3', host: 'h2', bucket: 300_000 }], unowned: [], checkpoints: [] })
      await store.applyCounts({ occurrences: [{ ...occ, statementId: 's3', host: 'h3', bucket: 300_000 }], unowned: [], checkpoints: [] })
      expect((await store.countedStatements()).find((c) => c.statementId === 's3')).toEqual({ statementId: 's3', lastBucket: 600_000 })
      await store.applyCounts({ occurrences: [{ ...occ, statementId: 's3', bucket: 900_000 }], unowned: [], checkpoints: [] })
      expect((await store.countedStatements()).find((c) => c.statementId === 's3')).toEqual({ statementId: 's3', lastBucket: 900_000 })
    })

    it('writes a flush of thousands of keys whole and adds a second one to it; log text comes back as it was written', async () => {
      // Backslashes and quotes as they are; a lone UTF-16 half (a JSON body can carry one) as the drivers write it.
      const odd = 'C:\\ud800\\x "q" \ud800 lone, pair \ud83d\ude00, tab\t'
      const occurrences = Array.from({ length: 4500 }, (_, i) => ({ statementId: `b${i}`, host: i === 9 ? odd : `h${i % 7}`, bucket: 300_000 * (i % 3), count: 1 + (i % 5),
        firstSeen: 10, lastSeen: 20 + i, level: 'warn' as const, samples: [i === 7 ? odd : `line ${i}`] }))
      const unowned = Array.from({ length: 2100 }, (_, i) => ({ shapeHash: `u${i}`, shape: i === 3 ? odd : `shape ${i}`, host: 'h1', bucket: 0, count: 1, firstSeen: 1, lastSeen: 2,
        level: 'error' as const, samples: ['x'] }))
      const values = Array.from({ length: 2300 }, (_, i) => ({ statementId: `b${i}`, bucket: 0, lists: [{ v: [i === 5 ? odd : `v${i}`], c: [1], e: [0], o: 0 }] }))
      for (let k = 0; k < 2; k++) await store.applyCounts({ occurrences, unowned, values, checkpoints: [] })
      const counts = await store.counts()
      expect(counts.size).toBe(4500)
      expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(2 * occurrences.reduce((a, o) => a + o.count, 0))
      expect((await store.listOccurrences({ statementId: 'b7' }))[0]).toMatchObject({ count: 2 * 3, samples: [odd] })
      expect((await store.listOccurrences({ statementId: 'b9' }))[0]!.host).toBe(odd.replace('\ud800 lone', '\ufffd lone'))
      const shapes = await store.listUnowned({ limit: 5000 })
      expect(shapes).toHaveLength(2100)
      expect(shapes.find((u) => u.shapeHash === 'u3')).toMatchObject({ shape: odd.replace('\ud800 lone', '\ufffd lone'), count: 2 })
      const got = await store.statementValues({ statements: [{ statementId: 'b5' }, { statementId: 'b2299' }] })
      expect(got.get('b5')![0]!.top).toEqual([{ value: odd, count: 2 }])
      expect(got.get('b2299')![0]!.top).toEqual([{ value: 'v2299', count: 2 }])
    })

    it('sums occurrences per statement and hour in the database: in the hour a row started or was first seen in, within the hours asked', async () => {
      const H = 3_600_000
      const start = 100 * H
      const row = (statementId: string, bucket: number, firstSeen: number, count: number, host = 'h1') =>
        ({ statementId, host, bucket, count, firstSeen, lastSeen: firstSeen + 1000, level: 'warn' as const, samples: [] })
      await store.applyCounts({
        occurrences: [
          row('a', start, start + 10, 2), row('a', start, start + 20, 3, 'h2'), // hour 0, two hosts
          row('a', start + H - 300_000, start + H + 5, 4), // its bucket began in hour 0, first seen in hour 1: hour 1
          row('a', start + 23 * H, start + 23 * H + 1, 5), // the last hour asked
          row('a', start + 24 * H, start + 24 * H + 1, 6), // past it
          row('b', start - 300_000, start - 200_000, 7), // before the first hour
          row('b', start + 2 * H, start + 2 * H, 8),
        ],
        unowned: [], checkpoints: [],
      })
      // Later flushes add to the same hours (another instance's host, the same bucket again).
      await store.applyCounts({ occurrences: [row('b', start + 2 * H, start + 2 * H + 60_000, 1, 'h3'), row('b', start + 2 * H, start + 2 * H + 9, 1)], unowned: [], checkpoints: [] })
      expect(await store.hourlyCounts({ start, hours: 24 })).toEqual([
        { statementId: 'a', hour: start, count: 5 }, { statementId: 'a', hour: start + H, count: 4 }, { statementId: 'a', hour: start + 23 * H, count: 5 },
        { statementId: 'b', hour: start + 2 * H, count: 10 },
      ])
      // Hours before `start` are left out.
      expect(await store.hourlyCounts({ start: start + 3 * H, hours: 24 })).toEqual([{ statementId: 'a', hour: start + 23 * H, count: 5 }, { statementId: 'a', hour: start + 24 * H, count: 6 }])
      // Of some statements only (an id twice, one never counted, more than one read's worth).
      const some = ['b', 'zz', 'b', ...Array.from({ length: 300 }, (_, i) => `none${i}`)]
      expect(await store.hourlyCounts({ start, hours: 24, statementIds: some })).toEqual([{ statementId: 'b', hour: start + 2 * H, count: 10 }])
      expect(await store.hourlyCounts({ start, hours: 24, statementIds: [] })).toEqual([])
      // Each statement's sum over the same hours and rows.
      expect(await store.windowCounts({ start, hours: 24 })).toEqual(new Map([['a', 14], ['b', 10]]))
      expect(await store.windowCounts({ start: start + 3 * H, hours: 21 })).toEqual(new Map([['a', 5]]))
      // Kept as long as raw buckets: retention drops the hours before `rawDays`.
      await store.prune(start + 2 * H, 0)
      expect(await store.windowCounts({ start: start - H, hours: 25 })).toEqual(new Map([['a', 5], ['b', 10]]))
    })

    it('records overrides, snoozes, mutes and an audit trail', async () => {
      expect(await store.setOverride({ statementId: 's1', to: 'bob', by: 'alice', reason: null, createdAt: 1 })).toBeNull()
      expect(await store.setOverride({ statementId: 's1', to: 'carol', by: 'bob', reason: 'r', createdAt: 2 })).toMatchObject({ to: 'bob' })
      expect((await store.listOverrides()).map((o) => o.to)).toEqual(['carol'])
      expect(await store.removeOverride('s1')).toMatchObject({ to: 'carol' })
      expect(await store.listOverrides()).toEqual([])

      const timed = await store.addSnooze({ statementId: 's1', scope: 'user', scopeId: 'U1', until: 1000, remaining: null, by: 'U1', createdAt: 0 })
      const counted = await store.addSnooze({ statementId: 's2', scope: 'all', scopeId: '*', until: null, remaining: 2, by: 'U1', createdAt: 0 })
      expect((await store.activeSnoozes(999)).map((s) => s.id)).toEqual([timed.id, counted.id])
      expect((await store.activeSnoozes(1000)).map((s) => s.id)).toEqual([counted.id])
      expect((await store.snoozesEndingAfter(999)).map((s) => s.id)).toEqual([timed.id, counted.id])
      expect((await store.snoozesEndingAfter(1000)).map((s) => s.id)).toEqual([counted.id])
      expect(await store.decrementSnooze(counted.id, 5)).toBe(0)
      expect(await store.activeSnoozes(0)).toHaveLength(1)
      expect(await store.removeSnoozes('s1')).toBe(1)

      await store.addMute({ statementId: 's1', scope: 'all', scopeId: '*', by: 'U1', createdAt: 3 })
      await store.addMute({ statementId: 's1', scope: 'all', scopeId: '*', by: 'U1', createdAt: 4 })
      expect(await store.listMutes()).toHaveLength(1)
      expect(await store.removeMute('s1')).toBe(1)

      await store.addAudit({ at: 5, actor: 'U1', action: 'mute', statementId: 's1', before: null, after: { scope: 'all' } })
      expect((await store.listAudit())[0]).toMatchObject({ actor: 'U1', action: 'mute', after: { scope: 'all' } })
    })

    it('delivers each outbox item to one holder and never twice', async () => {
      expect(await store.enqueue({ dedupKey: 'd1', kind: 'digest', recipient: 'U1', payload: { a: 1 }, notBefore: 0, createdAt: 0 })).toBe(true)
      expect(await store.enqueue({ dedupKey: 'd1', kind: 'digest', recipient: 'U1', payload: { a: 2 }, notBefore: 0, createdAt: 0 })).toBe(false)
      await store.enqueue({ dedupKey: 'd2', kind: 'digest', recipient: 'U2', payload: {}, notBefore: 500, createdAt: 0 })
      const [a, b] = await Promise.all([
        store.claim({ limit: 10, holder: 'A', now: 100, leaseMs: 1000 }),
        store.claim({ limit: 10, holder: 'B', now: 100, leaseMs: 1000 }),
      ])
      expect([...a, ...b].map((i) => i.dedupKey)).toEqual(['d1'])
      const item = [...a, ...b][0]!
      expect(item.payload).toEqual({ a: 1 })
      // The lease runs out (holder crashed): someone else may take it; the old holder can no longer mark it sent.
      const again = await store.claim({ limit: 10, holder: 'C', now: 2000, leaseMs: 1000 })
      expect(again.map((i) => i.dedupKey).sort()).toEqual(['d1', 'd2'])
      expect(await store.markSent(item.id, item === a[0] ? 'A' : 'B', 2001)).toBe(false)
      expect(await store.markSent(item.id, 'C', 2001)).toBe(true)
      await store.release(again.find((i) => i.dedupKey === 'd2')!.id, 'C', 9000)
      expect(await store.claim({ limit: 10, holder: 'D', now: 3000, leaseMs: 1000 })).toEqual([])
      expect((await store.listOutbox({ status: 'sent' })).map((i) => i.dedupKey)).toEqual(['d1'])
      expect([await store.outboxStatus('d1'), await store.outboxStatus('d2'), await store.outboxStatus('d3')]).toEqual(['sent', 'pending', null])
      expect((await store.outboxCounts()).find((c) => c.status === 'sent')).toMatchObject({ count: 1 })
    })

    it('keeps a claimed item its holder\'s while a heartbeat renews the lease, and lets another take it once it stops', async () => {
      await store.enqueue({ dedupKey: 'p1', kind: 'realtime', recipient: 'ops', payload: {}, notBefore: 0, createdAt: 0 })
      const [item] = await store.claim({ limit: 10, holder: 'A', now: 100, leaseMs: 1000 })
      expect(await store.renewClaims([item!.id], 'A', 2100)).toBe(1)
      expect(await store.renewClaims([item!.id], 'B', 9000)).toBe(0)
      expect(await store.renewClaims([], 'A', 9000)).toBe(0)
      // Past the first lease, within the renewed one: still A's.
      expect(await store.claim({ limit: 10, holder: 'B', now: 1500, leaseMs: 1000 })).toEqual([])
      // A stops renewing (it died): the item is B's after the renewed lease.
      expect((await store.claim({ limit: 10, holder: 'B', now: 2100, leaseMs: 1000 })).map((i) => i.dedupKey)).toEqual(['p1'])
      expect(await store.renewClaims([item!.id], 'A', 9000)).toBe(0)
      expect(await store.markSent(item!.id, 'A', 2200)).toBe(false)
      // How far B got is kept with the item for whoever tries it next; A's note no longer counts.
      expect(await store.noteProgress(item!.id, 'B', { progress: { sent: 1 } })).toBe(true)
      expect(await store.noteProgress(item!.id, 'A', { progress: { sent: 9 } })).toBe(false)
      const [again] = await store.claim({ limit: 10, holder: 'C', now: 9_999_999, leaseMs: 1000 })
      expect(again!.result).toEqual({ progress: { sent: 1 } })
    })

    it('grants a lease to one holder until it expires', async () => {
      expect(await store.tryLease('digest', 'A', 0, 100)).toBe(true)
      expect(await store.tryLease('digest', 'B', 50, 100)).toBe(false)
      expect(await store.tryLease('digest', 'A', 60, 100)).toBe(true)
      expect(await store.tryLease('digest', 'B', 161, 100)).toBe(true)
      // Given up early by its holder only.
      await store.releaseLease('digest', 'A')
      expect(await store.tryLease('digest', 'C', 170, 100)).toBe(false)
      await store.releaseLease('digest', 'B')
      expect(await store.tryLease('digest', 'C', 170, 100)).toBe(true)
    })

    it('takes a key once within its time to live', async () => {
      expect(await store.firstSeen('sig:a', 1_000, 600_000)).toBe(true)
      expect(await store.firstSeen('sig:a', 2_000, 600_000)).toBe(false)
      expect(await store.firstSeen('sig:b', 2_000, 600_000)).toBe(true)
      // Expired: a new request may reuse it (Slack's timestamp check refuses an old one anyway).
      expect(await store.firstSeen('sig:a', 601_001, 600_000)).toBe(true)
      expect(await store.firstSeen('sig:a', 601_002, 600_000)).toBe(false)
    })

    it('keeps realtime message state, user cache and digest marks', async () => {
      await store.putRealtime({ statementId: 's', channel: 'C1', ts: '1.2', windowStart: 7, state: { count: 3 } })
      expect(await store.getRealtime('s', 'C1')).toEqual({ statementId: 's', channel: 'C1', ts: '1.2', windowStart: 7, state: { count: 3, seq: 0 } })
      await store.putUser({ key: 'a@b', slackId: 'U1', name: 'A', email: 'a@b', tz: 'Asia/Tokyo', fetchedAt: 1 })
      expect(await store.getUser('a@b')).toMatchObject({ slackId: 'U1', tz: 'Asia/Tokyo' })
      await store.setDigestMarks([{ person: 'U1', statementId: 's', through: 10 }])
      await store.setDigestMarks([{ person: 'U1', statementId: 's', through: 5 }])
      expect(await store.getDigestMark('U1', 's')).toBe(10)
    })

    it('adds up undeliverable occurrences per statement × intended recipient, totals them per reason, and clears a channel', async () => {
      expect(await store.listUndeliverable()).toEqual([])
      await store.addUndeliverable([
        { statementId: 's1', intended: 'elmore', reason: 'unknown', detail: 'no Slack user is called @elmore', count: 3, at: 10 },
        { statementId: 's2', intended: '#opps', reason: 'channel_not_found', detail: null, count: 2, at: 11 },
      ])
      await store.addUndeliverable([{ statementId: 's1', intended: 'elmore', reason: 'ambiguous', detail: '@elmore matches 2', count: 4, at: 20 }])
      await store.addUndeliverable([])
      expect(await store.listUndeliverable()).toEqual([
        { statementId: 's1', intended: 'elmore', reason: 'ambiguous', detail: '@elmore matches 2', count: 7, firstSeen: 10, lastSeen: 20, clearedAt: null },
        { statementId: 's2', intended: '#opps', reason: 'channel_not_found', detail: null, count: 2, firstSeen: 11, lastSeen: 11, clearedAt: null },
      ])
      expect(await store.clearUndeliverable('#opps', 30)).toBe(1)
      expect(await store.clearUndeliverable('#opps', 31)).toBe(0)
      expect((await store.listUndeliverable()).map((r) => [r.intended, r.clearedAt])).toEqual([['elmore', null], ['#opps', 30]])
      // A counter: clearing keeps the counts.
      expect(await store.undeliverableTotals()).toEqual([{ reason: 'ambiguous', count: 7 }, { reason: 'channel_not_found', count: 2 }])
      await store.addUndeliverable([{ statementId: 's2', intended: '#opps', reason: 'channel_not_found', detail: null, count: 1, at: 40 }])
      expect((await store.listUndeliverable()).find((r) => r.intended === '#opps')).toMatchObject({ count: 3, clearedAt: null, lastSeen: 40 })
      // A digest's worth in one call (more rows than one statement takes on PostgreSQL), one key twice among them.
      const many = Array.from({ length: 450 }, (_, i) => ({ statementId: `m${i}`, intended: 'nobody', reason: 'unknown', detail: null, count: i + 1, at: 50 }))
      await store.addUndeliverable([{ statementId: 'm7', intended: 'nobody', reason: 'unknown', detail: null, count: 100, at: 60 }, ...many])
      const got = new Map((await store.listUndeliverable({ limit: 10_000 })).filter((r) => r.intended === 'nobody').map((r) => [r.statementId, r.count]))
      expect(got).toEqual(new Map(many.map((r) => [r.statementId, r.statementId === 'm7' ? 108 : r.count])))
    })

    it('replaces the Slack user directory whole and remembers when it was fetched', async () => {
      expect(await store.slackUsers()).toEqual({ users: [], fetchedAt: null })
      const u = (id: string, o: Partial<SlackUserRow> = {}): SlackUserRow => ({
        id, handle: id.toLowerCase(), displayName: null, realName: null, email: null, tz: null, deleted: false, bot: false, ...o,
      })
      const many = Array.from({ length: 450 }, (_, i) => u(`U${String(i).padStart(9, '0')}`))
      await store.putSlackUsers([...many, u('U0RILEY001', { displayName: 'riley', realName: 'Riley Jones', email: 'riley@pen.mssn', tz: 'Europe/Rome', deleted: true, bot: false })], 5)
      const first = await store.slackUsers()
      expect(first.fetchedAt).toBe(5)
      expect(first.users).toHaveLength(451)
      expect(first.users.find((x) => x.id === 'U0RILEY001')).toEqual(u('U0RILEY001', { displayName: 'riley', realName: 'Riley Jones', email: 'riley@pen.mssn', tz: 'Europe/Rome', deleted: true }))
      await store.putSlackUsers([u('UBOT000001', { bot: true })], 9)
      expect(await store.slackUsers()).toEqual({ users: [u('UBOT000001', { bot: true })], fetchedAt: 9 })
      await store.putSlackUsers([], 12)
      expect(await store.slackUsers()).toEqual({ users: [], fetchedAt: 12 })
    })

    it('finds cached users by Slack id and real-time channels by the Slack id they were posted to', async () => {
      await store.putUser({ key: 'pig@pen.mssn', slackId: 'UPIG00001', name: 'Pig', email: 'pig@pen.mssn', tz: null, fetchedAt: 1 })
      await store.putUser({ key: 'UPIG00001', slackId: 'UPIG00001', name: 'Pig', email: 'pig@pen.mssn', tz: null, fetchedAt: 1 })
      await store.putUser({ key: 'gone@x.org', slackId: null, name: null, email: 'gone@x.org', tz: null, fetchedAt: 1 })
      expect((await store.usersBySlackId(['UPIG00001', 'UNOBODY01'])).map((u) => u.key)).toEqual(['UPIG00001', 'pig@pen.mssn'])
      expect(await store.usersBySlackId([])).toEqual([])
      await store.putRealtime({ statementId: 's', channel: 'ops', ts: '1.2', windowStart: 7, state: { channelId: 'C0OPS0001' } })
      await store.putRealtime({ statementId: 't', channel: 'ops', ts: '', windowStart: 7, state: { channelId: null } })
      await store.putRealtime({ statementId: 't', channel: 'dev', ts: '', windowStart: 7, state: {} })
      expect(await store.channelIds()).toEqual([{ channel: 'ops', channelId: 'C0OPS0001' }])
    })

    it('reads many statements\' occurrences at once, exactly as one listOccurrences per statement would', async () => {
      // 1,100 statements (more than one query's 500), up to 5 rows each over two buckets and three hosts.
      const hosts = ['web-2', 'Web-1', 'db_1']
      const ids = Array.from({ length: 1100 }, (_, i) => `c${i}`)
      const occurrences = ids.flatMap((id, i) => Array.from({ length: i % 6 }, (_, j) => ({
        statementId: id, host: hosts[(i + j) % 3]!, bucket: 1000 + (j % 2) * 300, count: 1 + j, firstSeen: 1000 + j * 100,
        lastSeen: j === 0 && (i % 8 === 1 || i % 8 === 4) ? 0 : 1000 + j * 100 + (i % 50), level: j === 2 ? ('warn' as const) : ('error' as const), samples: j === 1 ? [] : [`${id}/${j}`],
      })).filter((o) => !(o.host === hosts[(i + 1) % 3] && o.bucket === 1000 && o.count === 5)))
      await store.applyCounts({ occurrences, unowned: [], checkpoints: [] })
      // Per statement: no since, since 0 (a row seen at 0 is left out), one in the middle, one past everything.
      const since = (i: number) => [null, 0, 1150, 10_000][i % 4]!
      const statements = [...ids.map((statementId, i) => ({ statementId, since: since(i) })), { statementId: 'never-counted', since: null }]
      for (const o of [{}, { until: 1200 }, { limitPerStatement: 2 }, { until: 1300, limitPerStatement: 1 }] as Array<{ until?: number; limitPerStatement?: number }>) {
        const expected: Record<string, unknown> = {}
        for (const s of statements) {
          const rows = await store.listOccurrences({ statementId: s.statementId, since: s.since ?? undefined, until: o.until, limit: o.limitPerStatement ?? 1_000_000 })
          if (rows.length) expected[s.statementId] = rows
        }
        const got = await store.listOccurrencesOf({ statements, ...o })
        expect(Object.fromEntries(got)).toEqual(expected)
        expect(got.size).toBeGreaterThan(300)
        // A reader that only counts gets the same rows without their samples.
        const counts = await store.listOccurrencesOf({ statements, ...o, samples: false })
        expect(Object.fromEntries(counts)).toEqual(Object.fromEntries(Object.entries(expected).map(([k, rows]) => [k, (rows as OccurrenceRow[]).map((r) => ({ ...r, samples: [] }))])))
      }
      // The statements counted by a time: those with a row first seen by then (c0 and every sixth have no rows).
      const counted = ids.filter((_, i) => i % 6 !== 0)
      const ofCounted = async (until?: number) => (await store.countedStatements(until === undefined ? {} : { until })).map((c) => c.statementId)
      expect(await ofCounted()).toEqual([...counted].sort())
      expect(await ofCounted(1000)).toEqual([...counted].sort())
      expect(await ofCounted(999)).toEqual([])
      // Newest bucket first, then by host (in the database's collation, as listOccurrences).
      expect((await store.listOccurrencesOf({ statements: [{ statementId: 'c5' }] })).get('c5')!.map((r) => r.bucket)).toEqual([1300, 1300, 1000, 1000])
      expect((await store.listOccurrencesOf({ statements: [] })).size).toBe(0)
      await expect(store.listOccurrencesOf({ statements: [{ statementId: 'c1' }, { statementId: 'c1', since: 5 }] })).rejects.toThrow()
    })

    it('reads all digest marks of one person at once, partial-bucket marks included', async () => {
      const marks = Array.from({ length: 700 }, (_, i) => ({ person: 'U1', statementId: i % 7 === 3 ? `s${i - 1}#p${i * 300_000}` : `s${i}`, through: i * 300_000 - (i % 2) }))
      await store.setDigestMarks([...marks, { person: 'U2', statementId: 's1', through: 1 }, { person: 'U10', statementId: 's2', through: 2 }])
      await store.setDigestMarks([{ person: 'U1', statementId: 's4', through: 1 }])
      // One key twice in one call: the furthest stands.
      await store.setDigestMarks([{ person: 'U9', statementId: 's1', through: 7 }, { person: 'U9', statementId: 's1', through: 3 }])
      expect(await store.digestMarks('U9')).toEqual(new Map([['s1', 7]]))
      const got = await store.digestMarks('U1')
      expect(got).toEqual(new Map(marks.map((m) => [m.statementId, m.through])))
      for (const m of marks.slice(0, 50)) expect(got.get(m.statementId)).toBe(await store.getDigestMark('U1', m.statementId))
      expect(got.get('s2#p900000')).toBe(899_999)
      expect(await store.digestMarks('U2')).toEqual(new Map([['s1', 1]]))
      expect((await store.digestMarks('nobody')).size).toBe(0)
    })

    it('stages a digest\'s marks with its outbox item and moves them, a part at a time, only forward', async () => {
      const item = (key: string) => ({ dedupKey: key, kind: 'digest', recipient: 'U1', payload: { target: 'U1' }, notBefore: 1, createdAt: 1 })
      const marks = Array.from({ length: 450 }, (_, i) => ({ person: 'U1', statementId: `s${String(i).padStart(3, '0')}`, through: 1000 + i }))
      // The same key twice (a build never should, PostgreSQL would refuse it in one statement): the furthest is kept.
      expect(await store.enqueue(item('digest:U1:d1'), [...marks, { person: 'U1', statementId: 's001', through: 5 }, { person: 'U1', statementId: 's002', through: 9999 }])).toBe(true)
      // Another instance's build for the same day loses the dedup key and stages nothing.
      expect(await store.enqueue(item('digest:U1:d1'), [{ person: 'U1', statementId: 's000', through: 1 }, { person: 'U1', statementId: 'other', through: 1 }])).toBe(false)
      const [queued] = await store.listOutbox({ kind: 'digest' })
      const want = marks.map((m) => (m.statementId === 's002' ? { ...m, through: 9999 } : m))
      expect(await store.outboxMarks(queued!.id)).toEqual(want)
      // Nothing is marked before the move; a mark already further than the item's stays.
      expect(await store.getDigestMark('U1', 's000')).toBeNull()
      await store.setDigestMarks([{ person: 'U1', statementId: 's003', through: 50_000 }])
      const parts: number[] = []
      for (let n = -1; n !== 0;) parts.push((n = await store.moveOutboxMarks(queued!.id, 200)))
      expect(parts).toEqual([200, 200, 50, 0])
      expect(await store.outboxMarks(queued!.id)).toEqual([])
      const got = await store.digestMarks('U1')
      expect(got).toEqual(new Map(want.map((m) => [m.statementId, m.statementId === 's003' ? 50_000 : m.through])))
      // An item without marks stages none; moving them is a no-op.
      expect(await store.enqueue(item('digest:U1:d2'))).toBe(true)
      const second = (await store.listOutbox({ kind: 'digest' })).find((i) => i.dedupKey === 'digest:U1:d2')!
      expect(await store.moveOutboxMarks(second.id, 200)).toBe(0)
      expect(await store.digestMarks('U1')).toEqual(got)
    })

    it('commits real-time counts with the occurrences: every writer adds to the open window per host, never overwriting', async () => {
      const key = { statementId: 's', channel: 'net-ops' }
      const batch = (now: number, deltas: Array<Partial<ChannelCountDelta> & { host: string; count: number }>, o: { windowMs?: number; hostCap?: number; occurrences?: number } = {}): CountBatch => ({
        occurrences: o.occurrences ? [{ statementId: 's', host: 'gw-0', bucket: 0, count: o.occurrences, firstSeen: now, lastSeen: now, level: 'warn', samples: [] }] : [],
        unowned: [], checkpoints: [],
        realtime: {
          now, windowMs: o.windowMs ?? 10_000, hostCap: o.hostCap ?? 100,
          deltas: deltas.map((d) => ({ ...key, firstSeen: now, lastSeen: now, sample: null, level: null, ...d })),
          post: (w) => ({ dedupKey: `rt:${w.statementId}:${w.channel}:${w.windowStart}:${w.seq}`, kind: 'realtime', recipient: w.channel, payload: { seq: w.seq }, notBefore: now, createdAt: now }),
        },
      })
      expect(await store.realtimeWindow('s', 'net-ops')).toBeNull()
      // Two instances write at the same time: one opens the window (and enqueues its post), both add to it.
      await Promise.all([
        store.applyCounts(batch(1000, [{ host: 'gw-0', count: 20, lastSeen: 1050, sample: 'tunnel gw-0 went down', level: 'warn' }, { host: 'gw-1', count: 5, firstSeen: 1001, lastSeen: 1040 }], { occurrences: 25 })),
        store.applyCounts(batch(1000, [{ host: 'gw-9', count: 20, firstSeen: 1002, lastSeen: 1060, sample: 'tunnel gw-9 went down', level: 'error' }], { occurrences: 20 })),
      ])
      await store.applyCounts(batch(1500, [{ host: 'gw-0', count: 1, firstSeen: 990, lastSeen: 1055 }, { host: '', count: 7, firstSeen: 1003, lastSeen: 1003 }]))
      // The same host twice in one batch (PostgreSQL cannot upsert one row twice in a statement).
      await store.applyCounts(batch(1600, [{ host: 'gw-1', count: 1, firstSeen: 1001, lastSeen: 1001 }, { host: 'gw-1', count: 1, firstSeen: 1001, lastSeen: 1001 }]))
      const w1 = await store.realtimeWindow('s', 'net-ops')
      expect(w1).toEqual({ ...key, seq: 1, windowStart: 1000, ts: '', channelId: null, total: 55, shown: 0 })
      expect(await store.realtimeCounts(w1!)).toEqual({ count: 55, firstSeen: 990, lastSeen: 1060, hosts: ['gw-0', 'gw-1', 'gw-9'], hostCount: 3,
        moreUncounted: true, sample: 'tunnel gw-9 went down', level: 'error' })
      expect((await store.realtimeCounts({ ...w1!, hostLimit: 2 }))!.hosts).toEqual(['gw-0', 'gw-1'])
      expect((await store.listOutbox()).map((i) => i.dedupKey)).toEqual(['rt:s:net-ops:1000:1'])
      expect((await store.totals())[0]!.count).toBe(45)
      // Posted: it shows 55. Nothing is behind until more is committed.
      await store.recordRealtimePost({ ...key, seq: 1, ts: '1.1', channelId: 'C0NETOPS1', shown: 55 })
      expect(await store.realtimeWindowsBehind(0, 10)).toEqual([])
      expect(await store.getRealtime('s', 'net-ops')).toMatchObject({ ts: '1.1', windowStart: 1000, state: { channelId: 'C0NETOPS1', seq: 1 } })
      expect(await store.channelIds()).toEqual([{ channel: 'net-ops', channelId: 'C0NETOPS1' }])
      // An older sample never replaces a newer one.
      await store.applyCounts(batch(2000, [{ host: 'gw-9', count: 1, firstSeen: 1001, lastSeen: 1001, sample: 'old', level: 'info' }]))
      expect(await store.realtimeCounts(w1!)).toMatchObject({ count: 56, sample: 'tunnel gw-9 went down', level: 'error' })
      expect(await store.realtimeWindowsBehind(0, 10)).toMatchObject([{ seq: 1, total: 56, shown: 55, ts: '1.1' }])
      await store.markRealtimeShown('s', 'net-ops', 1, 56)
      await store.markRealtimeShown('s', 'net-ops', 1, 50)
      expect(await store.realtimeWindow('s', 'net-ops', 1)).toMatchObject({ shown: 56 })
      // After the window, the next occurrence opens window 2 with its own counts and post.
      await store.applyCounts(batch(11_000, [{ host: 'gw-0', count: 1, sample: 'x' }]))
      const w2 = await store.realtimeWindow('s', 'net-ops')
      expect(w2).toMatchObject({ seq: 2, windowStart: 11_000, ts: '', total: 1 })
      expect(await store.realtimeCounts(w2!)).toMatchObject({ count: 1, hosts: ['gw-0'], moreUncounted: false })
      expect(await store.getRealtime('s', 'net-ops')).toMatchObject({ ts: '', windowStart: 11_000 })
      // Its message deleted in Slack: closed, so the next occurrence opens window 3 at once.
      await store.recordRealtimePost({ ...key, seq: 2, ts: '2.2', channelId: 'C0NETOPS1', shown: 1 })
      await store.closeRealtimeWindow('s', 'net-ops', 2)
      await store.applyCounts(batch(11_500, [{ host: 'gw-0', count: 2, sample: 'y' }]))
      expect(await store.realtimeWindow('s', 'net-ops')).toMatchObject({ seq: 3, windowStart: 11_500, total: 2 })
      expect(await store.realtimeWindow('s', 'net-ops', 2)).toMatchObject({ total: 1 })
      expect((await store.listOutbox()).map((i) => i.dedupKey)).toEqual(['rt:s:net-ops:1000:1', 'rt:s:net-ops:11000:2', 'rt:s:net-ops:11500:3'])
      // Past the host cap, new hosts are counted under ''.
      await store.applyCounts(batch(11_600, [{ host: 'a', count: 1 }, { host: 'b', count: 1 }, { host: 'c', count: 1 }], { windowMs: 10_000, hostCap: 2 }))
      expect(await store.realtimeCounts({ ...key, windowStart: 11_500, seq: 3 })).toMatchObject({ count: 5, hosts: ['gw-0', 'a'], moreUncounted: true })
      // Retention drops windows opened before the raw horizon.
      await store.prune(1500, 0)
      expect(await store.realtimeCounts(w1!)).toBeNull()
      expect(await store.realtimeWindow('s', 'net-ops', 1)).toBeNull()
      expect(await store.realtimeCounts(w2!)).toMatchObject({ count: 1 })
    })

    it('keeps nothing of a batch whose transaction fails while writing its real-time counts', async () => {
      const now = 5000
      const batch: CountBatch = {
        occurrences: [{ statementId: 's', host: 'h', bucket: 0, count: 3, firstSeen: now, lastSeen: now, level: 'warn', samples: [] }],
        unowned: [], checkpoints: [{ source: 'file:a', identity: '1:2', offset: 10, lines: 3 }],
        realtime: {
          now, windowMs: 10_000, hostCap: 10, deltas: [{ statementId: 's', channel: 'c', host: 'h', count: 3, firstSeen: now, lastSeen: now, sample: 'z', level: null }],
          // The last step of the transaction fails: everything before it must roll back with it.
          post: () => {
            throw new Error('enqueue failed')
          },
        },
      }
      await expect(store.applyCounts(batch)).rejects.toThrow('enqueue failed')
      expect(await store.realtimeWindow('s', 'c')).toBeNull()
      expect(await store.realtimeCounts({ statementId: 's', channel: 'c', windowStart: now, seq: 1 })).toBeNull()
      expect(await store.totals()).toEqual([])
      expect(await store.getCheckpoint('file:a')).toBeNull()
    })

    it('keeps, per counted statement and tied statement, how many lines either could have printed and when, until retention', async () => {
      const occ = (host: string, bucket: number, count: number, tied?: string[], tiedLines?: number) =>
        ({ statementId: 'a', host, bucket, count, firstSeen: bucket + 1, lastSeen: bucket + 2, level: 'warn' as const, samples: [], ...(tied ? { tied, tiedLines } : {}) })
      // Two deltas naming the same pair in one batch (two hosts): one row, their lines added.
      await store.applyCounts({ unowned: [], checkpoints: [], occurrences: [occ('h1', 1000, 5, ['b', 'c'], 2), occ('h2', 2000, 3, ['b'], 3), occ('h3', 3000, 9)] })
      await store.applyCounts({ unowned: [], checkpoints: [], occurrences: [occ('h1', 4000, 1, ['b'], 1)] })
      expect(await store.listTies()).toEqual([
        { statementId: 'a', alsoId: 'b', count: 6, firstSeen: 1001, lastSeen: 4002 },
        { statementId: 'a', alsoId: 'c', count: 2, firstSeen: 1001, lastSeen: 1002 },
      ])
      await store.prune(0, 2000)
      expect((await store.listTies()).map((t) => t.alsoId)).toEqual(['b'])
    })

    it('rolls old buckets up into days and deletes what is past retention', async () => {
      const H = 3_600_000, D = 24 * H
      const base = 100 * D
      await store.applyCounts({ occurrences: [
        { statementId: 's', host: 'h', bucket: base + H, count: 2, firstSeen: base + H, lastSeen: base + H + 1, level: 'warn', samples: [] },
        { statementId: 's', host: 'h', bucket: base + 2 * H, count: 3, firstSeen: base + 2 * H, lastSeen: base + 2 * H + 1, level: 'warn', samples: [] },
        { statementId: 's', host: 'h', bucket: 10 * D + H, count: 1, firstSeen: 10 * D + H, lastSeen: 10 * D + H, level: 'warn', samples: [] },
        { statementId: 's', host: 'h2', bucket: 10 * D + H, count: 4, firstSeen: 10 * D + H, lastSeen: 10 * D + H, level: 'error', samples: [] },
        { statementId: 'gone', host: 'h', bucket: 10 * D, count: 6, firstSeen: 10 * D, lastSeen: 10 * D + 1, level: 'warn', samples: [] },
      ], unowned: [], checkpoints: [] })
      expect(await store.counts()).toEqual(new Map([['s', 10], ['gone', 6]]))
      const r = await store.prune(base + 10 * D, 50 * D)
      expect(r.deleted).toBe(3)
      const rows = await store.listOccurrences()
      expect(rows).toHaveLength(1)
      expect(rows[0]).toMatchObject({ bucket: base, count: 5 })
      // The totals lists rank on lose what was deleted: its lines, its hosts, its time frame, its statements (the level
      // stays the most severe one counted).
      expect(await store.totals()).toEqual([{ statementId: 's', count: 5, hosts: ['h'], firstSeen: base + H, lastSeen: base + 2 * H + 1, level: 'error' }])
      expect(await store.counts()).toEqual(new Map([['s', 5]]))
      // (The newest bucket stays an upper bound: retention does not lower it.)
      expect(await store.countedStatements()).toEqual([{ statementId: 's', lastBucket: base + 2 * H }])
      // Rolled up, nothing changes.
      await store.prune(base + 30 * D, 50 * D)
      expect(await store.totals()).toEqual([{ statementId: 's', count: 5, hosts: ['h'], firstSeen: base + H, lastSeen: base + 2 * H + 1, level: 'error' }])
    })

    it('deletes unowned shapes past retention with the occurrences, and counts them as deleted', async () => {
      const D = 86_400_000
      const shape = (hash: string, at: number) => ({ shapeHash: hash, shape: `disk <NUM> ${hash}`, host: 'h', bucket: at, count: 2, firstSeen: at, lastSeen: at + 1, level: 'warn' as const, samples: [] })
      await store.applyCounts({ occurrences: [], unowned: [shape('old', 10 * D), shape('new', 100 * D)], checkpoints: [] })
      const r = await store.prune(100 * D, 50 * D)
      expect(r.deleted).toBe(1)
      expect((await store.listUnowned({ since: 0 })).map((u) => u.shapeHash)).toEqual(['new'])
    })

    it('sums each statement\'s newest buckets over hosts, and tells when a statement was last seen before a time', async () => {
      const occ = (statementId: string, host: string, bucket: number, count: number, firstSeen: number, lastSeen: number) =>
        ({ statementId, host, bucket, count, firstSeen, lastSeen, level: 'warn' as const, samples: [] })
      await store.applyCounts({ unowned: [], checkpoints: [], occurrences: [
        occ('a', 'h1', 1000, 2, 1000, 1100), occ('a', 'h2', 1000, 3, 1010, 1200), occ('a', 'h1', 1300, 1, 1300, 1300),
        occ('b', 'h1', 700, 5, 700, 900), occ('b', 'h1', 1300, 4, 1350, 1400),
      ] })
      expect(await store.bucketSums({ since: 1000 })).toEqual([
        { statementId: 'a', bucket: 1000, count: 5, hosts: 2, firstSeen: 1000, lastSeen: 1200 },
        { statementId: 'a', bucket: 1300, count: 1, hosts: 1, firstSeen: 1300, lastSeen: 1300 },
        { statementId: 'b', bucket: 1300, count: 4, hosts: 1, firstSeen: 1350, lastSeen: 1400 },
      ])
      expect((await store.bucketSums({ since: 1300, statementIds: ['b'] })).map((r) => r.count)).toEqual([4])
      // Before 1005: a's bucket 1000 straddles it (seen at 1000); b's bucket 700 ended at 900; nothing of 'c'.
      expect(Object.fromEntries(await store.lastSeenBefore(['a', 'b', 'c'], 1005))).toEqual({ a: 1000, b: 900 })
      expect(Object.fromEntries(await store.lastSeenBefore(['a', 'b'], 1300))).toEqual({ a: 1200, b: 900 })
    })

    it('keeps alert states by kind and key, writes if-absent rows once, and finds them by key or prefix', async () => {
      expect(await store.putAlertStates([{ kind: 'first', key: 'abc:s1', state: { n: 1 }, updatedAt: 5 }, { kind: 'first', key: 'abc:s2', state: { n: 2 }, updatedAt: 5 }], { ifAbsent: true }))
        .toEqual(['abc:s1', 'abc:s2'])
      // Another instance writing the same key if absent is refused; a plain write replaces.
      expect(await store.putAlertStates([{ kind: 'first', key: 'abc:s1', state: { n: 9 }, updatedAt: 6 }, { kind: 'first', key: 'abd:s1', state: 3, updatedAt: 6 }], { ifAbsent: true }))
        .toEqual(['abd:s1'])
      expect((await store.alertStates('first', { keys: ['abc:s1'] }))[0]).toEqual({ kind: 'first', key: 'abc:s1', state: { n: 1 }, updatedAt: 5 })
      await store.putAlertStates([{ kind: 'first', key: 'abc:s1', state: { n: 9 }, updatedAt: 7 }, { kind: 'spike', key: 'abc:s1', state: 'x', updatedAt: 7 }])
      expect((await store.alertStates('first', { prefix: 'abc:' })).map((r) => [r.key, r.state])).toEqual([['abc:s1', { n: 9 }], ['abc:s2', { n: 2 }]])
      expect((await store.alertStates('spike')).map((r) => r.state)).toEqual(['x'])
      await store.deleteAlertStates('first', ['abc:s1', 'abd:s1'])
      expect((await store.alertStates('first')).map((r) => r.key)).toEqual(['abc:s2'])
    })

    it('lifts only the snoozes that wait for a spike when the statement gets worse', async () => {
      const base = { statementId: 's', scope: 'user' as const, scopeId: 'U0000PIG1', until: null, remaining: null, by: 'pig', createdAt: 1 }
      await store.addSnooze({ ...base, wakeOn: 'worse' })
      await store.addSnooze({ ...base, until: 10_000 })
      expect((await store.activeSnoozes(5)).map((z) => z.wakeOn)).toEqual(['worse', null])
      expect(await store.wakeSnoozes('s', 'worse')).toBe(1)
      expect((await store.activeSnoozes(5)).map((z) => z.until)).toEqual([10_000])
    })

    it('keeps the catalog of each revision, a statement shared by revisions once, and finds a statement removed from the catalog in them', async () => {
      await store.replaceFiles([{ file: 'a.c', hash: 'h' }], [stmt('same', 'a.c', 3), stmt('new', 'a.c', 4)], [])
      await store.putRevision({ rev: 'v1', commit: 'c1', at: 10 }, [stmt('same', 'a.c', 2), stmt('old', 'a.c', 5), stmt('gone', 'b.c', 1)])
      await store.putRevision({ rev: 'v2', commit: 'c2', at: 20 }, [stmt('same', 'a.c', 3), stmt('new', 'a.c', 4), stmt('gone', 'b.c', 1)])
      // Catalogued again (a tag moved): its members are replaced.
      await store.putRevision({ rev: 'v1', commit: 'c1b', at: 30 }, [stmt('same', 'a.c', 2), stmt('old', 'a.c', 5)])
      expect(await store.listRevisions()).toEqual([{ rev: 'v1', commit: 'c1b', indexedAt: 30, statements: 2 }, { rev: 'v2', commit: 'c2', indexedAt: 20, statements: 3 }])
      const both = await store.revisionCatalog(['v1', 'v2'])
      expect(both.statements.map((s) => s.id).sort()).toEqual(['gone', 'new', 'old', 'same'])
      expect(Object.fromEntries([...both.members].map(([r, ids]) => [r, [...ids].sort()]))).toEqual({ v1: ['old', 'same'], v2: ['gone', 'new', 'same'] })
      expect((await store.revisionCatalog(['v1'])).statements.map((s) => s.id).sort()).toEqual(['old', 'same'])
      expect(await store.getStatement('old')).toMatchObject({ id: 'old', file: 'a.c', line: 5, template: 'msg old %s' })
      expect(await store.getStatement('same')).toMatchObject({ line: 3 })
      expect(await store.getStatement('nowhere')).toBeNull()
      expect((await store.listStatements()).map((s) => s.id)).toEqual(['same', 'new'])
    })

    it('records deploys in order', async () => {
      const a = await store.addDeploy({ rev: 'v1', commit: 'c1', hostPattern: '*', at: 100, by: 'cli' })
      const b = await store.addDeploy({ rev: 'v2', commit: 'c2', hostPattern: 'web-*', at: 200, by: 'api' })
      expect(b.id).toBeGreaterThan(a.id)
      expect(await store.listDeploys()).toEqual([a, b])
      expect(b).toEqual({ id: b.id, rev: 'v2', commit: 'c2', hostPattern: 'web-*', at: 200, by: 'api' })
    })

    it('adds placeholder values per statement × bucket in the counts\' transaction, bounded, and reads them over a range of buckets', async () => {
      const list = (pairs: Array<[string, number]>) => ({ v: pairs.map((p) => p[0]), c: pairs.map((p) => p[1]), e: pairs.map(() => 0), o: 0 })
      const batch = (bucket: number, lists: ReturnType<typeof list>[]) => ({ occurrences: [], unowned: [], checkpoints: [], values: [{ statementId: 's', bucket, lists }] })
      await store.applyCounts(batch(1000, [list([['a', 5], ['b', 1]]), list([['x', 6]])]))
      await store.applyCounts(batch(1000, [list([['b', 7], ...Array.from({ length: 12 }, (_, i): [string, number] => [`v${i}`, 1])])]))
      await store.applyCounts(batch(2000, [list([['a', 100]])]))
      const all = (await store.statementValues({ statements: [{ statementId: 's' }] })).get('s')!
      expect(all[0]!.top.slice(0, 3)).toEqual([{ value: 'a', count: 105 }, { value: 'b', count: 8 }, { value: 'v0', count: 1 }])
      // Bucket 1000 keeps ten values of the first placeholder; the four cut are counted as dropped.
      expect(all[0]!.top.length + all[0]!.more).toBe(10)
      expect(all[0]!.inexact).toBe(true)
      expect(all[1]).toEqual({ top: [{ value: 'x', count: 6 }], more: 0, inexact: false })
      const late = (await store.statementValues({ statements: [{ statementId: 's', since: 1000 }], until: 2000 })).get('s')!
      expect(late).toEqual([{ top: [{ value: 'a', count: 100 }], more: 0, inexact: false }])
      expect((await store.statementValues({ statements: [{ statementId: 's', since: 2000 }, { statementId: 'none' }] })).size).toBe(0)
      await store.prune(1500, 0)
      expect((await store.statementValues({ statements: [{ statementId: 's' }] })).get('s')![0]!.top).toEqual([{ value: 'a', count: 100 }])
    })

    it('keeps a statement\'s !expect annotation', async () => {
      await store.replaceFiles([{ file: 'a.c', hash: 'h' }], [stmt('hb', 'a.c', 3, { expect: { count: 1, everyMs: 3_600_000 } }), stmt('x', 'a.c', 4)], [])
      expect((await store.getStatement('hb'))!.expect).toEqual({ count: 1, everyMs: 3_600_000 })
      expect((await store.listStatements()).map((s) => s.expect ?? null)).toEqual([{ count: 1, everyMs: 3_600_000 }, null])
    })
  })
}
