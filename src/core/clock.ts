import { UsageError } from './errors.js'

/** A clock returns epoch milliseconds. Passed in everywhere time matters so tests can pin it. */
export type Clock = () => number

export const systemClock: Clock = () => Date.now()

/**
 * `clock` read at most once per turn of the event loop: every call until the current synchronous run of work
 * ends (a batch of lines, parsed in one go) gets the same time. Year-less timestamps need "now" for every
 * line, and reading the system clock per line cost ~2% of a replay here; lines that arrived together may
 * share it.
 */
export function perTurn(clock: Clock): Clock {
  let now = 0
  let fresh = false
  const expire = () => {
    fresh = false
  }
  return () => {
    if (!fresh) {
      now = clock()
      fresh = true
      queueMicrotask(expire)
    }
    return now
  }
}

/**
 * A clock that starts at `at` (ISO time, from `--at` or `DICE_NOW`) and then advances with real time,
 * so a long-running `dice run --at …` still sees time pass.
 */
export function clockFrom(at: string | undefined, source = 'DICE_NOW'): Clock {
  if (!at) return systemClock
  const t = Date.parse(at)
  if (Number.isNaN(t)) throw new UsageError(`${source}: not an ISO time: ${JSON.stringify(at)}`)
  const offset = t - Date.now()
  return () => Date.now() + offset
}

/** Parse durations like `90s`, `15m`, `1h`, `1d`, `1w`, `1h30m`. Returns milliseconds. */
export function parseDuration(text: string, field = 'duration'): number {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }
  const re = /(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)/gy
  let total = 0
  let m: RegExpExecArray | null
  let consumed = 0
  const s = text.trim()
  while ((m = re.exec(s))) {
    total += Number(m[1]) * units[m[2]!]!
    consumed = re.lastIndex
  }
  if (consumed !== s.length || total <= 0) throw new UsageError(`${field}: expected a duration like 1h, 30m, 1d or 1w, got ${JSON.stringify(text)}`)
  return total
}
