/**
 * Arrays that mostly hold one or two elements, kept by the tens of thousands. V8 gives an array pushed to from empty
 * room for 17 elements, and one of length n room for n/2 + 16 more: ~136 bytes of empty slots each. The aggregate
 * between two flushes keeps several per statement (its deltas, their hosts and buckets, the value summaries): with
 * 100k statements that was ~300k arrays and ~36 MB of empty slots at each flush (bench/RESULTS.md, session 11).
 */

/** Up to this length an array grows by an exact copy; past it, by push (amortised, with V8's spare room). */
const SHORT = 8

/** `a` with `x` at its end: while `a` is short, a new array of exactly one more element; else `a` itself, pushed. */
export function appended<T>(a: T[], x: T): T[] {
  if (a.length >= SHORT) {
    a.push(x)
    return a
  }
  // An array literal and concat() allocate exactly the elements they hold.
  return a.length === 0 ? [x] : a.concat([x])
}
