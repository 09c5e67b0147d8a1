import type { Config } from '../config/schema.js'
import type { Statement } from '../core/types.js'
import type { Message } from '../deliver/notifier.js'
import type { MessageKind } from '../deliver/outbox/kinds.js'
import type { Silences } from '../deliver/silences.js'
import type { Router } from '../route/router.js'
import type { BucketSum, Store } from '../store/store.js'
import { alphaFor, fold, newRate, usual, type Rate } from './rate.js'
import { buttons, context, plain, section, shortTime, span, templateSpan, weekdayTime, where, wherePlain } from './messages.js'
import { undeliverable, type Address, type AlertSender } from './sender.js'
import { alertTargets, isChannel } from './targets.js'

/** Outbox kind of spike messages (the post, and its edits while the spike lasts). */
export const SPIKE_KIND = 'alert.spike'
/** alert_state kinds: a statement's usual rate and open episode; a posted message's ts, for its edits. */
const STATE = 'spike'
const MESSAGE = 'spike-message'

const HOUR = 3_600_000
/** A bucket is closed (folded into the usual rate) this long after it ends: the instances' last flushes are in. */
const CLOSE_LAG_MS = 10_000
/** Statements whose state is kept in memory (read back from the store past it). */
const MAX_CACHED = 20_000

/** One spike, from its first bucket over the threshold until a closed bucket is back under it. */
interface Episode {
  start: number
  /** The usual count per bucket when it began: what its ratios are of. */
  usual: number
  /** The newest bucket over the threshold and its count. */
  last: number
  count: number
  peak: number
  peakAt: number
  /** When it was over: the end of its last bucket over the threshold. */
  ended: number | null
  /** Edits enqueued so far, and what the last one said (an edit that changes nothing is not sent). */
  seq: number
  shown: string
  targets: string[]
}
/** What the detector keeps per statement. */
interface SpikeState { rate: Rate; ep: Episode | null }
/** Outbox payload: the post (edit 0) or an edit of one recipient's message about one episode. */
interface Payload { statementId: string; start: number; target: string; edit: number }

/**
 * More than usual (docs/alerts/spikes.md). Per statement, the usual count per time bucket (rate.ts: an
 * exponentially weighted average, folded as buckets close); a bucket — the current one as it fills, or one not
 * folded yet — at least `factor` × usual and `floor` is a spike. The first one opens an episode: snoozes
 * "until it gets worse" are lifted, and each recipient (owner and `#channel`s) gets a post; while it lasts,
 * each change of its ratio or peak enqueues an edit of those posts; a closed bucket back under the threshold
 * ends it (one last edit). State lives in the store, so another instance taking over the lease continues it.
 */
export class SpikeDetector {
  private cache = new Map<string, SpikeState>()
  /** Statements with an episode not yet ended: looked at every round, logging or not. */
  private open = new Set<string>()
  private loaded = false
  private bucketMs: number
  private alpha: number

  constructor(private o: { store: Store; config: Config; router: Router; statement: (id: string) => Promise<Statement | null> }) {
    this.bucketMs = o.config.match.bucketSeconds * 1000
    this.alpha = alphaFor(this.bucketMs, o.config.alerts.spikes.halfLifeHours * HOUR)
  }

  /** Look at the newest buckets; returns how many outbox items it enqueued. */
  async check(recent: readonly BucketSum[], now: number): Promise<number> {
    const B = this.bucketMs
    const current = now - (now % B)
    // The newest bucket that is closed: ended CLOSE_LAG_MS ago at least.
    const closed = now >= current + CLOSE_LAG_MS ? current - B : current - 2 * B
    if (!this.loaded) await this.loadOpen()
    const sums = new Map<string, Map<number, number>>()
    for (const b of recent) {
      if (b.bucket > current) continue
      let m = sums.get(b.statementId)
      if (!m) sums.set(b.statementId, (m = new Map()))
      m.set(b.bucket, b.count)
    }
    const ids = [...new Set([...sums.keys(), ...this.open])]
    if (!ids.length) return 0
    const states = await this.states(ids, current - B, current)
    const changed: Array<{ kind: string; key: string; state: unknown; updatedAt: number }> = []
    let n = 0
    for (const id of ids) {
      const st = states.get(id)!
      const before = JSON.stringify(st)
      n += await this.step(id, st, sums.get(id) ?? new Map(), now, current, closed)
      if (JSON.stringify(st) !== before) changed.push({ kind: STATE, key: id, state: st, updatedAt: now })
    }
    if (changed.length) await this.o.store.putAlertStates(changed)
    return n
  }

  /** One statement's round: judge the buckets not folded yet, move its episode, fold what closed. */
  private async step(id: string, st: SpikeState, sums: Map<number, number>, now: number, current: number, closed: number): Promise<number> {
    const { factor, floor, warmupHours } = this.o.config.alerts.spikes
    const B = this.bucketMs
    const r = st.rate
    const warm = current - r.since >= warmupHours * HOUR && r.w > 0
    let n = 0
    let currentOver = false
    // Buckets not folded yet, oldest first, each against the usual rate before it.
    for (const b of [...sums.keys()].filter((b) => b > r.through).sort((x, y) => x - y)) {
      const x = sums.get(b)!
      const u = usual(r, b, this.alpha, B)
      if (!(warm && x >= floor && x >= factor * u)) continue
      if (b === current) currentOver = true
      if (!st.ep || st.ep.ended !== null) {
        const s = await this.o.statement(id)
        if (!s) continue
        st.ep = { start: b, usual: u, last: b, count: x, peak: x, peakAt: b, ended: null, seq: 0, shown: '', targets: alertTargets(this.o.router, this.o.config, s, { channels: true }) }
        this.open.add(id)
        // "Snooze until it gets worse": it just did.
        await this.o.store.wakeSnoozes(id, 'worse')
        n += await this.enqueue(id, st.ep, 0, now)
      }
      const ep = st.ep
      // The current bucket is judged again as it fills: its count only grows.
      if (b > ep.last) (ep.last = b), (ep.count = x)
      else if (b === ep.last) ep.count = Math.max(ep.count, x)
      if (x > ep.peak) (ep.peak = x), (ep.peakAt = b)
    }
    // Fold every closed bucket (skipped ones as zeros); a closed bucket past the last one over ends the episode.
    for (const b of [...sums.keys()].filter((b) => b > r.through && b <= closed).sort((x, y) => x - y)) fold(r, b, sums.get(b)!, this.alpha, B)
    // Buckets with nothing in them are zeros of a history that has begun (not of one that has not).
    if (r.through >= r.since && r.through < closed) fold(r, closed, 0, this.alpha, B)
    const ep = st.ep
    if (ep && ep.ended === null) {
      if (r.through > ep.last && !currentOver) {
        ep.ended = ep.last + B
        this.open.delete(id)
      }
      const shown = `${ratio(ep.count, ep.usual)}|${ratio(ep.peak, ep.usual)}|${ep.ended}`
      if (ep.shown === '') ep.shown = shown
      else if (shown !== ep.shown) (ep.shown = shown), (n += await this.enqueue(id, ep, ++ep.seq, now))
    }
    return n
  }

  private async enqueue(id: string, ep: Episode, edit: number, now: number): Promise<number> {
    let n = 0
    for (const target of ep.targets) {
      const payload: Payload = { statementId: id, start: ep.start, target, edit }
      if (await this.o.store.enqueue({ dedupKey: `spike:${id}:${ep.start}:${target}:${edit}`, kind: SPIKE_KIND, recipient: target, payload, notBefore: now, createdAt: now })) n++
    }
    return n
  }

  /**
   * The states of `ids`: from memory, else the store, else seeded from the statement's stored buckets. A state
   * whose last fold is older than the `recent` window (a new statement, a detector that was down) is brought
   * up to date from the store's buckets in one read for all of them.
   */
  private async states(ids: string[], recentStart: number, current: number): Promise<Map<string, SpikeState>> {
    const out = new Map<string, SpikeState>()
    const missing = ids.filter((id) => !this.cache.has(id))
    const stored = missing.length ? await this.o.store.alertStates(STATE, { keys: missing }) : []
    for (const r of stored) this.remember(r.key, r.state as SpikeState)
    const B = this.bucketMs
    const seedMs = Math.min(2 * this.o.config.alerts.spikes.halfLifeHours * HOUR, this.o.config.retention.rawDays * 24 * HOUR)
    const behind: string[] = []
    for (const id of ids) {
      let st = this.cache.get(id)
      if (!st) this.remember(id, (st = { rate: newRate(), ep: null }))
      if (st.rate.through < recentStart - B || st.rate.through < st.rate.since) behind.push(id)
      out.set(id, st)
    }
    if (behind.length) {
      // One read for all of them, from the oldest bucket any needs (a new history: the seed window).
      const need = (r: Rate) => (r.through < r.since ? current - seedMs : r.through + B)
      const from = Math.max(current - seedMs, Math.min(...behind.map((id) => need(out.get(id)!.rate))))
      // Only closed buckets before the recent window: the round itself judges and folds the rest.
      for (const b of await this.o.store.bucketSums({ since: from, statementIds: behind })) {
        if (b.bucket < recentStart) fold(out.get(b.statementId)!.rate, b.bucket, b.count, this.alpha, B)
      }
    }
    return out
  }

  private remember(id: string, st: SpikeState): void {
    if (this.cache.size >= MAX_CACHED && !this.cache.has(id)) {
      for (const k of this.cache.keys()) if (!this.open.has(k)) (this.cache.delete(k))
    }
    this.cache.set(id, st)
    if (st.ep && st.ep.ended === null) this.open.add(id)
  }

  /** After taking the lease: the episodes another instance left open. */
  private async loadOpen(): Promise<void> {
    for (const r of await this.o.store.alertStates(STATE)) {
      const st = r.state as SpikeState
      if (st.ep && st.ep.ended === null) this.remember(r.key, st)
    }
    this.loaded = true
  }

  /** Forget what is in memory (another instance may have moved the states on while this one did not hold the lease). */
  reset(): void {
    this.cache.clear()
    this.open.clear()
    this.loaded = false
  }
}

/** `×12`: a ratio with two significant digits (what an edit is worth sending for). */
function ratio(x: number, u: number): string {
  if (u <= 0) return '×∞'
  const r = x / u
  return `×${r >= 10 ? Math.round(r) : r.toPrecision(2)}`
}

/** The usual count written for people: `~20`, `~1.5`, `~0.02`. */
function usualText(u: number): string {
  return u >= 10 ? `~${Math.round(u)}` : u >= 1 ? `~${u.toFixed(1)}` : u > 0 ? `~${u.toPrecision(1)}` : 'none'
}

/**
 * The spike message kind: renders the episode as stored when it is sent (so a late post shows the newest
 * numbers), the post through the silence stage (snoozes re-read first: a spike may just have lifted one), its
 * ts kept for the edits; an edit of a message never posted is dropped (the post, when it goes, is newer).
 */
export function spikeKind(o: { store: Store; config: Config; sender: AlertSender; silences: Silences; statement: (id: string) => Promise<Statement | null> }): MessageKind {
  return {
    async send(item, ctx) {
      const p = item.payload as Payload
      const st = (await o.store.alertStates(STATE, { keys: [p.statementId] }))[0]?.state as SpikeState | undefined
      if (!st?.ep || st.ep.start !== p.start) return o.sender.skip(item, ctx, 'superseded')
      const addr = await o.sender.address(p.target)
      if (!addr) return undeliverable(p.target)
      const s = await o.statement(p.statementId)
      if (!s) return o.sender.skip(item, ctx, 'statement gone')
      const msgKey = `${p.statementId}:${p.start}:${p.target}`
      if (p.edit === 0) {
        await o.silences.refresh()
        if (o.sender.silenced(s.id, addr)) return o.sender.skip(item, ctx, 'muted or snoozed')
        return o.sender.deliver(item, ctx, spikeMessage(s, st.ep, addr, o.config, isChannel(p.target)), (ts, channel) =>
          o.store.putAlertStates([{ kind: MESSAGE, key: msgKey, state: { ts, channel }, updatedAt: ctx.now() }]).then(() => undefined))
      }
      const posted = (await o.store.alertStates(MESSAGE, { keys: [msgKey] }))[0]?.state as { ts: string; channel: string | null } | undefined
      if (!posted) return o.sender.skip(item, ctx, 'not posted')
      const m = spikeMessage(s, st.ep, addr, o.config, isChannel(p.target))
      return o.sender.deliver(item, ctx, { ...m, to: posted.channel ?? m.to, updateTs: posted.ts })
    },
  }
}

/** "`…` — ×12 over usual: 240 in 5 min at Tuesday 14:00 (usually ~20)", or how it ended. */
export function spikeMessage(s: Statement, ep: Episode, addr: Address, config: Config, channel: boolean): Message {
  const per = span(config.match.bucketSeconds * 1000)
  const head = ep.ended === null
    ? `${ratio(ep.count, ep.usual)} over usual: ${ep.count} in ${per} at ${weekdayTime(ep.last, addr.tz)} (usually ${usualText(ep.usual)})`
    : `was ${ratio(ep.peak, ep.usual)} over usual (peak ${ep.peak} in ${per} at ${weekdayTime(ep.peakAt, addr.tz)}, usually ${usualText(ep.usual)}); back to usual since ${shortTime(ep.ended, ep.ended, addr.tz)}`
  const line = `${templateSpan(s)} — ${head}`
  const since = ep.ended === null && ep.start !== ep.last ? ` · since ${shortTime(ep.start, ep.last, addr.tz)}` : ''
  return {
    to: addr.to,
    text: plain(`${line}\n${wherePlain(s)}${since}`),
    blocks: [section(line), context(`${where(s, config)}${since}`), buttons(s.id, channel)],
  }
}
