import type { Config } from '../config/schema.js'
import type { Statement } from '../core/types.js'
import type { Message } from '../deliver/notifier.js'
import type { MessageKind } from '../deliver/outbox/kinds.js'
import type { Router } from '../route/router.js'
import type { BucketSum, Store } from '../store/store.js'
import { currentDeploy, type Deploy } from './deploy.js'
import { buttons, plain, section, context, shortTime, templateSpan, where, wherePlain } from './messages.js'
import { undeliverable, type Address, type AlertSender } from './sender.js'
import { alertTargets, isChannel } from './targets.js'
import { slackEscape } from '../core/escape.js'

/** Outbox kind of first-seen DMs. */
export const FIRST_SEEN_KIND = 'alert.first-seen'
/** alert_state kinds: one row per statement told in a deploy, one per recipient's batches. */
const TOLD = 'first-seen'
const BATCHES = 'first-seen-batch'
/** Store meta key: when the detector first ran on this store (before it, everything is "never seen"). */
export const META_WATCHING_SINCE = 'alerts.watchingSince'

const DAY = 86_400_000
/** For the first hour Dice watches a store, a statement logging for the first time is the start-up, not news. */
const WARMUP_MS = 3_600_000
/** A batch due this soon is considered gone: new statements go to the next one (instances' clocks differ). */
const GRACE_MS = 2_000
/** Statements remembered as handled in the current deploy (beyond, they are looked up again). */
const MAX_DONE = 100_000
/** Hosts read per listed statement for "N hosts so far". */
const HOST_ROWS = 2_000

/** Which recipients and batch a told statement went to. */
interface Told { targets: Array<{ t: string; batch: number }>; at: number }
/** A recipient's batches in one deploy: the newest and when it goes (or went) out. */
interface Batches { batch: number; due: number }
/** Outbox payload: one recipient's batch. The statements are read from the store when it is sent. */
interface Payload { commit: string; deployAt: number; target: string; batch: number; rev?: string | null }

/**
 * First seen since the deploy (docs/alerts/first-seen.md). From the newest committed buckets, the statements
 * counted after the deploy that were not seen in the `quietDays` before it: each is recorded once per deploy
 * (if absent: several detectors agree), joined to its recipient's batch — the first at once, the next one
 * `groupSeconds` after the previous — and each batch is one outbox item.
 */
export class FirstSeenDetector {
  private commit: string | null = null
  private done = new Set<string>()
  private watchingSince: number | null = null

  constructor(private o: { store: Store; config: Config; router: Router; statement: (id: string) => Promise<Statement | null> }) {}

  /** Look at the newest buckets; returns how many outbox items it enqueued. */
  async check(recent: readonly BucketSum[], now: number): Promise<number> {
    const { store, config } = this.o
    const deploy = await currentDeploy(store)
    if (!deploy) return 0
    if (deploy.commit !== this.commit) (this.commit = deploy.commit), this.done.clear()
    const since = await this.since(now)
    const firstAfter = new Map<string, number>()
    for (const b of recent) {
      if (b.lastSeen < deploy.at || this.done.has(b.statementId)) continue
      const t = Math.max(b.firstSeen, deploy.at)
      firstAfter.set(b.statementId, Math.min(firstAfter.get(b.statementId) ?? t, t))
    }
    if (!firstAfter.size) return 0
    const ids = [...firstAfter.keys()]
    const key = (id: string) => `${deploy.commit}:${id}`
    const told = new Set((await store.alertStates(TOLD, { keys: ids.map(key) })).map((r) => r.key))
    const before = await store.lastSeenBefore(ids.filter((id) => !told.has(key(id))), deploy.at)
    const quietMs = config.alerts.firstSeen.quietDays * DAY
    const fresh: Array<{ s: Statement; at: number }> = []
    for (const id of ids) {
      if (this.done.size >= MAX_DONE) this.done.clear()
      this.done.add(id)
      if (told.has(key(id))) continue
      const last = before.get(id)
      if (last !== undefined && last >= deploy.at - quietMs) continue // it kept logging before the deploy
      const at = firstAfter.get(id)!
      if (deploy.at < since && at < since + WARMUP_MS) continue
      const s = await this.o.statement(id)
      if (s && this.o.router.levelPasses(s, s.level)) fresh.push({ s, at })
    }
    return fresh.length ? this.enqueue(deploy, fresh, now) : 0
  }

  /** Assign each fresh statement to its recipients' batches, record it once, and enqueue the batches. */
  private async enqueue(deploy: Deploy, fresh: Array<{ s: Statement; at: number }>, now: number): Promise<number> {
    const { store, config } = this.o
    const groupMs = config.alerts.firstSeen.groupSeconds * 1000
    const targets = new Map(fresh.map((f) => [f.s.id, alertTargets(this.o.router, this.o.config, f.s)]))
    const all = [...new Set([...targets.values()].flat())]
    const bkey = (t: string) => `${deploy.commit}:${t}`
    const stored = new Map((await store.alertStates(BATCHES, { keys: all.map(bkey) })).map((r) => [r.key, r.state as Batches]))
    const open = new Map<string, Batches>()
    for (const t of all) {
      const b = stored.get(bkey(t)) ?? { batch: 0, due: -Infinity }
      // Join the batch still waiting to go; else open the next, `groupSeconds` after the previous one.
      open.set(t, now < b.due - GRACE_MS ? b : { batch: b.batch + 1, due: Math.max(now, b.due + groupMs) })
    }
    const rows = fresh.map((f) => ({
      kind: TOLD, key: `${deploy.commit}:${f.s.id}`, updatedAt: now,
      state: { at: f.at, targets: targets.get(f.s.id)!.map((t) => ({ t, batch: open.get(t)!.batch })) } satisfies Told,
    }))
    const written = new Set(await store.putAlertStates(rows, { ifAbsent: true }))
    const used = new Set(rows.filter((r) => written.has(r.key)).flatMap((r) => r.state.targets.map((x) => x.t)))
    let n = 0
    for (const t of used) {
      const b = open.get(t)!
      await store.putAlertStates([{ kind: BATCHES, key: bkey(t), state: b, updatedAt: now }])
      const payload: Payload = { commit: deploy.commit, deployAt: deploy.at, target: t, batch: b.batch, rev: deploy.rev ?? null }
      if (await store.enqueue({ dedupKey: `first:${deploy.commit}:${t}:${b.batch}`, kind: FIRST_SEEN_KIND, recipient: t, payload, notBefore: b.due, createdAt: now })) n++
    }
    return n
  }

  private async since(now: number): Promise<number> {
    if (this.watchingSince !== null) return this.watchingSince
    const stored = await this.o.store.getMeta(META_WATCHING_SINCE)
    if (stored === null) await this.o.store.setMeta(META_WATCHING_SINCE, String(now))
    return (this.watchingSince = stored === null ? now : Number(stored))
  }
}

/** One statement of a batch as the DM shows it. */
interface Item { s: Statement; hosts: number; you: boolean }

/**
 * The first-seen message kind: the statements of one recipient's batch, minus those the recipient muted or
 * snoozed, each with who added it and in which commit and how many hosts logged it since the deploy.
 */
export function firstSeenKind(o: { store: Store; config: Config; sender: AlertSender; statement: (id: string) => Promise<Statement | null> }): MessageKind {
  return {
    async send(item, ctx) {
      const p = item.payload as Payload
      const addr = await o.sender.address(p.target)
      if (!addr) return undeliverable(p.target)
      const rows = (await o.store.alertStates(TOLD, { prefix: `${p.commit}:` }))
        .filter((r) => (r.state as Told).targets.some((x) => x.t === p.target && x.batch === p.batch))
      const items: Item[] = []
      let more = 0
      for (const r of rows) {
        const s = await o.statement(r.key.slice(p.commit.length + 1))
        if (!s || o.sender.silenced(s.id, addr)) continue
        if (items.length >= o.config.alerts.firstSeen.maxListed) {
          more++
          continue
        }
        const occ = await o.store.listOccurrences({ statementId: s.id, since: p.deployAt - 1, limit: HOST_ROWS })
        items.push({ s, hosts: new Set(occ.map((x) => x.host)).size, you: o.sender.isAuthor(s, addr) })
      }
      if (!items.length) return o.sender.skip(item, ctx, 'muted or snoozed')
      return o.sender.deliver(item, ctx, firstSeenMessage({ addr, config: o.config, commit: p.commit, rev: p.rev ?? null, deployAt: p.deployAt, now: ctx.now(), items, more, channel: isChannel(p.target) }))
    },
  }
}

/** "first seen since abc1234 (deployed 14:02): `…` — added by you in def5678, 3 hosts so far", one line per statement. */
export function firstSeenMessage(o: {
  addr: Address; config: Config; commit: string; rev?: string | null; deployAt: number; now: number; items: Item[]; more: number; channel: boolean
}): Message {
  const since = o.rev
    ? `since ${slackEscape(o.rev)} (${o.commit.slice(0, 7)}, deployed ${shortTime(o.deployAt, o.now, o.addr.tz)})`
    : `since ${o.commit.slice(0, 7)} (deployed ${shortTime(o.deployAt, o.now, o.addr.tz)})`
  const about = (i: Item) => {
    const by = i.s.blame ? ` — added by ${i.you ? 'you' : slackEscape(i.s.blame.name || i.s.blame.email)} in ${i.s.blame.commit.slice(0, 7)}` : ''
    return `${templateSpan(i.s)}${by}, ${i.hosts} host${i.hosts === 1 ? '' : 's'} so far`
  }
  const total = o.items.length + o.more
  const head = total === 1 ? `first seen ${since}: ${about(o.items[0]!)}` : `${total} statements first seen ${since}:`
  const blocks: unknown[] = [section(total === 1 ? `${head}\n${where(o.items[0]!.s, o.config)}` : `*${head}*`)]
  if (total === 1) blocks.push(buttons(o.items[0]!.s.id, o.channel))
  else for (const i of o.items) blocks.push(section(`${about(i)}\n${where(i.s, o.config)}`), buttons(i.s.id, o.channel))
  if (o.more) blocks.push(context(`and ${o.more} more (dice catalog lists them all)`))
  const lines = total === 1 ? [head, wherePlain(o.items[0]!.s)] : [head, ...o.items.map((i) => `• ${about(i)} · ${wherePlain(i.s)}`), ...(o.more ? [`and ${o.more} more`] : [])]
  return { to: o.addr.to, text: plain(lines.join('\n'), 3900), blocks }
}
