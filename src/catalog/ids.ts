import { createHash } from 'node:crypto'
import type { ExtractedStatement } from './extract.js'

/** Length of a statement id in hex digits (48 bits: collisions are negligible for any real catalog). */
export const ID_LENGTH = 12

/**
 * Whitespace-insensitive text of a call with trailing comments dropped, so re-indenting, re-wrapping or
 * adding a `// #channel` annotation does not change the id of a statement whose message is not a literal.
 */
export function normaliseCallText(text: string): string {
  return stripComments(text).replace(/\s+/g, '')
}

/**
 * Drop comments (`//` and `/* … *\/`, and `#` after whitespace as in Python, Ruby and PHP) that sit outside
 * string literals. Scanning quotes, instead of only cutting a comment with no quote in it, keeps the id of
 * `log.error(err) // don't page` the same as before the comment was written.
 */
function stripComments(text: string): string {
  let out = ''
  let quote = ''
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quote) {
      out += c
      if (c === '\\' && i + 1 < text.length) out += text[++i]
      // Only template literals span lines; an unclosed ' or " (a Rust lifetime, a stray apostrophe) ends with its line.
      else if (c === quote || (c === '\n' && quote !== '`')) quote = ''
      continue
    }
    if (c === '"' || c === "'" || c === '`') {
      quote = c
      out += c
    } else if ((c === '/' && text[i + 1] === '/') || (c === '#' && i > 0 && /\s/.test(text[i - 1]!))) {
      // A line comment: skip to the end of the line.
      while (i + 1 < text.length && text[i + 1] !== '\n') i++
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2)
      i = end < 0 ? text.length : end + 1
    } else out += c
  }
  return out
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
