/**
 * Texts a whole catalog repeats, held once. At 100k statements the file, language, level, callee and commit of each
 * statement, one string per statement as a driver or V8's deserializer makes them, and two empty lists each, are tens
 * of MB a long-running process keeps (the store's row reader and catalog/kept-statements.ts both share them).
 */

/** One frozen empty list for every statement without channels or mentions (most of them). */
export const NO_NAMES = Object.freeze([]) as unknown as string[]

/** A function giving one string for equal texts (nulls pass through), remembering up to `max` distinct texts. */
export function interner(max = 100_000): <T extends string | null | undefined>(s: T) => T {
  const strings = new Map<string, string>()
  return <T extends string | null | undefined>(s: T): T => {
    if (typeof s !== 'string') return s
    const x = strings.get(s)
    if (x !== undefined) return x as T
    if (strings.size < max) strings.set(s, s)
    return s
  }
}
