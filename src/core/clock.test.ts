import { describe, expect, it } from 'vitest'
import { perTurn } from './clock.js'

describe('perTurn', () => {
  it('reads the clock once per synchronous run of work and again after the run yields', async () => {
    let t = 1000
    let reads = 0
    const clock = perTurn(() => (reads++, t))
    expect([clock(), clock(), clock()]).toEqual([1000, 1000, 1000])
    t = 2000
    expect(clock()).toBe(1000)
    expect(reads).toBe(1)
    await Promise.resolve()
    expect(clock()).toBe(2000)
    expect(reads).toBe(2)
    t = 3000
    await new Promise((r) => setTimeout(r, 1))
    expect(clock()).toBe(3000)
  })
})
