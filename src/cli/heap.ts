import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { captureCodeCache } from './code-cache.js'

/**
 * How far V8 lets the old generation grow past what the last full GC found alive, as a percentage, for a large
 * catalog. V8's own factor goes up to 4× for a fast-allocating process: a replay of 1M lines with 100k statements
 * held ~130 MB alive and grew to 520 MB before its second full GC; at 30% the same run peaks ~35% lower. The price is
 * more full GCs: ~5-10% more CPU on a 10k-statement replay, whose heap stays far below any limit anyway. So only a
 * catalog of BOUNDED_FROM statements or more gets it, or a run with ingest workers (boundsHeap).
 */
export const HEAP_GROWING_PERCENT = 30
/** Catalog size from which the old generation's growth is bounded. */
export const BOUNDED_FROM = 50_000

/**
 * Whether a run bounds the heap's growth: a large catalog, or ingest workers. A worker's isolate allocates as fast as
 * the main thread does and V8 gives it the same room to grow: a replay of 1M warn lines at 10k statements peaked at
 * 573–633 MB with one worker and 912–951 MB with two, against 258 MB without; bounded, 307 MB and 424–459 MB, for
 * ~15–20% more CPU (bench/RESULTS.md, "Session 20"). V8's flags are the process's: the main thread is bounded too.
 */
export function boundsHeap(statements: number, workers: number): boolean {
  return statements >= BOUNDED_FROM || workers > 0
}

let bounded = false
/**
 * Bound the heap's growth when boundsHeap says so (V8 reads the flag at each full GC, so setting it once the
 * catalog's size is known is in time: the catalog is the process's first large allocation, the counting the rest;
 * workers start after it).
 */
export function fitHeapGrowth(statements: number, workers = 0): void {
  if (bounded || !boundsHeap(statements, workers)) return
  // V8 refuses a code cache made under other flags: make this start's now (start-up is done by then).
  captureCodeCache()
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`)
  bounded = true
}

/**
 * After counting, with a bounded heap (a large catalog, or workers): one full GC now. The catalog, the matcher and the
 * last aggregate are out of reach by then, but nothing makes V8 collect the old generation before delivery starts
 * allocating (real-time posts, digests), so a 100k-statement replay's heap grew past its counting peak with garbage
 * (148 MB used, 10 MB alive) and the process peaked in delivery. A no-op when the heap is not bounded. (The code
 * cache's bytes were taken when the heap was bounded, before this flag changes too.)
 */
export function collectAfterCounting(): void {
  if (!bounded) return
  setFlagsFromString('--expose-gc')
  ;(runInNewContext('gc') as () => void)()
}
