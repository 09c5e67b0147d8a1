import { describe, expect, it } from 'vitest'
import { formatExpectation, parseExpectation } from './expect.js'

describe('expectations (N/PERIOD)', () => {
  it('reads a count per period, a bare unit meaning one of it', () => {
    expect(parseExpectation('1/h')).toEqual({ count: 1, everyMs: 3_600_000 })
    expect(parseExpectation('3/15m')).toEqual({ count: 3, everyMs: 900_000 })
    expect(parseExpectation('2 / 1h30m')).toEqual({ count: 2, everyMs: 5_400_000 })
    expect(parseExpectation('1/1d')).toEqual({ count: 1, everyMs: 86_400_000 })
  })

  it('refuses what promises nothing or is not of that form', () => {
    for (const bad of ['0/h', '1/0h', 'h', '1/', '/h', '1/hour', 'once an hour', '1/h extra']) expect(parseExpectation(bad), bad).toBeNull()
  })

  it('writes an expectation back as people write it', () => {
    expect(formatExpectation({ count: 1, everyMs: 3_600_000 })).toBe('1/h')
    expect(formatExpectation({ count: 3, everyMs: 900_000 })).toBe('3/15m')
    expect(formatExpectation({ count: 1, everyMs: 2 * 86_400_000 })).toBe('1/2d')
  })
})
