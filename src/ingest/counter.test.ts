import { describe, expect, it } from 'vitest'
import type { LogEntry } from '../core/types.js'
import { Counter, OccurrenceKey, OVERFLOW_SHAPE } from './counter.js'

const entry = (raw: string): LogEntry => ({ n: 1, raw, message: raw, level: 'error', time: null, host: null, file: null, line: null, logger: null })

describe('Counter', () => {
  it('keeps one delta per statement × host × bucket, also past the linear-scan size', () => {
    const c = new Counter(2)
    for (let round = 0; round < 3; round++) for (let h = 0; h < 60; h++) for (const b of [0, 300_000]) c.occurrence('s1', `h${h}`, b, b + round, 'error', entry(`r${round}`))
    c.occurrence('s2', 'h0', 0, 5, null, entry('x'))
    expect(c.size).toBe(121)
    const { occurrences } = c.drain()
    expect(occurrences).toHaveLength(121)
    const one = occurrences.find((o) => o.statementId === 's1' && o.host === 'h59' && o.bucket === 300_000)!
    expect(one).toMatchObject({ count: 3, firstSeen: 300_000, lastSeen: 300_002, samples: ['r0', 'r1'] })
    expect(c.size).toBe(0)
  })

  it('occurrenceOf counts as occurrence does, across drains and restores (a key never writes into a drained batch)', () => {
    const c = new Counter(1)
    const k = new OccurrenceKey('s1')
    c.occurrenceOf(k, 'h', 0, 1, 'error', entry('a'))
    c.occurrence('s1', 'h', 0, 2, 'error', entry('b'))
    const first = c.drain().occurrences
    expect(first).toMatchObject([{ statementId: 's1', count: 2, firstSeen: 1, lastSeen: 2, samples: ['a'] }])
    c.occurrenceOf(k, 'h', 0, 3, 'error', entry('c'))
    expect(first[0]!.count).toBe(2)
    c.restore({ occurrences: first, unowned: [] })
    c.occurrenceOf(k, 'h', 0, 4, 'error', entry('d'))
    expect(c.drain().occurrences).toMatchObject([{ statementId: 's1', count: 4, firstSeen: 1, lastSeen: 4 }])
  })

  it('lets go of a drained batch: no statement key keeps its slot (and the deltas and samples in it) after drain', () => {
    const c = new Counter(1)
    const keys = [new OccurrenceKey('s1'), new OccurrenceKey('s2')]
    for (const k of keys) c.occurrenceOf(k, 'h', 0, 1, 'error', entry('a'))
    c.drain()
    // s2 is never counted again: its key must not be what keeps the drained deltas alive until the process ends.
    c.occurrenceOf(keys[0]!, 'h', 0, 2, 'error', entry('b'))
    expect(keys.map((k) => k.slot)).toEqual([expect.anything(), null])
  })

  it('counts unowned shapes past the per-bucket bound under one overflow row, also across flushes', () => {
    const c = new Counter(1, 3)
    for (let i = 0; i < 5; i++) c.unownedShape(`h${i}`, `shape ${i}`, 'web', 0, 1, 'warn', entry(`line ${i}`))
    c.unownedShape('h0', 'shape 0', 'web', 0, 2, 'warn', entry('again'))
    const first = c.drain().unowned
    expect(first.map((u) => [u.shape, u.count])).toEqual([['shape 0', 2], ['shape 1', 1], ['shape 2', 1], [OVERFLOW_SHAPE, 2]])
    c.unownedShape('h9', 'shape 9', 'web', 0, 3, 'warn', entry('late'))
    c.unownedShape('h9', 'shape 9', 'web', 300_000, 3, 'warn', entry('next bucket'))
    expect(c.drain().unowned.map((u) => [u.shape, u.bucket])).toEqual([[OVERFLOW_SHAPE, 0], ['shape 9', 300_000]])
  })

  it('merges a failed batch back with what arrived since', () => {
    const c = new Counter(3)
    c.occurrence('s1', 'h', 0, 10, 'error', entry('a'))
    c.unownedShape('x', 'disk <NUM> full', 'h', 0, 10, 'warn', entry('disk 1 full'))
    const failed = c.drain()
    c.occurrence('s1', 'h', 0, 20, 'error', entry('b'))
    c.restore(failed)
    const { occurrences, unowned } = c.drain()
    expect(occurrences).toEqual([expect.objectContaining({ count: 2, firstSeen: 10, lastSeen: 20, samples: ['a', 'b'] })])
    expect(unowned).toEqual([expect.objectContaining({ count: 1, shape: 'disk <NUM> full' })])
  })
})
