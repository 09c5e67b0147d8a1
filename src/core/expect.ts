import { parseDuration } from './clock.js'

/** "At least `count` occurrences every `everyMs`": what a statement promises (`!expect 1/h`). */
export interface Expectation {
  count: number
  everyMs: number
}

const SPEC = /^(\d+)\s*\/\s*(\d*(?:\.\d+)?\s*(?:ms|s|m|h|d|w)(?:\s*\d+(?:\.\d+)?\s*(?:ms|s|m|h|d|w))*)$/

/**
 * Parse `N/PERIOD` (`1/h`, `3/15m`, `1/1d`, `2/1h30m`): at least N occurrences per period. A period with no
 * number means one unit (`1/h` = once an hour). Null when `text` is not of that form or means nothing
 * (a zero count, a zero period).
 */
export function parseExpectation(text: string): Expectation | null {
  const m = SPEC.exec(text.trim())
  if (!m) return null
  const count = Number(m[1])
  const period = m[2]!.replace(/\s+/g, '')
  let everyMs: number
  try {
    everyMs = parseDuration(/^\d/.test(period) ? period : `1${period}`)
  } catch {
    return null
  }
  return count > 0 && everyMs > 0 ? { count, everyMs } : null
}

/** `1/h`, `3/15m`: an expectation written back the way people write it. */
export function formatExpectation(e: Expectation): string {
  const units: Array<[string, number]> = [['w', 604_800_000], ['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]]
  for (const [u, ms] of units) {
    if (e.everyMs % ms === 0) return `${e.count}/${e.everyMs === ms ? '' : e.everyMs / ms}${u}`
  }
  return `${e.count}/${e.everyMs}ms`
}
