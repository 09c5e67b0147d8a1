import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { Language, Parser, Query } from 'web-tree-sitter'
import { GRAMMARS, type GrammarId } from './languages.js'

const require = createRequire(import.meta.url)

let init: Promise<void> | null = null
const parsers = new Map<GrammarId, Promise<Parser>>()
const queries = new Map<string, Query>()

/** Absolute path of a grammar's wasm, resolved through its npm package (no copies in the repo). */
export function wasmPath(grammar: GrammarId): string {
  const g = GRAMMARS[grammar]
  return join(dirname(require.resolve(`${g.pkg}/package.json`)), g.wasm)
}

async function load(grammar: GrammarId): Promise<Parser> {
  init ??= Parser.init()
  await init
  const language = await Language.load(wasmPath(grammar))
  const parser = new Parser()
  parser.setLanguage(language)
  return parser
}

/**
 * The cached parser for a grammar; the wasm is loaded once, on first use. Parsing is synchronous, so
 * one parser per grammar is safe to share across concurrent extractFile calls.
 */
export function parserFor(grammar: GrammarId): Promise<Parser> {
  let p = parsers.get(grammar)
  if (!p) {
    p = load(grammar)
    // A failed load is not cached: the next call retries and reports the same error.
    p.catch(() => parsers.delete(grammar))
    parsers.set(grammar, p)
  }
  return p
}

/** A compiled query for a grammar (cached by grammar and source; compiled once). */
export function queryFor(grammar: GrammarId, parser: Parser, source: string): Query {
  const key = `${grammar}\u0000${source}`
  let q = queries.get(key)
  if (!q) {
    q = new Query(parser.language!, source)
    queries.set(key, q)
  }
  return q
}
