/**
 * Entry point of extraction: one file's source in, its log statements out. Parsing uses the real
 * tree-sitter grammars (web-tree-sitter + each grammar package's wasm); one query run per file finds
 * the calls and comments, then the engine decides what logs.
 */
import type { Node, Query } from 'web-tree-sitter'
import type { Config } from '../config/schema.js'
import type { FileContext } from './context.js'
import type { FileExtraction, WrapperDef } from './extract.js'
import { adapterFor } from './extractors/index.js'
import { extractTree, finishStatements, rulesFor, type TreeExtraction } from './extractors/engine.js'
import { paramMark } from './template.js'
import type { Adapter } from './extractors/types.js'
import { grammarOf, languageOf, type GrammarId, type LanguageId } from './languages.js'
import { parserFor, queryFor } from './parser.js'

/** Re-exported so the indexer needs one import: the language of a path by its extension (languages.ts). */
export { languageOf } from './languages.js'

/** Options of extractFile. */
export interface ExtractOptions {
  /** `catalog.loggers` from dice.yml: extra logger rules per language, tried before the built-ins. */
  loggers?: Config['catalog']['loggers']
  /** `catalog.wrappers` from dice.yml: logging wrappers per language, besides the inferred ones. */
  wrappers?: Config['catalog']['wrappers']
  /** The rest of the repository's constants, wrappers and logger function pointers (context.ts). */
  context?: FileContext | null
}

/** The wrappers `catalog.wrappers` declares for a language, as extraction uses them. */
export function declaredWrappers(language: LanguageId, wrappers: Config['catalog']['wrappers'] | undefined): WrapperDef[] {
  const list = wrappers?.[language] ?? (language === 'cpp' ? wrappers?.c : language === 'typescript' ? wrappers?.javascript : undefined) ?? []
  return list.map((w) => ({
    name: w.call.slice(w.call.lastIndexOf('.') + 1).replace(/^.*(?:::|->)/, ''),
    container: null,
    template: `${w.prefix ?? ''}${paramMark(w.messageArg).text}${w.suffix ?? ''}`,
    level: w.level ?? null,
    levelParam: w.levelArg ?? null,
    method: false,
  }))
}

async function run(source: string, language: LanguageId, grammar: GrammarId, adapter: Adapter, opts: ExtractOptions) {
  const parser = await parserFor(grammar)
  const query: Query = queryFor(grammar, parser, adapter.query)
  const rules = rulesFor(language, opts.loggers)
  const captures = (root: Node) => query.matches(root)
  if (adapter.prepareSource) source = adapter.prepareSource(source)
  const tree = parser.parse(source)
  if (!tree) return null
  const declared = declaredWrappers(language, opts.wrappers)
  const ctx = { repo: opts.context ?? null, wrappers: declared }
  let result: TreeExtraction
  let syntaxErrors: boolean
  try {
    result = extractTree(tree, source, adapter, captures, rules, ctx)
    syntaxErrors = tree.rootNode.hasError
    // Macro bodies: parse each as the body of a function, on lines of its own, so rows and offsets map back
    // to the file by a constant shift and the file's comments (`/* #chan */` in the macro) still apply. A
    // function-like macro is parsed as a function of its name and parameters: a body passing a parameter to a
    // logger (`#define WARN(fmt, ...) LOG_WARN("[net] " fmt, ##__VA_ARGS__)`) makes the macro a wrapper, its
    // uses statements, when the file is read again with it below.
    const macros: WrapperDef[] = []
    const wanted: string[] = []
    const inner: Array<{ found: TreeExtraction['found']; comments: TreeExtraction['comments']; rows: number; shift: number; lines: string[] }> = []
    for (const snip of result.snippets) {
      const head = snip.macro ? `void ${snip.macro.name}(${snip.macro.params.map((p) => `int ${p}`).join(', ')}) {\n` : 'void __dice_macro(void) {\n'
      const wrapped = `${head}${snip.text}\n;}`
      const t = parser.parse(wrapped)
      if (!t) continue
      try {
        // The file's own wrappers too: a macro may pass its message to one (`_serverLog(level, __VA_ARGS__)`).
        const x = extractTree(t, wrapped, adapter, captures, rules, { ...ctx, wrappers: [...declared, ...result.wrappers] })
        macros.push(...x.wrappers)
        wanted.push(...x.wanted)
        inner.push({ found: x.found, comments: x.comments, rows: snip.row - 1, shift: snip.startIndex - head.length, lines: wrapped.split('\n') })
      } finally {
        t.delete()
      }
    }
    // The macros' callers, now that the macros are known.
    if (macros.length > 0) result = extractTree(tree, source, adapter, captures, rules, { ...ctx, wrappers: [...declared, ...macros] })
    result.defs.wrappers.push(...macros.filter((m) => !result.defs.wrappers.some((w) => w.name === m.name)))
    result.wanted.push(...wanted)
    for (const x of inner) {
      const { rows, shift } = x
      // A wrapper's own call is no log site: its message is the caller's. Skipped: a non-literal message, and
      // any call forwarding variadic arguments.
      for (const f of x.found) {
        if (f.template === null) continue
        if (/__VA_ARGS__|\w\.\.\.|##/.test(x.lines.slice(f.startRow, f.endRow + 1).join('\n'))) continue
        result.found.push({ ...f, line: f.line + rows, endLine: f.endLine + rows, startRow: f.startRow + rows, endRow: f.endRow + rows, startIndex: f.startIndex + shift, endIndex: f.endIndex + shift })
      }
      for (const c of x.comments) result.comments.push({ ...c, startRow: c.startRow + rows, endRow: c.endRow + rows, startIndex: c.startIndex + shift })
    }
  } finally {
    tree.delete()
  }
  const statements = finishStatements(result.found, result.comments)
  return { statements, syntaxErrors, defs: result.defs, wanted: result.wanted }
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
      const second = await run(source, 'cpp', 'cpp', adapterFor('cpp'), { ...opts, loggers })
      // Both may stumble (macro-heavy headers): keep the reading that found more.
      if (second && (!second.syntaxErrors || second.statements.length > first.statements.length)) return second
    }
    return first
  } catch {
    return { statements: [], syntaxErrors: true }
  }
}
