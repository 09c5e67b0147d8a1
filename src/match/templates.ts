/**
 * The templates of an index as flat arrays, each compiled only when something needs its literals (a tie, a middle
 * literal too long for the row's character loop, a result's values, explain). The index holds no compiled object
 * per template: one loaded from the store does no work per template, and a 100k-template catalog does not keep
 * 100k compiled templates (their literal arrays and strings) alive.
 */
import type { MatchStatement } from '../core/types.js'
import { compile, levelWordEnd, type Compiled } from './compile.js'
import { trimTemplate } from './template.js'

/** Ints per template in `Templates.keys` (a MatcherPlan row): key, slot, literal, range start, range end, signature low, high. */
export const PLAN_INTS = 7

/** Compiled templates kept at once: enough for the templates a log actually prints; past it the cache starts over. */
const CACHE_MAX = 16384

/**
 * The text a statement's template is filed under: its first line, trimmed (a message of several lines is matched by
 * its first, see build.ts), and with `alt` without its leading level word.
 */
export function indexedText(template: string, alt: boolean): string {
  const full = trimTemplate(template)
  const nl = full.indexOf('\n')
  const text = nl < 0 ? full : full.slice(0, nl).trimEnd()
  return alt ? text.slice(levelWordEnd(text)) : text
}

/** A catalog's indexed templates, by number (catalog order of their first statement). */
export class Templates {
  readonly length: number
  private cache = new Map<number, Compiled>()
  /** Interned placeholder-minimum arrays (compile's `shared`): a catalog has a few patterns. */
  private mins = new Map<string, number[]>()

  /**
   * `statements`: the catalog; template t's statements are `statements[pos[start[t]…start[t+1])]`, the first its
   * own; `alt[t]` 1 when it is filed without its level word; `keys`: PLAN_INTS ints per template (its key and
   * inner-word signature, as the build chose them).
   */
  constructor(
    readonly statements: readonly MatchStatement[],
    readonly start: Int32Array,
    readonly pos: Int32Array,
    readonly alt: Uint8Array,
    readonly keys: Int32Array,
  ) {
    this.length = alt.length
  }

  /** Template t's first statement's id. */
  id(t: number): string {
    return this.statements[this.pos[this.start[t]!]!]!.id
  }

  /** Template t compiled (cached, up to CACHE_MAX at once). */
  at(t: number): Compiled {
    const had = this.cache.get(t)
    if (had !== undefined) return had
    const s = this.statements[this.pos[this.start[t]!]!]!
    const alt = this.alt[t] === 1
    const c = compile(indexedText(s.template!, alt), this.mins)!
    const list: MatchStatement[] = []
    for (let i = this.start[t]!; i < this.start[t + 1]!; i++) list.push(this.statements[this.pos[i]!]!)
    c.statements = list
    c.index = t
    c.alt = alt
    const f = t * PLAN_INTS
    const k = this.keys
    c.keySlot = k[f + 1]!
    c.keyLit = k[f + 2]!
    c.keyA = k[f + 3]!
    c.keyB = k[f + 4]!
    c.sigLo = k[f + 5]!
    c.sigHi = k[f + 6]!
    if (this.cache.size >= CACHE_MAX) this.cache.clear()
    if (this.mins.size > 4096) this.mins = new Map()
    this.cache.set(t, c)
    return c
  }
}
