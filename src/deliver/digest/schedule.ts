import type { Config } from '../../config/schema.js'
import { formatterFor } from '../../core/time-format.js'

/** Wall-clock facts about an instant in one time zone. */
export interface LocalTime {
  /** `YYYY-MM-DD` in that zone. */
  date: string
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  weekday: number
  hour: number
  minute: number
  tz: string
}

const WEEKDAY: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 }

/** True when `tz` is an IANA zone this runtime knows. */
export function validTimeZone(tz: string | null | undefined): tz is string {
  if (!tz) return false
  try {
    formatterFor(tz, 'parts')
    return true
  } catch {
    return false
  }
}

/** The wall clock at `at` (epoch ms) in `tz`. */
export function localTime(at: number, tz: string): LocalTime {
  const parts = formatterFor(tz, 'parts').formatToParts(new Date(at))
  const g = (t: string) => parts.find((p) => p.type === t)?.value ?? ''
  return { date: `${g('year')}-${g('month')}-${g('day')}`, weekday: WEEKDAY[g('weekday')] ?? 1, hour: Number(g('hour')), minute: Number(g('minute')), tz }
}

/** A working week: workdays, hours and days off. */
export type WorkWeek = Pick<Config['digest'], 'workdays' | 'startHour' | 'endHour'> & { holidays?: readonly string[] }

/**
 * The working week of the person configured under `key` (`people.<key>`): each of their `workdays`,
 * `startHour`, `endHour` and `holidays` when set, else digest's. Channels and people without an entry get digest's.
 */
export function workWeek(config: Pick<Config, 'digest' | 'people'>, key: string | null | undefined): WorkWeek {
  const d = config.digest
  const p = key ? config.people[key] : undefined
  if (!p) return d
  return { workdays: p.workdays ?? d.workdays, startHour: p.startHour ?? d.startHour, endHour: p.endHour ?? d.endHour, holidays: p.holidays ?? d.holidays }
}

/**
 * Whether `at` is inside a person's working hours: a workday of theirs in THEIR zone, not one of their
 * holidays there, and `startHour <= hour < endHour` there. `reason` says why not, for `dice digest --preview`.
 */
export function workingTime(at: number, tz: string, d: WorkWeek): { ok: boolean; reason: string | null; local: LocalTime } {
  const local = localTime(at, tz)
  const day = ['', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'][local.weekday]
  const hhmm = `${String(local.hour).padStart(2, '0')}:${String(local.minute).padStart(2, '0')}`
  if (!d.workdays.includes(local.weekday)) return { ok: false, reason: `${day} is not a workday in ${tz}`, local }
  if (d.holidays?.includes(local.date)) return { ok: false, reason: `${day} ${local.date} is a holiday in ${tz}`, local }
  if (local.hour < d.startHour) return { ok: false, reason: `${hhmm} ${tz} is before ${d.startHour}:00`, local }
  if (local.hour >= d.endHour) return { ok: false, reason: `${hhmm} ${tz} is after ${d.endHour}:00`, local }
  return { ok: true, reason: null, local }
}
