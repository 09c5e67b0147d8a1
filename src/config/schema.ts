import { z } from 'zod'
import { LEVELS } from '../core/types.js'
import { parseExpectation } from '../core/expect.js'

const level = z.enum(LEVELS)
const str = z.string().min(1)

/** A logger vocabulary entry: a callee pattern (e.g. `WARN_LOG`, `*.warn`, `LOG(ERROR)`) and its level. */
const loggerRule = z.object({
  /** Callee as written: exact name, or `*.method` for any receiver. */
  call: str,
  /** Fixed level; omit when the level is an argument (`LOG(ERROR)`, `log.log(Level.WARN, …)`). */
  level: level.optional(),
  /** 0-based index of the message argument; default: first string-like argument. */
  messageArg: z.number().int().min(0).optional(),
  /** 0-based index of the level argument, when the level is passed in. */
  levelArg: z.number().int().min(0).optional(),
  /** Text the logger prints before / after every message (`error: `, `[GIN-debug] `): part of the template. */
  prefix: z.string().optional(),
  suffix: z.string().optional(),
}).strict()

/** A logging wrapper: a function of the project whose calls are log statements (`debugPrint(format, …)`). */
const wrapperRule = z.object({
  /** The function's name (`debugPrint`, `Util.logBanner`: the last segment is compared). */
  call: str,
  /** 0-based index of the message argument. */
  messageArg: z.number().int().min(0).default(0),
  /** Fixed level; omit when it comes from an argument (`levelArg`). */
  level: level.optional(),
  levelArg: z.number().int().min(0).optional(),
  /** Text the wrapper adds before / after the message. */
  prefix: z.string().optional(),
  suffix: z.string().optional(),
}).strict()

/** An IANA time zone this Node knows (`Europe/Berlin`); a typo would silently mean UTC otherwise. */
const timeZone = str.refine((tz) => {
  // The default: constructing a formatter loads ICU's zone data (~10 ms of every start-up).
  if (tz === 'UTC') return true
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz })
    return true
  } catch {
    return false
  }
}, (tz) => ({ message: `not a known IANA time zone: ${JSON.stringify(tz)} (e.g. Europe/Berlin)` }))

/** A calendar date `YYYY-MM-DD` that exists (a day off: the digest waits for the next working day). */
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date like 2026-12-24').refine((d) => {
  const t = Date.parse(`${d}T00:00:00Z`)
  return Number.isFinite(t) && new Date(t).toISOString().startsWith(d)
}, (d) => ({ message: `not a calendar date: ${JSON.stringify(d)}` }))
/** ISO weekdays, 1 = Monday … 7 = Sunday. */
const workdays = z.array(z.number().int().min(1).max(7)).min(1)
const startHour = z.number().int().min(0).max(23)
const endHour = z.number().int().min(1).max(24)

const person = z.object({
  slack: str.optional(),
  name: str.optional(),
  email: str.optional(),
  tz: timeZone.optional(),
  aliases: z.array(str).default([]),
  /** Their working week, each field defaulting to digest's (`workdays`, `startHour`, `endHour`, `holidays`). */
  workdays: workdays.optional(),
  startHour: startHour.optional(),
  endHour: endHour.optional(),
  holidays: z.array(isoDate).optional(),
}).strict()

const source = z.discriminatedUnion('type', [
  z.object({ type: z.literal('file'), path: str, format: str.default('auto'), host: str.optional(), fromStart: z.boolean().default(false) }).strict(),
  z.object({ type: z.literal('stdin'), format: str.default('auto'), host: str.optional() }).strict(),
])

/** Where a CODEOWNERS team (`@org/team`) is delivered: a channel's digest, or a person. */
const team = z.object({
  channel: str.optional(),
  person: str.optional(),
}).strict().refine((t) => !!t.channel !== !!t.person, { message: 'give exactly one of channel or person' })

const routeRule = z.object({
  /** CODEOWNERS-style glob over the statement's file. */
  path: str.optional(),
  /** Only statements at or above this level. */
  minLevel: level.optional(),
  channel: str.optional(),
  person: str.optional(),
}).strict()

/** `N/PERIOD` (`1/h`, `3/15m`): at least N occurrences per period. */
const expectation = str.refine((t) => parseExpectation(t) !== null, (t) => ({
  message: `expected N/PERIOD like 1/h, 3/15m or 1/1d (at least N occurrences per period), got ${JSON.stringify(t)}`,
}))

/** A config rule saying which statements must keep logging (as `// !expect 1/h` does in code). */
const silenceRule = z.object({
  /** A statement id (as `dice catalog` prints it). */
  statement: str.optional(),
  /** Statements whose template is exactly this text. */
  template: str.optional(),
  /** CODEOWNERS-style glob over the statement's file. */
  path: str.optional(),
  expect: expectation,
}).strict()

/** The alerts only a code catalog can give; each is off until turned on (docs/alerts/). */
const alerts = z.object({
  /** How often `dice run` looks at the newest counts for new, spiking and silent statements. */
  checkSeconds: z.number().int().positive().default(5),
  firstSeen: z.object({
    enabled: z.boolean().default(false),
    /** A statement not seen for this long before the deploy counts as new again when it comes back. */
    quietDays: z.number().positive().default(7),
    /** A person's next first-seen DM waits this long after the previous one; what appears meanwhile joins it. */
    groupSeconds: z.number().int().positive().default(60),
    /** Statements listed in one DM; the rest are counted. */
    maxListed: z.number().int().positive().max(20).default(10),
  }).strict().default({}),
  spikes: z.object({
    enabled: z.boolean().default(false),
    /** A bucket this many times its statement's usual count is a spike… */
    factor: z.number().min(1.5).default(10),
    /** …when it also holds at least this many occurrences. */
    floor: z.number().int().positive().default(20),
    /** Half-life of the usual count (an exponentially weighted average over time buckets). */
    halfLifeHours: z.number().positive().default(24),
    /** History a statement needs before its spikes are told (its first buckets are first-seen territory). */
    warmupHours: z.number().min(0).default(6),
  }).strict().default({}),
  silence: z.object({
    enabled: z.boolean().default(false),
    /** Statements that must keep logging, besides those annotated `!expect` in code. */
    rules: z.array(silenceRule).default([]),
  }).strict().superRefine((s, ctx) => s.rules.forEach((r, i) => {
    if (!r.statement && !r.template && !r.path) ctx.addIssue({ code: 'custom', path: ['rules', i], message: 'give statement, template or path: which statements the rule expects' })
  })).default({}),
}).strict()

/** One schema for `dice.yml`. Defaults here are the documented defaults (docs/CONFIG.md). */
export const configSchema = z.object({
  repo: z.object({
    path: str.default('.'),
    /** Web URL of the repository, for code links (`https://github.com/org/repo`). */
    url: z.string().url({ message: 'expected an absolute URL like https://github.com/org/repo' }).optional(),
    /** `github` or `gitlab` link style; guessed from the URL when omitted. */
    linkStyle: z.enum(['github', 'gitlab']).optional(),
  }).strict().default({}),
  catalog: z.object({
    include: z.array(str).default([]),
    exclude: z.array(str).default([]),
    maxFileBytes: z.number().int().positive().default(2_000_000),
    /** Extra logger calls per language id (`c`, `java`, `python`, …), added to the built-in vocabulary. */
    loggers: z.record(z.array(loggerRule)).default({}),
    /** Logging wrappers per language id, besides those Dice infers. */
    wrappers: z.record(z.array(wrapperRule)).default({}),
    /** Whose commits do not make their author a statement's owner. */
    blame: z.object({
      /** Author patterns (`*` any run of characters) matched against a commit's author name or email, besides `*[bot]*`. */
      bots: z.array(str).default([]),
      /** Look past commits that changed a statement's line in whitespace only (a reformat). */
      formatting: z.boolean().default(true),
    }).strict().default({}),
    /** Deployed revisions (tags, branches, commits) whose catalogs `dice index` keeps besides the work tree's. */
    revisions: z.array(str).default([]),
  }).strict().default({}),
  /** People by key (email or short name): Slack id, display name, time zone. */
  people: z.record(person).default({}),
  sources: z.array(source).default([]),
  /** Named formats: name → `regex:…` or a built-in name. */
  formats: z.record(str).default({}),
  match: z.object({
    /** Entries at or above this level are always matched and counted. */
    minLevel: level.default('warn'),
    /** Width of an occurrence time bucket. */
    bucketSeconds: z.number().int().positive().default(300),
    samplesPerBucket: z.number().int().min(0).max(20).default(3),
    maxLineBytes: z.number().int().positive().default(65_536),
    /** Worker threads that parse, match and count ingested lines (`dice run`, `dice replay`); unset: none (the main thread). */
    workers: z.number().int().min(0).max(64).optional(),
  }).strict().default({}),
  route: z.object({
    minLevel: level.default('warn'),
    rules: z.array(routeRule).default([]),
    /** Channel for occurrences with no owner, or whose owner is unknown to Slack. */
    fallbackChannel: str.optional(),
    /** Route unowned shapes (WARN+ lines matching no statement) to the fallback channel digest. */
    unownedToFallback: z.boolean().default(true),
    /** Read the repository's CODEOWNERS as an ownership source (after rules, before blame). */
    codeowners: z.boolean().default(true),
    /** CODEOWNERS teams (`org/team`) → a channel or a person. */
    teams: z.record(team).default({}),
  }).strict().default({}),
  realtime: z.object({
    /** A flood of one statement updates the same channel message for this long. */
    updateWindowSeconds: z.number().int().positive().default(3600),
    maxPostsPerSecond: z.number().positive().default(1),
  }).strict().default({}),
  digest: z.object({
    /** ISO weekdays, 1 = Monday … 7 = Sunday. */
    workdays: workdays.default([1, 2, 3, 4, 5]),
    startHour: startHour.default(9),
    endHour: endHour.default(18),
    /** Days off for everyone (`YYYY-MM-DD`, in the recipient's zone): no digest; it waits for the next working day. */
    holidays: z.array(isoDate).default([]),
    checkEveryMinutes: z.number().int().positive().default(10),
    defaultTimezone: timeZone.default('UTC'),
    maxItems: z.number().int().positive().default(40),
    /**
     * Slack messages one digest may take (the first, then replies in its thread). What does not fit is not listed but
     * counted in its last message (the least new, lowest level, least frequent statements): a catalog nobody Slack
     * knows owns would otherwise make the fallback channel's digest hundreds of messages a day.
     */
    maxMessages: z.number().int().positive().default(10),
  }).strict().refine((d) => d.startHour < d.endHour, (d) => ({
    path: ['endHour'],
    message: `must be after startHour (${d.startHour}), got ${d.endHour}: the working day would be empty`,
  })).default({}),
  slack: z.object({
    /** Slack user ids allowed to mute for everyone and reassign any statement. */
    admins: z.array(str).default([]),
    /** Cache Slack user look-ups for this long. */
    userCacheHours: z.number().positive().default(24),
  }).strict().default({}),
  webhook: z.object({ url: str.optional() }).strict().default({}),
  server: z.object({
    host: str.default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(7878),
    /** Maximum ingest lines waiting to be processed before HTTP answers 429. */
    maxQueuedLines: z.number().int().positive().default(200_000),
    /** Who may read the web page and /api (they show log lines). The token is DICE_WEB_TOKEN, not a field. */
    auth: z.object({
      /** Header an authenticating reverse proxy sets to the signed-in user (oauth2-proxy: X-Forwarded-Email). */
      proxyHeader: str.optional(),
      /** Users the proxy may let in (emails, or *@example.com); empty: anyone it signed in. */
      allowedUsers: z.array(str).default([]),
      /** Serve them to anyone who can reach the port, on any address (only where the network restricts access). */
      allowAnonymous: z.boolean().default(false),
    }).strict().default({}),
  }).strict().default({}),
  alerts: alerts.default({}),
  retention: z.object({
    /** Occurrence buckets older than this are rolled up to daily totals. */
    rawDays: z.number().int().positive().default(14),
    /** Daily totals older than this are deleted. */
    keepDays: z.number().int().positive().default(90),
  }).strict().default({}),
}).strict()

export type Config = z.infer<typeof configSchema>
export type LoggerRule = z.infer<typeof loggerRule>
export type WrapperRule = z.infer<typeof wrapperRule>
export type RouteRule = z.infer<typeof routeRule>
export type SourceConfig = z.infer<typeof source>
export type SilenceRule = z.infer<typeof silenceRule>
