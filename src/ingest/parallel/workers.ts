import type { Config } from '../../config/schema.js'
import { UsageError } from '../../core/errors.js'

/**
 * Ingest workers when neither `--workers` nor `match.workers` says: none. Measured on a 2-vCPU machine (bench/
 * RESULTS.md, issue 18), two workers spent ~1.8× the CPU of the main thread alone on the same replay (each keeps
 * its own matcher and aggregate; the store's writes stay on the main thread) and each added ~50–100 MB of peak RSS
 * with the heap's growth bounded (src/cli/heap.ts; 1M warn lines at 10k statements: 258 MB without, 307 with one,
 * 424–459 with two), so they are for hosts with cores and memory to spare, chosen by whoever runs Dice.
 */
export const DEFAULT_WORKERS = 0

/** The number of ingest workers: `--workers N` if given, else `match.workers`, else DEFAULT_WORKERS. */
export function workerCount(flag: unknown, config: Config): number {
  if (flag === undefined) return config.match.workers ?? DEFAULT_WORKERS
  const n = Number(flag)
  if (!/^\d+$/.test(String(flag)) || n > 64) throw new UsageError(`--workers: expected a number of threads 0-64 (0: parse and match in the main thread), got ${JSON.stringify(flag)}`)
  return n
}
