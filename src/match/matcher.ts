/**
 * The matcher: which catalog statement printed this message? Plain functions over a frozen index
 * (build.ts), a per-line scratch (lookup.ts) and the line:
 *
 *   index build (build.ts, keys chosen by plan.ts) → candidate lookup (lookup.ts) → confirm (confirm.ts)
 *   → tie-break (tie-break.ts); explain (explain.ts) is a path of its own.
 *
 * Semantics (docs/FORMATS.md "Matching"): the whole message must match the whole template (anchored at
 * both ends, outer whitespace ignored); a placeholder matches any text, non-greedy — string placeholders
 * (`%s`, `%v`, `{}`, `{name}`, `${x}`) may match nothing, the others at least one character. The most
 * specific template wins (most literal characters, then fewest placeholders); remaining ties go to the
 * statement in the file/logger the line names, nearest line first, then catalog order. The cost per line
 * depends on its length and the few templates sharing its rarest keys, not on the catalog's size.
 */
import type { MatchResult, MatchStatement } from '../core/types.js'
import * as BUILD from './build.js'
import { type MatchIndex } from './build.js'
import { confirm } from './confirm.js'
import { explainCandidates, type ExplainCandidate } from './explain.js'
import { candidates, mayFit, Scratch } from './lookup.js'
import { loadIndex, snapshotOf, type MatcherPlan } from './snapshot.js'
import { Hit } from './result.js'
import { pick, type MatchHint } from './tie-break.js'
import { levelWordEnd } from './compile.js'
// Module-local copies of what the hot path uses: an imported binding is live, so optimized code loads it and
// checks it for the temporal dead zone at every use (callgrind: ~12% more instructions per line); a local const
// is folded into the code.
const { buildIndex, R_CHARS, R_PH, R_T } = BUILD

export type { ExplainCandidate } from './explain.js'
export { decodePlan, encodePlan, type MatcherPlan } from './snapshot.js'
export type { MatchHint } from './tie-break.js'

/** The statement that printed `message`, or null. `hint` breaks ties between equally specific templates. */
export function matchLine(ix: MatchIndex, sc: Scratch, message: string, hint?: MatchHint): MatchResult | null {
  const m = trimMessage(message)
  if (m.length === 0) return null
  const r = find(ix, sc, m, hint)
  return r !== null ? r : retry(ix, sc, message, m, hint)
}

/**
 * The other readings of a message nothing matched as it is, tried only then (the usual line never pays):
 * with the trailing whitespace trimming took (`connection closed by ` printed by `connection closed by %s`),
 * without a leading level word the program or its logger wrote (`error: connection refused` printed through
 * `connection refused`), and the first line of a message of several.
 */
function retry(ix: MatchIndex, sc: Scratch, message: string, m: string, hint: MatchHint | undefined): MatchResult | null {
  const text = otherReading(ix, sc, message, m, hint)
  return text === null ? null : find(ix, sc, text, hint)
}

/** The first of retry()'s readings that matches, or null. */
function otherReading(ix: MatchIndex, sc: Scratch, message: string, m: string, hint: MatchHint | undefined): string | null {
  if (isSpace(message.charCodeAt(message.length - 1))) {
    const kept = message.trimStart()
    if (kept.length > m.length && find(ix, sc, kept, hint) !== null) return kept
  }
  const cut = levelWordEnd(m)
  if (cut > 0 && find(ix, sc, m.slice(cut), hint) !== null) return m.slice(cut)
  const nl = m.indexOf('\n')
  if (nl > 0) {
    const first = trimMessage(m.slice(0, nl))
    if (first.length > 0 && find(ix, sc, first, hint) !== null) return first
    const c = levelWordEnd(first)
    if (c > 0 && find(ix, sc, first.slice(c), hint) !== null) return first.slice(c)
  }
  return null
}

/** `matchLine` on an already trimmed, non-empty message. */
function find(ix: MatchIndex, sc: Scratch, m: string, hint: MatchHint | undefined): MatchResult | null {
  if (ix.edges !== null && !mayFit(ix, m)) return null
  const best = confirm(ix, sc, m, candidates(ix, sc, m))
  if (best < 0) return null
  const rows = ix.rows
  const t = rows[best + R_T]!
  const ties = sc.ties
  if (ties === null && rows[best + R_PH]! >>> 24 === 0) return new Hit(ix.ids[t]!, rows[best + R_CHARS]!, ix, t, best, m, null)
  // Equally specific templates in catalog order, whichever key proposed them first.
  const all = ix.templates
  const tied = ties === null ? [all.at(t)] : ties.map((x) => all.at(x)).sort((a, b) => a.index - b.index)
  const { statement, ambiguous } = pick(tied, hint)
  const win = tied.find((c) => !c.alt && c.statements.includes(statement)) ?? tied.find((c) => c.statements.includes(statement))!
  return new Hit(statement.id, win.literalChars, ix, win.index, win.index === t ? best : -1, m, ambiguous === null ? null : ambiguous.map((s) => s.id))
}

/** `matchLine` plus every candidate the index proposed and why each did or did not win (`--explain`). */
export function explainLine(ix: MatchIndex, sc: Scratch, message: string, hint?: MatchHint): { result: MatchResult | null; candidates: ExplainCandidate[] } {
  let m = trimMessage(message)
  const result = matchLine(ix, sc, message, hint)
  if (m.length === 0) return { result, candidates: [] }
  // The candidates of the text that matched (see retry).
  if (result !== null && find(ix, sc, m, hint) === null) m = otherReading(ix, sc, message, m, hint) ?? m
  return { result, candidates: explainCandidates(ix, sc, m, result) }
}

/** Compiled, indexed catalog templates with their scratch: build once per catalog version; `match` is synchronous. */
export class Matcher {
  readonly index: MatchIndex
  private readonly scratch: Scratch

  private constructor(index: MatchIndex, private readonly statements: readonly MatchStatement[]) {
    this.index = index
    this.scratch = new Scratch(index)
  }

  /**
   * Compile and index the matchable statements of a catalog. `plan` (from `plan()` of a matcher of the same
   * catalog, e.g. stored by an earlier run) is the index itself: loaded when it was made for exactly these
   * templates by this code (snapshot.ts), else ignored and the index built.
   */
  static build(statements: readonly MatchStatement[], plan: MatcherPlan | null = null): Matcher {
    return new Matcher((plan !== null ? loadIndex(plan, statements) : null) ?? buildIndex(statements), statements)
  }

  /** Whether the index was loaded from a stored plan (true) or built. */
  get planned(): boolean {
    return this.index.planned
  }

  /** Templates indexed / statements skipped (not matchable, no template, no literal word). */
  get size(): MatchIndex['size'] {
    return this.index.size
  }

  /** This matcher's index as bytes, for Matcher.build of the same catalog later. */
  plan(): MatcherPlan {
    return snapshotOf(this.index, this.statements)
  }

  /** The statement that printed `message`, or null. `hint` breaks ties between equally specific templates. */
  match(message: string, hint?: MatchHint): MatchResult | null {
    return matchLine(this.index, this.scratch, message, hint)
  }

  /** `match` plus every candidate the index proposed and why each did or did not win (`--explain`). */
  explain(message: string, hint?: MatchHint): { result: MatchResult | null; candidates: ExplainCandidate[] } {
    return explainLine(this.index, this.scratch, message, hint)
  }
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12
}

function trimMessage(m: string): string {
  const n = m.length
  if (n === 0) return m
  if (!isSpace(m.charCodeAt(0)) && !isSpace(m.charCodeAt(n - 1))) return m
  return m.trim()
}
