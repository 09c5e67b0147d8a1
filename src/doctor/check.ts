import type { Config } from '../config/schema.js'
import type { Clock } from '../core/clock.js'
import { ConfigError } from '../core/errors.js'
import { closest } from '../core/similar.js'
import { isConversationId, isSlackUserId } from '../core/slack-ids.js'
import type { Statement } from '../core/types.js'
import { personFor } from '../catalog/people.js'
import { META_CODEOWNERS } from '../catalog/codeowners-file.js'
import { pool } from '../catalog/blame.js'
import { SlackCallError, type SlackApi, type SlackChannel } from '../deliver/slack/api.js'
import { People, type Recipient } from '../people/people.js'
import { Ownership, storedCodeOwners, teamOf } from '../route/owner.js'
import { parseCodeOwners, type CodeOwners } from '../route/codeowners.js'
import { Router } from '../route/router.js'
import type { SlackUserRow, Store } from '../store/store.js'

/** Where a broken name or channel is written: a statement (file:line), the CODEOWNERS file, or a configuration field. */
export interface Where {
  /** Repository-relative file of a statement or of CODEOWNERS, or the configuration file. */
  file: string
  line: number | null
  /** The statement's id, when the place is a statement. */
  statement: string | null
  /** How the place names it: the `@`/`#` annotation, the statement's owner by blame/override/rule/CODEOWNERS, or configuration. */
  via: 'annotation' | 'blame' | 'override' | 'rule' | 'codeowners' | 'config'
  /** The configuration field (`people.riley.slack`, `route.teams.acme/ops.channel`) when `via` is `config`. */
  field?: string
}

/** What can be wrong. Problems make `dice doctor` exit 1 (`missing_scope`: 2); notes never change the exit status. */
export type FindingKind =
  | 'unknown_handle' | 'unknown_email' | 'unknown_user_id' | 'ambiguous_handle' | 'deactivated_user'
  | 'missing_channel' | 'archived_channel' | 'not_in_channel'
  | 'bad_people_entry' | 'unknown_people_key' | 'missing_scope'
  | 'unmapped_team' | 'unused_team_mapping' | 'no_owner' | 'private_channels_unseen'

/** One thing found, with every place it affects. */
export interface Finding {
  kind: FindingKind
  severity: 'problem' | 'note'
  /** What it is about: `@elmre`, `riley.j@gmail.com`, `U0123456789`, `#chanel`, `people.riley`, `users:read.email`. */
  subject: string
  /** What is wrong, in words that say what to do. */
  detail: string
  /** A close name that exists (`#channel` for `#chanel`), or null. */
  suggestion: string | null
  /** The Slack users an ambiguous handle matched. */
  candidates?: Array<{ id: string; handle: string | null; displayName: string | null; realName: string | null }>
  where: Where[]
}

/** What `dice doctor` found. */
export interface DoctorReport {
  /** No problems (notes allowed). */
  ok: boolean
  /** The exit status: 0 all fine, 1 problems found, 2 configuration error (the bot token lacks a scope the checks need). */
  exit: 0 | 1 | 2
  slack: {
    checked: boolean
    /** Why the Slack checks were skipped, or null. */
    skipped: string | null
    /** Users and channels Slack listed (users.list, conversations.list), null when not read. */
    users: number | null
    channels: number | null
    /** The bot token's scopes as Slack reported them (null: not said). */
    scopes: string[] | null
  }
  checked: { statements: number; names: number; channels: number; people: number; teams: number }
  problems: Finding[]
  notes: Finding[]
}

/** What the checks need: the store (catalog, overrides, CODEOWNERS, the users.list cache), config, and Slack or null. */
export interface DoctorDeps {
  store: Store
  config: Config
  /** The configuration file as shown in places (`dice.yml`), or null for built-in defaults. */
  configFile: string | null
  clock: Clock
  slack: SlackApi | null
}

const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/
/** Errors meaning the token itself is unusable: a configuration error, not a finding. */
const BAD_TOKEN = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired', 'not_allowed_token_type'])

const norm = (x: string) => x.trim().replace(/^<(.*)>$/, '$1').replace(/^[@#]/, '').toLowerCase()
const bare = (x: string) => x.trim().replace(/^#/, '')
/** How a name is shown: emails and Slack ids as they are, handles with `@`. */
const shown = (name: string) => {
  const n = name.trim().replace(/^<(.*)>$/, '$1').replace(/^@/, '')
  return n.includes('@') || isSlackUserId(n) ? n : `@${n}`
}

interface Ref { name: string; where: Where[] }

/** Names and channels, each with the places that write it (merged without case, `@`, `#`). */
class Refs {
  readonly names = new Map<string, Ref>()
  readonly channels = new Map<string, Ref>()

  name(name: string, w: Where): void {
    add(this.names, name.trim().replace(/^<(.*)>$/, '$1').replace(/^@/, ''), w)
  }

  channel(name: string, w: Where): void {
    add(this.channels, bare(name), w)
  }
}

function add(m: Map<string, Ref>, name: string, w: Where): void {
  if (!name) return
  const k = norm(name)
  const r = m.get(k)
  if (!r) m.set(k, { name, where: [w] })
  else if (!r.where.some((x) => x.file === w.file && x.line === w.line && x.via === w.via && x.field === w.field)) r.where.push(w)
}

const at = (s: Statement, via: Where['via']): Where => ({ file: s.file, line: s.line, statement: s.id, via })

/**
 * `dice doctor`: every `@handle` and `#channel` annotation, every statement's owner (blame author after the people
 * resolver, override, rule, CODEOWNERS), every `people` entry, `route.rules`/`route.teams`/`route.fallbackChannel`
 * and `slack.admins`, checked against Slack through the one client — users.list via the stored directory (swept
 * afresh here), conversations.list — and, with no Slack token, what can be checked locally.
 */
export async function runDoctor(d: DoctorDeps): Promise<DoctorReport> {
  const { store, config } = d
  const cfgFile = d.configFile ?? 'dice.yml'
  const cfgAt = (field: string): Where => ({ file: cfgFile, line: null, statement: null, via: 'config', field })
  const findings: Finding[] = []
  const find = (f: Omit<Finding, 'suggestion'> & { suggestion?: string | null }) => findings.push({ suggestion: null, ...f })

  const indexed = await store.indexedFiles()
  if (!indexed.size) throw new ConfigError('doctor: nothing is indexed in this store; run `dice index` in the repository first (or point --db / --database-url at the store it built)')
  const statements = await store.listStatements()
  const router = new Router({ store, config, clock: d.clock })
  await router.refresh()
  const codeownersText = config.route.codeowners ? await storedCodeOwners(store) : null
  const ownership = new Ownership(config, codeownersText)

  // Every name and channel, with every place that writes it.
  const refs = new Refs()
  const noOwner: Where[] = []
  for (const s of statements) {
    const owner = router.ownerOf(s)
    for (const m of s.mentions) refs.name(m, at(s, 'annotation'))
    for (const c of s.channels) refs.channel(c, at(s, 'annotation'))
    for (const c of ownership.ruleChannels(s, s.level)) refs.channel(c, at(s, 'rule'))
    if (owner.who && owner.via !== 'annotation') {
      if (owner.who.startsWith('#')) refs.channel(owner.who, at(s, owner.via as Where['via']))
      else refs.name(owner.who, at(s, owner.via as Where['via']))
    }
    if (!owner.who && !s.channels.length && router.levelPasses(s, s.level) && !config.route.fallbackChannel) noOwner.push(at(s, 'blame'))
  }
  for (const key of Object.keys(config.people)) refs.name(key, cfgAt(`people.${key}`))
  config.route.rules.forEach((r, i) => {
    if (r.person) refs.name(r.person, cfgAt(`route.rules[${i}].person`))
    if (r.channel) refs.channel(r.channel, cfgAt(`route.rules[${i}].channel`))
  })
  for (const [team, t] of Object.entries(config.route.teams)) {
    if (t.person) refs.name(t.person, cfgAt(`route.teams.${team}.person`))
    if (t.channel) refs.channel(t.channel, cfgAt(`route.teams.${team}.channel`))
  }
  if (config.route.fallbackChannel) refs.channel(config.route.fallbackChannel, cfgAt('route.fallbackChannel'))
  config.slack.admins.forEach((a, i) => refs.name(a, cfgAt(`slack.admins[${i}]`)))

  if (noOwner.length) {
    find({
      kind: 'no_owner', severity: 'note', subject: `${noOwner.length} statement${noOwner.length === 1 ? '' : 's'}`, where: noOwner,
      detail: 'nobody owns these (no annotation, override, rule or CODEOWNERS line, and git blame gives no human author: uncommitted, a bot, or a shallow clone) and route.fallbackChannel is not set: their occurrences are only counted as undeliverable (web page, /metrics)',
    })
  }

  // Local: people entries well-formed, no name claimed by two people.
  const malformed = new Set<string>()
  const claims = new Map<string, string[]>()
  for (const [key, p] of Object.entries(config.people)) {
    if (p.slack && !isSlackUserId(p.slack)) {
      malformed.add(norm(key))
      find({
        kind: 'bad_people_entry', severity: 'problem', subject: `people.${key}`, where: [cfgAt(`people.${key}.slack`)],
        detail: `slack is ${JSON.stringify(p.slack)}, not a Slack user id (U or W and 8-10 capital letters and digits: in Slack, the person's profile → ⋮ → Copy member ID)`,
      })
    }
    if (p.email && !EMAIL.test(p.email)) {
      malformed.add(norm(key))
      find({ kind: 'bad_people_entry', severity: 'problem', subject: `people.${key}`, where: [cfgAt(`people.${key}.email`)], detail: `email is ${JSON.stringify(p.email)}, not an email address` })
    }
    for (const n of new Set([key, p.email, p.slack, ...p.aliases].filter((x): x is string => !!x).map(norm))) claims.set(n, [...(claims.get(n) ?? []), key])
  }
  for (const [n, keys] of claims) {
    if (keys.length < 2) continue
    find({
      kind: 'bad_people_entry', severity: 'problem', subject: `people.${keys[1]}`, where: keys.map((k) => cfgAt(`people.${k}`)),
      detail: `${JSON.stringify(n)} names ${keys.map((k) => `people.${k}`).join(' and ')} (as key, email, slack or alias); Dice takes it for people.${keys[0]}`,
    })
  }

  // CODEOWNERS teams and their route.teams mappings.
  const codeowners: CodeOwners | null = codeownersText ? parseCodeOwners(codeownersText) : null
  const coPath = await codeownersPath(store)
  const teamsNamed = codeowners ? codeowners.all().filter((o) => o.kind === 'team').map((o) => o.name) : []
  // A CODEOWNERS user or email that owns statements: its lines in CODEOWNERS are places to fix too.
  if (codeownersText) {
    for (const r of refs.names.values()) {
      if (!r.where.some((w) => w.via === 'codeowners')) continue
      const token = r.name.includes('@') ? r.name : `@${r.name}`
      r.where.unshift(...linesNaming(codeownersText, token).map((line): Where => ({ file: coPath, line, statement: null, via: 'codeowners' })))
    }
  }
  for (const team of teamsNamed) {
    if (teamOf(config.route.teams, team)) continue
    const where: Where[] = [...linesNaming(codeownersText!, `@${team}`).map((line): Where => ({ file: coPath, line, statement: null, via: 'codeowners' }))]
    for (const s of statements) if (codeowners!.ownersOf(s.file).some((o) => o.kind === 'team' && o.name.toLowerCase() === team.toLowerCase())) where.push(at(s, 'codeowners'))
    find({
      kind: 'unmapped_team', severity: 'note', subject: `@${team}`, where, suggestion: closest(team, Object.keys(config.route.teams)),
      detail: `CODEOWNERS names @${team}, which route.teams does not map to a channel or person: its files go to the next owner on the line, else git blame`,
    })
  }
  if (codeowners) {
    for (const key of Object.keys(config.route.teams)) {
      if (teamsNamed.some((t) => t.toLowerCase() === key.replace(/^@/, '').toLowerCase())) continue
      find({
        kind: 'unused_team_mapping', severity: 'note', subject: `route.teams.${key}`, where: [cfgAt(`route.teams.${key}`)], suggestion: closest(key.replace(/^@/, ''), teamsNamed),
        detail: `${coPath} names no team ${key}: this mapping is never used`,
      })
    }
  }

  const report: DoctorReport = {
    ok: true, exit: 0,
    slack: { checked: false, skipped: null, users: null, channels: null, scopes: null },
    checked: { statements: statements.length, names: refs.names.size, channels: refs.channels.size, people: Object.keys(config.people).length, teams: Object.keys(config.route.teams).length },
    problems: [], notes: [],
  }

  if (!d.slack) {
    report.slack.skipped = 'SLACK_BOT_TOKEN is not set: no name or channel was checked against Slack (set it to check them)'
    localNames(refs, config, cfgFile, malformed, find)
  } else {
    await slackChecks(d.slack, d, refs, malformed, report, find)
  }

  report.problems = findings.filter((f) => f.severity === 'problem')
  report.notes = findings.filter((f) => f.severity === 'note')
  report.ok = report.problems.length === 0
  report.exit = report.problems.some((f) => f.kind === 'missing_scope') ? 2 : report.problems.length ? 1 : 0
  return report
}

/** With no Slack token: names written in code or configuration that no `people` entry has (when there is a people map). */
function localNames(refs: Refs, config: Config, cfgFile: string, malformed: Set<string>, find: (f: Omit<Finding, 'suggestion'> & { suggestion?: string | null }) => void): void {
  const keys = Object.entries(config.people).flatMap(([k, p]) => [k, ...p.aliases])
  if (!keys.length) return
  for (const [k, r] of refs.names) {
    if (malformed.has(k) || personFor(r.name, config)) continue
    // Blame emails and CODEOWNERS logins are not written for Dice; Slack ids and emails are deliverable as they are.
    const where = r.where.filter((w) => w.via === 'annotation' || w.via === 'rule' || w.via === 'config')
    if (!where.length || r.name.includes('@') || isSlackUserId(r.name)) continue
    find({
      kind: 'unknown_people_key', severity: 'problem', subject: shown(r.name), where, suggestion: named(closest(r.name, keys)),
      detail: `no people entry in ${cfgFile} has the key or alias ${JSON.stringify(r.name)} (without a Slack token Dice cannot look it up as a Slack handle)`,
    })
  }
}

async function slackChecks(
  slack: SlackApi, d: DoctorDeps, refs: Refs, malformed: Set<string>, report: DoctorReport,
  find: (f: Omit<Finding, 'suggestion'> & { suggestion?: string | null }) => void,
): Promise<void> {
  const { config, store } = d
  let scopes: string[] | null
  try {
    scopes = await slack.grantedScopes()
  } catch (e) {
    if (e instanceof SlackCallError && BAD_TOKEN.has(e.error)) throw new ConfigError(`doctor: SLACK_BOT_TOKEN is not usable: Slack answered ${e.error} to auth.test (docs/SLACK.md: the Bot User OAuth Token, xoxb-…)`)
    throw e
  }
  report.slack.checked = true
  report.slack.scopes = scopes
  const has = (s: string) => scopes === null || scopes.includes(s)
  const lacking = (scope: string, what: string, where: Where[], severity: Finding['severity'] = 'problem') =>
    find({
      kind: 'missing_scope', severity, subject: scope, where,
      detail: severity === 'problem'
        ? `the bot token lacks ${scope}, so ${what} could not be checked (nor reached by delivery): add it under OAuth & Permissions and reinstall the app (docs/SLACK.md)`
        : `the bot token lacks ${scope}, so ${what} were not checked; the app sends no digests (no im:write), so they receive nothing anyway`,
    })

  // People: the one resolver, with the directory swept afresh (stored for every other command and instance).
  const people = new People({ store, config, clock: d.clock, slack })
  let directory: SlackUserRow[] = []
  if (has('users:read')) {
    await people.directory!.refresh()
    directory = await people.directory!.users()
    report.slack.users = directory.length
  }
  const skippedNames: { scope: string; where: Where[] }[] = [{ scope: 'users:read', where: [] }, { scope: 'users:read.email', where: [] }]
  const live = directory.filter((u) => !u.bot && !u.deleted)
  const handles = [...new Set(live.flatMap((u) => [u.handle, u.displayName].filter((x): x is string => !!x)))]
  const todo: Array<[string, Ref]> = []
  for (const [k, r] of refs.names) {
    if (malformed.has(k)) continue
    const p = personFor(r.name, config)
    const isEmail = p ? !p.slackId && !!p.email : EMAIL.test(r.name)
    if (!has('users:read')) skippedNames[0]!.where.push(...r.where)
    else if (isEmail && !has('users:read.email')) skippedNames[1]!.where.push(...r.where)
    else todo.push([k, r])
  }
  // A token without im:write sends no digests: people are then nobody's recipients, and unchecked names only a note.
  for (const s of skippedNames) if (s.where.length) lacking(s.scope, s.scope === 'users:read' ? 'handles and Slack ids' : 'emails (blame authors, people emails)', s.where, has('im:write') ? 'problem' : 'note')

  const answers: Recipient[] = new Array(todo.length)
  await pool(todo, 4, async ([, r], i) => void (answers[i] = await people.resolve(r.name)))
  todo.forEach(([, r], i) => {
    const who: Recipient = answers[i]!
    if (who.known) return
    const p = personFor(r.name, config)
    const looked = p ? (p.slackId ? 'id' : p.email ? 'email' : 'handle') : isSlackUserId(r.name) ? 'id' : EMAIL.test(r.name) ? 'email' : 'handle'
    const detail = p && p.key.toLowerCase() !== r.name.toLowerCase() ? `${who.detail} (people.${p.key})` : who.detail ?? 'Slack has nobody for it'
    if (who.problem === 'ambiguous') {
      find({
        kind: 'ambiguous_handle', severity: 'problem', subject: shown(r.name), where: r.where, detail,
        candidates: (who.candidates ?? []).map((u) => ({ id: u.id, handle: u.handle, displayName: u.displayName, realName: u.realName })),
      })
    } else if (who.problem === 'deactivated') {
      find({ kind: 'deactivated_user', severity: 'problem', subject: shown(r.name), where: r.where, detail })
    } else {
      const kind = looked === 'id' ? 'unknown_user_id' : looked === 'email' ? 'unknown_email' : 'unknown_handle'
      find({ kind, severity: 'problem', subject: shown(r.name), where: r.where, detail, suggestion: looked === 'handle' ? named(closest(r.name, handles)) : null })
    }
  })

  // Channels: conversations.list, every page (public with channels:read, private with groups:read).
  if (!refs.channels.size) return
  if (!has('channels:read')) {
    lacking('channels:read', '#channels', [...refs.channels.values()].flatMap((r) => r.where))
    return
  }
  const types: Array<'public_channel' | 'private_channel'> = has('groups:read') ? ['public_channel', 'private_channel'] : ['public_channel']
  const channels: SlackChannel[] = []
  let cursor: string | null = null
  for (let page = 0; page < 1000; page++) {
    const r: { channels: SlackChannel[]; next: string | null } = await slack.conversationsList(cursor, types)
    channels.push(...r.channels)
    cursor = r.next
    if (!cursor) break
  }
  report.slack.channels = channels.length
  const byName = new Map(channels.map((c) => [c.name.toLowerCase(), c]))
  const byId = new Map(channels.map((c) => [c.id, c]))
  const publicWrite = has('chat:write.public')
  const names = channels.filter((c) => !c.archived).map((c) => c.name)
  for (const [k, r] of refs.channels) {
    const c = isConversationId(r.name) ? byId.get(r.name) : byName.get(k)
    const subject = isConversationId(r.name) ? r.name : `#${r.name}`
    if (!c) {
      find({
        kind: 'missing_channel', severity: 'problem', subject, where: r.where, suggestion: isConversationId(r.name) ? null : hash(closest(r.name, names)),
        detail: `Slack has no channel ${subject} the bot can see (conversations.list)${has('groups:read') ? '; a private channel shows only once the bot is invited (/invite @dice)' : '; the token lacks groups:read, so private channels are not listed'}`,
      })
    } else if (c.archived) {
      find({ kind: 'archived_channel', severity: 'problem', subject, where: r.where, detail: `#${c.name} is archived: Slack refuses posts to it (is_archived)` })
    } else if (!c.member) {
      find({
        kind: 'not_in_channel', severity: publicWrite ? 'note' : 'problem', subject, where: r.where,
        detail: publicWrite
          ? `the bot is not a member of #${c.name} (is_member: false); it posts there through chat:write.public — /invite @dice to be sure it keeps working`
          : `the bot is not a member of #${c.name} (is_member: false) and the token lacks chat:write.public: Slack refuses its posts (not_in_channel) — /invite @dice in #${c.name}`,
      })
    }
  }
  if (!has('groups:read')) {
    find({ kind: 'private_channels_unseen', severity: 'note', subject: 'groups:read', where: [], detail: 'the bot token lacks groups:read: private channels were not listed, so a private #channel is reported missing even when the bot is in it' })
  }
}

const named = (x: string | null) => (x ? shown(x) : null)
const hash = (x: string | null) => (x ? `#${x}` : null)

/** Lines (1-based) of `text` whose owners include `token` (a whole word, without case). */
function linesNaming(text: string, token: string): number[] {
  const out: number[] = []
  const t = token.toLowerCase()
  text.split(/\r?\n/).forEach((l, i) => {
    if (l.replace(/(^|\s)#.*$/, '').toLowerCase().split(/\s+/).slice(1).includes(t)) out.push(i + 1)
  })
  return out
}

/** The repository path the stored CODEOWNERS came from (`.github/CODEOWNERS`). */
async function codeownersPath(store: Pick<Store, 'getMeta'>): Promise<string> {
  try {
    return (JSON.parse((await store.getMeta(META_CODEOWNERS)) ?? '{}') as { path?: string }).path ?? 'CODEOWNERS'
  } catch {
    return 'CODEOWNERS'
  }
}
