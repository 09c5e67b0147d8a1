import { fstatSync } from 'node:fs'
import { availableParallelism } from 'node:os'

/** Input below this size is matched by the main thread alone: starting threads would cost more than they save. */
export const AUTO_MIN_BYTES = 16 << 20
/**
 * Threads at most when nobody said how many. Beyond a few, the main thread (reading, cutting, writing: ~15% of the
 * work) becomes the limit, and each thread holds a matcher of its own.
 */
export const AUTO_MAX_WORKERS = 4
/**
 * Catalogs from this size are matched by the main thread alone: each thread builds a matcher of its own and
 * matching a large catalog waits on memory more than on the CPU. At 100k statements two threads were no faster
 * than none on a 2-vCPU VM (6.7–7.1 s against 5.7–7.2 s for 1M lines) for 2.75× the CPU.
 */
export const AUTO_MAX_STATEMENTS = 50_000

/**
 * How many threads `dice match` uses when neither `--workers` nor `match.workers` says: on a host with several
 * cores, one per core (at most AUTO_MAX_WORKERS) when stdin is a file of at least AUTO_MIN_BYTES (`dice match <
 * app.log`) and the catalog is below AUTO_MAX_STATEMENTS, else none. A pipe's size is unknown until it ends:
 * threads for it are asked for with --workers. Measured on a 2-vCPU VM (bench/RESULTS.md, session 21): two threads ~1.3× faster than none on a 1M-line file,
 * one thread slower than none.
 */
export function autoWorkers(fd: number | null, statements: number, cores = availableParallelism()): number {
  if (fd === null || cores < 2 || statements >= AUTO_MAX_STATEMENTS) return 0
  let size: number
  try {
    const st = fstatSync(fd)
    if (!st.isFile()) return 0
    size = st.size
  } catch {
    return 0
  }
  return size >= AUTO_MIN_BYTES ? Math.min(cores, AUTO_MAX_WORKERS) : 0
}
