/**
 * Memory latency by working-set size: a dependent chain of random reads, one per 64-byte line, through an
 * Int32Array of each size. Explains the matcher's layout (bench/RESULTS.md, "Matching"): on these machines a
 * random read costs ~5–10 ns up to 512 KB, ~16–30 ns up to 2 MB and 120–250 ns from 4 MB on, so at 100k
 * templates the number of structures a line touches matters more than the arithmetic.
 *
 *   node --import tsx bench/match/latency.ts
 */
const READS = 2_000_000
for (const kb of [16, 64, 256, 512, 1024, 2048, 4096, 8192, 16384, 65536]) {
  const ints = kb * 256
  const a = new Int32Array(ints)
  const lines = ints / 16
  // A random cyclic order of the lines, so each read depends on the one before (no overlap, no prefetch).
  const order = new Int32Array(lines)
  for (let i = 0; i < lines; i++) order[i] = i
  for (let i = lines - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    const t = order[i]!
    order[i] = order[j]!
    order[j] = t
  }
  for (let i = 0; i < lines; i++) a[order[i]! * 16] = order[(i + 1) % lines]! * 16
  let p = 0
  for (let i = 0; i < READS; i++) p = a[p]!
  const t0 = process.hrtime.bigint()
  for (let i = 0; i < READS; i++) p = a[p]!
  const ns = Number(process.hrtime.bigint() - t0) / READS
  console.log(`${String(kb).padStart(6)} KB  ${ns.toFixed(1).padStart(6)} ns per dependent random read${p < 0 ? '' : ''}`)
}
