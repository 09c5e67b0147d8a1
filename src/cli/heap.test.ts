import { describe, expect, it } from 'vitest'
import { BOUNDED_FROM, boundsHeap } from './heap.js'

describe('bounding the heap', () => {
  it('bounds it for a large catalog, and for any run with ingest workers whatever the catalog', () => {
    expect(boundsHeap(10_000, 0)).toBe(false)
    expect(boundsHeap(BOUNDED_FROM - 1, 0)).toBe(false)
    expect(boundsHeap(BOUNDED_FROM, 0)).toBe(true)
    // Workers' isolates grew a 10k-statement replay of 1M lines from 258 MB to 573–951 MB unbounded.
    expect(boundsHeap(10_000, 1)).toBe(true)
    expect(boundsHeap(0, 2)).toBe(true)
  })
})
