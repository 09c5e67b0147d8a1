import type { Config } from '../../config/schema.js'
import { occurrenceRevisions } from '../../catalog/live.js'
import type { Clock } from '../../core/clock.js'
import { isShapeId, shapeId, type Statement } from '../../core/types.js'
import { personFor } from '../../catalog/people.js'
import { levelRank } from '../../core/levels.js'
import type { DeployRow, DigestMark, OccurrenceRow, Store, UnownedRow } from '../../store/store.js'
import { Router } from '../../route/router.js'
import type { SlackApi } from '../slack/api.js'
import { People, type Recipient } from '../../people/people.js'
import { labeled } from '../values.js'
import { Silences } from '../silences.js'
import { codeLink } from '../../core/links.js'
import { nextTurn } from '../../core/next-turn.js'
import { digestMessages, itemsPerMessage, listedItems, type DigestItem, type DigestPart } from './blocks.js'
import { workWeek, workingTime, type LocalTime } from './schedule.js'
import { channelsLost, noOwner, noteFor, refusedChannels, warnOnce, type Lost } from './undeliverable.js'

/** Outbox kind of digest messages. */
export const DIGEST_KIND = 'digest'

/** What happened to one recipient's digest in a build. */
export type DigestStatus =
  | 'preview' // --preview: built, not sent, marks untouched
  | 'dry-run' // due and would be sent, but `dryRun` (dice digest with no Slack token): printed only, marks untouched
  | 'enqueued' // due: in the outbox, about to be posted
  | 'already-sent' // today's digest exists (sent or on its way)
  | 'not-due' // outside working hours / not a workday in their zone
  | 'away' // working hours, but Slack presence is away: tried again next check
  | 'undeliverable' // meant for someone Slack has nobody for (or nobody), and no route.fallbackChannel: counted on the web page and /metrics

/** One recipient's digest as built. */
export interface DigestPreview {
  /** Person key, or `#channel` for a channel digest (fallback channel, unowned shapes). */
  target: string
  kind: 'person' | 'channel'
  /** Slack user id or channel the message goes to. */
  to: string
  tz: string
  /** The recipient's local date: part of the dedup key, one digest per working day. */
  localDate: string
  due: boolean
  reason: string | null
  status: DigestStatus
  /**
   * Every item, in the order shown: new ones first, then by level, then by count. Of those past the listed ones (the last
   * `hidden`), some are kept only as counted: no sample, hosts, link, note or values.
   */
  items: DigestItem[]
  /**
   * Items not listed in its messages (past `digest.maxMessages`; the last message says how many): they are marked
   * as delivered with the rest — a long digest continues in thread replies, it never rolls into the next day.
   */
  hidden: number
  /** The first message's text and blocks (`parts[0]`). */
  text: string
  blocks: unknown[]
  /** Every message of the digest: the first, then the thread replies continuing it. */
  parts: DigestPart[]
  /** Of an undeliverable digest that was counted (not previewed): its sums — its items are counted as found, not kept. */
  counted?: { statements: number; occurrences: number }
}

/**
 * Outbox payload of a digest: its messages (the first, then thread replies) and the marks to set once all
 * are posted. Items enqueued before digests had parts carry `text` and `blocks` only.
 */
export interface DigestPayload {
  target: string
  to: string
  parts?: DigestPart[]
  text?: string
  blocks?: unknown[]
  /** Only in items an older Dice enqueued: the marks are staged with the item now (`Store.enqueue`). */
  marks?: DigestMark[]
}

/** Options of `buildDigests`. */
export interface BuildDigestsOptions {
  store: Store
  config: Config
  clock: Clock
  router?: Router
  /** Mutes and snoozes; read from the store when not given. */
  silences?: Silences
  slack?: SlackApi | null
  people?: People
  /** Only this recipient (person key, email, alias, Slack id, or `#channel`). */
  user?: string
  /** Build and return without sending, enqueuing, consuming snoozes or moving marks; ignore due-ness. */
  preview: boolean
  /**
   * Decide as a send does (due-ness, what is on its way) but enqueue, mark and consume nothing: due digests get
   * status 'dry-run'. `dice digest` with no Slack token, so console output is a preview unless asked to count.
   */
  dryRun?: boolean
  /** Where a loss is reported (once per intended recipient and day): `dice run`'s log. Default: nowhere. */
  log?: (line: string) => void
}

interface Group {
  target: string
  kind: 'person' | 'channel'
  recipient: Recipient | null
  channel: string | null
  statements: Statement[]
  shapes: boolean
  /** Unowned shapes (hashes) handed over to this recipient ("Not mine", `dice reassign shape:…`). */
  shapeIds?: Set<string>
  /**
   * Statements of `statements` that are someone else's, here because their lines could as well come from one of
   * this group's (Store ties): the lines since `since`, shown with a note naming `others`.
   */
  tied?: Map<string, { since: number; others: Statement[] }>
  /** Set when nobody can get this group's digest: counted as undeliverable instead of sent. */
  lost?: Lost
  /** Of a `lost` group: what was counted so far, and its marks (read once, at its first part). */
  counted?: { statements: number; occurrences: number; sent: Map<string, number> }
  /** Its items, built as its statements are found (`buildPart`). */
  items?: ItemsInProgress
  /** Working time in its recipient's zone at the build's time. */
  when?: ReturnType<typeof workingTime>
  /** Whether its digest for its local today is in the outbox already (a send only). */
  sentToday?: boolean
}

/** The outbox key of `target`'s digest for its local `date`: one digest a working day. */
const digestKey = (target: string, date: string) => `digest:${target}:${date}`

/** Digest marks of what was counted as undeliverable for `target` (the target's own marks stay, for when it is fixed). */
const LOST_MARKS = 'undeliverable:'

/**
 * Build the digests due at `clock()`: per recipient, every statement with occurrences since the
 * recipient's mark for it (see `fresh`: a bucket still filling is counted once, in parts), grouped once with
 * count, hosts and time frame. A due digest (working hours and workday in the recipient's zone, Slack presence
 * active) is put in the outbox under `digest:<target>:<local date>` with its marks in the same row: posting
 * sets the marks, so a crash between building and posting loses nothing and a rebuilt digest never goes
 * out twice the same day. A digest carries everything due: past `digest.maxItems` it continues in thread
 * replies, and its first message says how many follow.
 */
export async function buildDigests(o: BuildDigestsOptions): Promise<DigestPreview[]> {
  const { store, config } = o
  const now = o.clock()
  const router = o.router ?? new Router({ store, config, clock: o.clock })
  if (!o.router) await router.refresh()
  const silences = o.silences ?? new Silences({ store, config, clock: o.clock })
  if (!o.silences) await silences.refresh()
  const people = o.people ?? new People({ store, config, clock: o.clock, slack: o.slack })
  const fallback = config.route.fallbackChannel?.replace(/^#/, '') ?? null
  const log = o.log ?? (() => {})

  // The statements anything was counted for, read a part at a time below: a 100k-statement catalog is not read whole
  // (a replay's final digest runs while the pipeline's copy is still alive).
  const counted = await store.countedStatements({ until: now })
  const countedIds = counted.map((c) => c.statementId)
  // A statement is read only when counted in a bucket past its mark (Store.countedStatements).
  const lastBucket = new Map(counted.map((c) => [c.statementId, c.lastBucket ?? Infinity]))
  const ties = await store.listTies()
  const tiedIds = new Set(ties.flatMap((t) => [t.statementId, t.alsoId]))
  const tiedStatements = new Map(tiedIds.size ? (await store.statementsByIds([...tiedIds])).map((s) => [s.id, s]) : [])
  // Which revision each occurrence came from (docs/alerts/versions.md): from the deploy records, when there are any.
  const deploys = await store.listDeploys()
  const refused = await refusedChannels(store)
  const wanted = o.user ? matcher(o.user, config) : null
  const groups = new Map<string, Group>()
  /** Why a statement is not reaching its owner (shown beside it in the fallback digest). */
  const lost = new Map<string, Lost>()
  // Nothing vanishes: what cannot reach its owner goes to the fallback channel with the reason, else it is
  // counted as undeliverable (web page, /metrics, a warning a day).
  const lose = (s: Statement, why: Lost): Group => {
    lost.set(s.id, why)
    if (fallback) return channelGroup(groups, fallback)
    const key = why.intended === 'nobody' ? '(nobody)' : why.intended
    let g = groups.get(key)
    if (!g) groups.set(key, (g = { target: key, kind: 'person', recipient: null, channel: null, statements: [], shapes: false, lost: why }))
    return g
  }
  /** The group of `s`'s digest target when Slack can reach it (no fallback, nothing counted as lost). */
  const reachable = async (s: Statement): Promise<Group | null> => {
    const t = router.digestTarget(s)
    if (!t) return null
    if (t.kind === 'channel') return refused.has(t.channel.toLowerCase()) ? null : channelGroup(groups, t.channel)
    const r = await people.resolve(t.key)
    if (!r.known) return null
    let g = groups.get(r.key)
    if (!g) groups.set(r.key, (g = { target: r.key, kind: 'person', recipient: r, channel: null, statements: [], shapes: false }))
    return g
  }
  const groupFor = async (s: Statement): Promise<Group | null> => {
    const owner = router.ownerOf(s)
    let t = router.digestTarget(s)
    const deadChannels = t ? null : channelsLost(s, owner, refused)
    if (deadChannels) {
      lost.set(s.id, deadChannels)
      t = owner.who ? (owner.who.startsWith('#') ? { kind: 'channel', channel: owner.who.slice(1) } : { kind: 'person', key: owner.who }) : null
    }
    if (!t) {
      if (router.channelOnly(s, owner) && !deadChannels) return null
      // Refused channels were counted when Slack refused the post; here it is that nobody else owns it either.
      const nobody = noOwner(s)
      return lose(s, deadChannels ? { ...nobody, detail: `${deadChannels.detail}, and ${nobody.detail}` } : nobody)
    }
    if (!owner.who && fallback && t.kind === 'channel' && t.channel === fallback) lost.set(s.id, noOwner(s))
    let g: Group
    if (t.kind === 'person') {
      const r = await people.resolve(t.key)
      if (!r.known) g = lose(s, { intended: t.key, reason: r.problem ?? 'unknown', detail: r.detail })
      else g = groups.get(r.key) ?? { target: r.key, kind: 'person', recipient: r, channel: null, statements: [], shapes: false }
    } else g = channelGroup(groups, t.channel)
    groups.set(g.target, g)
    return g
  }
  // Where each tied statement went (for the ties below).
  const tiedTo = new Map<string, Group | null>()
  const lostContext = { store, config, router, silences, now, lost, lastBucket, preview: o.preview || !!o.dryRun }
  const outstanding = new Set((await Promise.all(['pending', 'claimed'].map((status) => store.listOutbox({ kind: DIGEST_KIND, status, limit: 10_000 }))))
    .flat().map((i) => (i.payload as DigestPayload | null)?.target))
  const whenOf = (g: Group) => (g.when ??= workingTime(now, g.recipient?.tz ?? config.digest.defaultTimezone, workWeek(config, g.recipient?.person?.key)))
  const perMessage = itemsPerMessage(config.digest.maxItems)
  const listed = listedItems(Infinity, perMessage, config.digest.maxMessages)
  // Unowned shapes handed over to someone go to their digest instead of the fallback's (filled below, read when built).
  const handedOver = new Set<string>()
  const itemContext: ItemContext = { store, config, router, silences, now, preview: o.preview, lost, lastBucket, handedOver, deploys, listed }
  /**
   * Was `g`'s digest for its local today enqueued already (sent, on its way, or given up on)? Then a send has nothing
   * to build: a check every digest.checkEveryMinutes rebuilt the day's digest only to find it sent (a fallback
   * digest of 78k statements: ~5 s and ~900 MB allocated each time).
   */
  const sentToday = async (g: Group) => (g.sentToday ??= !o.preview && !o.dryRun && (await store.outboxStatus(digestKey(g.target, whenOf(g).local.date))) !== null)
  /** Is `g`'s digest built in this call (wanted, and due unless previewed)? Only then are its items built as found. */
  const builds = async (g: Group) => (!wanted || wanted(g)) && (o.preview || (!outstanding.has(g.target) && whenOf(g).ok && !(await sentToday(g))))
  /** Hand the statements `g` gathered so far to its items (a part at a time: what the build keeps is bounded). */
  const buildPart = async (g: Group) => {
    const part = g.statements
    g.statements = []
    await (g.items ??= await startItems(g, itemContext)).part(part)
  }
  for (let i = 0; i < countedIds.length; i += STATEMENTS_PER_READ) {
    if (i > 0) await nextTurn()
    const ids = countedIds.slice(i, i + STATEMENTS_PER_READ)
    const read = new Map((await store.statementsByIds(ids.filter((id) => !tiedIds.has(id)))).map((s) => [s.id, s]))
    for (const id of ids) {
      // A statement only a deployed revision has (removed on main, still logged by old hosts) is found there.
      const s = tiedStatements.get(id) ?? read.get(id) ?? (deploys.length ? await store.getStatement(id) : null)
      if (!s) continue
      const g = await groupFor(s)
      if (tiedIds.has(id)) tiedTo.set(id, g)
      if (!g) continue
      g.statements.push(s)
      // What nobody can receive is counted a part at a time as it is found, and what a digest carries is built so,
      // not held for the whole catalog.
      if (g.statements.length < STATEMENTS_PER_READ) continue
      if (g.lost) {
        if (!lostContext.preview && (!wanted || wanted(g))) await countLostPart(g, lostContext)
      } else if (await builds(g)) await buildPart(g)
    }
  }
  // The same message logged in several places, nothing in its lines to tell which printed them: counted once, on
  // one statement (the first in catalog order); the owners of the others get those lines too, with a note.
  for (const tie of ties) {
    const s = tiedStatements.get(tie.statementId)
    const other = tiedStatements.get(tie.alsoId)
    if (!s || !other || !tiedTo.has(s.id)) continue
    const g = await reachable(other)
    if (!g || g === tiedTo.get(s.id)) continue
    const t = (g.tied ??= new Map()).get(s.id)
    if (t) (t.since = Math.min(t.since, tie.firstSeen)), t.others.push(other)
    else {
      if (g.statements.includes(s)) continue
      g.tied.set(s.id, { since: tie.firstSeen, others: [other] })
      g.statements.push(s)
    }
  }
  if (fallback && config.route.unownedToFallback) channelGroup(groups, fallback).shapes = true
  for (const ov of await store.listOverrides()) {
    if (!isShapeId(ov.statementId)) continue
    const r = await people.resolve(ov.to)
    if (!r.known) continue
    const g = groups.get(r.key) ?? { target: r.key, kind: 'person' as const, recipient: r, channel: null, statements: [], shapes: false }
    groups.set(g.target, g)
    ;(g.shapeIds ??= new Set()).add(ov.statementId.slice('shape:'.length))
    handedOver.add(ov.statementId.slice('shape:'.length))
  }

  const out: DigestPreview[] = []
  for (const g of groups.values()) {
    if (wanted && !wanted(g)) continue
    const tz = g.recipient?.tz ?? config.digest.defaultTimezone
    const when = whenOf(g)
    if (g.lost) {
      out.push(...await countLost(g, { ...lostContext, log, day: when.local.date, deploys }))
      continue
    }
    if (!o.preview && outstanding.has(g.target)) continue
    if (!o.preview && !when.ok) {
      out.push(empty(g, tz, when.local, 'not-due', when.reason))
      continue
    }
    if (await sentToday(g)) {
      out.push(empty(g, tz, when.local, 'already-sent', null))
      continue
    }
    await buildPart(g)
    const built = await g.items!.done()
    if (!built.items.length && !built.marks.length) continue
    const title = `Dice digest for ${g.recipient?.name ?? g.target} — ${when.local.date}`
    const parts = digestMessages({ title, tz, items: built.items, perMessage, maxMessages: config.digest.maxMessages, scope: g.kind === 'channel' ? 'channel' : null })
    const to = g.kind === 'channel' ? g.channel! : g.recipient?.slackId ?? g.target
    const preview: DigestPreview = {
      target: g.target, kind: g.kind, to, tz, localDate: when.local.date, due: when.ok, reason: when.reason, status: 'preview',
      items: built.items, hidden: Math.max(0, built.items.length - listed), text: parts[0]!.text, blocks: parts[0]!.blocks, parts,
    }
    out.push(preview)
    if (o.preview) continue
    if (o.dryRun) {
      if (built.items.length) preview.status = 'dry-run'
      else out.pop()
      continue
    }
    if (!built.items.length) {
      // Only muted/snoozed content: move the marks so it does not come back after an unmute.
      await store.setDigestMarks(built.marks)
      out.pop()
      continue
    }
    if (g.kind === 'person' && o.slack && g.recipient?.slackId) {
      if ((await o.slack.getPresence(g.recipient.slackId)) !== 'active') {
        preview.status = 'away'
        preview.reason = 'away in Slack; tried again at the next check'
        continue
      }
    }
    const payload: DigestPayload = { target: g.target, to, parts }
    const inserted = await store.enqueue({
      dedupKey: digestKey(g.target, when.local.date), kind: DIGEST_KIND, recipient: to, payload, notBefore: now, createdAt: now,
    }, built.marks)
    preview.status = inserted ? 'enqueued' : 'already-sent'
    if (inserted) for (const z of built.consume) await store.decrementSnooze(z.id, z.n)
    // The fallback digest carried what was meant for others: count it as undeliverable to them, and say so. (A
    // refused channel's occurrences were counted when Slack refused the post; its owner's digest only carries them.)
    if (!inserted || g.kind !== 'channel' || g.channel !== fallback) continue
    // One warning per intended recipient (a check a day), however many statements were meant for them.
    const warned = new Map<string, Lost>()
    for (let i = 0; i < built.items.length; i += UNDELIVERABLE_PER_WRITE) {
      if (i > 0) await nextTurn()
      const rows = []
      for (const item of built.items.slice(i, i + UNDELIVERABLE_PER_WRITE)) {
        const l = lost.get(item.statementId)
        if (!l || l.intended.startsWith('#')) continue
        rows.push({ ...l, statementId: item.statementId, count: item.count, at: now })
        if (!warned.has(l.intended)) warned.set(l.intended, l)
      }
      await store.addUndeliverable(rows)
    }
    for (const l of warned.values()) {
      await warnOnce(store, log, l.intended, when.local.date, now, `${noteFor(l)}; its occurrences went to #${g.channel} (route.fallbackChannel)`)
    }
  }
  return out.sort((a, b) => a.target.localeCompare(b.target))
}

/** What `countLost` and `countLostPart` need of a build. */
interface LostContext { store: Store; config: Config; router: Router; silences: Silences; now: number; preview: boolean; lost: Map<string, Lost>; lastBucket: ReadonlyMap<string, number>; deploys?: readonly DeployRow[] }

/**
 * A group nobody can receive (no route.fallbackChannel): its new occurrences are counted as undeliverable
 * (per statement, with the reason) under marks of their own, so each is counted once while the group's own
 * marks stay put — fixed later (a `people` entry, an invited bot), its owner's next digest still has them.
 * Unless previewed, most of it was counted already, a part at a time (`countLostPart`): this counts the rest.
 */
async function countLost(g: Group, c: LostContext & { log: (line: string) => void; day: string }): Promise<DigestPreview[]> {
  const why = g.lost!
  const preview: DigestPreview = {
    target: g.target, kind: g.kind, to: g.target, tz: c.config.digest.defaultTimezone, localDate: c.day, due: false,
    reason: noteFor(why), status: 'undeliverable', items: [], hidden: 0, text: '', blocks: [], parts: [],
  }
  if (c.preview) {
    // Lean items: a preview of what nobody can receive shows their number (and, with --json, each id and count), nothing more.
    preview.items = (await buildItems(g, { ...c, markAs: `${LOST_MARKS}${g.target}`, lean: true })).items
    return preview.items.length ? [preview] : []
  }
  if (g.statements.length) await countLostPart(g, c)
  const { statements, occurrences: n } = g.counted ?? { statements: 0, occurrences: 0 }
  if (!statements) return []
  preview.counted = { statements, occurrences: n }
  await warnOnce(c.store, c.log, why.intended, c.day, c.now,
    `${n} occurrence${n === 1 ? '' : 's'} of ${statements} statement${statements === 1 ? '' : 's'} undeliverable. ${noteFor(why)} (set route.fallbackChannel to receive them; the web page lists them under Undeliverable)`)
  return [preview]
}

/**
 * Count the statements gathered in `g` (a group nobody can receive) as undeliverable, mark them, and let them go:
 * only the sums stay. Items of an id and a count (no samples, hosts, links or placeholder values): for a catalog
 * nobody Slack knows owns, that is every counted statement.
 */
async function countLostPart(g: Group, c: LostContext): Promise<void> {
  const part = g.statements
  g.statements = []
  const markAs = `${LOST_MARKS}${g.target}`
  const sum = (g.counted ??= { statements: 0, occurrences: 0, sent: await c.store.digestMarks(markAs) })
  const built = await buildItems({ ...g, statements: part }, { ...c, markAs, sent: sum.sent, lean: true })
  await c.store.addUndeliverable(built.items.map((i) => ({ ...(c.lost.get(i.statementId) ?? g.lost!), statementId: i.statementId, count: i.count, at: c.now })))
  await c.store.setDigestMarks(built.marks)
  for (const s of part) c.lost.delete(s.id)
  sum.statements += built.items.length
  for (const i of built.items) sum.occurrences += i.count
}

function channelGroup(groups: Map<string, Group>, channel: string): Group {
  const key = `#${channel}`
  let g = groups.get(key)
  if (!g) groups.set(key, (g = { target: key, kind: 'channel', recipient: null, channel, statements: [], shapes: false }))
  return g
}

function empty(g: Group, tz: string, local: LocalTime, status: DigestStatus, reason: string | null): DigestPreview {
  const to = g.kind === 'channel' ? g.channel! : g.recipient?.slackId ?? g.target
  return { target: g.target, kind: g.kind, to, tz, localDate: local.date, due: false, reason, status, items: [], hidden: 0, text: '', blocks: [], parts: [] }
}

/** Does a `--user` argument name this group? Key, email, alias, Slack id, or `#channel`. */
function matcher(user: string, config: Config): (g: Group) => boolean {
  const u = user.trim().toLowerCase()
  const p = personFor(user, config)
  return (g) => {
    const ids = [g.target, g.recipient?.slackId, g.channel, g.channel ? `#${g.channel}` : null].filter(Boolean).map((x) => x!.toLowerCase())
    if (ids.includes(u)) return true
    return !!p && g.kind === 'person' && personFor(g.target, config)?.key === p.key
  }
}

type Row = OccurrenceRow | UnownedRow

/**
 * The part of `rows` (one statement's or shape's buckets) not yet in a digest for `target`, and the marks
 * that record it as sent. Buckets up to the mark are out; the newest bucket may still be filling, so when it
 * is included the mark stops just before it and a second mark (`<id>#p<bucket>`) remembers how many of its
 * occurrences went out — the next digest subtracts those, so nothing is counted twice or dropped.
 */
function fresh(sent: ReadonlyMap<string, number>, target: string, id: string, all: Row[], now: number, bucketMs: number): { rows: Row[]; count: number; marks: DigestMark[]; partial: number | null } | null {
  const mark = sent.get(id) ?? -Infinity
  const rows = all.filter((r) => r.bucket > mark)
  if (!rows.length) return null
  const partial = Number.isFinite(mark) && mark % bucketMs !== 0 ? mark + 1 : null
  const sentOfPartial = partial === null ? 0 : sent.get(`${id}#p${partial}`) ?? 0
  const count = rows.reduce((n, r) => n + r.count, 0) - sentOfPartial
  const newest = Math.max(...rows.map((r) => r.bucket))
  const marks: DigestMark[] = []
  if (newest + bucketMs <= now) marks.push({ person: target, statementId: id, through: newest })
  else {
    const inNewest = rows.reduce((n, r) => n + (r.bucket === newest ? r.count : 0), 0)
    marks.push({ person: target, statementId: id, through: newest - 1 }, { person: target, statementId: `${id}#p${newest}`, through: inNewest })
  }
  return { rows, count, marks, partial }
}

/** Undeliverable rows written a call at a time (what a fallback digest carried: up to one per statement). */
const UNDELIVERABLE_PER_WRITE = 5000
/** Counted statements read by id at a time, and handed to their group's digest in parts of as many. */
const STATEMENTS_PER_READ = 500
/**
 * Statements whose occurrences are read in one query. A query holds the thread: 100 of a busy day's statements
 * (~150 rows each over 20 hours) are ~25k rows, a tenth of a second.
 */
const OCCURRENCES_READ = 100
/** Rows read per statement, the newest first (past them, older buckets are left out of its count). */
const ROWS_PER_STATEMENT = 100_000

/** What building a group's items needs. */
interface ItemContext {
  store: Store; config: Config; router: Router; silences: Silences; now: number; preview: boolean; lost: ReadonlyMap<string, Lost>
  /** Per counted statement, the newest bucket it was counted in (Infinity: not known). */
  lastBucket: ReadonlyMap<string, number>
  markAs?: string; sent?: ReadonlyMap<string, number>; handedOver?: ReadonlySet<string>; deploys?: readonly DeployRow[]; lean?: boolean; listed?: number
}
/** A group's items as built so far; `part` takes statements as they are found, `done` adds the shapes and orders them. */
interface ItemsInProgress {
  part(statements: readonly Statement[]): Promise<void>
  done(): Promise<{ items: DigestItem[]; marks: DigestMark[]; consume: Array<{ id: number; n: number }> }>
}

async function buildItems(g: Group, c: ItemContext) {
  const b = await startItems(g, c)
  await b.part(g.statements)
  return b.done()
}

/**
 * Build `g`'s items a part of its statements at a time: only the best `listed` are kept whole, so a group of 78k
 * statements (a fallback digest of a catalog nobody Slack knows owns) never holds its statements or full items at once.
 */
async function startItems(g: Group, c: ItemContext): Promise<ItemsInProgress> {
  const items: DigestItem[] = []
  // Past the `listed` items its messages list, an item is only counted: once there are twice as many, the best
  // `listed` stay whole and the rest keep only what counting and ordering them takes (a fallback digest of 78k
  // statements held every one's sample, hosts, note and link). An item set aside never comes back: the best only get better.
  const keep = c.listed ?? Infinity
  const unlisted: DigestItem[] = []
  /** Of the whole items (at most 2 × keep): the rows they were built from and their statement's template (for values). */
  const whole = new Map<string, { rows: Row[]; template: string | null }>()
  /** The last of the best `keep` at their last cut: an item after it is never listed, so it is made counted at once. */
  let cutoff: DigestItem | null = null
  const add = (i: DigestItem, rows: Row[], template: string | null) => {
    items.push(i)
    whole.set(i.statementId, { rows, template })
    if (items.length < 2 * keep) return
    items.sort(order)
    for (const x of items.splice(keep)) {
      whole.delete(x.statementId)
      unlisted.push(counted(x))
    }
    cutoff = items[keep - 1]!
  }
  const marks: DigestMark[] = []
  const consume: Array<{ id: number; n: number }> = []
  const bucketMs = c.config.match.bucketSeconds * 1000
  const target = g.kind === 'channel' ? { channel: g.channel! } : { person: g.target, slackId: g.recipient?.slackId }
  // The target's marks in one query, then its statements' occurrences a chunk at a time: a few queries per
  // digest however large the catalog, and a chunk's rows in memory at once.
  const markAs = c.markAs ?? g.target
  const sent = c.sent ?? await c.store.digestMarks(markAs)
  /**
   * The part of a statement's (or shape's) fresh occurrences to deliver, or null. Muted or snoozed: left out and
   * marked, so it does not pour out after an unmute or when the snooze ends. What happened while a snooze (since
   * ended) was in force stays out too, and a count snooze swallows up to its remaining count; the item says
   * how many ("also N while snoozed").
   */
  const unsilenced = (id: string, f: NonNullable<ReturnType<typeof fresh>>): { rows: Row[]; count: number; snoozed: number } | null => {
    if (f.count <= 0) return null
    if (c.silences.check(id, target) === 'muted') {
      marks.push(...f.marks)
      return null
    }
    let { rows, count } = f
    let snoozed = 0
    const ended = c.silences.endedSnoozes(id, target)
    if (ended.length) {
      // Buckets wholly inside a snooze (a bucket partly sent before is never split further).
      const during = (r: Row) => r.bucket !== f.partial && ended.some((w) => r.firstSeen >= w.from && r.lastSeen < w.until)
      snoozed = rows.filter(during).reduce((n, r) => n + r.count, 0)
      if (snoozed) (rows = rows.filter((r) => !during(r))), (count -= snoozed)
    }
    const snoozes = c.silences.snoozesFor(id, target)
    if (snoozes.length) {
      const z = snoozes.find((x) => x.remaining !== null && x.until === null)
      if (z && snoozes.length === 1 && count > z.remaining!) {
        consume.push({ id: z.id, n: z.remaining! })
        snoozed += z.remaining!
        count -= z.remaining!
      } else {
        for (const x of snoozes) if (x.remaining !== null) consume.push({ id: x.id, n: Math.min(x.remaining, count) })
        marks.push(...f.marks)
        return null
      }
    }
    if (count <= 0 || !rows.length) {
      marks.push(...f.marks)
      return null
    }
    return { rows, count, snoozed }
  }
  const part = async (given: readonly Statement[]) => {
    // Nothing of a statement is fresh when it was last counted in a bucket its mark has (fresh: rows past the mark):
    // its rows are not read. A digest check after the first reads what is new, not every row retention keeps.
    const statements = given.filter((s) => !((c.lastBucket.get(s.id) ?? Infinity) <= (sent.get(s.id) ?? -Infinity)))
    let chunk = new Map<string, OccurrenceRow[]>()
    for (let n = 0; n < statements.length; n++) {
      const s = statements[n]!
      if (n % OCCURRENCES_READ === 0) {
        if (n > 0) await nextTurn()
        const next = statements.slice(n, n + OCCURRENCES_READ).map((x) => ({ statementId: x.id, since: sent.get(x.id) ?? null }))
        // Without their samples: only the listed items show one, read for them alone at the end (`done`).
        chunk = await c.store.listOccurrencesOf({ statements: next, limitPerStatement: ROWS_PER_STATEMENT, samples: false })
      }
      const tied = g.tied?.get(s.id)
      const all = (chunk.get(s.id) ?? []).filter((r) => r.bucket <= c.now && c.router.levelPasses(s, r.level) && (!tied || r.lastSeen >= tied.since))
      const f = fresh(sent, markAs, s.id, all, c.now, bucketMs)
      const kept = f && unsilenced(s.id, f)
      if (!kept) continue
      const { rows, count, snoozed } = kept
      // Its marks are set with the digest's, whether it is listed or only counted.
      marks.push(...f!.marks)
      if (c.lean) {
        items.push(leanItem(s, rows, count, !sent.has(s.id)))
        continue
      }
      if (cutoff !== null) {
        // Most of a large group's statements order after the listed ones: counted without building what listing takes.
        const lean = leanItem(s, rows, count, !sent.has(s.id))
        if (order(lean, cutoff) > 0) {
          unlisted.push(snoozed ? { ...lean, snoozed } : lean)
          continue
        }
      }
      const item: DigestItem = { ...toItem(s.id, rows, count, !sent.has(s.id)), ...(snoozed ? { snoozed } : {}) }
      if (c.deploys?.length) item.revisions = occurrenceRevisions(rows, c.deploys)
      const why = c.lost.get(s.id)
      const note = tied ? tieNote(s, tied.others) : why ? noteFor(why) : null
      add({ ...item, file: s.file, line: s.line, level: item.level ?? s.level, template: s.template ?? s.id, link: codeLink(c.config.repo, s), note }, rows, s.template)
    }
  }
  const done = async () => {
    // Unowned shapes: the fallback digest's (all but those handed over), and those handed over to this recipient.
    if (g.shapes || g.shapeIds?.size) {
      const shapeRows = new Map<string, UnownedRow[]>()
      for (const r of await c.store.listUnowned({ limit: 10_000 })) {
        if (r.bucket > c.now) continue
        const l = shapeRows.get(r.shapeHash)
        if (l) l.push(r)
        else shapeRows.set(r.shapeHash, [r])
      }
      for (const [hash, all] of shapeRows) {
        if (!(g.shapeIds?.has(hash) || (g.shapes && !c.handedOver?.has(hash)))) continue
        const id = shapeId(hash)
        const f = fresh(sent, markAs, id, all, c.now, bucketMs)
        const kept = f && unsilenced(id, f)
        if (!kept) continue
        marks.push(...f!.marks)
        const item = { ...toItem(id, kept.rows, kept.count, !sent.has(id)), ...(kept.snoozed ? { snoozed: kept.snoozed } : {}), template: all[0]!.shape }
        item.sample = sampleOf(kept.rows)
        add(item, kept.rows, null)
      }
    }
    // What this person has never had in a digest first, then the worst level, then the most frequent: a new
    // ERROR is never behind yesterday's noisy WARNs. Long digests continue in the thread, up to digest.maxMessages.
    for (const x of unlisted) items.push(x)
    unlisted.length = 0
    items.sort(order)
    // For the items the messages list: a sample line (the newest of the rows the item counts), and the values each
    // placeholder took over the same buckets ("peer: 203.0.113.9 ×812, …"), a query per 500 statements each.
    const listed = c.lean ? [] : items.slice(0, keep).filter((i) => !i.statementId.startsWith('shape:'))
    if (listed.length) {
      const since = listed.map((i) => ({ statementId: i.statementId, since: sent.get(i.statementId) ?? null }))
      const withSamples = await c.store.listOccurrencesOf({ statements: since, limitPerStatement: ROWS_PER_STATEMENT })
      const vals = await c.store.statementValues({ statements: since, until: c.now })
      for (const i of listed) {
        const w = whole.get(i.statementId)!
        const samples = new Map((withSamples.get(i.statementId) ?? []).map((r) => [`${r.host}\u0000${r.bucket}`, r.samples]))
        i.sample = sampleOf(w.rows.map((r) => ({ ...r, samples: samples.get(`${r.host}\u0000${r.bucket}`) ?? [] })))
        // A statement without a template is shown by its sample line, as before it had one.
        if (w.template === null && i.sample) i.template = i.sample
        const v = labeled(w.template, vals.get(i.statementId))
        if (v.length) i.values = v
      }
    }
    whole.clear()
    return { items, marks, consume }
  }
  return { part, done }
}

/** Why a statement someone else owns is in this digest: its lines could as well come from `others` (theirs). */
function tieNote(s: Statement, others: readonly Statement[]): string {
  const where = others.map((o) => `${o.file}:${o.line}`).join(', ')
  return `The same message is logged at ${where} too and nothing in these lines says which printed them: counted once, on ${s.file}:${s.line}`
}

const rank = (l: DigestItem['level']) => (l ? levelRank(l) : -1)

/** A digest's order: new to this recipient first, then the worst level, then the most frequent. */
const order = (a: DigestItem, b: DigestItem) =>
  Number(b.isNew) - Number(a.isNew) || rank(b.level) - rank(a.level) || b.count - a.count || a.statementId.localeCompare(b.statementId)

/** An item its digest counts but does not list: what ordering and counting it take, none of what showing it would. */
function counted(i: DigestItem): DigestItem {
  return { statementId: i.statementId, file: i.file, line: i.line, level: i.level, template: i.template, sample: null, count: i.count, hosts: NO_HOSTS, firstSeen: i.firstSeen, lastSeen: i.lastSeen, link: null, isNew: i.isNew, ...(i.snoozed ? { snoozed: i.snoozed } : {}) }
}
/** Read only (hostList): one empty list for every item counted but not listed (`counted`, `leanItem`). */
const NO_HOSTS: string[] = []

/**
 * An item that is only counted (an undeliverable digest's, not previewed): the statement's own fields and the count
 * and time frame, nothing made per item beyond the object (no hosts, sample, link or values).
 */
function leanItem(s: Statement, rows: Row[], count: number, isNew: boolean): DigestItem {
  let firstSeen = Infinity
  let lastSeen = -Infinity
  for (const r of rows) (firstSeen = Math.min(firstSeen, r.firstSeen)), (lastSeen = Math.max(lastSeen, r.lastSeen))
  // The level as a listed item has it (toItem): the worst its rows were logged at.
  return { statementId: s.id, file: s.file, line: s.line, level: worstLevel(rows) ?? s.level, template: s.template ?? s.id, sample: null, count, hosts: NO_HOSTS, firstSeen, lastSeen, link: null, isNew }
}

/** The sample an item shows: the newest of its rows', else the first row's that has one. */
function sampleOf(rows: readonly Row[]): string | null {
  const newest = rows.reduce((a, b) => (b.lastSeen > a.lastSeen ? b : a))
  return newest.samples[0] ?? rows.find((r) => r.samples.length)?.samples[0] ?? null
}

/** The worst level `rows` were logged at (null: none recorded). */
function worstLevel(rows: readonly Row[]): DigestItem['level'] {
  let level = rows[0]!.level
  for (const r of rows) if (r.level && (!level || levelRank(r.level) > levelRank(level))) level = r.level
  return level
}

function toItem(id: string, rows: Row[], count: number, isNew: boolean): DigestItem {
  const hosts = [...new Set(rows.map((r) => r.host))].sort()
  const level = worstLevel(rows)
  return {
    statementId: id, file: null, line: null, level, template: '', sample: null,
    count, hosts, firstSeen: Math.min(...rows.map((r) => r.firstSeen)), lastSeen: Math.max(...rows.map((r) => r.lastSeen)), link: null, isNew,
  }
}
