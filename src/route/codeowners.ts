import { globToRegExp } from '../catalog/select.js'

/** One owner as CODEOWNERS writes it: a GitHub user, a team (`org/team`), or an email. */
export type CodeOwner = { kind: 'user'; name: string } | { kind: 'team'; name: string } | { kind: 'email'; name: string }

/** A parsed CODEOWNERS file: `ownersOf(file)` is the owners of the last matching line, as GitHub decides. */
export interface CodeOwners {
  /** Owners of the last line whose pattern matches `file` (empty when it matches none, or that line names nobody). */
  ownersOf(file: string): CodeOwner[]
  /** Every owner named anywhere in the file (for `dice doctor`). */
  all(): CodeOwner[]
}

interface Line { re: RegExp; owners: CodeOwner[] }

/**
 * Parse CODEOWNERS text (GitHub's rules): `#` comments, one pattern per line followed by owners, gitignore-style
 * patterns, and the LAST matching line wins — a later line naming no owner leaves the path unowned. A line
 * whose pattern cannot be read is skipped, as GitHub skips it.
 */
export function parseCodeOwners(text: string): CodeOwners {
  const lines: Line[] = []
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim()
    if (!line) continue
    const [pattern, ...names] = line.split(/\s+/)
    if (!pattern || pattern.startsWith('!') || pattern.includes('[')) continue
    lines.push({ re: patternRegExp(pattern), owners: names.map(owner).filter((o): o is CodeOwner => o !== null) })
  }
  return {
    ownersOf(file) {
      for (let i = lines.length - 1; i >= 0; i--) if (lines[i]!.re.test(file)) return lines[i]!.owners
      return []
    },
    all() {
      const seen = new Map<string, CodeOwner>()
      for (const l of lines) for (const o of l.owners) seen.set(`${o.kind}:${o.name.toLowerCase()}`, o)
      return [...seen.values()]
    },
  }
}

function owner(name: string): CodeOwner | null {
  if (name.startsWith('@')) return name.includes('/') ? { kind: 'team', name: name.slice(1) } : { kind: 'user', name: name.slice(1) }
  return name.includes('@') ? { kind: 'email', name } : null
}

// gitignore-style, except that `dir/*` covers only the files directly in `dir` (GitHub documents this).
function patternRegExp(pattern: string): RegExp {
  const re = globToRegExp(pattern)
  return /\/\*$/.test(pattern) && !pattern.endsWith('**/*') ? new RegExp(re.source.replace(/\(\?:\\?\/\.\*\)\?\$$/, '$')) : re
}
