/**
 * Choosing each template's key: the one lines are least likely to probe, counted over the catalog ("failed"
 * starts many templates, so lines starting with "failed" are common). Most of a cold build's time, so the
 * choice is a storable plan that a later build of the same catalog follows.
 */
import { createHash } from 'node:crypto'
import { compile, type Compiled } from './compile.js'
import { AFFIX, enumerateKeys, KeyList, SLOT_PAIR, SLOT_PREFIX_CHARS, SLOT_PREFIX_WORDS_TAIL, SLOT_WORD, WORD_DEPTH } from './keys.js'

/**
 * The key each template of a catalog is filed under, as a build chose them (PLAN_INTS per template), and
 * the id of the catalog and key scheme it was made for. Storable (encodePlan): choosing keys is most of a
 * cold build (~0.5 s at 100k templates), following a plan a few milliseconds.
 */
export interface MatcherPlan {
  id: string
  rows: Int32Array
}

/** A plan as text (for the store's meta table). */
export function encodePlan(plan: MatcherPlan): string {
  return `${plan.id}:${Buffer.from(plan.rows.buffer, plan.rows.byteOffset, plan.rows.byteLength).toString('base64')}`
}

/** encodePlan's text back as a plan; null for anything else (it is then rebuilt). */
export function decodePlan(text: string | null | undefined): MatcherPlan | null {
  if (!text) return null
  const colon = text.indexOf(':')
  if (colon < 0) return null
  const bytes = Buffer.from(text.slice(colon + 1), 'base64')
  if (bytes.length % 4 !== 0) return null
  const rows = new Int32Array(bytes.length / 4)
  new Uint8Array(rows.buffer).set(bytes)
  return { id: text.slice(0, colon), rows }
}

/** Size of the build-time count sketch of probed keys. */
const PROBE_SKETCH = 1 << 22
/** Catalogs up to this many templates may list inner-word-keyed templates for a substring check… */
export const SMALL_CATALOG = 1000
/** …when there are at most this many. */
const SMALL_SCAN = 32
/** Ints per template in a MatcherPlan: key, slot, literal, range start, range end, signature low, high. */
const PLAN_INTS = 7

/** Scratch list for enumerateKeys (the build is synchronous: one at a time). */
const KEYS_OF = new KeyList()

/**
 * The key each template is filed under (-1: the scan list), recorded in its keySlot/keyLit/keyA/keyB, and
 * its inner-word signature (enumerateKeys computes it).
 */
export function chooseKeys(compiled: Compiled[], slots: number): number[] {
  const n = compiled.length
  // Pass 1: how many templates would make a line probe each key. Keys are numbers: no strings kept per
  // template. A saturating count sketch (8 MB, collisions only overestimate) instead of a Map of millions of keys.
  const probes = new Uint16Array(PROBE_SKETCH)
  for (const c of compiled) {
    const list = enumerateKeys(c, KEYS_OF)
    for (let i = 0; i < list.n; i++) {
      if (list.option[i] === 1) continue
      const h = list.key[i]! & (PROBE_SKETCH - 1)
      if (probes[h]! < 0xffff) probes[h]!++
    }
  }
  // A small catalog (e.g. only the annotated statements) where few templates need an inner-word key
  // lists those few for a substring check instead, so lines are read at their ends only (see wordPass).
  const scanOnly = n <= SMALL_CATALOG ? innerWordOnly(compiled, probes) : null
  // Pass 2: file each template under the key lines probe least.
  const keyOf = new Array<number>(n).fill(-1)
  const perSlot = new Int32Array(slots)
  for (let ci = 0; ci < n; ci++) {
    const c = compiled[ci]!
    if (scanOnly !== null && scanOnly.has(ci)) continue
    keyOf[ci] = chooseKey(c, probes, null)
    if (keyOf[ci]! >= 0) perSlot[c.keySlot]!++
  }
  // Every slot some template uses costs every line a probe (and some a hash): a slot that only a few
  // templates chose gives them up to their best key in a slot many others use, when they have one.
  const unpopular = new Uint8Array(perSlot.length)
  const few = Math.max(4, n >> 7)
  for (let k = 0; k < perSlot.length; k++) if (perSlot[k]! < few) unpopular[k] = 1
  for (let ci = 0; ci < n; ci++) {
    const c = compiled[ci]!
    if (keyOf[ci]! < 0 || unpopular[c.keySlot] !== 1) continue
    // chooseKey records a key in c only when it finds one: with none, c keeps the key it has.
    const other = chooseKey(c, probes, unpopular)
    if (other >= 0) keyOf[ci] = other
  }
  return keyOf
}

/** The plan of a built catalog: each template's key and where it came from. */
export function planOf(compiled: readonly Compiled[], keyOf: Int32Array): MatcherPlan {
  const rows = new Int32Array(compiled.length * PLAN_INTS)
  for (let ci = 0; ci < compiled.length; ci++) {
    const c = compiled[ci]!
    const f = ci * PLAN_INTS
    rows[f] = keyOf[ci]!
    rows[f + 1] = c.keySlot
    rows[f + 2] = c.keyLit
    rows[f + 3] = c.keyA
    rows[f + 4] = c.keyB
    rows[f + 5] = c.sigLo
    rows[f + 6] = c.sigHi
  }
  return { id: planId(compiled), rows }
}

/** The id of a catalog's plan: the key scheme's fingerprint and every template, in order. */
function planId(compiled: readonly Compiled[]): string {
  const h = createHash('sha256').update(keyScheme())
  for (const c of compiled) h.update(c.template).update('\0')
  return h.digest('base64url').slice(0, 32)
}

let scheme: string | null = null
/**
 * The keys and signatures of a few fixed templates: changes whenever the key or signature hashing does,
 * so a plan stored by another version of this code is never followed.
 */
function keyScheme(): string {
  if (scheme !== null) return scheme
  const parts: number[] = [PLAN_INTS, WORD_DEPTH, AFFIX]
  for (const t of ['connection to {} failed after {} retries', 'x', 'disk_full: {}', '{} ends here now', 'éclair 7 Über-alles']) {
    const c = compile(t, new Map())!
    const list = enumerateKeys(c, new KeyList())
    parts.push(c.sigLo, c.sigHi)
    for (let i = 0; i < list.n; i++) parts.push(list.slot[i]!, list.key[i]!, list.option[i]!)
  }
  return (scheme = parts.join(','))
}

/** Whether `plan` was made for exactly these templates (id) and, checked on a sample, their keys. */
export function planFits(compiled: Compiled[], plan: MatcherPlan): boolean {
  const n = compiled.length
  if (plan.rows.length !== n * PLAN_INTS || plan.id !== planId(compiled)) return false
  // A sample re-derived: a plan that names a key its template does not offer would lose that template's lines.
  const step = Math.max(1, n >> 6)
  for (let ci = 0; ci < n; ci += step) {
    const c = compiled[ci]!
    const f = ci * PLAN_INTS
    const sigLo = c.sigLo
    const sigHi = c.sigHi
    const list = enumerateKeys(c, KEYS_OF)
    const ok = c.sigLo === plan.rows[f + 5] && c.sigHi === plan.rows[f + 6]
    c.sigLo = sigLo
    c.sigHi = sigHi
    if (!ok) return false
    const key = plan.rows[f]!
    if (key < 0) continue
    let found = false
    for (let i = 0; i < list.n && !found; i++) {
      found = list.option[i] === 1 && list.key[i] === key && list.slot[i] === plan.rows[f + 1] && list.lit[i] === plan.rows[f + 2] &&
        list.a[i] === plan.rows[f + 3] && list.b[i] === plan.rows[f + 4]
    }
    if (!found) return false
  }
  return true
}

/** chooseKeys' answer, read from a plan that fits. */
export function followPlan(compiled: Compiled[], plan: MatcherPlan): number[] {
  const keyOf = new Array<number>(compiled.length)
  const r = plan.rows
  for (let ci = 0; ci < compiled.length; ci++) {
    const c = compiled[ci]!
    const f = ci * PLAN_INTS
    keyOf[ci] = r[f]!
    c.keySlot = r[f + 1]!
    c.keyLit = r[f + 2]!
    c.keyA = r[f + 3]!
    c.keyB = r[f + 4]!
    c.sigLo = r[f + 5]!
    c.sigHi = r[f + 6]!
  }
  return keyOf
}

/**
 * The key `c` is filed under: of the keys it offers outside `exclude`d slots, the one the fewest templates
 * make lines probe (recorded in c.keySlot/keyLit/keyA/keyB for explain); -1 when it offers none.
 */
function chooseKey(c: Compiled, probes: Uint16Array, exclude: Uint8Array | null): number {
  const list = enumerateKeys(c, KEYS_OF)
  const i = cheapest(list, probes, exclude)
  if (i < 0) return -1
  c.keySlot = list.slot[i]!
  c.keyLit = list.lit[i]!
  c.keyA = list.a[i]!
  c.keyB = list.b[i]!
  return list.key[i]!
}

/** Position in `list` of the option key (outside `exclude`d slots) the fewest templates make lines probe; -1: none. */
function cheapest(list: KeyList, probes: Uint16Array, exclude: Uint8Array | null): number {
  let best = -1
  let bestCost = Infinity
  for (let i = 0; i < list.n; i++) {
    const slot = list.slot[i]!
    if (list.option[i] === 0 || (exclude !== null && exclude[slot] === 1)) continue
    // The count is how many templates would make a line probe the key.
    const cost = probes[list.key[i]! & (PROBE_SKETCH - 1)]! * slotWeight(slot)
    if (cost < bestCost) (best = i), (bestCost = cost)
  }
  return best
}

/**
 * Templates (by index) whose cheapest key is an inner word or pair, when there are at most SMALL_SCAN of
 * them; otherwise an empty set (the word pass is needed anyway).
 */
function innerWordOnly(compiled: Compiled[], probes: Uint16Array): Set<number> {
  const out = new Set<number>()
  for (let ci = 0; ci < compiled.length; ci++) {
    const list = enumerateKeys(compiled[ci]!, KEYS_OF)
    const i = cheapest(list, probes, null)
    const bestSlot = i < 0 ? -1 : list.slot[i]!
    if (bestSlot === SLOT_WORD || bestSlot === SLOT_PAIR) {
      out.add(ci)
      if (out.size > SMALL_SCAN) return new Set()
    }
  }
  return out
}

/**
 * Cost multiplier of a key slot. Character keys are coarser than word keys: the same count means more
 * unrelated lines probe them. (Weighting inner words up, for words that lines carry in their values,
 * was measured and made candidates more frequent, not less.)
 */
function slotWeight(slot: number): number {
  return slot >= SLOT_PREFIX_CHARS && slot < SLOT_PREFIX_WORDS_TAIL ? 2 : 1
}
