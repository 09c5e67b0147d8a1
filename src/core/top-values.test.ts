import { describe, expect, it } from 'vitest'
import { isStoredShape, MAX_VALUE_CHARS, TopValues, ValueGroup, VALUES_K, mergeLists, readValues } from './top-values.js'

describe('top values (space-saving)', () => {
  it('a million distinct values keep at most VALUES_K per placeholder, and the heavy hitters stay with their counts', () => {
    const t = new TopValues()
    for (let i = 0; i < 1_000_000; i++) {
      t.add(`198.51.${(i >> 8) & 255}.${i & 255}-${i}`)
      // More than 1/VALUES_K of all values each: space-saving is sure to keep them.
      if (i % 3 === 0) t.add('203.0.113.9')
      if (i % 5 === 0) t.add('198.51.100.4')
    }
    const l = t.list()
    expect(l.v.length).toBeLessThanOrEqual(VALUES_K)
    const [shown] = readValues([[l]])
    expect(shown!.top.slice(0, 2).map((t) => t.value)).toEqual(['203.0.113.9', '198.51.100.4'])
    // Counts shown are lower bounds: never more than the truth, and for these close to it.
    expect(shown!.top[0]!.count).toBeLessThanOrEqual(333_334)
    expect(shown!.top[0]!.count).toBeGreaterThan(250_000)
    expect(shown!.top[1]!.count).toBeLessThanOrEqual(200_000)
    expect(shown!.top[1]!.count).toBeGreaterThan(100_000)
    expect(shown!.inexact).toBe(true)
  })

  it('few values are counted exactly; long values are cut', () => {
    const t = new TopValues()
    for (let i = 0; i < 812; i++) t.add('203.0.113.9')
    for (let i = 0; i < 40; i++) t.add('198.51.100.4')
    t.add('x'.repeat(5000))
    const [v] = readValues([[t.list()]], 2)
    expect(v).toEqual({ top: [{ value: '203.0.113.9', count: 812 }, { value: '198.51.100.4', count: 40 }], more: 1, inexact: false })
    expect(t.list().v[2]!.length).toBe(MAX_VALUE_CHARS)
  })

  it('values counted in place in their line (addAt) count as their cut strings do (add), churn and all', () => {
    const byCut = new ValueGroup()
    const inPlace = new ValueGroup()
    const spans = new Int32Array(4)
    for (let i = 0; i < 5000; i++) {
      // A few peers most of the time, a flood of one-off ids (long: a slice of the line, not a copy) the rest.
      const peer = i % 7 === 0 ? `10.0.${i % 250}.${i % 13}` : ['203.0.113.9', '198.51.100.4', '192.0.2.77'][i % 3]!
      const id = i % 2 ? `request-${'x'.repeat(20)}-${i}` : 'request-steady-identifier-0001'
      const line = `peer ${peer} failed for ${id}`
      if (byCut.wants()) byCut.add([peer, id])
      if (inPlace.wants()) {
        spans.set([5, 5 + peer.length, line.length - id.length, line.length])
        inPlace.addAt(line, spans, 2)
      }
    }
    expect(inPlace.tops.map((t) => t.list())).toEqual(byCut.tops.map((t) => t.list()))
    expect(inPlace.step).toBeGreaterThan(1)
  })

  it('a summary as a Counter drains it is stored as it is; an unsorted or oversized list is not taken as stored', () => {
    const t = new TopValues()
    for (let i = 0; i < 100; i++) t.add(`v${i % 13}`, 1 + (i % 3))
    expect(isStoredShape([t.list()])).toBe(true)
    expect(mergeLists([], [t.list()])).toEqual([t.list()])
    expect(isStoredShape([{ v: ['a', 'b'], c: [1, 2], e: [0, 0], o: 0 }])).toBe(false)
    expect(isStoredShape([{ v: ['b', 'a'], c: [2, 2], e: [0, 0], o: 0 }])).toBe(false)
    const big = Array.from({ length: VALUES_K + 1 }, (_, i) => `x${i}`)
    expect(isStoredShape([{ v: big, c: big.map(() => 1), e: big.map(() => 0), o: 0 }])).toBe(false)
  })

  it('lists of two instances merge by adding counts, cut back to VALUES_K with the rest counted as dropped', () => {
    const a = new TopValues()
    const b = new TopValues()
    for (let i = 0; i < 30; i++) a.add('peer-a')
    for (let i = 0; i < 20; i++) b.add('peer-a')
    for (let i = 0; i < VALUES_K - 1; i++) b.add(`one-${i}`)
    a.add('only-a')
    const m = mergeLists([a.list()], [b.list()])
    expect(m[0]!.v[0]).toBe('peer-a')
    expect(m[0]!.c[0]).toBe(50)
    expect(m[0]!.v.length).toBe(VALUES_K)
    expect(m[0]!.o).toBe(1)
  })
})
