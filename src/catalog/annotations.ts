/**
 * Code annotations: `#channel` and `@person` tokens in a comment that trails a log statement on its last
 * line (`ERROR_LOG("x"); // #ipsec-debug @elmore`), in a comment inside a multi-line call, first line included
 * (`log.Errorf("tunnel %s down: %v", // #ipsec-debug` with the arguments below), or in a comment alone on the
 * line directly above it that holds nothing but such tokens.
 *
 * Decisions (documented in docs, tested):
 * - Tokens are `[A-Za-z0-9][A-Za-z0-9._-]*`, preceded by the start of the comment, whitespace or `(`/`[`/`,`,
 *   so `a#b`, URLs (`x.com/page#part`) and mail addresses in prose are not tokens. Trailing dots are
 *   punctuation and dropped (`ping @elmore.` → `elmore`).
 * - A person may be written as an email: `@pig@pen.mssn` → mention `pig@pen.mssn` (owner keys are emails).
 * - Every token in a trailing comment counts, prose around it is ignored (`// flaky, ask @elmore`). The one
 *   exception: a channel must contain a letter, so issue numbers (`// see #1234`) are not channels.
 * - The comment is found by tree-sitter, so a `#` or `@` inside a string literal is never an annotation.
 * - Tool directives are not people or channels: `// @ts-ignore`, the `@deprecated` doc tag, `// #endif` (lists below).
 * - `!expect N/PERIOD` (`// @elmore !expect 1/h`) says the statement must log at least N times per period
 *   (docs/alerts/silence.md); it may stand with the tokens in a comment above the statement. A period that does
 *   not parse is not an expectation.
 */
import { parseExpectation, type Expectation } from '../core/expect.js'

/** What one comment says. */
export interface CommentAnnotations {
  channels: string[]
  mentions: string[]
  /** `!expect N/PERIOD`; absent when the comment has none. */
  expect?: Expectation
  /** True when the comment holds annotation tokens and nothing else (required for a comment above). */
  onlyTokens: boolean
}

/** `@word`s that are tool directives or doc tags, not people (compared lower-case). */
export const IGNORED_MENTIONS: ReadonlySet<string> = new Set([
  'ts-ignore', 'ts-expect-error', 'ts-nocheck', 'ts-check', 'deprecated', 'todo', 'fixme', 'noinspection', 'suppress',
  'suppresswarnings', 'override', 'param', 'return', 'returns', 'type', 'var', 'throws', 'see', 'since', 'flow', 'jsx',
  'nocommit', 'generated', 'lint', 'phpstan-ignore', 'psalm-suppress', 'codecoverageignore', 'inheritdoc',
])

/** `#word`s that are preprocessor or editor directives, not channels. */
export const IGNORED_CHANNELS: ReadonlySet<string> = new Set([
  'if', 'ifdef', 'ifndef', 'elif', 'else', 'endif', 'define', 'undef', 'include', 'pragma', 'region', 'endregion', 'error', 'warning',
])

const TOKEN = /(^|[\s([,])([#@])([A-Za-z0-9][A-Za-z0-9._-]*(?:@[A-Za-z0-9][A-Za-z0-9.-]*)?)/g
const ONLY_TOKENS = /^(?:[#@][A-Za-z0-9][A-Za-z0-9._-]*(?:@[A-Za-z0-9][A-Za-z0-9.-]*)?[\s,]*)+$/
const EXPECT = /(^|[\s([,])!expect\s+(\d+\s*\/\s*[0-9.]*[a-z][0-9.a-z]*)/i

/** Strip comment delimiters: `//`, `///`, `//!`, `/* … *\/`, `/** … *\/`, one leading `#` (Python, Ruby, PHP, shell). */
export function commentBody(text: string): string {
  let t = text.trim()
  if (t.startsWith('/*')) t = t.replace(/^\/\*+!?/, '').replace(/\*+\/$/, '')
  else if (t.startsWith('//')) t = t.replace(/^\/\/+!?/, '')
  else if (t.startsWith('#')) t = t.slice(1)
  else if (t.startsWith('--')) t = t.slice(2)
  // Block comments spanning lines: drop the leading ` * ` of each line.
  return t.replace(/\n\s*\*(?!\/)/g, '\n').trim()
}

/** The `#channel` and `@person` tokens of one comment (delimiters included in `text`). */
export function parseComment(text: string): CommentAnnotations {
  let body = commentBody(text)
  const channels: string[] = []
  const mentions: string[] = []
  let expect: Expectation | null = null
  const e = body.includes('!') ? EXPECT.exec(body) : null
  if (e) {
    expect = parseExpectation(e[2]!)
    // What is left must be tokens alone for a comment above a statement to count.
    if (expect) body = (body.slice(0, e.index) + e[1] + body.slice(e.index + e[0].length)).trim()
  }
  const withExpect = (a: CommentAnnotations): CommentAnnotations => (expect ? { ...a, expect } : a)
  if (!body.includes('#') && !body.includes('@')) return withExpect({ channels, mentions, onlyTokens: expect !== null && body === '' })
  for (const m of body.matchAll(TOKEN)) {
    const name = m[3].replace(/\.+$/, '')
    if (m[2] === '#') {
      if (/[A-Za-z]/.test(name) && !IGNORED_CHANNELS.has(name.toLowerCase()) && !channels.includes(name)) channels.push(name)
    } else if (!IGNORED_MENTIONS.has(name.toLowerCase()) && !mentions.includes(name)) mentions.push(name)
  }
  return withExpect({ channels, mentions, onlyTokens: ONLY_TOKENS.test(body) && channels.length + mentions.length > 0 })
}

/** A comment as the extractor saw it: 0-based rows, source offsets, and whether code precedes it on its line. */
export interface CommentSpan {
  startRow: number
  endRow: number
  startIndex: number
  /** Nothing but whitespace before the comment on its first line. */
  ownLine: boolean
  text: string
}

/** The part of a statement annotation attachment needs (0-based rows, source offsets). */
export interface AnnotatedSpan {
  startRow: number
  endRow: number
  startIndex: number
  endIndex: number
  channels: string[]
  mentions: string[]
  expect?: Expectation | null
}

function add(target: string[], names: string[]): void {
  for (const n of names) if (!target.includes(n)) target.push(n)
}

function apply(s: AnnotatedSpan, a: CommentAnnotations): void {
  add(s.channels, a.channels)
  add(s.mentions, a.mentions)
  if (a.expect) s.expect = a.expect
}

/**
 * Give each statement the annotations of the comments inside its call (any line of a multi-line call: a
 * comment there can be about no other statement), of its trailing comment (a comment starting on the
 * statement's last line after the statement; with several statements ending on that line, the last one
 * before the comment), and of an own-line, tokens-only comment ending on the line above its first line.
 * `statements` and `comments` are in source order.
 */
export function attachAnnotations(statements: AnnotatedSpan[], comments: CommentSpan[]): void {
  if (statements.length === 0 || comments.length === 0) return
  const byEndRow = new Map<number, AnnotatedSpan[]>()
  const byStartRow = new Map<number, AnnotatedSpan>()
  for (const s of statements) {
    const list = byEndRow.get(s.endRow)
    if (list) list.push(s)
    else byEndRow.set(s.endRow, [s])
    const first = byStartRow.get(s.startRow)
    if (!first || s.startIndex < first.startIndex) byStartRow.set(s.startRow, s)
  }
  const byStart = [...statements].sort((a, b) => a.startIndex - b.startIndex)
  for (const c of comments) {
    const inside = containing(byStart, c.startIndex)
    if (inside) {
      apply(inside, parseComment(c.text))
      continue
    }
    const ends = byEndRow.get(c.startRow)
    if (ends) {
      let best: AnnotatedSpan | null = null
      for (const s of ends) if (s.endIndex <= c.startIndex && (!best || s.endIndex > best.endIndex)) best = s
      if (best) {
        apply(best, parseComment(c.text))
        continue
      }
    }
    if (!c.ownLine) continue
    const below = byStartRow.get(c.endRow + 1)
    if (!below) continue
    const a = parseComment(c.text)
    if (!a.onlyTokens) continue
    apply(below, a)
  }
}

/**
 * The statement whose call encloses `offset` (sorted by start; statements do not nest, a logging call inside
 * another is part of it), or null. The last one starting before `offset` is the only candidate.
 */
function containing(byStart: AnnotatedSpan[], offset: number): AnnotatedSpan | null {
  let lo = 0
  let hi = byStart.length - 1
  let found = -1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    if (byStart[mid].startIndex <= offset) {
      found = mid
      lo = mid + 1
    } else hi = mid - 1
  }
  if (found < 0) return null
  const s = byStart[found]
  return offset > s.startIndex && offset < s.endIndex ? s : null
}
