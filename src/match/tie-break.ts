/**
 * Tie-break: equally specific fits (the same message logged from several places, or different templates
 * with as many literal characters and placeholders) go to the statement in the file or logger the line names.
 */
import type { MatchStatement } from '../core/types.js'
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
  /** The folder it sits in (a Go package), lower-case. */
  dirLower: string
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

function pathsOf(s: MatchStatement): StatementPaths {
  const st = stem(s.file)
  const slash = s.file.lastIndexOf('/')
  const dir = slash < 0 ? '' : s.file.slice(s.file.lastIndexOf('/', slash - 1) + 1, slash)
  // `app/db/__init__.py` is the module `app.db`.
  const dotted = s.file.replace(/\.[^./]+$/, '').replace(/\//g, '.').replace(/\.__init__$/, '')
  return { file: s.file, base: basename(s.file), stem: st, stemLower: st.toLowerCase(), dotted, dirLower: dir.toLowerCase() }
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
  // A Java inner class logs as `Outer$Inner`: its file is Outer's.
  const lg = hint.logger ? hint.logger.replace(/\$[\w$]*$/, '') || null : null
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
    // A Go package (or any logger named after its folder).
    else if (p.dirLower === h.lastSegLower) score += 1
  }
  return score
}

/**
 * Among equally specific templates (in catalog order): the best hint score, then the nearest line, then a
 * template as written over one filed without its level word (compile.ts `alt`), then catalog order. `ambiguous`
 * lists every statement the line cannot tell from the chosen one (null: none): the same message logged from
 * several places, and nothing in the line (file, line, logger) that says which.
 */
export function pick(tied: readonly Compiled[], hint?: MatchHint): { statement: MatchStatement; ambiguous: MatchStatement[] | null } {
  if (tied.length === 1 && tied[0]!.statements.length === 1) return { statement: tied[0]!.statements[0]!, ambiguous: null }
  const h = hint && (hint.file || hint.logger) ? hintForms(hint) : null
  const all: MatchStatement[] = []
  const alt: boolean[] = []
  const scores: number[] = []
  const dists: number[] = []
  for (const c of tied) {
    const paths = h ? pathsFor(c) : null
    for (let j = 0; j < c.statements.length; j++) {
      const s = c.statements[j]!
      const k = all.indexOf(s)
      // The same statement through its template and through it without the level word: as written.
      if (k >= 0) {
        if (!c.alt) alt[k] = false
        continue
      }
      all.push(s)
      alt.push(c.alt)
      scores.push(h ? hintScore(paths![j]!, h) : 0)
      dists.push(h ? dist(s, hint!) : 0)
    }
  }
  let best = 0
  for (let i = 1; i < all.length; i++) {
    const sameScore = scores[i] === scores[best]
    const sameDist = scores[i] === 0 || dists[i] === dists[best]
    if (scores[i]! > scores[best]! || (sameScore && !sameDist && dists[i]! < dists[best]!) || (sameScore && sameDist && alt[best] && !alt[i])) best = i
  }
  // Statements the line cannot tell from the best: same score and, when the line names a file, same distance;
  // one filed without its level word only when the best is too.
  const same: MatchStatement[] = []
  for (let i = 0; i < all.length; i++) {
    if (i !== best && scores[i] === scores[best] && (scores[i] === 0 || dists[i] === dists[best]) && (alt[best] || !alt[i])) same.push(all[i]!)
  }
  return { statement: all[best]!, ambiguous: same.length > 0 ? [all[best]!, ...same] : null }
}

function dist(s: MatchStatement, hint: MatchHint): number {
  return hint.line ? Math.abs(s.line - hint.line) : 0
}
