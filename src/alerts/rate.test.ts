import { describe, expect, it } from 'vitest'
import { alphaFor, fold, newRate, usual } from './rate.js'

const B = 300_000
const a = alphaFor(B, 24 * 3_600_000)

describe('the usual count per bucket (weighted average)', () => {
  it('is the plain mean while the history is short, and the level of a steady series', () => {
    const r = newRate()
    fold(r, 0, 10, a, B)
    expect(usual(r, B, a, B)).toBeCloseTo(10, 9)
    fold(r, B, 20, a, B)
    expect(usual(r, 2 * B, a, B)).toBeCloseTo(15, 1)
    for (let i = 2; i < 2000; i++) fold(r, i * B, 7, a, B)
    expect(usual(r, 2000 * B, a, B)).toBeCloseTo(7, 1)
  })

  it('folds skipped buckets as zeros in closed form, exactly as folding each zero would', () => {
    const closed = newRate()
    const each = newRate()
    for (const r of [closed, each]) (fold(r, 0, 50, a, B), fold(r, B, 30, a, B))
    fold(closed, 500 * B, 12, a, B)
    for (let i = 2; i < 500; i++) fold(each, i * B, 0, a, B)
    fold(each, 500 * B, 12, a, B)
    expect(closed.m).toBeCloseTo(each.m, 9)
    expect(closed.w).toBeCloseTo(each.w, 9)
    // usual() of a later bucket counts the buckets between as zeros without folding them.
    expect(usual(closed, 800 * B, a, B)).toBeCloseTo(usual((() => { for (let i = 501; i < 800; i++) fold(each, i * B, 0, a, B); return each })(), 800 * B, a, B), 9)
  })

  it('halves the weight of old counts after one half-life', () => {
    const r = newRate()
    for (let i = 0; i < 5000; i++) fold(r, i * B, 100, a, B)
    const perDay = 24 * 12
    for (let i = 5000; i < 5000 + perDay; i++) fold(r, i * B, 0, a, B)
    expect(usual(r, (5000 + perDay) * B, a, B)).toBeCloseTo(50, 0)
  })

  it('ignores a bucket folded twice', () => {
    const r = newRate()
    fold(r, 0, 10, a, B)
    fold(r, 0, 1000, a, B)
    expect(usual(r, B, a, B)).toBeCloseTo(10, 9)
  })
})
