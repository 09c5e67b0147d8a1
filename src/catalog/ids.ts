import { createHash } from 'node:crypto'
import type { ExtractedStatement } from './extract.js'

/** Length of a statement id in hex digits (48 bits: collisions are negligible for any real catalog). */
export const ID_LENGTH = 12

/**
 * Whitespace-insensitive text of a call with trailing comments dropped, so re-indenting, re-wrapping or
 * adding a `// #channel` annotation does not change the id of a statement whose message is not a literal.
 */
export function normaliseCallText(text: string): string {
  return text
    .split('\n')
    // A trailing `// …`, `/* … */` or ` # …` comment with no quote in it (a quote would mean we are inside a string).
    .map((l) => l.replace(/(?:\/\/|\/\*|(?<=\s)#)[^'"`]*$/, ''))
    .join(' ')
    .replace(/\s+/g, '')
}

/**
 * The identity key of a statement within its file: its template when the message is a literal, else the
 * callee plus the normalised call text; always with its level.
 */
export function identityKey(s: Pick<ExtractedStatement, 'template' | 'matchable' | 'callee' | 'level'>, callText: string): string {
  const what = s.matchable && s.template !== null ? `t:${s.template}` : `c:${s.callee}\u0000${normaliseCallText(callText)}`
  return `${what}\u0000${s.level ?? ''}`
}

/**
 * Ids for one file's statements, in source order (see docs/ARCHITECTURE.md "Statement ids"):
 * hash(file, identity key), plus an ordinal for the 2nd, 3rd… statement with the same key in the file.
 * Lines moving or unrelated edits never change an id; editing the statement's own message, level or
 * file does.
 */
export function statementIds(file: string, keys: string[]): string[] {
  const seen = new Map<string, number>()
  return keys.map((key) => {
    const n = (seen.get(key) ?? 0) + 1
    seen.set(key, n)
    const h = createHash('sha256').update(file).update('\u0000').update(key)
    if (n > 1) h.update(`\u0000#${n}`)
    return h.digest('hex').slice(0, ID_LENGTH)
  })
}
