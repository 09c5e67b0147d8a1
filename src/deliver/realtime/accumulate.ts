import type { Hit, Level, Statement } from '../../core/types.js'
import type { ChannelCountDelta } from '../../store/store.js'
import { MAX_HOSTS } from './message.js'

/** What one host added to a statement × channel. */
export interface HostDelta { count: number; firstSeen: number; lastSeen: number }

/** What this instance saw of one statement × channel since it last handed its hits on. */
export interface ChannelDelta {
  statement: Statement
  channel: string
  hosts: Map<string, HostDelta>
  lastSeen: number
  /** Newest raw line, cut to SAMPLE_MAX_CHARS. */
  sample: string
  /** Key in `hosts` the sample came from. */
  sampleHost: string
  level: Level | null
}

const HOST_MAX_CHARS = 100
const SAMPLE_MAX_CHARS = 4000
/** Distinct hosts kept per statement × channel (listed ones plus counted ones); more are added under host ''. */
export const MAX_HOST_ROWS = MAX_HOSTS + 200

/** The key of a statement × channel. */
export const channelKey = (statementId: string, channel: string) => `${statementId}\u0000${channel}`

/**
 * The accumulate stage of real time: hits routed to channels (silences applied) folded per statement ×
 * channel into counts per host, time frame, newest sample and level — synchronous and cheap, on the hot
 * path. Whoever writes them takes them with `drain()` and gives back what it could not write with `putBack()`:
 * a hit is never dropped and never counted twice. Host '' is the overflow row (a real host never has that
 * name), so memory stays bounded by channels × MAX_HOST_ROWS whatever the number of hosts.
 */
export class Accumulator {
  private pending = new Map<string, ChannelDelta>()

  /** Statement × channel pairs held. */
  get size(): number {
    return this.pending.size
  }

  /** Fold one hit into its channels. `level` is the routed level (the entry's, else the statement's). */
  add(hit: Hit, channels: readonly string[], level: Level | null): void {
    const raw = hit.entry.raw.length > SAMPLE_MAX_CHARS ? hit.entry.raw.slice(0, SAMPLE_MAX_CHARS) : hit.entry.raw
    for (const channel of channels) {
      const key = channelKey(hit.statement.id, channel)
      let p = this.pending.get(key)
      if (!p) this.pending.set(key, (p = { statement: hit.statement, channel, hosts: new Map(), lastSeen: hit.time, sample: raw, sampleHost: '', level }))
      let host = hit.host.slice(0, HOST_MAX_CHARS) || '-'
      let h = p.hosts.get(host)
      if (!h && p.hosts.size >= MAX_HOST_ROWS) h = p.hosts.get((host = ''))
      if (!h) p.hosts.set(host, (h = { count: 0, firstSeen: hit.time, lastSeen: hit.time }))
      h.count++
      h.firstSeen = Math.min(h.firstSeen, hit.time)
      h.lastSeen = Math.max(h.lastSeen, hit.time)
      if (hit.time >= p.lastSeen) (p.lastSeen = hit.time), (p.sample = raw), (p.sampleHost = host)
      if (level) p.level = level
    }
  }

  /** Take everything held and start empty. */
  drain(): Map<string, ChannelDelta> {
    const out = this.pending
    this.pending = new Map()
    return out
  }

  /** Merge `p` back (its write failed, or has to wait), with whatever arrived meanwhile. */
  putBack(p: ChannelDelta): void {
    const key = channelKey(p.statement.id, p.channel)
    const q = this.pending.get(key)
    if (!q) return void this.pending.set(key, p)
    for (const [host, d] of p.hosts) {
      let k = host
      let h = q.hosts.get(k)
      if (!h && q.hosts.size >= MAX_HOST_ROWS) h = q.hosts.get((k = ''))
      if (!h) q.hosts.set(k, (h = { count: 0, firstSeen: d.firstSeen, lastSeen: d.lastSeen }))
      h.count += d.count
      h.firstSeen = Math.min(h.firstSeen, d.firstSeen)
      h.lastSeen = Math.max(h.lastSeen, d.lastSeen)
      if (host === p.sampleHost && p.lastSeen >= q.lastSeen) (q.lastSeen = p.lastSeen), (q.sample = p.sample), (q.sampleHost = k)
    }
    if (p.level) q.level = p.level
  }
}

/** The store's rows for drained deltas: one per statement × channel × host, the sample with its host's row. */
export function countDeltas(held: ReadonlyMap<string, ChannelDelta>): ChannelCountDelta[] {
  const out: ChannelCountDelta[] = []
  for (const p of held.values()) {
    for (const [host, h] of p.hosts) {
      const sample = host === p.sampleHost ? p.sample : null
      out.push({ statementId: p.statement.id, channel: p.channel, host, count: h.count, firstSeen: h.firstSeen, lastSeen: h.lastSeen, sample, level: sample === null ? null : p.level })
    }
  }
  return out
}
