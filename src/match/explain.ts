/**
 * Explain (`dice match --explain`): every candidate the index proposes for a line, which key proposed it, its
 * literal characters, and why it matched, lost or failed. Its own path, off the hot one: it walks every chain
 * the line's keys reach, unscreened, so a template the screens would have dropped is listed with its reason.
 */
import type { MatchResult } from '../core/types.js'
import { R_NEXT, R_T, ROW, type MatchIndex } from './build.js'
import type { Compiled } from './compile.js'
import { fits } from './confirm.js'
import { describeKey } from './keys.js'
import { firstRow, lineKeys, type Scratch } from './lookup.js'

/** One candidate looked at by `explain`. */
export interface ExplainCandidate {
  statementId: string
  template: string
  literalChars: number
  matched: boolean
  why: string
}

/**
 * The candidates of `m` (the trimmed text that was matched) and why each did or did not win, given the
 * `result` matching gave for it.
 */
export function explainCandidates(ix: MatchIndex, sc: Scratch, m: string, result: MatchResult | null): ExplainCandidate[] {
  const seen = new Set<number>()
  const nk = lineKeys(ix, sc, m)
  for (let k = 0; k < nk; k++) {
    for (let r = firstRow(ix, sc.keys[k]!); r >= 0; r = ix.rows[r * ROW + R_NEXT]!) seen.add(ix.rows[r * ROW + R_T]!)
  }
  const scan = ix.scan
  if (scan.length === 1 || (scan.length > 1 && ix.scanAny!.test(m))) {
    scan.forEach((t, i) => {
      if (m.includes(ix.scanNeedles[i]!)) seen.add(t)
    })
  }
  const out: ExplainCandidate[] = []
  for (const t of seen) {
    const c = ix.templates.at(t)
    const failure = whyNot(c, m, sc.sigLo, sc.sigHi)
    for (const s of c.statements) {
      const won = result?.statementId === s.id
      let why = failure ?? (won ? `matched via ${describeKey(c)}; chosen` : `matched via ${describeKey(c)}; lost`)
      if (failure === null && !won && result) {
        why += result.literalChars > c.literalChars ? ` (fewer literal characters: ${c.literalChars} < ${result.literalChars})`
          : result.ambiguous?.includes(s.id) ? ' (tie: nothing in the line — file, line, logger — tells these statements apart; reported as ambiguous)'
            : ' (tie broken by the line\'s file/logger hint)'
      } else if (won && result?.ambiguous) why += ` (tie with ${result.ambiguous.length - 1} other statement(s) nothing in the line tells apart: first in catalog order, reported as ambiguous)`
      out.push({ statementId: s.id, template: c.template, literalChars: c.literalChars, matched: failure === null, why })
    }
  }
  return out
}

/** Human-readable reason a template does not fit, or null when it does. */
function whyNot(c: Compiled, m: string, lo: number, hi: number): string | null {
  if ((c.sigLo & ~lo) === 0 && (c.sigHi & ~hi) === 0 && fits(c, m)) return null
  const lits = c.lits
  const n = lits.length
  if (m.length < c.minLen) return `message shorter (${m.length}) than the template's fixed text (${c.minLen})`
  if (n === 1) return 'template has no placeholders and differs from the message'
  if (!m.startsWith(lits[0]!)) return `message does not start with ${JSON.stringify(lits[0])}`
  if (!m.endsWith(lits[n - 1]!)) return `message does not end with ${JSON.stringify(lits[n - 1])}`
  let pos = lits[0]!.length
  for (let i = 1; i < n - 1; i++) {
    pos += c.mins[i - 1]!
    const j = m.indexOf(lits[i]!, pos)
    if (j < 0 || j + lits[i]!.length > m.length - lits[n - 1]!.length) return `literal ${JSON.stringify(lits[i])} not found after column ${pos}`
    pos = j + lits[i]!.length
  }
  return `placeholder ${JSON.stringify(c.template)} #${n - 1} needs at least one character`
}
