/**
 * Tie-break: equally specific fits (the same message logged from several places, or different templates
 * with as many literal characters and placeholders) go to the statement in the file or logger the line names.
 */
import type { Statement } from '../core/types.js'
import type { Compiled } from './compile.js'

/** Where the log line says it came from (the logger's own `file:line` or logger name). */
export interface MatchHint {
  file?: string | null
  line?: number | null
  logger?: string | null
}

/** A statement's file as the hint check compares it. */
interface StatementPaths {
  file: string
  base: string
  stem: string
  stemLower: string
  /** `src/a/b.py` → `src.a.b`, compared with a logger name. */
  dotted: string
}

/** A template's statements' path forms, derived at the first tie that needs them: most templates never tie,
 *  and keeping them for all costs ~40 MB at 100k statements. Weak: they go with the index. */
const PATHS = new WeakMap<Compiled, StatementPaths[]>()

function pathsFor(c: Compiled): StatementPaths[] {
  let p = PATHS.get(c)
  if (p === undefined) PATHS.set(c, (p = c.statements.map(pathsOf)))
  return p
}

function basename(p: string): string {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'))
  return i >= 0 ? p.slice(i + 1) : p
}

function stem(p: string): string {
  const b = basename(p)
  const i = b.indexOf('.')
  return i > 0 ? b.slice(0, i) : b
}

function pathsOf(s: Statement): StatementPaths {
  const st = stem(s.file)
  return { file: s.file, base: basename(s.file), stem: st, stemLower: st.toLowerCase(), dotted: s.file.replace(/\.[^./]+$/, '').replace(/\//g, '.') }
}

/** The hint's own forms, derived once per tie rather than once per tied statement. */
interface HintForms {
  file: string | null
  base: string
  stem: string
  logger: string | null
  lastSegLower: string
}

function hintForms(hint: MatchHint): HintForms {
  const hf = hint.file ? hint.file.replace(/\\/g, '/') : null
  const lg = hint.logger || null
  const lastSeg = lg ? (lg.split(/[.:/\\]+/).filter(Boolean).pop() ?? lg) : ''
  return { file: hf, base: hf ? basename(hf) : '', stem: hf ? stem(hf) : '', logger: lg, lastSegLower: lastSeg.toLowerCase() }
}

/** How well a statement fits the line's own file/logger hint: higher is better. */
function hintScore(p: StatementPaths, h: HintForms): number {
  let score = 0
  const hf = h.file
  if (hf) {
    if (p.file === hf || p.file.endsWith(`/${hf}`) || hf.endsWith(`/${p.file}`)) score += 4
    else if (p.base === h.base) score += 3
    else if (p.stem === h.stem) score += 1
  }
  const lg = h.logger
  if (lg) {
    if (p.dotted === lg || p.dotted.endsWith(`.${lg}`)) score += 3
    else if (p.stemLower === h.lastSegLower) score += 2
  }
  return score
}

/** Among equally specific templates (in catalog order): the best hint score, then the nearest line, then catalog order. */
export function pick(tied: readonly Compiled[], hint?: MatchHint): Statement {
  const all = tied.length === 1 ? tied[0]!.statements : tied.flatMap((c) => c.statements)
  if (all.length === 1 || !hint || (!hint.file && !hint.logger)) return all[0]!
  const paths = tied.length === 1 ? pathsFor(tied[0]!) : tied.flatMap(pathsFor)
  const h = hintForms(hint)
  let best = all[0]!
  let bestScore = hintScore(paths[0]!, h)
  let bestDist = dist(best, hint)
  for (let i = 1; i < all.length; i++) {
    const s = all[i]!
    const sc = hintScore(paths[i]!, h)
    const d = dist(s, hint)
    if (sc > bestScore || (sc === bestScore && sc > 0 && d < bestDist)) {
      best = s
      bestScore = sc
      bestDist = d
    }
  }
  return best
}

function dist(s: Statement, hint: MatchHint): number {
  return hint.line ? Math.abs(s.line - hint.line) : 0
}
