/**
 * The repository around one file: the constants, logging wrappers and logger function pointers every other
 * file defines (each file's `FileDefs`, stored with it by the index). A name is used only when the files that
 * define it agree, or when the ones nearest the asking file (same package for Go) agree.
 */
import { dirname } from 'node:path/posix'
import type { FileDefs, WrapperDef } from './extract.js'
import type { RepoLookup } from './extractors/scope.js'
import type { Piece } from './template.js'

/** Languages whose files see each other's names: C sees C++ headers, TypeScript imports JavaScript. */
function family(language: string): string {
  return language === 'cpp' ? 'c' : language === 'typescript' ? 'javascript' : language
}

interface Owned<T> {
  file: string
  value: T
}

/** What extraction of one file may ask of the rest of the repository. */
export interface FileContext extends RepoLookup {
  /** A wrapper other files define under `name`, called with `receiver` (its last segment; null: none). */
  wrapper(name: string, receiver: string | null): WrapperDef | null
  /** The logger callee other files assign to the function pointer `name`. */
  alias(name: string): string | null
}

/** The definitions of every file of a repository, by language family and name. */
export class RepoContext {
  private readonly constants = new Map<string, Array<Owned<{ container: string | null; text: string }>>>()
  private readonly wrappers = new Map<string, Array<Owned<WrapperDef>>>()
  private readonly aliases = new Map<string, Array<Owned<string>>>()

  /** `files`: each file's language and definitions. */
  constructor(files: Iterable<{ file: string; language: string; defs: FileDefs }>) {
    for (const { file, language, defs } of files) {
      const fam = family(language)
      for (const c of defs.constants) push(this.constants, `${fam}\0${c.name}`, { file, value: c })
      for (const w of defs.wrappers) push(this.wrappers, `${fam}\0${w.name}`, { file, value: w })
      for (const a of defs.aliases) push(this.aliases, `${fam}\0${a.name}`, { file, value: a.target })
    }
  }

  /**
   * Names whose definitions differ between two contexts (by family): the files that use them must be read
   * again.
   */
  static changed(a: RepoContext, b: RepoContext): Set<string> {
    const out = new Set<string>()
    for (const kind of ['constants', 'wrappers', 'aliases'] as const) {
      const x = a[kind] as Map<string, unknown[]>
      const y = b[kind] as Map<string, unknown[]>
      for (const [k, v] of x) if (fingerprint(v) !== fingerprint(y.get(k))) out.add(k.slice(k.indexOf('\0') + 1))
      for (const k of y.keys()) if (!x.has(k)) out.add(k.slice(k.indexOf('\0') + 1))
    }
    return out
  }

  /** Every name something defines (wrappers and aliases): calls of these are worth keeping when a file is read. */
  callNames(language: string): Set<string> {
    const fam = `${family(language)}\0`
    const out = new Set<string>()
    for (const m of [this.wrappers, this.aliases]) for (const k of m.keys()) if (k.startsWith(fam)) out.add(k.slice(fam.length))
    return out
  }

  /** The context extraction of `file` sees: every other file's definitions. */
  for(file: string, language: string): FileContext {
    const fam = family(language)
    const dir = dirname(file)
    // Same directory first (a Go package, a C module with its header), then the rest of the repository.
    const nearest = <T>(list: Array<Owned<T>> | undefined): Array<Owned<T>> => {
      const others = (list ?? []).filter((o) => o.file !== file)
      const near = others.filter((o) => dirname(o.file) === dir)
      return near.length > 0 ? near : others
    }
    return {
      constant: (name, qualifier) => {
        let defs = nearest(this.constants.get(`${fam}\0${name}`))
        if (qualifier !== null) {
          const q = qualifier.slice(qualifier.lastIndexOf('.') + 1)
          defs = defs.filter((d) => d.value.container === q || moduleOf(d.file) === q)
        }
        if (defs.length === 0) return null
        const texts = new Set(defs.map((d) => d.value.text))
        if (texts.size === 1) return { text: defs[0]!.value.text, literal: true }
        return hole(`\`${name}\` has ${texts.size} different values in ${new Set(defs.map((d) => d.file)).size} files`)
      },
      wrapper: (name, receiver) => {
        let defs = nearest(this.wrappers.get(`${fam}\0${name}`))
        if (receiver !== null) defs = defs.filter((d) => d.value.container === receiver || moduleOf(d.file) === receiver)
        else defs = defs.filter((d) => !d.value.method)
        return agreeing(defs, (w) => JSON.stringify([w.template, w.level, w.levelParam, w.method]))
      },
      alias: (name) => agreeing(nearest(this.aliases.get(`${fam}\0${name}`)), (t) => t),
    }
  }
}

/** What a file's module or package is called: its name without extension (Python, JS), its folder (Go). */
function moduleOf(file: string): string {
  if (file.endsWith('.go')) return dirname(file).split('/').pop() ?? ''
  const base = file.slice(file.lastIndexOf('/') + 1)
  const dot = base.indexOf('.')
  return dot > 0 ? base.slice(0, dot) : base
}

function agreeing<T>(defs: Array<Owned<T>>, key: (v: T) => string): T | null {
  if (defs.length === 0) return null
  const k = key(defs[0]!.value)
  return defs.every((d) => key(d.value) === k) ? defs[0]!.value : null
}

function push<T>(m: Map<string, T[]>, k: string, v: T): void {
  const list = m.get(k)
  if (list) list.push(v)
  else m.set(k, [v])
}

function fingerprint(list: unknown[] | undefined): string {
  if (!list) return ''
  return JSON.stringify([...(list as Array<Owned<unknown>>)].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0)))
}

function hole(why: string): Piece {
  return { text: '{}', literal: false, why }
}
