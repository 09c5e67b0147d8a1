/**
 * The one table of languages Dice extracts log statements from: file extension → language id →
 * tree-sitter grammar. Every other module asks here; nothing else maps extensions.
 */

/** Language ids as stored in `Statement.language` and used as keys of `catalog.loggers`. */
export const LANGUAGE_IDS = ['c', 'cpp', 'java', 'python', 'go', 'javascript', 'typescript', 'csharp', 'rust', 'ruby', 'php'] as const
/** One of LANGUAGE_IDS. */
export type LanguageId = (typeof LANGUAGE_IDS)[number]

/** A tree-sitter grammar: npm package and the `.wasm` file it ships. TypeScript has two (plain and TSX). */
export type GrammarId = LanguageId | 'tsx'

/** Where each grammar's wasm lives, relative to its package directory. */
export const GRAMMARS: Record<GrammarId, { pkg: string; wasm: string }> = {
  c: { pkg: 'tree-sitter-c', wasm: 'tree-sitter-c.wasm' },
  cpp: { pkg: 'tree-sitter-cpp', wasm: 'tree-sitter-cpp.wasm' },
  java: { pkg: 'tree-sitter-java', wasm: 'tree-sitter-java.wasm' },
  python: { pkg: 'tree-sitter-python', wasm: 'tree-sitter-python.wasm' },
  go: { pkg: 'tree-sitter-go', wasm: 'tree-sitter-go.wasm' },
  javascript: { pkg: 'tree-sitter-javascript', wasm: 'tree-sitter-javascript.wasm' },
  typescript: { pkg: 'tree-sitter-typescript', wasm: 'tree-sitter-typescript.wasm' },
  tsx: { pkg: 'tree-sitter-typescript', wasm: 'tree-sitter-tsx.wasm' },
  csharp: { pkg: 'tree-sitter-c-sharp', wasm: 'tree-sitter-c_sharp.wasm' },
  rust: { pkg: 'tree-sitter-rust', wasm: 'tree-sitter-rust.wasm' },
  ruby: { pkg: 'tree-sitter-ruby', wasm: 'tree-sitter-ruby.wasm' },
  // The full PHP grammar (HTML + PHP), not php_only: real .php files start with text or `<?php`.
  php: { pkg: 'tree-sitter-php', wasm: 'tree-sitter-php.wasm' },
}

/** Extension (lower case, with dot) → language. `.h` is C; extractFile re-parses it as C++ when C fails. */
const EXTENSIONS: Record<string, LanguageId> = {
  '.c': 'c', '.h': 'c',
  '.cc': 'cpp', '.cpp': 'cpp', '.cxx': 'cpp', '.c++': 'cpp', '.hpp': 'cpp', '.hh': 'cpp', '.hxx': 'cpp', '.h++': 'cpp', '.ipp': 'cpp', '.inl': 'cpp',
  '.java': 'java',
  '.py': 'python', '.pyw': 'python',
  '.go': 'go',
  '.js': 'javascript', '.mjs': 'javascript', '.cjs': 'javascript', '.jsx': 'javascript',
  '.ts': 'typescript', '.mts': 'typescript', '.cts': 'typescript', '.tsx': 'typescript',
  '.cs': 'csharp',
  '.rs': 'rust',
  '.rb': 'ruby', '.rake': 'ruby',
  '.php': 'php', '.phtml': 'php',
}

function extensionOf(path: string): string {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'))
  const dot = path.lastIndexOf('.')
  return dot > slash + 1 ? path.slice(dot).toLowerCase() : ''
}

/** The language of a file by its extension, or null when Dice does not extract it (`.d.ts` included: no calls). */
export function languageOf(path: string): LanguageId | null {
  if (path.toLowerCase().endsWith('.d.ts')) return null
  return EXTENSIONS[extensionOf(path)] ?? null
}

/** The grammar to parse a file with: TSX files need the TSX grammar, everything else its language's. */
export function grammarOf(path: string, language: LanguageId): GrammarId {
  return language === 'typescript' && extensionOf(path) === '.tsx' ? 'tsx' : language
}
