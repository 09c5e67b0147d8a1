/**
 * Entry point of extraction: one file's source in, its log statements out. Parsing uses the real
 * tree-sitter grammars (web-tree-sitter + each grammar package's wasm); one query run per file finds
 * the calls and comments, then the engine decides what logs.
 */
import type { Node, Query } from 'web-tree-sitter'
import type { Config } from '../config/schema.js'
import type { FileExtraction } from './extract.js'
import { adapterFor } from './extractors/index.js'
import { extractTree, finishStatements, rulesFor, type TreeExtraction } from './extractors/engine.js'
import type { Adapter } from './extractors/types.js'
import { grammarOf, languageOf, type GrammarId, type LanguageId } from './languages.js'
import { parserFor, queryFor } from './parser.js'

/** Re-exported so the indexer needs one import: the language of a path by its extension (languages.ts). */
export { languageOf } from './languages.js'

/** Options of extractFile. */
export interface ExtractOptions {
  /** `catalog.loggers` from dice.yml: extra logger rules per language, tried before the built-ins. */
  loggers?: Config['catalog']['loggers']
}

async function run(source: string, language: LanguageId, grammar: GrammarId, adapter: Adapter, opts: ExtractOptions) {
  const parser = await parserFor(grammar)
  const query: Query = queryFor(grammar, parser, adapter.query)
  const rules = rulesFor(language, opts.loggers)
  const captures = (root: Node) => query.matches(root)
  if (adapter.prepareSource) source = adapter.prepareSource(source)
  const tree = parser.parse(source)
  if (!tree) return null
  let result: TreeExtraction
  let syntaxErrors: boolean
  try {
    result = extractTree(tree, source, adapter, captures, rules)
    syntaxErrors = tree.rootNode.hasError
  } finally {
    tree.delete()
  }
  const { found, comments } = result
  // Macro bodies: parse each as the body of a function, on lines of its own, so rows and offsets map
  // back to the file by a constant shift and the file's comments (`/* #chan */` in the macro) still apply.
  for (const snip of result.snippets) {
    const prefix = 'void __dice_macro(void) {\n'
    const wrapped = `${prefix}${snip.text}\n;}`
    const t = parser.parse(wrapped)
    if (!t) continue
    const rows = snip.row - 1
    const shift = snip.startIndex - prefix.length
    // A wrapper (`#define WARN(fmt, ...) LOG_WARN("[net] " fmt, ##__VA_ARGS__)`) is no log site of its own:
    // its message is the caller's. Skipped: a non-literal message, and any call forwarding variadic arguments.
    const lines = wrapped.split('\n')
    try {
      const inner = extractTree(t, wrapped, adapter, captures, rules)
      for (const f of inner.found) {
        if (f.template === null) continue
        if (/__VA_ARGS__|\w\.\.\.|##/.test(lines.slice(f.startRow, f.endRow + 1).join('\n'))) continue
        found.push({ ...f, line: f.line + rows, endLine: f.endLine + rows, startRow: f.startRow + rows, endRow: f.endRow + rows, startIndex: f.startIndex + shift, endIndex: f.endIndex + shift })
      }
      for (const c of inner.comments) comments.push({ ...c, startRow: c.startRow + rows, endRow: c.endRow + rows, startIndex: c.startIndex + shift })
    } finally {
      t.delete()
    }
  }
  const statements = finishStatements(found, comments)
  return { statements, syntaxErrors }
}

/**
 * Extract the log statements of one file. The language comes from the extension (languageOf); files
 * of other languages give no statements. Never throws on bad source: what parses is returned and
 * `syntaxErrors` is set. A `.h` file that does not parse as C is re-parsed as C++.
 * Throws only when a grammar cannot be loaded at all (a broken installation, not bad input).
 */
export async function extractFile(path: string, source: string, opts: ExtractOptions = {}): Promise<FileExtraction> {
  const language = languageOf(path)
  if (!language) return { statements: [], syntaxErrors: false }
  const adapter = adapterFor(language)
  const grammar = grammarOf(path, language)
  // Load the grammar outside the try: a missing wasm is an installation error and must surface.
  await parserFor(grammar)
  // A byte-order mark is no syntax error; a space keeps every offset where it was.
  if (source.charCodeAt(0) === 0xfeff) source = ` ${source.slice(1)}`
  try {
    const first = await run(source, language, grammar, adapter, opts)
    if (!first) return { statements: [], syntaxErrors: true }
    if (first.syntaxErrors && language === 'c' && path.toLowerCase().endsWith('.h')) {
      // The project's C rules still apply to its C++ headers.
      const c = opts.loggers?.c
      const loggers = c && c.length > 0 ? { ...opts.loggers, cpp: [...c, ...(opts.loggers?.cpp ?? [])] } : opts.loggers
      const second = await run(source, 'cpp', 'cpp', adapterFor('cpp'), { loggers })
      // Both may stumble (macro-heavy headers): keep the reading that found more.
      if (second && (!second.syntaxErrors || second.statements.length > first.statements.length)) return second
    }
    return first
  } catch {
    return { statements: [], syntaxErrors: true }
  }
}
