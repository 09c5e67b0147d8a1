/**
 * The matcher: which catalog statement printed this message?
 *
 * Build time: every matchable template is parsed into literals and placeholders and filed under ONE key,
 * chosen among: its first 1–4 whole literal words, its last 1–4 whole literal words, any whole literal
 * word or pair of adjacent words inside it, its first/last 1–4 literal characters. A "whole" word is
 * bounded by spaces or the template's ends, never by a placeholder, so the same token appears in every
 * message the template prints. Each template takes the key that lines are least likely to probe (counted
 * over the catalog: "failed" starts many templates, so lines starting with "failed" are common).
 * Match time: hash the message's first and last few words, and its tokens and token pairs that pass a
 * (length, first, last character) screen; each probe is a bit-filter test and, rarely, a Map lookup.
 * Candidates are verified by an anchored check made of startsWith / endsWith / indexOf (leftmost placement
 * is exact for wildcard-only patterns), never a regex. The cost per line depends on its length and the
 * few templates sharing its rarest keys, not on the catalog's size.
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
  /** First/last two characters of the message this template requires (-1: no requirement): a check that
   *  rejects most wrong candidates without touching the literal strings. */
  head: number
  tail: number
}

const FNV_OFFSET = 0x811c9dc5
const FNV_PRIME = 0x01000193
const SMI = 0x3fffffff
const BLOOM_BITS = 1 << 22
const AFFIX = 4
/** Prefix/suffix keys use up to this many whole words. */
const WORD_DEPTH = 4

function hashRange(s: string, a: number, b: number): number {
  let h = FNV_OFFSET
  for (let i = a; i < b; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME)
  return h & SMI
}

/** FNV-1a over s[a..b) read right to left (suffix keys are hashed from the message's end). */
function hashReverse(s: string, a: number, b: number): number {
  let h = FNV_OFFSET
  for (let i = b - 1; i >= a; i--) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME)
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

/** Key slots: which part of a message a key hashes. Mixed into the key so kinds never collide. */
const SLOT_PREFIX_WORDS = 0 // + depth 1..4
const SLOT_SUFFIX_WORDS = 10 // + depth 1..4
const SLOT_WORD = 20
const SLOT_PAIR = 21
const SLOT_PREFIX_CHARS = 30 // + length 1..4
const SLOT_SUFFIX_CHARS = 40 // + length 1..4

const SLOT_NAMES: Record<number, string> = { 0: 'first words', 10: 'last words', 20: 'word', 21: 'word pair', 30: 'first characters', 40: 'last characters' }

/** Called for every key a template offers: `option` keys may file it; all keys are counted as probes. */
type KeyVisitor = (slot: number, key: number, option: boolean, lit: number, a: number, b: number) => void

/** Compiled, indexed catalog templates. Build once per catalog version; `match` is pure and synchronous. */
export class Matcher {
  /**
   * Every key kind in one map: the key is the text's FNV hash mixed with its slot (first words at depth d,
   * last words at depth d, inner word, inner word pair, first/last k characters).
   * A bit filter in front answers "no such key" — the usual answer — without touching the map.
   */
  private readonly table = new Map<number, Compiled[]>()
  private readonly bloom = new Uint8Array(BLOOM_BITS >>> 3)
  private readonly wordShape = new Uint8Array(0x10000)
  private readonly pairShape = new Uint8Array(0x10000)
  private readonly scan: Compiled[] = []
  private hasWords = false
  private hasPairs = false
  private hasPrefixChars = false
  private hasSuffixChars = false
  private maxPrefixDepth = 0
  private maxSuffixDepth = 0
  private stamp = 0
  private readonly buf: Compiled[] = []
  /** Templates indexed / statements skipped (not matchable, no template, no literal word). */
  readonly size: { templates: number; statements: number; skipped: number }

  private constructor(compiled: Compiled[], skipped: number) {
    // Pass 1: how many templates would make a line probe each key ("failed" starts many templates, so
    // lines starting with "failed" are common). Keys are numbers: no strings kept per template.
    const probes = new Map<number, number>()
    for (const c of compiled) enumerateKeys(c, (_slot, key, option) => option || probes.set(key, (probes.get(key) ?? 0) + 1))
    // Pass 2: file each template under the key lines probe least.
    let statements = 0
    for (const c of compiled) {
      statements += c.statements.length
      let best = -1
      let bestCost = Infinity
      let bestSlot = 0
      let where: [number, number, number] = [0, 0, 0]
      enumerateKeys(c, (slot, key, option, lit, a, b) => {
        if (!option) return
        // Character keys are coarser than word keys: the same count means more unrelated lines probe them.
        const cost = probes.get(key)! * (slot >= SLOT_PREFIX_CHARS ? 2 : 1)
        if (cost < bestCost) (best = key), (bestCost = cost), (bestSlot = slot), (where = [lit, a, b])
      })
      if (best < 0) {
        this.scan.push(c)
        c.key = `scan ${JSON.stringify(c.needle)}`
        continue
      }
      const text = c.lits[where[0]]!.slice(where[1], where[2])
      c.key = `${SLOT_NAMES[bestSlot] ?? SLOT_NAMES[bestSlot - (bestSlot % 10)]} ${JSON.stringify(text)}`
      this.bloom[(best & (BLOOM_BITS - 1)) >>> 3]! |= 1 << (best & 7)
      add(this.table, best, c)
      if (bestSlot < SLOT_SUFFIX_WORDS) this.maxPrefixDepth = Math.max(this.maxPrefixDepth, bestSlot - SLOT_PREFIX_WORDS)
      else if (bestSlot < SLOT_WORD) this.maxSuffixDepth = Math.max(this.maxSuffixDepth, bestSlot - SLOT_SUFFIX_WORDS)
      else if (bestSlot === SLOT_WORD) {
        this.wordShape[shapeKey(text.length, text.charCodeAt(0), text.charCodeAt(text.length - 1))] = 1
        this.hasWords = true
      } else if (bestSlot === SLOT_PAIR) {
        this.pairShape[shapeKey(text.length, text.charCodeAt(0), text.charCodeAt(text.length - 1))] = 1
        this.hasPairs = true
      } else if (bestSlot < SLOT_SUFFIX_CHARS) this.hasPrefixChars = true
      else this.hasSuffixChars = true
    }
    this.size = { templates: compiled.length, statements, skipped }
  }

  /** Templates filed under `key`, when the bit filter and then the map have it. */
  private probe(key: number, stamp: number, out: Compiled[]): void {
    if ((this.bloom[(key & (BLOOM_BITS - 1)) >>> 3]! & (1 << (key & 7))) !== 0) collect(this.table.get(key), stamp, out)
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
    // Leading words: hash the text up to the end of word 1, 2, … (spaces included), one probe per depth.
    const maxP = this.maxPrefixDepth
    if (maxP > 0) {
      let h = FNV_OFFSET
      let pos = 0
      let depth = 0
      while (depth < maxP && pos < len) {
        let sp = m.indexOf(' ', pos)
        if (sp < 0) sp = len
        for (let i = pos; i < sp; i++) h = Math.imul(h ^ m.charCodeAt(i), FNV_PRIME)
        if (sp > pos) this.probe(mix(h & SMI, SLOT_PREFIX_WORDS + ++depth), stamp, out)
        h = Math.imul(h ^ 32, FNV_PRIME)
        pos = sp + 1
      }
    }
    // Trailing words, hashed right to left.
    const maxS = this.maxSuffixDepth
    if (maxS > 0) {
      let h = FNV_OFFSET
      let end = len
      let depth = 0
      while (depth < maxS && end > 0) {
        const sp = m.lastIndexOf(' ', end - 1)
        for (let i = end - 1; i > sp; i--) h = Math.imul(h ^ m.charCodeAt(i), FNV_PRIME)
        if (sp < end - 1) this.probe(mix(h & SMI, SLOT_SUFFIX_WORDS + ++depth), stamp, out)
        h = Math.imul(h ^ 32, FNV_PRIME)
        end = sp
      }
    }
    // Inner words and adjacent pairs: find tokens with indexOf; screen each by (length, first, last
    // character) before hashing it.
    if (this.hasWords || this.hasPairs) {
      const words = this.wordShape
      const pairs = this.pairShape
      let pos = 0
      let prev = -1 // start of the previous token when it ended one space before this one
      while (pos < len) {
        let sp = m.indexOf(' ', pos)
        if (sp < 0) sp = len
        if (sp > pos) {
          const last = m.charCodeAt(sp - 1)
          if (words[shapeKey(sp - pos, m.charCodeAt(pos), last)] === 1) this.probe(mix(hashRange(m, pos, sp), SLOT_WORD), stamp, out)
          if (prev >= 0 && pairs[shapeKey(sp - prev, m.charCodeAt(prev), last)] === 1) this.probe(mix(hashRange(m, prev, sp), SLOT_PAIR), stamp, out)
          prev = pos
        } else prev = -1
        pos = sp + 1
      }
    }
    if (this.hasPrefixChars) for (let k = 1; k <= AFFIX && k <= len; k++) this.probe(mix(hashRange(m, 0, k), SLOT_PREFIX_CHARS + k), stamp, out)
    if (this.hasSuffixChars) for (let k = 1; k <= AFFIX && k <= len; k++) this.probe(mix(hashRange(m, len - k, len), SLOT_SUFFIX_CHARS + k), stamp, out)
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

/** Mix a text hash with its key slot (kind and depth), staying a small integer for the Map. */
function mix(h: number, slot: number): number {
  return (h ^ Math.imul(slot, 0x9e3779b1)) & SMI
}

/** A 16-bit digest of a token's length and its first and last characters: a cheap screen before hashing it. */
function shapeKey(len: number, first: number, last: number): number {
  return (Math.imul(len, 0x9e37) ^ Math.imul(first, 0x3f1) ^ Math.imul(last, 0x1b)) & 0xffff
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
    head: lits[0]!.length >= 2 ? lits[0]!.charCodeAt(0) | (lits[0]!.charCodeAt(1) << 16) : -1,
    tail: lits[lits.length - 1]!.length >= 2 ? lastTwo(lits[lits.length - 1]!, lits[lits.length - 1]!.length) : -1,
  }
}

/**
 * Every key a template offers, hashed as the message side hashes them: its first 1–4 whole words (text up
 * to the end of word d, spaces included; an option only at the deepest d, a probe at every d), its last
 * 1–4 whole words (hashed right to left), each inner whole word and pair of adjacent whole words (one
 * space apart), and its first/last 1–4 literal characters. A word is whole when spaces or the template's
 * ends bound it, never a placeholder.
 */
function enumerateKeys(c: Compiled, visit: KeyVisitor): void {
  const lits = c.lits
  const n = lits.length
  const only = n === 1
  const first = lits[0]!
  const last = lits[n - 1]!
  // Leading whole words.
  {
    const ends: number[] = []
    let h = FNV_OFFSET
    for (let i = 0; i <= first.length && ends.length < WORD_DEPTH; i++) {
      const atEnd = i === first.length
      if (atEnd && !only) break
      const ch = atEnd ? 32 : first.charCodeAt(i)
      if (ch === 32 && i > 0 && first.charCodeAt(i - 1) !== 32) ends.push(i)
      if (ends.length > 0 && ch === 32 && ends[ends.length - 1] === i) {
        // hash so far covers [0, i): the key for depth ends.length
        visit(SLOT_PREFIX_WORDS + ends.length, mix(h & SMI, SLOT_PREFIX_WORDS + ends.length), false, 0, 0, i)
      }
      h = Math.imul(h ^ ch, FNV_PRIME)
    }
    if (ends.length > 0) {
      const d = ends.length
      visit(SLOT_PREFIX_WORDS + d, mix(hashRange(first, 0, ends[d - 1]!), SLOT_PREFIX_WORDS + d), true, 0, 0, ends[d - 1]!)
    }
  }
  // Trailing whole words.
  {
    const starts: number[] = []
    let h = FNV_OFFSET
    for (let i = last.length - 1; i >= -1 && starts.length < WORD_DEPTH; i--) {
      const atStart = i === -1
      if (atStart && !only) break
      const ch = atStart ? 32 : last.charCodeAt(i)
      if (ch === 32 && i + 1 < last.length && last.charCodeAt(i + 1) !== 32) {
        starts.push(i + 1)
        visit(SLOT_SUFFIX_WORDS + starts.length, mix(h & SMI, SLOT_SUFFIX_WORDS + starts.length), false, n - 1, i + 1, last.length)
      }
      h = Math.imul(h ^ ch, FNV_PRIME)
    }
    if (starts.length > 0) {
      const d = starts.length
      const s = starts[d - 1]!
      visit(SLOT_SUFFIX_WORDS + d, mix(hashReverse(last, s, last.length), SLOT_SUFFIX_WORDS + d), true, n - 1, s, last.length)
    }
  }
  // Inner whole words and adjacent pairs.
  for (let li = 0; li < n; li++) {
    const lit = lits[li]!
    let pos = 0
    let prev = -1
    while (pos <= lit.length) {
      let sp = lit.indexOf(' ', pos)
      if (sp < 0) sp = lit.length
      const whole = sp > pos && (pos > 0 || li === 0) && (sp < lit.length || li === n - 1)
      if (whole) {
        visit(SLOT_WORD, mix(hashRange(lit, pos, sp), SLOT_WORD), true, li, pos, sp)
        visit(SLOT_WORD, mix(hashRange(lit, pos, sp), SLOT_WORD), false, li, pos, sp)
        if (prev >= 0) {
          visit(SLOT_PAIR, mix(hashRange(lit, prev, sp), SLOT_PAIR), true, li, prev, sp)
          visit(SLOT_PAIR, mix(hashRange(lit, prev, sp), SLOT_PAIR), false, li, prev, sp)
        }
        prev = pos
      } else prev = -1
      pos = sp + 1
    }
  }
  // Literal characters at either end.
  if (first.length > 0) {
    for (let k = 1; k <= Math.min(AFFIX, first.length); k++) visit(SLOT_PREFIX_CHARS + k, mix(hashRange(first, 0, k), SLOT_PREFIX_CHARS + k), false, 0, 0, k)
    const k = Math.min(AFFIX, first.length)
    visit(SLOT_PREFIX_CHARS + k, mix(hashRange(first, 0, k), SLOT_PREFIX_CHARS + k), true, 0, 0, k)
  }
  if (last.length > 0) {
    const L = last.length
    for (let k = 1; k <= Math.min(AFFIX, L); k++) visit(SLOT_SUFFIX_CHARS + k, mix(hashRange(last, L - k, L), SLOT_SUFFIX_CHARS + k), false, n - 1, L - k, L)
    const k = Math.min(AFFIX, L)
    visit(SLOT_SUFFIX_CHARS + k, mix(hashRange(last, L - k, L), SLOT_SUFFIX_CHARS + k), true, n - 1, L - k, L)
  }
}

function better(a: Compiled, b: Compiled): boolean {
  return a.literalChars > b.literalChars || (a.literalChars === b.literalChars && a.placeholders < b.placeholders)
}

function lastTwo(s: string, len: number): number {
  return s.charCodeAt(len - 2) | (s.charCodeAt(len - 1) << 16)
}

/** Anchored check: literals in order, leftmost placement, each placeholder at least its minimum length. */
function fits(c: Compiled, m: string): boolean {
  const len = m.length
  if (len < c.minLen) return false
  if (c.head !== -1 && (m.charCodeAt(0) | (m.charCodeAt(1) << 16)) !== c.head) return false
  if (c.tail !== -1 && lastTwo(m, len) !== c.tail) return false
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
