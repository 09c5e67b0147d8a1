/**
 * Date formatters, one per time zone and style, made once. An Intl.DateTimeFormat costs ~100 µs to construct and
 * holds ICU memory outside the JavaScript heap until the garbage collector finalizes it: made per digest item (two
 * per item), a 10k-item fallback digest took 2.8 s and ~1 GB of RSS to render (bench/RESULTS.md, "Session 12").
 */

/** The formats Dice shows times in. */
const STYLES = {
  /** `2 Mar, 10:15`: a digest item's time frame. */
  dayTime: { locale: 'en-GB', options: { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } },
  /** `10:15`: a time within a day of now. */
  time: { locale: 'en-GB', options: { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } },
  /** `Mon 2 Mar, 10:15`. */
  weekdayDayTime: { locale: 'en-GB', options: { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } },
  /** `Monday at 10:15`. */
  weekdayLongTime: { locale: 'en-GB', options: { weekday: 'long', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } },
  /** Every field the work-week schedule reads (`formatToParts`). */
  parts: { locale: 'en-US', options: { hourCycle: 'h23', weekday: 'short', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' } },
} satisfies Record<string, { locale: string; options: Intl.DateTimeFormatOptions }>

export type TimeStyle = keyof typeof STYLES

const made = new Map<string, Intl.DateTimeFormat>()
/** Zones × styles kept; past it the cache starts over (time zones come from Slack profiles and config: few). */
const MAX_FORMATTERS = 1000

/** The formatter of `style` in `tz` (throws a RangeError for a time zone ICU does not know, as the constructor does). */
export function formatterFor(tz: string, style: TimeStyle): Intl.DateTimeFormat {
  const key = `${style}\u0000${tz}`
  let f = made.get(key)
  if (f === undefined) {
    const s = STYLES[style]
    f = new Intl.DateTimeFormat(s.locale, { ...s.options, timeZone: tz })
    if (made.size >= MAX_FORMATTERS) made.clear()
    made.set(key, f)
  }
  return f
}

/** `t` (epoch ms) formatted in `style` and time zone `tz`. */
export function formatTime(t: number, tz: string, style: TimeStyle): string {
  return formatterFor(tz, style).format(t)
}
