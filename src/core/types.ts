/** Types shared across pipeline stages: catalog → ingest → match → route → deliver, store under all. */
import type { Expectation } from './expect.js'

/** Normalised log levels, lowest first. */
export const LEVELS = ['trace', 'debug', 'info', 'notice', 'warn', 'error', 'fatal'] as const
export type Level = (typeof LEVELS)[number]

/** Who last touched a statement's line, from `git blame`. */
export interface Blame {
  email: string
  name: string
  commit: string
  /** ISO-8601 */
  time: string
  /**
   * The author is a bot (`[bot]`, `catalog.blame.bots`) and git found no human before it (the bot wrote the
   * line, or MAX_ROUNDS ran out): a bot owns nothing, so the statement's owner is nobody.
   */
  bot?: boolean
  /** Commits blame looked past for this statement's lines (a bot's, or one that only reformatted the line), newest first. */
  skipped?: SkippedCommit[]
}

/** A commit blame looked past: it does not make its author the owner of the lines it touched. */
export interface SkippedCommit {
  commit: string
  /** The commit's author name, as git (and .mailmap) give it. */
  author: string
  email: string
  /** `bot`: the author matches `[bot]` or `catalog.blame.bots`; `formatting`: the commit changed that line in whitespace only. */
  why: 'bot' | 'formatting'
}

export type OwnerKind = 'annotation' | 'override' | 'blame' | 'none'

/**
 * Which source named the owner, finer than `kind`: `route.rules` and CODEOWNERS are configured overrides of
 * blame, so their `kind` is `override` (the contract's four kinds) and `via` says which.
 */
export type OwnerVia = 'annotation' | 'override' | 'rule' | 'codeowners' | 'blame' | 'none'

/** The party that receives a statement's digest entries. */
export interface Owner {
  kind: OwnerKind
  /** An annotation name, a person key (email, handle or Slack id), `#channel` for a team's channel, or null for `none`. */
  who: string | null
  via: OwnerVia
}

/** One log statement found in source, as stored in the catalog. */
export interface Statement {
  /** Stable id: see docs/ARCHITECTURE.md "Statement ids". */
  id: string
  /** Repository-relative, forward slashes. */
  file: string
  /** 1-based line of the call. */
  line: number
  /** Last line of the call (multi-line calls). */
  endLine: number
  language: string
  level: Level | null
  /** The message as written in the code, placeholders kept (`%s`, `{}`, `{name}`, `${expr}` → `{}`). */
  template: string | null
  /** False when the message is not a literal template (a bare variable). */
  matchable: boolean
  /** `#name` annotations, without '#'. */
  channels: string[]
  /** `@name` annotations, without '@'. */
  mentions: string[]
  blame: Blame | null
  /**
   * The commit whose lines `line`/`endLine` count (HEAD when the file was last indexed; an unchanged file keeps
   * the commit it was read at, which has the same text): code links point here, never at the blame commit.
   * Null for a file with uncommitted changes or a repository without commits.
   */
  commit?: string | null
  /** `!expect N/PERIOD` annotation: it must log at least so often (expected-silence alerts); absent when none. */
  expect?: Expectation | null
  /** The logging call as written (`log.warn`, `ERROR_LOG`), for display and disambiguation. */
  callee: string
  /** The logging wrapper the call goes through (`debugPrint`), or the logger a function pointer holds. */
  via?: string | null
  /** Why the statement is not matchable (`the message is a parameter of logBanner`). */
  reason?: string | null
}

/**
 * The id an unowned shape (WARN+ lines matching no statement, grouped by `match/shape.ts`) is muted, snoozed and
 * reassigned by, like a statement id: `shape:` and the shape's 12 hex digits.
 */
export const shapeId = (hash: string): string => `shape:${hash}`

/** True for a `shape:<hash>` id. */
export const isShapeId = (id: string): boolean => id.startsWith('shape:')

/**
 * An unowned shape as the actions see a statement: no file, no channels, no blame; its template is the shape
 * (`disk <NUM> full`). Owned only by a hand-over ("Not mine" / `dice reassign`).
 */
export function shapeStatement(hash: string, shape: string, level: Level | null): Statement {
  return {
    id: shapeId(hash), file: '', line: 0, endLine: 0, language: '', level, template: shape, matchable: false, channels: [], mentions: [],
    blame: null, callee: 'unowned shape', commit: null,
  }
}

/** What matching reads of a statement (Store.listMatchStatements): the rest of it is not needed to match a line. */
export type MatchStatement = Pick<Statement, 'id' | 'file' | 'line' | 'template' | 'matchable'>

/** A statement plus its resolved owner, as `dice catalog --json` prints it. */
export interface CatalogEntry extends Statement {
  owner: Owner
}

/** One parsed log entry (a line, or a line plus its continuation lines). */
export interface LogEntry {
  /** 1-based input line number of the entry's first line. */
  n: number
  raw: string
  message: string
  level: Level | null
  /** Epoch milliseconds, when the line carries a time. */
  time: number | null
  host: string | null
  /** Source location printed by the logger, when present. */
  file: string | null
  line: number | null
  logger: string | null
  /** Continuation lines (stack traces) folded into this entry. */
  continuation?: string[]
  /** Set when the line was longer than match.maxLineBytes and was cut before parsing. */
  truncated?: boolean
}

/** What the matcher says about one message. */
export interface MatchResult {
  statementId: string
  /** Number of literal characters in the matched template (specificity). */
  literalChars: number
  /** Values of the template's placeholders, in order. */
  values: string[]
  /**
   * When nothing in the line tells which of several statements printed it (the same message logged from several
   * places, no file/line/logger in the line to decide): all of their ids, `statementId` first.
   */
  ambiguous?: string[]
  /**
   * The line and where its first `max` placeholder values are (start, end pairs in `out`), without cutting them:
   * the matcher's results answer it until `values` is read; null otherwise.
   */
  spans?(out: Int32Array, max: number): { line: string; n: number } | null
}

/** A counted delta for one statement × host × time bucket. */
export interface OccurrenceDelta {
  statementId: string
  host: string
  /** Bucket start, epoch ms. */
  bucket: number
  count: number
  firstSeen: number
  lastSeen: number
  level: Level | null
  /** A few raw sample lines (bounded). */
  samples: string[]
  /**
   * Set when some of these lines could as well come from other statements (MatchResult.ambiguous: the same
   * message logged in several places, nothing in the line to tell which): those statements' ids. The lines are
   * counted here once; the store keeps the pairs (`ties`) so the other statements' owners get them too.
   */
  tied?: string[]
  /** How many of `count` lines were such lines (set with `tied`). */
  tiedLines?: number
}

/** A counted delta for a WARN+ line that matched no statement, grouped by its masked shape. */
export interface UnownedDelta {
  shape: string
  host: string
  bucket: number
  count: number
  firstSeen: number
  lastSeen: number
  level: Level | null
  samples: string[]
}

/** Where a source has read up to: enough to resume exactly after a crash. */
export interface Checkpoint {
  source: string
  /** File identity (device:inode) or a source-specific key. */
  identity: string
  offset: number
  /** Input lines consumed so far (for line numbering on resume). */
  lines: number
}

export interface Person {
  /** Key used throughout: the blame email or the annotation name. */
  key: string
  slackId: string | null
  name: string | null
  email: string | null
  tz: string | null
}

/** A matched log entry on its way to routing and delivery. */
export interface Hit {
  entry: LogEntry
  statement: Statement
  values: string[]
  /** Host the entry came from ('-' when unknown). */
  host: string
  /** Entry time, or arrival time when the line carries none (epoch ms). */
  time: number
  /** Name of the source it was read from. */
  source: string
  /**
   * Other statements the line may as well come from (the same message logged in several places, nothing in the
   * line to tell which): routed to their owners too.
   */
  also?: Statement[]
}
