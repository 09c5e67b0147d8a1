import { describe, expect, it } from 'vitest'
import { GRAMMARS, grammarOf, languageOf, type GrammarId } from './languages.js'
import { parserFor } from './parser.js'

describe('languageOf', () => {
  it('maps extensions of every supported language, case-insensitively', () => {
    const cases: Record<string, string | null> = {
      'a/b.c': 'c', 'x.h': 'c', 'x.cc': 'cpp', 'X.CPP': 'cpp', 'x.hpp': 'cpp', 'A.java': 'java', 'w.py': 'python',
      'main.go': 'go', 'i.js': 'javascript', 'i.mjs': 'javascript', 'c.jsx': 'javascript', 'i.ts': 'typescript',
      'v.tsx': 'typescript', 'P.cs': 'csharp', 'lib.rs': 'rust', 'job.rb': 'ruby', 'i.php': 'php',
      'types.d.ts': null, 'README.md': null, 'Makefile': null, '.gitignore': null, 'dir.c/file': null,
    }
    for (const [path, lang] of Object.entries(cases)) expect([path, languageOf(path)]).toEqual([path, lang])
  })

  it('parses .tsx with the TSX grammar', () => {
    expect(grammarOf('a.tsx', 'typescript')).toBe('tsx')
    expect(grammarOf('a.ts', 'typescript')).toBe('typescript')
  })

  it('loads every grammar wasm with this web-tree-sitter', async () => {
    for (const g of Object.keys(GRAMMARS) as GrammarId[]) {
      const p = await parserFor(g)
      const tree = p.parse('x')
      expect(tree).not.toBeNull()
      tree!.delete()
    }
  })
})
