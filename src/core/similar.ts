/** Levenshtein distance between `a` and `b`, giving up (returning `max + 1`) once it must exceed `max`. */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (Math.abs(a.length - b.length) > max) return max + 1
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const cur = [i]
    let best = i
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
      if (cur[j]! < best) best = cur[j]!
    }
    if (best > max) return max + 1
    prev = cur
  }
  return prev[b.length]!
}

/**
 * The name among `names` closest to `name` (without case), for a "did you mean" hint: at most 1 edit for names of
 * up to 4 characters, 2 for longer ones; null when none is that close or two are equally close.
 */
export function closest(name: string, names: Iterable<string>): string | null {
  const n = name.toLowerCase()
  const max = n.length <= 4 ? 1 : 2
  let best: string | null = null
  let bestD = max + 1
  let tie = false
  for (const c of names) {
    const d = editDistance(n, c.toLowerCase(), max)
    if (d === 0) continue
    if (d < bestD) [best, bestD, tie] = [c, d, false]
    else if (d === bestD && c !== best) tie = true
  }
  return tie ? null : best
}
