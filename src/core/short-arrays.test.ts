import { describe, expect, it } from 'vitest'
import { appended } from './short-arrays.js'

describe('appended', () => {
  it('keeps every element in order while copying short arrays and pushing long ones', () => {
    let a: number[] = []
    const seen: number[][] = []
    for (let i = 0; i < 20; i++) {
      const before = a
      a = appended(a, i)
      seen.push(before)
      // Short: a new array (the old one is left as it was); long: the same array, pushed.
      if (i < 8) expect(a).not.toBe(before)
      else expect(a).toBe(before)
    }
    expect(a).toEqual(Array.from({ length: 20 }, (_, i) => i))
    expect(seen[3]).toEqual([0, 1, 2])
  })

  it('appends an array as one element', () => {
    expect(appended([[1]], [2, 3])).toEqual([[1], [2, 3]])
    expect(appended<number[]>([], [4])).toEqual([[4]])
  })
})
