import { afterEach, describe, expect, it, vi } from 'vitest'
import { Pacer } from './pace.js'

afterEach(() => {
  vi.useRealTimers()
})

describe('Pacer', () => {
  it('lets a burst through at once, then one per 1/rate seconds, per key', async () => {
    vi.useFakeTimers()
    let t = 0
    const p = new Pacer(10, 2, () => t)
    const done: string[] = []
    const go = (key: string, name: string) => void p.wait(key).then(() => done.push(name))
    go('ops', 'a')
    go('ops', 'b')
    go('ops', 'c')
    go('dev', 'x')
    await vi.advanceTimersByTimeAsync(0)
    expect(done).toEqual(['a', 'b', 'x'])
    await vi.advanceTimersByTimeAsync(99)
    expect(done).toEqual(['a', 'b', 'x'])
    await vi.advanceTimersByTimeAsync(1)
    expect(done).toEqual(['a', 'b', 'x', 'c'])
  })

  it('refills with time: after a quiet second a full burst goes again', async () => {
    vi.useFakeTimers()
    let t = 0
    const p = new Pacer(1, 3, () => t)
    for (let i = 0; i < 3; i++) await p.wait('ops')
    t += 10_000
    const done: number[] = []
    for (let i = 0; i < 3; i++) void p.wait('ops').then(() => done.push(i))
    await vi.advanceTimersByTimeAsync(0)
    expect(done).toEqual([0, 1, 2])
  })
})
