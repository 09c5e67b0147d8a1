/**
 * Names in messages: what `msg`, `FMT` or `Messages.FMT` stands for where a log call uses it. In order: a
 * parameter of the enclosing function (the function is then a logging wrapper: a parameter mark), a
 * definition in that function or an enclosing one, a definition outside functions in the same file, a
 * constant another file of the repository defines (RepoLookup). A name is resolved only when every
 * definition found gives it the same text; otherwise it stays a hole that says why.
 */
import type { Node } from 'web-tree-sitter'
import { paramMark, type Piece } from '../template.js'
import { shorten, type Resolve } from './pieces.js'
import type { Adapter } from './types.js'

/** A `name = value` the query captured (declaration, assignment, `#define`, `const`). */
export interface DefSite {
  name: string
  nameNode: Node
  value: Node
  start: number
  /** The innermost function it sits in (null: none; undefined: not looked up yet). */
  fn?: Node | null
  /** The block it sits in (null: its function's body; undefined: not looked up yet). */
  block?: Node | null
}

/** What other files of the repository define, as extraction asks for it (context.ts). */
export interface RepoLookup {
  /** The text of constant `name` (written with `qualifier`: `Messages` in `Messages.FMT`) as other files define
   *  it; a hole saying why when they disagree; null when no other file defines it. */
  constant(name: string, qualifier: string | null): Piece | null
}

/** Receiver words that mean "this object": `self.FMT` is looked up like `FMT`. */
const SELF = new Set(['this', 'self', 'cls', 'static', 'super'])

/** Node types of blocks a definition may be local to, in the grammars with scope hooks. */
const BLOCKS = /^(?:block|compound_statement|statement_block|statement_list|switch_block_statement_group|case_statement|expression_case|type_case|default_case|communication_case|switch_case|switch_default|case_clause|else_clause|elif_clause|except_clause|finally_clause)$/

/** Node types of loops. */
const LOOPS = /^(?:for|while|do)_|^(?:for|while)$|enhanced_for|for_in|for_of|for_range|loop/

/** Nesting of names resolving through other names (`A = B`, `B = "x"`) Dice follows. */
const MAX_DEPTH = 8

/** A function's name and its parameters' names in order. */
export interface Signature {
  name: string | null
  params: string[]
}

/** The names of one file: its functions and definitions, and the repository's constants behind them. */
export class FileScope {
  /** Function nodes, by start offset. */
  private readonly funcs: Node[]
  private readonly sigs = new Map<number, Signature>()
  /** Definitions by name. */
  private readonly byName = new Map<string, DefSite[]>()
  /** Names this file looked for in other files (so the index knows whom a new constant concerns). */
  readonly wanted = new Set<string>()
  private readonly resolving = new Set<DefSite>()

  constructor(
    private readonly adapter: Adapter,
    funcs: Node[],
    defs: DefSite[],
    private readonly repo: RepoLookup | null,
  ) {
    this.funcs = [...funcs].sort((a, b) => a.startIndex - b.startIndex)
    for (const d of defs) {
      const list = this.byName.get(d.name)
      if (list) list.push(d)
      else this.byName.set(d.name, [d])
    }
  }

  /** The resolver `piece` calls for references (see pieces.ts Resolve). */
  readonly resolve: Resolve = (node, name) => this.lookup(node, name, 0)

  /** The innermost function containing `node` (null: none). */
  enclosing(node: Node): Node | null {
    return this.innermost(node.startIndex, node.endIndex, null)
  }

  /** A function's name and parameters (cached). */
  signature(fn: Node): Signature {
    let s = this.sigs.get(fn.id)
    if (!s) this.sigs.set(fn.id, (s = this.adapter.scope?.signature(fn) ?? { name: null, params: [] }))
    return s
  }

  /** Definitions of `name` outside every function. */
  topLevel(name: string): DefSite[] {
    return (this.byName.get(name) ?? []).filter((d) => this.functionOf(d) === null)
  }

  /** The innermost function a definition sits in (null: none). */
  functionOf(d: DefSite): Node | null {
    if (d.fn === undefined) d.fn = this.innermost(d.start, d.start + 1, null)
    return d.fn
  }

  /** All definitions, by name. */
  definitions(): ReadonlyMap<string, DefSite[]> {
    return this.byName
  }

  /** The text a definition's value stands for (names in it resolved where it is). */
  valueOf(d: DefSite, depth = 0): Piece {
    if (this.resolving.has(d)) return hole(`\`${d.name}\` is defined through itself`)
    this.resolving.add(d)
    try {
      return this.adapter.piece(d.value, (n, name) => this.lookup(n, name, depth + 1))
    } finally {
      this.resolving.delete(d)
    }
  }

  private lookup(node: Node, name: string, depth: number): Piece {
    if (depth > MAX_DEPTH) return hole(`\`${name}\` is defined through too many other names`)
    const dot = name.lastIndexOf('.')
    const last = dot < 0 ? name : name.slice(dot + 1)
    const qualifier = dot < 0 ? null : name.slice(0, dot)
    const own = qualifier === null || SELF.has(qualifier)
    const defs = this.byName.get(last) ?? []
    if (own) {
      const inner = this.enclosing(node)
      for (let f: Node | null = inner; f !== null; f = this.innermost(f.startIndex, f.endIndex, f)) {
        if (qualifier === null) {
          const sig = this.signature(f)
          const i = sig.params.indexOf(last)
          if (i >= 0) return f === inner ? paramMark(i) : hole(`\`${last}\` is a parameter of an enclosing function`)
        }
        const local = defs.filter((d) => this.functionOf(d)?.id === f!.id)
        const reaching = this.reaching(local, node)
        if (reaching.length > 0) return this.agree(reaching, name, `in ${this.signature(f).name ?? 'its function'}`, depth)
      }
    }
    const top = defs.filter((d) => this.functionOf(d) === null)
    if (top.length > 0 && (own || top.some((d) => this.adapter.scope?.container(d.nameNode) === lastSegment(qualifier!)))) {
      return this.agree(top, name, 'in this file', depth)
    }
    if (this.repo) {
      this.wanted.add(last)
      const r = this.repo.constant(last, own ? null : qualifier)
      if (r) return r
    }
    return hole(`the message is \`${shorten(name)}\`, which is no constant Dice can find`)
  }

  /**
   * The definitions of a function's local name that may give its value at `node`: the last one before it in a
   * block around it (`msg = "a"` then `log(msg)`, each branch with its own `msg`), the ones after that in
   * blocks not around it (an `if` that may have changed it), and any after `node` inside a loop around it
   * (the next turn sees them). None when no definition precedes it.
   */
  private reaching(defs: DefSite[], node: Node): DefSite[] {
    const at = node.startIndex
    const before = defs.filter((d) => d.start < at).sort((a, b) => a.start - b.start)
    if (before.length === 0) return []
    let last = -1
    for (let i = 0; i < before.length; i++) {
      const b = this.blockOf(before[i]!)
      if (b === null || (b.startIndex <= at && at < b.endIndex)) last = i
    }
    // Only conditional definitions precede it: any of them, or none, may have run.
    if (last < 0) return before
    const out = before.slice(last)
    const loop = this.loopAround(node)
    if (loop !== null) for (const d of defs) if (d.start > at && d.start < loop.endIndex) out.push(d)
    return out
  }

  /** The block (statement list, case body) a definition sits in; null: the function body itself. */
  private blockOf(d: DefSite): Node | null {
    if (d.block === undefined) {
      d.block = null
      for (let p = d.nameNode.parent; p !== null; p = p.parent) {
        if (BLOCKS.test(p.type)) {
          d.block = p
          break
        }
        if (p.id === this.functionOf(d)?.id) break
      }
    }
    return d.block
  }

  /** The innermost loop around `node` within its function, or null. */
  private loopAround(node: Node): Node | null {
    const fn = this.enclosing(node)
    for (let p = node.parent; p !== null && p.id !== fn?.id; p = p.parent) if (LOOPS.test(p.type)) return p
    return null
  }

  /** The one text every definition gives `name`, or a hole saying they disagree. */
  private agree(defs: DefSite[], name: string, where: string, depth: number): Piece {
    let first: Piece | null = null
    for (const d of defs.slice(0, 16)) {
      const p = this.valueOf(d, depth)
      if (!p.literal) return hole(p.why && p.why.startsWith('`') ? p.why : `\`${name}\` is not a constant: ${shorten(`${name} = ${d.value.text}`)}`)
      if (first === null) first = p
      else if (p.text !== first.text) return hole(`\`${name}\` has ${defs.length > 16 ? 'many' : new Set(defs.map((x) => x.value.text)).size} different values ${where}`)
    }
    return first!
  }

  /** The innermost function containing [start, end) other than `not` (null: none). */
  private innermost(start: number, end: number, not: Node | null): Node | null {
    let best: Node | null = null
    for (const f of this.funcs) {
      if (f.startIndex > start) break
      if (f.endIndex >= end && (not === null || f.id !== not.id) && (not === null || f.endIndex - f.startIndex > not.endIndex - not.startIndex)) {
        if (best === null || f.startIndex >= best.startIndex) best = f
      }
    }
    return best
  }
}

function lastSegment(name: string): string {
  const i = name.lastIndexOf('.')
  return i < 0 ? name : name.slice(i + 1)
}

function hole(why: string): Piece {
  return { text: '{}', literal: false, why }
}
