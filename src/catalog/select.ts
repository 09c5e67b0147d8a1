import type { Config } from '../config/schema.js'

/**
 * Compile a path glob to a RegExp over repository-relative paths (forward slashes):
 * `**` any number of directories, `*` any run of characters within one segment, `?` one such character,
 * `[abc]` a class. A pattern without `/` matches a file or directory name at any depth (like .gitignore);
 * a leading `/` anchors at the root; a pattern that names a directory matches everything under it.
 */
export function globToRegExp(glob: string): RegExp {
  let g = glob.trim()
  const anchored = g.startsWith('/')
  if (anchored) g = g.slice(1)
  if (g.endsWith('/')) g = g.slice(0, -1)
  const floating = !anchored && !g.includes('/')
  let re = ''
  for (let i = 0; i < g.length; i++) {
    const c = g[i]!
    if (c === '*') {
      if (g[i + 1] === '*') {
        // `**/` = zero or more directories; a trailing `**` = everything below.
        const slash = g[i + 2] === '/'
        re += slash ? '(?:.*/)?' : '.*'
        i += slash ? 2 : 1
      } else re += '[^/]*'
    } else if (c === '?') re += '[^/]'
    else if (c === '[') {
      const end = g.indexOf(']', i + 1)
      if (end < 0) re += '\\['
      else {
        const body = g.slice(i + 1, end).replace(/\\/g, '\\\\')
        re += `[${body.startsWith('!') ? '^' + body.slice(1) : body}]`
        i = end
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&')
  }
  return new RegExp(`^${floating ? '(?:.*/)?' : ''}${re}(?:/.*)?$`)
}

/** Directories whose contents are someone else's code (vendored or built), skipped at any depth. */
export const VENDORED_DIRS = ['node_modules', 'vendor', 'third_party', 'dist', 'build'] as const

const VENDORED = new RegExp(`(?:^|/)(?:${VENDORED_DIRS.join('|')})/`)
const MINIFIED = /\.min\.(?:js|mjs|cjs|css)$/

/** Why a path is left out before reading it, or null to keep it. */
export type PathVerdict = 'vendored' | 'minified' | 'excluded' | 'not-included' | null

/**
 * Path rules decided once per index run: vendored folders, minified bundles, then `catalog.include`
 * (when non-empty, a file must match one) and `catalog.exclude`. Globs compile here, once.
 */
export function pathFilter(catalog: Pick<Config['catalog'], 'include' | 'exclude'>): (path: string) => PathVerdict {
  const include = catalog.include.map(globToRegExp)
  const exclude = catalog.exclude.map(globToRegExp)
  return (path) => {
    if (VENDORED.test(path)) return 'vendored'
    if (MINIFIED.test(path)) return 'minified'
    if (include.length && !include.some((r) => r.test(path))) return 'not-included'
    if (exclude.some((r) => r.test(path))) return 'excluded'
    return null
  }
}

// `@generated` (Meta/Phabricator convention), `DO NOT EDIT` (covers Go's "Code generated … DO NOT EDIT.").
const GENERATED = /@generated\b|\bDO NOT EDIT\b/

/** True when the first lines of `text` mark the file as generated. Looks at 5 lines / 2 KB at most. */
export function isGeneratedText(text: string): boolean {
  const head = text.slice(0, 2048).split('\n', 5).join('\n')
  return GENERATED.test(head)
}

/** True when `bytes` looks binary: a NUL byte in the first 8 KB (git's own heuristic). */
export function isBinary(bytes: Uint8Array): boolean {
  return bytes.subarray(0, 8192).includes(0)
}
