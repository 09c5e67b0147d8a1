/**
 * Confirm: which proposed candidates really fit the line, and which fits are the most specific. A fit is
 * anchored at both ends: the first and last literals compared in place, the middle literals found in order
 * (leftmost placement is exact for wildcard-only patterns), each placeholder at least its minimum long.
 * Plain character comparisons against the index's flat text; never a regex.
 */
import type { Compiled } from './compile.js'
import * as BUILD from './build.js'
import { type MatchIndex } from './build.js'
import type { Scratch } from './lookup.js'
// Module-local copies of what the hot path uses: an imported binding is live, so optimized code loads it and
// checks it for the temporal dead zone at every use (callgrind: ~12% more instructions per line); a local const
// is folded into the code.
const { INNER_LINE, R_CHARS, R_FIRST, R_INNER, R_LAST, R_PH, R_SIGHI, R_SIGLO, R_T, R_TEXT, ROW } = BUILD

/**
 * The most specific of the `count` candidates in `sc.cand` that fit `m`: its row's offset in `ix.rows`, or -1.
 * Equally specific fits (literal characters, then placeholders) are left in `sc.ties` as template numbers,
 * the best's first (null: none).
 */
export function confirm(ix: MatchIndex, sc: Scratch, m: string, count: number): number {
  const len = m.length
  const lo = sc.sigLo
  const hi = sc.sigHi
  const cand = sc.cand
  const rows = ix.rows
  const text = ix.text
  let best = -1
  let ties: number[] | null = null
  for (let i = 0; i < count; i++) {
    // Length and end characters were screened when proposed, against the complete signature too.
    const f = cand[i]! * ROW
    if ((rows[f + R_SIGLO]! & ~lo) !== 0 || (rows[f + R_SIGHI]! & ~hi) !== 0) continue
    const ph = rows[f + R_PH]! & 0xffff
    const at = rows[f + R_TEXT]!
    const fl = rows[f + R_FIRST]!
    if (ph === 0) {
      if (len !== fl || !same(m, 0, text, at, fl)) continue
    } else {
      // The length screen (minLen) guarantees room for both ends.
      if (fl !== 0 && !same(m, 0, text, at, fl)) continue
      const ll = rows[f + R_LAST]!
      if (ll !== 0 && !same(m, len - ll, text, at + rows[f + R_CHARS]! - ll, ll)) continue
      if (ph === 1) {
        if (len - fl - ll < ((rows[f + R_PH]! >>> 16) & 1)) continue
      } else {
        const k = rows[f + R_INNER]!
        if (k >= 0 && len <= INNER_LINE ? !fitsMiddle(m, ll, text, at + fl, fl, ix.inner, k) : !fitsInner(ix.templates.at(rows[f + R_T]!), m)) continue
      }
    }
    if (best < 0) {
      best = f
      continue
    }
    const chars = rows[f + R_CHARS]!
    const bestChars = rows[best + R_CHARS]!
    if (chars > bestChars || (chars === bestChars && ph < (rows[best + R_PH]! & 0xffff))) {
      best = f
      ties = null
    } else if (chars === bestChars && ph === (rows[best + R_PH]! & 0xffff)) (ties ??= [rows[best + R_T]!]).push(rows[f + R_T]!)
  }
  sc.ties = ties
  return best
}

/** m[a, a+n) equals text[o, o+n). */
function same(m: string, a: number, text: string, o: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (m.charCodeAt(a + i) !== text.charCodeAt(o + i)) return false
  return true
}

/** Where the literal `text[o, o + l)` (l ≥ 1) first occurs in `m` at or after `from`, ending by `end`; -1 if nowhere. */
function findLiteral(m: string, from: number, end: number, text: string, o: number, l: number): number {
  const c0 = text.charCodeAt(o)
  for (let j = from; j + l <= end; j++) {
    if (m.charCodeAt(j) !== c0) continue
    let q = 1
    while (q < l && m.charCodeAt(j + q) === text.charCodeAt(o + q)) q++
    if (q === l) return j
  }
  return -1
}

/**
 * fitsInner() from the flat arrays: the middle literals (from text[o…)) in order, leftmost placement, in a
 * message whose first literal is `fl` long and last `ll` long (both already checked).
 */
function fitsMiddle(m: string, ll: number, text: string, o: number, fl: number, inner: Int32Array, k: number): boolean {
  const end = m.length - ll
  let pos = fl
  const count = inner[k]!
  for (let i = 0; i < count; i++) {
    const l = inner[k + 1 + 2 * i]!
    pos += inner[k + 2 + 2 * i]!
    if (l > 0) {
      const j = findLiteral(m, pos, end, text, o, l)
      if (j < 0) return false
      pos = j + l
      o += l
    } else if (pos > end) return false
  }
  return end - pos >= inner[k + 1 + 2 * count]!
}

/** fits() once the first and last literals fit (any number of placeholders ≥ 1): the middle literals in order. */
function fitsInner(c: Compiled, m: string): boolean {
  const lits = c.lits
  const n = lits.length
  const end = m.length - lits[n - 1]!.length
  const mins = c.mins
  let pos = lits[0]!.length
  for (let i = 1; i < n - 1; i++) {
    pos += mins[i - 1]!
    const lit = lits[i]!
    const j = lit.length === 0 ? pos : m.indexOf(lit, pos)
    if (j < 0 || j + lit.length > end) return false
    pos = j + lit.length
  }
  return end - pos >= mins[n - 2]!
}

/** The whole anchored check of one template against `m`, from its own strings (confirm() inlines it in steps). */
export function fits(c: Compiled, m: string): boolean {
  const len = m.length
  if (len < c.minLen) return false
  const lits = c.lits
  const n = lits.length
  const first = lits[0]!
  if (n === 1) return m === first
  if (first.length !== 0 && !m.startsWith(first)) return false
  const last = lits[n - 1]!
  if (last.length !== 0 && !m.endsWith(last)) return false
  return fitsInner(c, m)
}

/**
 * spans() from the index's flat data of the row at `f` that `m` was confirmed against: no compiled template, no cache
 * lookup. -2 when the row has no flat description of its middle literals (one too long for the character loop):
 * use spans() on the compiled template then.
 */
export function spansAt(ix: MatchIndex, f: number, m: string, out: Int32Array, max: number): number {
  const rows = ix.rows
  const ph = rows[f + R_PH]! & 0xffff
  if (ph === 0 || max === 0) return 0
  const fl = rows[f + R_FIRST]!
  const end = m.length - rows[f + R_LAST]!
  if (ph === 1) {
    out[0] = fl
    out[1] = end
    return 1
  }
  const k = rows[f + R_INNER]!
  if (k < 0) return -2
  const inner = ix.inner
  const text = ix.text
  // As fitsMiddle: each middle literal at its leftmost place after the placeholder before it (and its minimum).
  let o = rows[f + R_TEXT]! + fl
  let start = fl
  let n = 0
  const count = inner[k]!
  for (let i = 0; i < count; i++) {
    const l = inner[k + 1 + 2 * i]!
    let j = start + inner[k + 2 + 2 * i]!
    if (l > 0 && (j = findLiteral(m, j, end, text, o, l)) < 0) return -1
    out[2 * n] = start
    out[2 * n + 1] = j
    if (++n === max) return n
    start = j + l
    o += l
  }
  out[2 * n] = start
  out[2 * n + 1] = end
  return n + 1
}

/**
 * Where the placeholder values of a template known to fit `m` are: start and end of the first `max` of them in
 * `out` (two ints each). Their number (at most `max`), or -1 when the template does not fit after all. Cuts no string:
 * a value already kept is recognised in place (TopValues.addAt), so a counted line allocates nothing.
 */
export function spans(c: Compiled, m: string, out: Int32Array, max: number): number {
  const lits = c.lits
  const n = lits.length
  if (n === 1) return 0
  const end = m.length - lits[n - 1]!.length
  let pos = lits[0]!.length
  let k = 0
  for (let i = 1; i < n - 1 && k < max; i++) {
    const lit = lits[i]!
    const from = pos + c.mins[i - 1]!
    const j = lit.length === 0 ? from : m.indexOf(lit, from)
    if (j < 0) return -1
    out[2 * k] = pos
    out[2 * k + 1] = j
    k++
    pos = j + lit.length
  }
  if (k < max) {
    out[2 * k] = pos
    out[2 * k + 1] = end
    k++
  }
  return k
}

/** The placeholder values of a template known to fit `m`, in order. */
export function capture(c: Compiled, m: string): string[] | null {
  const ph = c.lits.length - 1
  const out = new Int32Array(2 * ph)
  const n = spans(c, m, out, ph)
  if (n < 0) return null
  const values: string[] = []
  for (let i = 0; i < n; i++) values.push(m.slice(out[2 * i]!, out[2 * i + 1]!))
  return values
}
