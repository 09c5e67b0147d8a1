/**
 * The matcher: which catalog statement printed this message?
 *
 * Build time: every matchable template is parsed into literals and placeholders and indexed by ONE key:
 *  1. its rarest whole literal word (a space-delimited token of the template made only of literal text),
 *  2. else the first ≤4 characters of its literal prefix,
 *  3. else the last ≤4 characters of its literal suffix,
 *  4. else a short scan list, pre-filtered by `includes(longest literal)`.
 * Match time: one pass over the message hashes each space-delimited token (FNV-1a on char codes, no
 * substrings), probes a bit filter, then the map; candidates are verified by an anchored check made of
 * startsWith / endsWith / indexOf (leftmost placement is exact for wildcard-only patterns), never a
 * regex. So the cost per line depends on the line's length and the few candidates sharing its rare words,
 * not on the catalog's size.
 *
 * Semantics (docs/FORMATS.md "Matching"): the whole message must match the whole template (anchored at
 * both ends, outer whitespace ignored); a placeholder matches any text, non-greedy — string placeholders
 * (`%s`, `%v`, `{}`, `{name}`, `${x}`) may match nothing, the others at least one character. The most
 * specific template wins (most literal characters, then fewest placeholders); remaining ties go to the
 * statement in the file/logger the line names, nearest line first, then catalog order.
 */
import type { MatchResult, Statement } from '../core/types.js'
import { parseTemplate, trimTemplate } from './template.js'

/** Where the log line says it came from (the logger's own `file:line` or logger name). */
export interface MatchHint {
  file?: string | null
  line?: number | null
  logger?: string | null
}

/** One candidate looked at by `explain`. */
export interface ExplainCandidate {
  statementId: string
  template: string
  literalChars: number
  matched: boolean
  why: string
}

interface Compiled {
  template: string
  lits: string[]
  mins: number[]
  minLen: number
  literalChars: number
  placeholders: number
  /** Statements sharing this exact template (the same message logged from several places). */
  statements: Statement[]
  /** Key kind, for explain. */
  key: string
  /** Longest literal, for scan-list pre-filtering. */
  needle: string
  /** Last match() call that visited this template (dedupe without allocating a Set per line). */
  stamp: number
}

const FNV_OFFSET = 0x811c9dc5
const FNV_PRIME = 0x01000193
const SMI = 0x3fffffff
const BLOOM_BITS = 1 << 20
const AFFIX = 4

function hashRange(s: string, a: number, b: number): number {
  let h = FNV_OFFSET
  for (let i = a; i < b; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME)
  return h & SMI
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

/** Literal text with no letter or digit (`{}: {}`, `[%s] %s`) identifies nothing: such templates are skipped. */
const MEANINGFUL = /[\p{L}\p{N}]/u

/** Compiled, indexed catalog templates. Build once per catalog version; `match` is pure and synchronous. */
export class Matcher {
  private readonly tokens = new Map<number, Compiled[]>()
  private readonly bloom = new Uint8Array(BLOOM_BITS >>> 3)
  private readonly prefixes: Array<Map<number, Compiled[]>> = []
  private readonly suffixes: Array<Map<number, Compiled[]>> = []
  private readonly scan: Compiled[] = []
  private stamp = 0
  private readonly buf: Compiled[] = []
  /** Templates indexed / statements skipped (not matchable, no template, no literal word). */
  readonly size: { templates: number; statements: number; skipped: number }

  private constructor(compiled: Compiled[], skipped: number) {
    for (let k = 0; k <= AFFIX; k++) (this.prefixes.push(new Map()), this.suffixes.push(new Map()))
    // Document frequency of each whole literal word, so each template is filed under its rarest one.
    const df = new Map<string, number>()
    const words = compiled.map((c) => wholeWords(c.lits))
    for (const ws of words) for (const w of new Set(ws)) df.set(w, (df.get(w) ?? 0) + 1)
    let statements = 0
    compiled.forEach((c, i) => {
      statements += c.statements.length
      let best: string | null = null
      for (const w of words[i]!) {
        if (best === null) best = w
        else {
          const a = df.get(w)!
          const b = df.get(best)!
          if (a < b || (a === b && w.length > best.length)) best = w
        }
      }
      if (best !== null) {
        const h = hashRange(best, 0, best.length)
        this.bloom[(h & (BLOOM_BITS - 1)) >>> 3]! |= 1 << (h & 7)
        add(this.tokens, h, c)
        c.key = `word ${JSON.stringify(best)}`
        return
      }
      const first = c.lits[0]!
      const last = c.lits[c.lits.length - 1]!
      if (first.length > 0) {
        const k = Math.min(AFFIX, first.length)
        add(this.prefixes[k]!, hashRange(first, 0, k), c)
        c.key = `prefix ${JSON.stringify(first.slice(0, k))}`
      } else if (last.length > 0) {
        const k = Math.min(AFFIX, last.length)
        add(this.suffixes[k]!, hashRange(last, last.length - k, last.length), c)
        c.key = `suffix ${JSON.stringify(last.slice(-k))}`
      } else {
        this.scan.push(c)
        c.key = `scan ${JSON.stringify(c.needle)}`
      }
    })
    this.size = { templates: compiled.length, statements, skipped }
  }

  /** Compile and index the matchable statements of a catalog. */
  static build(statements: Statement[]): Matcher {
    const byTemplate = new Map<string, Compiled>()
    let skipped = 0
    for (const s of statements) {
      if (!s.matchable || !s.template) {
        skipped++
        continue
      }
      const key = trimTemplate(s.template)
      const have = byTemplate.get(key)
      if (have) {
        have.statements.push(s)
        continue
      }
      const c = compile(key)
      if (!c) {
        skipped++
        continue
      }
      c.statements.push(s)
      byTemplate.set(key, c)
    }
    return new Matcher([...byTemplate.values()], skipped)
  }

  /** The statement that printed `message`, or null. `hint` breaks ties between equally specific templates. */
  match(message: string, hint?: MatchHint): MatchResult | null {
    const m = trimMessage(message)
    if (m.length === 0) return null
    const cands = this.candidates(m)
    let best: Compiled | null = null
    let ties: Compiled[] | null = null
    for (let i = 0; i < cands.length; i++) {
      const c = cands[i]!
      if (!fits(c, m)) continue
      if (best === null || better(c, best)) {
        best = c
        ties = null
      } else if (c.literalChars === best.literalChars && c.placeholders === best.placeholders) (ties ??= [best]).push(c)
    }
    if (best === null) return null
    let win = best
    let st = best.statements[0]!
    if (ties !== null || best.statements.length > 1) {
      st = pick(ties ?? [best], hint)
      if (ties !== null) win = ties.find((t) => t.statements.includes(st))!
    }
    return { statementId: st.id, literalChars: win.literalChars, values: capture(win, m) ?? [] }
  }

  /** `match` plus every candidate the index proposed and why each did or did not win (`--explain`). */
  explain(message: string, hint?: MatchHint): { result: MatchResult | null; candidates: ExplainCandidate[] } {
    const m = trimMessage(message)
    const result = this.match(message, hint)
    const candidates: ExplainCandidate[] = []
    if (m.length === 0) return { result, candidates }
    for (const c of [...this.candidates(m)]) {
      const failure = whyNot(c, m)
      for (const s of c.statements) {
        const won = result?.statementId === s.id
        let why = failure ?? (won ? `matched via ${c.key}; chosen` : `matched via ${c.key}; lost`)
        if (failure === null && !won && result) {
          why += result.literalChars > c.literalChars ? ` (fewer literal characters: ${c.literalChars} < ${result.literalChars})` : ' (tie broken by the line\'s file/logger hint, then catalog order)'
        }
        candidates.push({ statementId: s.id, template: c.template, literalChars: c.literalChars, matched: failure === null, why })
      }
    }
    return { result, candidates }
  }

  /** Every template the index proposes for `m` (already trimmed), once each. Reuses one array. */
  private candidates(m: string): Compiled[] {
    const out = this.buf
    out.length = 0
    const stamp = ++this.stamp
    const len = m.length
    const tokens = this.tokens
    const bloom = this.bloom
    let h = FNV_OFFSET
    let start = 0
    for (let i = 0; i <= len; i++) {
      const c = i < len ? m.charCodeAt(i) : 32
      if (c !== 32) {
        h = Math.imul(h ^ c, FNV_PRIME)
        continue
      }
      if (i > start) {
        const k = h & SMI
        if ((bloom[(k & (BLOOM_BITS - 1)) >>> 3]! & (1 << (k & 7))) !== 0) {
          const list = tokens.get(k)
          if (list !== undefined) collect(list, stamp, out)
        }
      }
      h = FNV_OFFSET
      start = i + 1
    }
    for (let k = 1; k <= AFFIX && k <= len; k++) {
      const p = this.prefixes[k]!
      if (p.size > 0) collect(p.get(hashRange(m, 0, k)), stamp, out)
      const s = this.suffixes[k]!
      if (s.size > 0) collect(s.get(hashRange(m, len - k, len)), stamp, out)
    }
    const scan = this.scan
    for (let i = 0; i < scan.length; i++) {
      const c = scan[i]!
      if (c.stamp !== stamp && m.includes(c.needle)) {
        c.stamp = stamp
        out.push(c)
      }
    }
    return out
  }
}

function collect(list: Compiled[] | undefined, stamp: number, out: Compiled[]): void {
  if (list === undefined) return
  for (let i = 0; i < list.length; i++) {
    const t = list[i]!
    if (t.stamp !== stamp) {
      t.stamp = stamp
      out.push(t)
    }
  }
}

function add(map: Map<number, Compiled[]>, key: number, c: Compiled): void {
  const list = map.get(key)
  if (list) list.push(c)
  else map.set(key, [c])
}

function compile(template: string): Compiled | null {
  const p = parseTemplate(template)
  const lits = p.literals
  if (!lits.some((l) => MEANINGFUL.test(l))) return null
  const mins = p.placeholders.map((x) => x.min)
  const literalChars = lits.reduce((n, l) => n + l.length, 0)
  const needle = lits.reduce((a, b) => (b.length > a.length ? b : a), '')
  return {
    template, lits, mins, literalChars, needle,
    minLen: literalChars + mins.reduce((a: number, b) => a + b, 0),
    placeholders: p.placeholders.length,
    statements: [], key: '', stamp: 0,
  }
}

/**
 * Space-delimited tokens made only of literal text: bounded on each side by a space or by the template's
 * start/end, never by a placeholder (a placeholder's value could glue onto it in the message).
 */
function wholeWords(lits: string[]): string[] {
  const out: string[] = []
  const last = lits.length - 1
  lits.forEach((lit, i) => {
    const parts = lit.split(' ')
    parts.forEach((w, j) => {
      if (w === '') return
      const leftOk = j > 0 || i === 0
      const rightOk = j < parts.length - 1 || i === last
      if (leftOk && rightOk) out.push(w)
    })
  })
  return out
}

function better(a: Compiled, b: Compiled): boolean {
  return a.literalChars > b.literalChars || (a.literalChars === b.literalChars && a.placeholders < b.placeholders)
}

/** Anchored check: literals in order, leftmost placement, each placeholder at least its minimum length. */
function fits(c: Compiled, m: string): boolean {
  const len = m.length
  if (len < c.minLen) return false
  const lits = c.lits
  const n = lits.length
  const first = lits[0]!
  if (n === 1) return m === first
  if (first.length !== 0 && !m.startsWith(first)) return false
  const last = lits[n - 1]!
  if (last.length !== 0 && !m.endsWith(last)) return false
  const end = len - last.length
  const mins = c.mins
  let pos = first.length
  for (let i = 1; i < n - 1; i++) {
    pos += mins[i - 1]!
    const lit = lits[i]!
    const j = lit.length === 0 ? pos : m.indexOf(lit, pos)
    if (j < 0 || j + lit.length > end) return false
    pos = j + lit.length
  }
  return end - pos >= mins[n - 2]!
}

/** The placeholder values of a template known to fit `m`, in order. */
function capture(c: Compiled, m: string): string[] | null {
  const lits = c.lits
  const n = lits.length
  if (n === 1) return []
  const end = m.length - lits[n - 1]!.length
  const values: string[] = []
  let pos = lits[0]!.length
  for (let i = 1; i < n - 1; i++) {
    const lit = lits[i]!
    const from = pos + c.mins[i - 1]!
    const j = lit.length === 0 ? from : m.indexOf(lit, from)
    if (j < 0) return null
    values.push(m.slice(pos, j))
    pos = j + lit.length
  }
  values.push(m.slice(pos, end))
  return values
}

/** Human-readable reason a template does not fit, or null when it does. */
function whyNot(c: Compiled, m: string): string | null {
  if (fits(c, m)) return null
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

function basename(p: string): string {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'))
  return i >= 0 ? p.slice(i + 1) : p
}

function stem(p: string): string {
  const b = basename(p)
  const i = b.indexOf('.')
  return i > 0 ? b.slice(0, i) : b
}

/** How well a statement fits the line's own file/logger hint: higher is better. */
function hintScore(s: Statement, hint: MatchHint): number {
  let score = 0
  if (hint.file) {
    const hf = hint.file.replace(/\\/g, '/')
    if (s.file === hf || s.file.endsWith(`/${hf}`) || hf.endsWith(`/${s.file}`)) score += 4
    else if (basename(s.file) === basename(hf)) score += 3
    else if (stem(s.file) === stem(hf)) score += 1
  }
  if (hint.logger) {
    const lg = hint.logger
    const path = s.file.replace(/\.[^./]+$/, '').replace(/\//g, '.')
    const lastSeg = lg.split(/[.:/\\]+/).filter(Boolean).pop() ?? lg
    if (path === lg || path.endsWith(`.${lg}`)) score += 3
    else if (stem(s.file).toLowerCase() === lastSeg.toLowerCase()) score += 2
  }
  return score
}

/** Among equally specific statements: best hint score, then nearest line, then catalog order. */
function pick(tied: Compiled[], hint?: MatchHint): Statement {
  const all = tied.length === 1 ? tied[0]!.statements : tied.flatMap((c) => c.statements)
  if (all.length === 1 || !hint || (!hint.file && !hint.logger)) return all[0]!
  let best = all[0]!
  let bestScore = hintScore(best, hint)
  let bestDist = dist(best, hint)
  for (let i = 1; i < all.length; i++) {
    const s = all[i]!
    const sc = hintScore(s, hint)
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
