import type { Level, LogEntry, MatchResult, OccurrenceDelta, UnownedDelta } from '../core/types.js'
import { MAX_PLACEHOLDERS, ValueGroup, type TopList, type ValuesDelta } from '../core/top-values.js'
import { appended } from '../core/short-arrays.js'

/**
 * The per-source counters the pipeline keeps (and adds to the store's `counters` table at each flush).
 * `below_level`: entries under match.minLevel that match no annotated statement — they cannot count, so
 * they are not looked up in the full catalog and are neither `matched` nor `unmatched`.
 */
export const COUNTER_NAMES = ['lines', 'matched', 'counted', 'unmatched', 'unowned', 'below_level', 'bad_utf8', 'nul', 'too_long', 'malformed'] as const
/** One of COUNTER_NAMES. */
export type CounterName = (typeof COUNTER_NAMES)[number]

/** Plain fields (not a Map) so the hot path increments a property. */
export class SourceCounters {
  lines = 0
  matched = 0
  counted = 0
  unmatched = 0
  unowned = 0
  below_level = 0
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

  /** Add counters sent as plain fields (an ingest worker's, toJSON() on the other side). */
  addFields(o: Record<CounterName, number>): void {
    for (const k of COUNTER_NAMES) this[k] += o[k]
  }

  toJSON(): Record<CounterName, number> {
    return Object.fromEntries(COUNTER_NAMES.map((k) => [k, this[k]])) as Record<CounterName, number>
  }
}

/** SourceCounters per source, since the last take(): what the next flush adds to the store. */
export class SourceDeltas {
  private map = new Map<string, SourceCounters>()
  /** The entry last asked for (forgotten when the map is replaced): a source's lines come in runs. */
  private lastSource: string | null = null
  private last: SourceCounters | null = null

  /** The counters of `source`. */
  of(source: string): SourceCounters {
    if (source === this.lastSource) return this.last!
    let c = this.map.get(source)
    if (c === undefined) this.map.set(source, (c = new SourceCounters()))
    this.lastSource = source
    this.last = c
    return c
  }

  /** Everything gathered so far; starts afresh. */
  take(): Map<string, SourceCounters> {
    const m = this.map
    this.map = new Map()
    this.lastSource = this.last = null
    return m
  }

  /** What take() would return, without taking it (metrics). */
  peek(): ReadonlyMap<string, SourceCounters> {
    return this.map
  }
}

/** An unowned delta with its shape hash, as Store.applyCounts takes it. */
export type UnownedBatchItem = UnownedDelta & { shapeHash: string }

const MAX_SAMPLE_CHARS = 2000
/** valuesOf()'s scratch: where a line's placeholder values are (start, end pairs). */
const SPANS = new Int32Array(2 * MAX_PLACEHOLDERS)

/**
 * In-memory aggregation between two flushes: counts per statement × host × bucket (and per unowned shape ×
 * host × bucket), first/last seen, and the first few raw lines as samples. `size` lets the pipeline flush
 * before the maps grow without bound under a flood of distinct keys.
 */
export class Counter {
  // statement id → its deltas (one per host × bucket). A statement rarely has more than a few dozen, so a
  // linear scan beats a key per line: no string is built or hashed per line (statement ids are long-lived
  // strings whose hash V8 caches), and far fewer objects are kept than with nested maps. Past SCAN_MAX the
  // statement switches to a map keyed by host and bucket.
  private occ = new Map<string, Slot>()
  private unowned = new Map<string, UnownedBatchItem>()
  private occKeys = 0
  /** A small number per host seen since the last drain: what a slot's scan compares instead of strings. */
  private hostNo = new Map<string, number>()
  /** Bumped whenever `occ` is replaced: an OccurrenceKey's slot is good only for the generation it was found in. */
  private gen = 0
  /**
   * The keys given a slot of this generation. drain() lets go of their slots: a key of a statement not seen again
   * would otherwise keep its drained slot (every delta and sample of it) alive for the rest of the run — with 100k
   * statements that was most of the heap a long replay grew to.
   */
  private keyed: OccurrenceKey[] = []

  /** Distinct unowned shapes seen per bucket, across flushes (the last MAX_SHAPE_BUCKETS buckets). */
  private shapesSeen = new Map<number, Set<string>>()

  /**
   * `maxShapesPerBucket` bounds what a flood of unique garbage (random text at WARN) can add to the store:
   * past it, new shapes of that bucket are counted under one OVERFLOW_SHAPE row.
   */
  /** The reading order of the entry being counted (set by the Tally), when `ordered`. */
  ord = 0

  /**
   * `ordered` (ingest workers): every delta carries the reading order of its first line and of each sample's
   * line (Ordered), so the Pipeline can merge several workers' aggregates as if one thread had counted the lines.
   */
  constructor(private readonly samplesPerBucket: number, private readonly maxShapesPerBucket = 2000, private readonly ordered = false) {}

  /** Distinct keys held. */
  get size(): number {
    return this.occKeys + this.unowned.size
  }

  /** Count one matched entry. */
  occurrence(statementId: string, host: string, bucket: number, time: number, level: Level | null, entry: LogEntry): void {
    this.count(this.slotOf(statementId), statementId, host, bucket, time, level, entry)
  }

  /** occurrence() through the statement's key: its slot is looked up once per flush, not once per line. */
  occurrenceOf(key: OccurrenceKey, host: string, bucket: number, time: number, level: Level | null, entry: LogEntry): void {
    let slot = key.slot
    if (key.gen !== this.gen || slot === null) {
      slot = key.slot = this.slotOf(key.statementId)
      key.gen = this.gen
      this.keyed.push(key)
    }
    this.count(slot, key.statementId, host, bucket, time, level, entry)
  }

  /**
   * The entry just counted through `key` (occurrenceOf) could as well come from the statements `ambiguous`
   * lists after the first (MatchResult.ambiguous): its delta keeps their ids.
   */
  tiedTo(key: OccurrenceKey, host: string, bucket: number, ambiguous: readonly string[]): void {
    const slot = key.slot!
    const o = slot.map === null ? find(slot, this.hostNumber(host), bucket) : slot.map.get(host)?.get(bucket)
    if (o !== undefined) addTied(o, ambiguous, 1, 1)
  }

  /**
   * The placeholder values of the entry just counted through `key` (occurrenceOf first), read from `r` only when
   * needed: one space-saving summary per placeholder per bucket (ValueGroup: a flood of distinct values is sampled),
   * so memory per statement stays bounded and most lines of a high-cardinality flood are not even cut into values.
   */
  valuesOf(key: OccurrenceKey, bucket: number, r: Pick<MatchResult, 'values' | 'spans'>): void {
    const g = groupOf(key.slot!, bucket, 0)
    if (!g.wants()) return
    const at = r.spans?.(SPANS, MAX_PLACEHOLDERS)
    if (at != null) g.addAt(at.line, SPANS, at.n)
    else g.add(r.values)
  }

  private slotOf(statementId: string): Slot {
    let slot = this.occ.get(statementId)
    if (slot === undefined) this.occ.set(statementId, (slot = new Slot()))
    return slot
  }

  private hostNumber(host: string): number {
    let n = this.hostNo.get(host)
    if (n === undefined) this.hostNo.set(host, (n = this.hostNo.size))
    return n
  }

  private count(slot: Slot, statementId: string, host: string, bucket: number, time: number, level: Level | null, entry: LogEntry): void {
    let o: OccurrenceDelta | undefined
    if (slot.map === null) o = find(slot, this.hostNumber(host), bucket)
    else o = slot.map.get(host)?.get(bucket)
    if (o === undefined) {
      const samples = this.samplesPerBucket > 0 ? [sample(entry)] : []
      // Ordered deltas are built whole (one object shape), not given their order fields afterwards.
      const d: OccurrenceDelta = this.ordered
        ? ({ statementId, host, bucket, count: 1, firstSeen: time, lastSeen: time, level, samples, ord: this.ord, ords: samples.length ? [this.ord] : [] } as OccurrenceDelta)
        : { statementId, host, bucket, count: 1, firstSeen: time, lastSeen: time, level, samples }
      this.add(slot, d)
      return
    }
    this.bump(o, time, entry)
  }

  /** One more entry for an existing aggregate (matched or unowned): count, time frame, bounded samples. */
  private bump(o: { count: number; firstSeen: number; lastSeen: number; samples: string[] } & Ordered, time: number, entry: LogEntry): void {
    o.count++
    if (time < o.firstSeen) o.firstSeen = time
    if (time > o.lastSeen) o.lastSeen = time
    if (o.samples.length < this.samplesPerBucket) {
      o.samples = appended(o.samples, sample(entry))
      o.ords?.push(this.ord)
    }
  }


  private add(slot: Slot, d: OccurrenceDelta): void {
    slot.list = appended(slot.list, d)
    slot.hosts = appended(slot.hosts, this.hostNumber(d.host))
    slot.buckets = appended(slot.buckets, d.bucket)
    this.occKeys++
    if (slot.map !== null) byHost(slot.map, d)
    else if (slot.list.length > SCAN_MAX) {
      slot.map = new Map()
      for (const x of slot.list) byHost(slot.map, x)
    }
  }

  /** Count one WARN+ entry that matched no statement, under its masked shape. */
  unownedShape(shapeHash: string, shape: string, host: string, bucket: number, time: number, level: Level | null, entry: LogEntry): void {
    if (!this.admit(shapeHash, bucket)) (shapeHash = OVERFLOW_HASH), (shape = OVERFLOW_SHAPE)
    const key = `${shapeHash}\u0001${host}\u0001${bucket}`
    const o = this.unowned.get(key)
    if (o === undefined) {
      const samples = this.samplesPerBucket > 0 ? [sample(entry)] : []
      const d: UnownedBatchItem = this.ordered
        ? ({ shapeHash, shape, host, bucket, count: 1, firstSeen: time, lastSeen: time, level, samples, ord: this.ord, ords: samples.length ? [this.ord] : [] } as UnownedBatchItem)
        : { shapeHash, shape, host, bucket, count: 1, firstSeen: time, lastSeen: time, level, samples }
      this.unowned.set(key, d)
      return
    }
    this.bump(o, time, entry)
  }

  /** Whether a shape keeps its own row in `bucket` (false: the bucket has its maximum of shapes; it goes to the overflow row). */
  private admit(shapeHash: string, bucket: number): boolean {
    if (this.maxShapesPerBucket === Infinity) return true
    let seen = this.shapesSeen.get(bucket)
    if (seen === undefined) {
      this.shapesSeen.set(bucket, (seen = new Set()))
      if (this.shapesSeen.size > MAX_SHAPE_BUCKETS) this.shapesSeen.delete(Math.min(...this.shapesSeen.keys()))
    }
    if (seen.has(shapeHash)) return true
    if (seen.size >= this.maxShapesPerBucket) return false
    seen.add(shapeHash)
    return true
  }

  /**
   * Add the aggregates ingest workers drained (Counter `ordered` on their side) for lines read in an order only
   * their ordinals tell: counts add up, first/last seen widen, each key keeps the level of its first line and the
   * samples of its first lines, and unowned shapes meet the per-bucket bound in the order they first appeared —
   * what counting the same lines here, in reading order, would have made.
   */
  mergeDrained(batches: ReadonlyArray<{ occurrences: OccurrenceDelta[]; unowned: UnownedBatchItem[]; values?: ValuesDelta[] }>): void {
    for (const b of batches) {
      for (const d of b.values ?? []) this.mergeValues(d)
      for (const d of b.occurrences) {
        const slot = this.slotOf(d.statementId)
        const o = slot.map !== null ? slot.map.get(d.host)?.get(d.bucket) : find(slot, this.hostNumber(d.host), d.bucket)
        if (o === undefined) this.add(slot, d)
        else combine(o, d, this.samplesPerBucket)
      }
    }
    const unowned = batches.length === 1 ? batches[0]!.unowned : batches.flatMap((b) => b.unowned).sort((x, y) => ordOf(x as Ordered) - ordOf(y as Ordered))
    for (const d of unowned) {
      if (!this.admit(d.shapeHash, d.bucket)) (d.shapeHash = OVERFLOW_HASH), (d.shape = OVERFLOW_SHAPE)
      const key = `${d.shapeHash}\u0001${d.host}\u0001${d.bucket}`
      const o = this.unowned.get(key)
      if (o === undefined) this.unowned.set(key, d)
      else combine(o, d, this.samplesPerBucket)
    }
  }

  /** Take everything aggregated so far and start empty. */
  drain(): { occurrences: OccurrenceDelta[]; unowned: UnownedBatchItem[]; values: ValuesDelta[] } {
    const occurrences: OccurrenceDelta[] = []
    const values: ValuesDelta[] = []
    for (const [statementId, slot] of this.occ) {
      for (const o of slot.list) occurrences.push(o)
      for (let i = 0; i < slot.vBuckets.length; i++) {
        const tops = slot.vGroups[i]!.tops
        if (tops.length === 0) continue
        const lists: TopList[] = []
        for (let p = 0; p < tops.length; p++) lists.push(tops[p]!.list())
        values.push({ statementId, bucket: slot.vBuckets[i]!, lists })
      }
    }
    const out = { occurrences, unowned: [...this.unowned.values()], values }
    this.occ = new Map()
    this.gen++
    for (const k of this.keyed) k.slot = null
    this.keyed = []
    this.hostNo = new Map()
    this.unowned = new Map()
    this.occKeys = 0
    return out
  }

  private mergeValues(d: ValuesDelta): void {
    const tops = groupOf(this.slotOf(d.statementId), d.bucket, Math.min(d.lists.length, MAX_PLACEHOLDERS)).tops
    for (let i = 0; i < d.lists.length && i < tops.length; i++) tops[i]!.merge(d.lists[i]!)
  }

  /** Put back a batch whose write failed, merged with what arrived since, so the next flush retries it. */
  restore(batch: { occurrences: OccurrenceDelta[]; unowned: UnownedBatchItem[]; values?: ValuesDelta[] }): void {
    for (const d of batch.values ?? []) this.mergeValues(d)
    for (const d of batch.occurrences) {
      let slot = this.occ.get(d.statementId)
      if (slot === undefined) this.occ.set(d.statementId, (slot = new Slot()))
      const o = slot.list.find((x) => x.bucket === d.bucket && x.host === d.host)
      if (o === undefined) this.add(slot, d)
      else mergeInto(o, d, this.samplesPerBucket)
    }
    for (const d of batch.unowned) {
      const key = `${d.shapeHash}\u0001${d.host}\u0001${d.bucket}`
      const o = this.unowned.get(key)
      if (o === undefined) this.unowned.set(key, d)
      else mergeInto(o, d, this.samplesPerBucket)
    }
  }
}

/** A statement's handle for Counter.occurrenceOf (one per statement, kept by the caller). */
export class OccurrenceKey {
  /** @internal */ slot: Slot | null = null
  /** @internal */ gen = -1
  constructor(readonly statementId: string) {}
}

/** One statement's deltas since the last drain. */
class Slot {
  // These lists are grown by appended(): most statements have one delta and one bucket of values per flush.
  list: OccurrenceDelta[] = []
  /**
   * The host number and bucket of each delta in `list`, side by side: the scan reads two flat arrays instead
   * of loading every delta (and its boxed bucket) and comparing host strings, which is what a statement with
   * a dozen hosts × buckets spent its time on (the WARN-heavy mix counts most lines).
   */
  hosts: number[] = []
  buckets: number[] = []
  /** host → bucket → delta, once the list is longer than SCAN_MAX. */
  map: Map<string, Map<number, OccurrenceDelta>> | null = null
  /** Buckets with placeholder values, and per bucket its summaries (side by side). */
  vBuckets: number[] = []
  vGroups: ValueGroup[] = []
  /** The bucket valuesOf() used last and its summaries: a statement's lines come mostly in one bucket. */
  vLast = NaN
  vLastGroup: ValueGroup | null = null
}

/** The summaries of `slot`'s bucket (made, `n` of them, on first use). */
function groupOf(slot: Slot, bucket: number, n: number): ValueGroup {
  let g = slot.vLast === bucket ? slot.vLastGroup! : null
  if (g === null) {
    const i = slot.vBuckets.indexOf(bucket)
    if (i >= 0) g = slot.vGroups[i]!
    else (slot.vBuckets = appended(slot.vBuckets, bucket)), (slot.vGroups = appended(slot.vGroups, (g = new ValueGroup())))
    slot.vLast = bucket
    slot.vLastGroup = g
  }
  // A template of more placeholders (re-indexed meanwhile) gets its further summaries now.
  if (g.tops.length < n) g.grow(n)
  return g
}

/** File a delta under host, then bucket: no key string is built per counted line. */
function byHost(map: Map<string, Map<number, OccurrenceDelta>>, d: OccurrenceDelta): void {
  let b = map.get(d.host)
  if (b === undefined) map.set(d.host, (b = new Map()))
  b.set(d.bucket, d)
}

const SCAN_MAX = 24
const MAX_SHAPE_BUCKETS = 16

/** The unowned row that collects the shapes of a bucket beyond `maxShapesPerBucket`. */
export const OVERFLOW_SHAPE = '(other unowned messages: too many distinct shapes in this bucket)'
/** Shape hash of the overflow row. */
export const OVERFLOW_HASH = 'overflow'

/** The delta of `slot` for host number `hn` and `bucket` (a slot still in its list form). */
function find(slot: Slot, hn: number, bucket: number): OccurrenceDelta | undefined {
  const hs = slot.hosts
  const bs = slot.buckets
  for (let i = 0; i < bs.length; i++) if (bs[i] === bucket && hs[i] === hn) return slot.list[i]
  return undefined
}

/** A delta of an `ordered` Counter: the reading order (ordinal) of its first line and of each sample's line. */
interface Ordered {
  ord?: number
  ords?: number[]
}

function ordOf(d: Ordered): number {
  return d.ord ?? -1
}

/** Fold `d` into `o` (both of one key), by reading order where the deltas have it (see Ordered). */
/** Add `ids` (from index `from` on) to a delta's tied statements, each once, and `lines` to its tied lines. */
function addTied(o: OccurrenceDelta, ids: readonly string[], from: number, lines: number): void {
  o.tiedLines = (o.tiedLines ?? 0) + lines
  const t = (o.tied ??= [])
  for (let i = from; i < ids.length; i++) if (!t.includes(ids[i]!)) t.push(ids[i]!)
}

function combine<T extends (OccurrenceDelta | UnownedBatchItem) & Ordered>(o: T, d: T, maxSamples: number): void {
  o.count += d.count
  if ('tied' in d && d.tied) addTied(o as OccurrenceDelta, d.tied, 0, d.tiedLines ?? 0)
  if (d.firstSeen < o.firstSeen) o.firstSeen = d.firstSeen
  if (d.lastSeen > o.lastSeen) o.lastSeen = d.lastSeen
  const oo = o.ords
  const od = d.ords
  if (oo === undefined || od === undefined) {
    // No order to go by (a line pushed in this thread): d's samples go after o's.
    for (let i = 0; i < d.samples.length && o.samples.length < maxSamples; i++) o.samples.push(d.samples[i]!)
    return
  }
  if (ordOf(d) < ordOf(o)) (o.level = d.level), (o.ord = d.ord)
  // The first samples of both, by reading order (each list is already in that order).
  const samples: string[] = []
  const ords: number[] = []
  let i = 0
  let j = 0
  while (samples.length < maxSamples && (i < oo.length || j < od.length)) {
    if (j >= od.length || (i < oo.length && oo[i]! < od[j]!)) (samples.push(o.samples[i]!), ords.push(oo[i++]!))
    else (samples.push(d.samples[j]!), ords.push(od[j++]!))
  }
  o.samples = samples
  o.ords = ords
}

function mergeInto<T extends OccurrenceDelta | UnownedBatchItem>(o: T, d: T, maxSamples: number): void {
  o.count += d.count
  if ('tied' in d && d.tied) addTied(o as OccurrenceDelta, d.tied, 0, d.tiedLines ?? 0)
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
