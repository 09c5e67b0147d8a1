/**
 * Choosing each template's key: the one lines are least likely to probe, counted over the catalog ("failed"
 * starts many templates, so lines starting with "failed" are common). Most of a build's time, which is why the
 * built index is stored whole (snapshot.ts) and loaded by later starts of the same catalog.
 */
import type { Compiled } from './compile.js'
import { enumerateKeys, KeyList, SLOT_PAIR, SLOT_PREFIX_CHARS, SLOT_PREFIX_WORDS_TAIL, SLOT_WORD } from './keys.js'
import { PLAN_INTS } from './templates.js'

/**
 * Size of the build-time count sketch of probed keys: 1<<22 counters (8 MB) from 16k templates on, ~256 per template
 * below. A fixed 8 MB cost every build ~10-50 ms of zeroing and page faults, most of it for the annotated statements'
 * small matcher that replay, run and each ingest worker build at every start (100 templates: 52 -> 2 ms).
 */
function sketchSize(templates: number): number {
  let size = 1 << 12
  while (size < templates * 256 && size < 1 << 22) size <<= 1
  return size
}
/** Catalogs up to this many templates may list inner-word-keyed templates for a substring check… */
export const SMALL_CATALOG = 1000
/** …when there are at most this many. */
const SMALL_SCAN = 32
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
  const probes = new Uint16Array(sketchSize(n))
  const mask = probes.length - 1
  for (const c of compiled) {
    const list = enumerateKeys(c, KEYS_OF)
    for (let i = 0; i < list.n; i++) {
      if (list.option[i] === 1) continue
      const h = list.key[i]! & mask
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

/** Each template's key and where it came from (PLAN_INTS per template, see Templates.keys). */
export function planRows(compiled: readonly Compiled[], keyOf: readonly number[]): Int32Array {
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
  return rows
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
    const cost = probes[list.key[i]! & (probes.length - 1)]! * slotWeight(slot)
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
