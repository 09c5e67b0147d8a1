/**
 * A match result whose placeholder values are cut from the message on first read: counting needs only the
 * statement, so most lines never pay for the slices (samples and real-time messages read them).
 */
import type { MatchResult } from '../core/types.js'
import type { MatchIndex } from './build.js'
import { capture, spans, spansAt } from './confirm.js'

/** spans()'s answer, one object reused: it is read before the next line is matched. */
const SPANS = { line: '', n: 0 }

/** The MatchResult the matcher returns (values read lazily; serialises as a plain result). */
export class Hit implements MatchResult {
  readonly statementId: string
  readonly literalChars: number
  // Private fields: not own enumerable properties, so the result still reads (and compares) as a plain
  // { statementId, literalChars, values }. The template is found from its number only when values are read:
  // most lines are counted and never reach for it. #line holds the message until then, its values after:
  // one field fewer per result, and millions of results are made and dropped per second.
  #ix: MatchIndex
  #t: number
  /** The index row `#line` was confirmed against (its flat data locates the values), or -1 (a tie's winner). */
  #row: number
  #line: string | string[]
  #ambiguous: string[] | null
  constructor(statementId: string, literalChars: number, ix: MatchIndex, t: number, row: number, m: string, ambiguous: string[] | null) {
    this.statementId = statementId
    this.literalChars = literalChars
    this.#ix = ix
    this.#t = t
    this.#row = row
    this.#line = m
    this.#ambiguous = ambiguous
  }
  /** Every statement the line cannot be told apart from (this one first), when there are several. */
  get ambiguous(): string[] | undefined {
    return this.#ambiguous ?? undefined
  }
  get values(): string[] {
    const v = this.#line
    if (typeof v !== 'string') return v
    return (this.#line = capture(this.#ix.templates.at(this.#t), v) ?? [])
  }
  /**
   * The line and where its first `max` placeholder values are in it (Counter.valuesOf): no string cut, no array
   * made. Null once the values were read (use `values`), or when the template does not fit.
   */
  spans(out: Int32Array, max: number): { line: string; n: number } | null {
    const v = this.#line
    if (typeof v !== 'string') return null
    let n = this.#row >= 0 ? spansAt(this.#ix, this.#row, v, out, max) : -2
    if (n === -2) n = spans(this.#ix.templates.at(this.#t), v, out, max)
    if (n < 0) return null
    SPANS.line = v
    SPANS.n = n
    return SPANS
  }
  toJSON(): MatchResult {
    const r: MatchResult = { statementId: this.statementId, literalChars: this.literalChars, values: this.values }
    if (this.#ambiguous !== null) r.ambiguous = this.#ambiguous
    return r
  }
}
