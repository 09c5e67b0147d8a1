/**
 * The values a statement's placeholders took: per placeholder, the VALUES_K most frequent with counts (space-saving,
 * Metwally et al.), so a flood from many peers is told as "peer: 203.0.113.9 ×812, 198.51.100.4 ×40, +3 more" in
 * bounded memory whatever the number of distinct values. Summaries are plain JSON-able lists that merge by
 * adding counts (one per statement × time bucket in the store; instances and ingest workers add theirs).
 */
import { appended } from './short-arrays.js'

/** Values kept per placeholder per statement × bucket (in memory and in the store). */
export const VALUES_K = 10
/** Placeholders tracked per statement (the first ones of a template with more). */
export const MAX_PLACEHOLDERS = 8
/** A longer value is cut to this many characters and `…`. */
export const MAX_VALUE_CHARS = 120
/**
 * A statement × bucket whose values keep taking each other's places (ids, durations: a new value per line) has every
 * STEP-th line's values read, each counted STEP times; STEP doubles after each CHURN replacements, up to MAX_STEP.
 * A few distinct values never churn: they are counted exactly, line by line.
 */
export const CHURN = 2 * VALUES_K
export const MAX_STEP = 64

/**
 * One placeholder's top values: `v` values and `c` their counts side by side (most counted first once sorted), `e`
 * how much of each count may belong to values it replaced (space-saving's error: `c - e` is a guaranteed lower
 * bound), `o` occurrences of values dropped from the list when it was cut back to VALUES_K after a merge.
 */
export interface TopList { v: string[]; c: number[]; e: number[]; o: number }

/** What a reader gets for one placeholder over some buckets: the top values and how many more there are. */
export interface PlaceholderValues {
  /** Most frequent first; `count` is at least this many (exact unless the bound dropped values). */
  top: Array<{ value: string; count: number }>
  /** Further distinct values known beyond `top`. */
  more: number
  /** The bound dropped values somewhere: there are more than `more` (and counts are lower bounds). */
  inexact: boolean
}

/**
 * `s` as a string of its own. V8 makes a slice of 13 characters or more a view of its parent: kept in a summary
 * until the next flush, it would keep the whole log line alive (and the garbage collector copying it).
 */
function own(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1)
}

/** A value as kept: cut to MAX_VALUE_CHARS. */
export function keptValue(v: string): string {
  return v.length > MAX_VALUE_CHARS ? v.slice(0, MAX_VALUE_CHARS - 1) + '…' : v
}

/**
 * A space-saving summary of one placeholder's values (the hot path: add() per counted line). At most VALUES_K values:
 * a linear scan of them costs less than hashing each new value for a Map (most values of a flood are new ones).
 */
export class TopValues {
  /**
   * The kept values side by side with their counts and errors, as triples (value, count, error): one array, not
   * three. Most summaries hold one value or two, and an array costs ~50 bytes before its first element; between two
   * flushes every statement × bucket with values keeps one summary per placeholder (bench/RESULTS.md, session 11).
   */
  private d: Array<string | number> = []
  o = 0

  /** Count `w` (default 1) occurrences of one value; true when it took another value's place (the list churns). */
  add(value: string, w = 1): boolean {
    return this.addAt(value, 0, value.length, w)
  }

  /**
   * add() of `line.slice(start, end)`, the slice cut only when the value is not kept yet: a flood of a few values
   * allocates nothing per line.
   */
  addAt(line: string, start: number, end: number, w: number): boolean {
    const d = this.d
    const len = end - start
    for (let i = 0; i < d.length; i += 3) {
      const x = d[i] as string
      if (x.length === len && line.startsWith(x, start)) {
        d[i + 1] = (d[i + 1] as number) + w
        return false
      }
    }
    // A kept value is its own string: a slice would keep the whole line alive until the next flush.
    return this.put(own(line.slice(start, end)), w, 0)
  }

  /** Count `n` of `value` (with `err` of them possibly another value's). */
  addN(value: string, n: number, err: number): boolean {
    const d = this.d
    for (let i = 0; i < d.length; i += 3) {
      if (d[i] === value) {
        d[i + 1] = (d[i + 1] as number) + n
        d[i + 2] = (d[i + 2] as number) + err
        return false
      }
    }
    return this.put(value, n, err)
  }

  private put(value: string, n: number, err: number): boolean {
    if (value.length > MAX_VALUE_CHARS) {
      const k = keptValue(value)
      if (k !== value) return this.addN(k, n, err)
    }
    const d = this.d
    if (d.length < 3 * VALUES_K) {
      // An exact copy (VALUES_K triples at most): push would give the array room for 16 more.
      this.d = d.length === 0 ? [value, n, err] : d.concat([value, n, err])
      return false
    }
    // Full: the least counted value gives its place (and its count, as the newcomer's possible error).
    let m = 1
    for (let j = 4; j < d.length; j += 3) if ((d[j] as number) < (d[m] as number)) m = j
    const had = d[m] as number
    d[m - 1] = value
    d[m] = had + n
    d[m + 1] = had + err
    return true
  }

  /** Add a list (another instance's, another bucket's, a worker's). */
  merge(l: TopList): void {
    for (let i = 0; i < l.v.length; i++) this.addN(l.v[i]!, l.c[i]!, l.e[i] ?? 0)
    this.o += l.o
  }

  /** The summary as a list, most counted first (ties by value). */
  list(): TopList {
    const d = this.d
    const lv: string[] = []
    const lc: number[] = []
    const le: number[] = []
    // At most VALUES_K values, drained by the tens of thousands: an insertion sort, no comparator calls.
    for (let k = 0; k < d.length; k += 3) {
      const xv = d[k] as string
      const xc = d[k + 1] as number
      const xe = d[k + 2] as number
      let j = lv.length - 1
      lv.push(xv), lc.push(xc), le.push(xe)
      while (j >= 0 && (lc[j]! < xc || (lc[j] === xc && lv[j]! > xv))) {
        lv[j + 1] = lv[j]!
        lc[j + 1] = lc[j]!
        le[j + 1] = le[j]!
        j--
      }
      lv[j + 1] = xv
      lc[j + 1] = xc
      le[j + 1] = xe
    }
    // Exact copies: these lists wait for the flush's write, tens of thousands at a time (push left room for 17).
    return { v: lv.slice(), c: lc.slice(), e: le.slice(), o: this.o }
  }
}

/**
 * Add lists of the same placeholders (per placeholder, by position): counts of a value add up, the longest VALUES_K
 * stay, and what the rest counted goes to `o`. Unlike TopValues.merge nothing already counted is taken for a newcomer.
 */
export function mergeLists(a: readonly TopList[], b: readonly TopList[], k = VALUES_K): TopList[] {
  const out: TopList[] = []
  for (let p = 0; p < Math.max(a.length, b.length); p++) {
    const x = a[p]
    const y = b[p]
    if (!x || !y) {
      out.push(cut((x ?? y)!, k))
      continue
    }
    out.push(cut(sumLists([x, y]), k))
  }
  return out
}

/** One list with the counts of every value in `ls` added up (not cut). */
export function sumLists(ls: readonly TopList[]): TopList {
  const at = new Map<string, number>()
  const r: TopList = { v: [], c: [], e: [], o: 0 }
  for (const l of ls) {
    r.o += l.o
    for (let i = 0; i < l.v.length; i++) {
      const j = at.get(l.v[i]!)
      if (j === undefined) {
        at.set(l.v[i]!, r.v.length)
        r.v.push(l.v[i]!)
        r.c.push(l.c[i]!)
        r.e.push(l.e[i] ?? 0)
      } else (r.c[j]! += l.c[i]!), (r.e[j]! += l.e[i] ?? 0)
    }
  }
  return r
}

/** Whether every list is as mergeLists() leaves it: at most VALUES_K values, most counted first (ties by value). */
export function isStoredShape(ls: readonly TopList[]): boolean {
  for (const l of ls) {
    if (l.v.length > VALUES_K || l.c.length !== l.v.length || l.e.length !== l.v.length) return false
    for (let i = 1; i < l.v.length; i++) if (l.c[i - 1]! < l.c[i]! || (l.c[i - 1] === l.c[i] && l.v[i - 1]! >= l.v[i]!)) return false
  }
  return true
}

/** `l` sorted (most counted first) and cut to `k` values, the counts beyond going to `o`. */
function cut(l: TopList, k: number): TopList {
  const ix = l.v.map((_, i) => i).sort((a, b) => l.c[b]! - l.c[a]! || (l.v[a]! < l.v[b]! ? -1 : 1))
  const keep = ix.slice(0, k)
  let o = l.o
  for (const i of ix.slice(k)) o += l.c[i]! - (l.e[i] ?? 0)
  return { v: keep.map((i) => l.v[i]!), c: keep.map((i) => l.c[i]!), e: keep.map((i) => l.e[i] ?? 0), o }
}

/** What readers are shown of several buckets' lists of one statement: per placeholder, the `n` most counted. */
export function readValues(buckets: ReadonlyArray<readonly TopList[]>, n = VALUES_K): PlaceholderValues[] {
  const width = Math.max(0, ...buckets.map((b) => b.length))
  const out: PlaceholderValues[] = []
  for (let p = 0; p < width; p++) {
    const lists = buckets.map((b) => b[p]).filter((l): l is TopList => l !== undefined)
    const all = sumLists(lists)
    // Shown and ranked by what is certain (c - e): a value that took a dropped one's place counts only its own.
    const sure = all.c.map((c, i) => Math.max(1, c - all.e[i]!))
    const ix = all.v.map((_, i) => i).sort((a, b) => sure[b]! - sure[a]! || (all.v[a]! < all.v[b]! ? -1 : 1))
    const top = ix.slice(0, n).map((i) => ({ value: all.v[i]!, count: sure[i]! }))
    const inexact = all.o > 0 || all.e.some((e) => e > 0)
    out.push({ top, more: Math.max(0, ix.length - top.length), inexact })
  }
  return out
}

/** Parse a stored row's lists (`[]` for anything unreadable). */
export function parseLists(json: string): TopList[] {
  try {
    const x = JSON.parse(json) as unknown
    if (!Array.isArray(x)) return []
    return x.map((l: Partial<TopList> | null) => ({
      v: Array.isArray(l?.v) ? l!.v.map(String) : [], c: Array.isArray(l?.c) ? l!.c.map(Number) : [],
      e: Array.isArray(l?.e) ? l!.e.map(Number) : [], o: Number(l?.o ?? 0) || 0,
    }))
  } catch {
    return []
  }
}

/** The summaries of one statement × bucket, one per placeholder, read every `step`-th line once they churn. */
export class ValueGroup {
  tops: TopValues[] = []
  /** Lines to pass over before the next is read. */
  skip = 0
  step = 1
  private churn = 0

  /**
   * Whether the next line's values are read (false: pass it over, its values are not needed: reading them costs
   * more than counting the line).
   */
  wants(): boolean {
    if (this.skip === 0) return true
    this.skip--
    return false
  }

  /** The values of a line wants() took (one per placeholder, the first MAX_PLACEHOLDERS of them). */
  add(values: readonly string[]): void {
    const w = this.step
    const n = values.length < MAX_PLACEHOLDERS ? values.length : MAX_PLACEHOLDERS
    const tops = this.grow(n)
    let churned = false
    for (let i = 0; i < n; i++) if (tops[i]!.add(values[i]!, w)) churned = true
    this.took(churned, w)
  }

  /** add() of the values at `spans` of `line` (start, end pairs; `n` ≤ MAX_PLACEHOLDERS of them), cut only when new. */
  addAt(line: string, spans: Int32Array, n: number): void {
    const w = this.step
    const tops = this.grow(n)
    let churned = false
    for (let i = 0; i < n; i++) if (tops[i]!.addAt(line, spans[2 * i]!, spans[2 * i + 1]!, w)) churned = true
    this.took(churned, w)
  }

  /** The summaries, at least `n` of them (a placeholder's is made on its first value). */
  grow(n: number): TopValues[] {
    while (this.tops.length < n) this.tops = appended(this.tops, new TopValues())
    return this.tops
  }

  private took(churned: boolean, w: number): void {
    if (churned && w < MAX_STEP && ++this.churn >= CHURN) (this.step = w * 2), (this.churn = 0)
    this.skip = this.step - 1
  }
}

/** One statement × bucket's placeholder values since the last flush (Store.applyCounts adds them to the stored lists). */
export interface ValuesDelta { statementId: string; bucket: number; lists: TopList[] }
