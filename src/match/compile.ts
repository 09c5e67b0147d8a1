/**
 * One catalog template as the index build needs it: its literals and placeholder minimums, the facts that
 * screen a line before any literal is compared, and the statements that print it.
 */
import type { MatchStatement } from '../core/types.js'
import { firstTwo, lastTwo } from './hash.js'
import { parseTemplate } from './template.js'

/** A template compiled for the index. */
export interface Compiled {
  template: string
  /** Position in the catalog (first statement with this template): the last tie-break. */
  index: number
  lits: string[]
  mins: number[]
  minLen: number
  literalChars: number
  placeholders: number
  /** Statements sharing this exact template (the same message logged from several places). */
  statements: MatchStatement[]
  /** The key it is filed under, for explain and plans: slot (-1: scan list) and the literal range hashed. */
  keySlot: number
  keyLit: number
  keyA: number
  keyB: number
  /** Longest literal, for scan-list pre-filtering. */
  needle: string
  /** First/last two characters of the message this template requires (-1: no requirement): a check that
   *  rejects most wrong candidates without touching the literal strings. */
  head: number
  tail: number
  /** 64-bit signature (two halves) of the template's inner words: the message must have every bit. */
  sigLo: number
  sigHi: number
  /** Filed for lines that lack the template's leading level word (`ERROR: shard %s` as `shard %s`): loses ties
   *  to a template written that way. */
  alt: boolean
}

/** Literal text with no letter or digit (`{}: {}`, `[%s] %s`) identifies nothing: such templates are skipped. */
const MEANINGFUL = /[\p{L}\p{N}]/u

/**
 * Compile a trimmed template; null when its literal text has no letter or digit. `shared` interns the
 * placeholder-minimum arrays: a catalog has a few patterns ([0], [1], [0, 1] …) shared by most templates.
 */
export function compile(template: string, shared: Map<string, number[]>): Compiled | null {
  const p = parseTemplate(template)
  if (!p.literals.some((l) => MEANINGFUL.test(l))) return null
  // Copies sized exactly (parseTemplate's push()-grown arrays keep spare room: ~10 MB at 100k templates).
  const lits = p.literals.slice()
  const own = p.placeholders.map((x) => x.min)
  const key = own.join('')
  let mins = shared.get(key)
  if (mins === undefined) shared.set(key, (mins = own))
  const literalChars = lits.reduce((n, l) => n + l.length, 0)
  const needle = lits.reduce((a, b) => (b.length > a.length ? b : a), '')
  const first = lits[0]!
  const last = lits[lits.length - 1]!
  return {
    template, lits, mins, literalChars, needle,
    minLen: literalChars + mins.reduce((a: number, b) => a + b, 0),
    placeholders: p.placeholders.length,
    index: 0, statements: [], keySlot: -1, keyLit: 0, keyA: 0, keyB: 0,
    sigLo: 0, sigHi: 0, alt: false,
    head: first.length >= 2 ? firstTwo(first) : -1,
    tail: last.length >= 2 ? lastTwo(last, last.length) : -1,
  }
}

/**
 * A leading level word a program writes or a logger adds (`ERROR: `, `error: `, `[WARN] `, `<warning> `, `FATAL `
 * in capitals), with the spaces after it: its length, or 0. Format parsers lift such a word into the level
 * (docs/FORMATS.md "bare level prefix"), so a message and its template may differ by it either way. Read with
 * plain character tests (unmatched lines ask it): most text is rejected by its first word's end.
 */
export function levelWordEnd(s: string): number {
  const len = s.length
  const c0 = s.charCodeAt(0)
  const close = c0 === 91 ? 93 : c0 === 60 ? 62 : 0 // `[level]`, `<level>`
  const a = close === 0 ? 0 : 1
  let j = a
  while (j < len && j - a < 9 && isLetter(s.charCodeAt(j))) j++
  if (j - a < 3 || j - a > 8 || j >= len) return 0
  let k = j
  const after = s.charCodeAt(k)
  if (close !== 0) {
    if (after !== close) return 0
    k++
    if (s.charCodeAt(k) === 58) k++
  } else if (after === 58) k++
  // A bare word (`ERROR shard …`) only in capitals: in lower case it is as likely the message's first word.
  else if (after !== 32 || !isUpper(s.charCodeAt(a)) || !isUpper(s.charCodeAt(a + 1))) return 0
  if (!LEVEL_WORDS.has(s.slice(a, j))) return 0
  const spaces = k
  while (k < len && (s.charCodeAt(k) === 32 || s.charCodeAt(k) === 9)) k++
  return k === spaces || k === len ? 0 : k
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
}

function isUpper(c: number): boolean {
  return c >= 65 && c <= 90
}

/** Level names as written lower-case, capitalised or in capitals (`error`, `Error`, `ERROR`). */
const LEVEL_WORDS = new Set(['trace', 'debug', 'info', 'notice', 'warn', 'warning', 'error', 'err', 'fatal', 'critical', 'crit', 'severe', 'panic']
  .flatMap((w) => [w, w[0]!.toUpperCase() + w.slice(1), w.toUpperCase()]))
