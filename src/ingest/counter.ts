import type { Level, LogEntry, OccurrenceDelta, UnownedDelta } from '../core/types.js'

/** The per-source counters the pipeline keeps (and adds to the store's `counters` table at each flush). */
export const COUNTER_NAMES = ['lines', 'matched', 'counted', 'unmatched', 'unowned', 'bad_utf8', 'nul', 'too_long', 'malformed'] as const
export type CounterName = (typeof COUNTER_NAMES)[number]

/** Plain fields (not a Map) so the hot path increments a property. */
export class SourceCounters {
  lines = 0
  matched = 0
  counted = 0
  unmatched = 0
  unowned = 0
  bad_utf8 = 0
  nul = 0
  too_long = 0
  malformed = 0

  /** Add `o` into this. */
  add(o: SourceCounters): void {
    for (const k of COUNTER_NAMES) this[k] += o[k]
  }

  isZero(): boolean {
    return COUNTER_NAMES.every((k) => this[k] === 0)
  }

  toJSON(): Record<CounterName, number> {
    return Object.fromEntries(COUNTER_NAMES.map((k) => [k, this[k]])) as Record<CounterName, number>
  }
}

/** An unowned delta with its shape hash, as Store.applyCounts takes it. */
export type UnownedBatchItem = UnownedDelta & { shapeHash: string }

const MAX_SAMPLE_CHARS = 2000

/**
 * In-memory aggregation between two flushes: counts per statement × host × bucket (and per unowned shape ×
 * host × bucket), first/last seen, and the first few raw lines as samples. `size` lets the pipeline flush
 * before the maps grow without bound under a flood of distinct keys.
 */
export class Counter {
  private occ = new Map<string, OccurrenceDelta>()
  private unowned = new Map<string, UnownedBatchItem>()

  constructor(private readonly samplesPerBucket: number) {}

  /** Distinct keys held. */
  get size(): number {
    return this.occ.size + this.unowned.size
  }

  /** Count one matched entry. */
  occurrence(statementId: string, host: string, bucket: number, time: number, level: Level | null, entry: LogEntry): void {
    const key = `${statementId}\u0001${host}\u0001${bucket}`
    const o = this.occ.get(key)
    if (o === undefined) {
      this.occ.set(key, {
        statementId, host, bucket, count: 1, firstSeen: time, lastSeen: time, level,
        samples: this.samplesPerBucket > 0 ? [sample(entry)] : [],
      })
      return
    }
    o.count++
    if (time < o.firstSeen) o.firstSeen = time
    if (time > o.lastSeen) o.lastSeen = time
    if (o.samples.length < this.samplesPerBucket) o.samples.push(sample(entry))
  }

  /** Count one WARN+ entry that matched no statement, under its masked shape. */
  unownedShape(shapeHash: string, shape: string, host: string, bucket: number, time: number, level: Level | null, entry: LogEntry): void {
    const key = `${shapeHash}\u0001${host}\u0001${bucket}`
    const o = this.unowned.get(key)
    if (o === undefined) {
      this.unowned.set(key, {
        shapeHash, shape, host, bucket, count: 1, firstSeen: time, lastSeen: time, level,
        samples: this.samplesPerBucket > 0 ? [sample(entry)] : [],
      })
      return
    }
    o.count++
    if (time < o.firstSeen) o.firstSeen = time
    if (time > o.lastSeen) o.lastSeen = time
    if (o.samples.length < this.samplesPerBucket) o.samples.push(sample(entry))
  }

  /** Take everything aggregated so far and start empty. */
  drain(): { occurrences: OccurrenceDelta[]; unowned: UnownedBatchItem[] } {
    const out = { occurrences: [...this.occ.values()], unowned: [...this.unowned.values()] }
    this.occ = new Map()
    this.unowned = new Map()
    return out
  }

  /** Put back a batch whose write failed, merged with what arrived since, so the next flush retries it. */
  restore(batch: { occurrences: OccurrenceDelta[]; unowned: UnownedBatchItem[] }): void {
    for (const d of batch.occurrences) merge(this.occ, `${d.statementId}\u0001${d.host}\u0001${d.bucket}`, d, this.samplesPerBucket)
    for (const d of batch.unowned) merge(this.unowned, `${d.shapeHash}\u0001${d.host}\u0001${d.bucket}`, d, this.samplesPerBucket)
  }
}

function merge<T extends OccurrenceDelta | UnownedBatchItem>(m: Map<string, T>, key: string, d: T, maxSamples: number): void {
  const o = m.get(key)
  if (!o) return void m.set(key, d)
  o.count += d.count
  o.firstSeen = Math.min(o.firstSeen, d.firstSeen)
  o.lastSeen = Math.max(o.lastSeen, d.lastSeen)
  o.level ??= d.level
  o.samples = [...d.samples, ...o.samples].slice(0, maxSamples)
}

function sample(e: LogEntry): string {
  let s = e.continuation?.length ? `${e.raw}\n${e.continuation.join('\n')}` : e.raw
  if (s.length > MAX_SAMPLE_CHARS) s = s.slice(0, MAX_SAMPLE_CHARS)
  return s
}
