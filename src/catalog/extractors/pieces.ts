/**
 * A small generic reader of argument expressions, configured per language: which node types are
 * strings, which concatenate, which only wrap (parentheses, casts), and which calls are format helpers
 * whose first argument is the message (`String.format`, `fmt.Sprintf`, `"…".format(…)`, `_("…")`).
 */
import type { Node } from 'web-tree-sitter'
import type { LanguageId } from '../languages.js'
import { HOLE, join, type Piece } from '../template.js'
import { CONCAT_CALLS, FORMAT_CALLS } from '../vocabulary.js'
import { calleeKey, compactCallee } from './types.js'

/**
 * What a name in a message stands for, asked by `piece` for every plain reference (`msg`, `FMT`,
 * `Messages.FMT`, `self.FMT`): a constant's text, a parameter mark, or a hole saying why not (scope.ts).
 */
export type Resolve = (node: Node, name: string) => Piece

/** Per-language hooks for `makePiece`. */
export interface PieceHooks {
  language: LanguageId
  /** String literal node types → their piece (`res` for names inside, as C's `PREFIX "text"`). */
  strings: Record<string, (n: Node, res?: Resolve) => Piece>
  /** The name a reference node stands for (`FMT`, `Messages.FMT`), or null when the node is no plain reference. */
  ref?: (n: Node) => string | null
  /** Concatenation: returns the operands, or null when this node (e.g. a `-` binary) is no concatenation. */
  concat?: Record<string, (n: Node) => Node[] | null>
  /** Wrapper node types (parentheses, casts, `await`): the inner expression. */
  wrap?: Record<string, (n: Node) => Node | null>
  /** A call node: its callee as written, arguments, receiver and method name; null when not a call. */
  call?: (n: Node) => { callee: string; args: Node[]; receiver: Node | null; method: string | null } | null
  /** `"fmt %s" % args` (Python, Ruby): the format operand, or null. */
  formatOperator?: (n: Node) => Node | null
}

/**
 * Build the `piece` function of an adapter from its hooks. A plain reference is what `res` says it stands for;
 * without `res`, and for any other expression, `{}`.
 */
export function makePiece(h: PieceHooks): (n: Node, res?: Resolve) => Piece {
  const formats = new Set(FORMAT_CALLS[h.language])
  const concats = new Set(CONCAT_CALLS[h.language])
  const piece = (n: Node, res: Resolve | undefined, depth: number): Piece => {
    if (depth > 40) return HOLE
    const s = h.strings[n.type]
    if (s) return s(n, res)
    const w = h.wrap?.[n.type]
    if (w) {
      const inner = w(n)
      return inner ? piece(inner, res, depth + 1) : HOLE
    }
    const c = h.concat?.[n.type]
    if (c) {
      const ops = c(n)
      if (ops) return join(ops.map((o) => piece(o, res, depth + 1)))
    }
    if (h.formatOperator) {
      const f = h.formatOperator(n)
      if (f) return piece(f, res, depth + 1)
    }
    const call = h.call?.(n)
    if (call) {
      // `"x {}".format(y)` / `"x %s".formatted(y)`: the receiver is the format string.
      if (call.receiver && call.method && formats.has(call.method)) {
        const r = piece(call.receiver, res, depth + 1)
        if (r.literal) return r
      }
      const key = calleeKey(compactCallee(call.callee))
      if (formats.has(key) && call.args.length > 0) {
        for (const a of call.args) {
          const p = piece(a, res, depth + 1)
          if (p.literal) return p
        }
        return HOLE
      }
      if (concats.has(key)) return join(call.args.map((a) => piece(a, res, depth + 1)))
      return { text: '{}', literal: false, why: `the message is built by a call to ${shorten(call.callee)}()` }
    }
    if (res && h.ref) {
      const name = h.ref(n)
      if (name !== null) return res(n, name)
    }
    return HOLE
  }
  return (n: Node, res?: Resolve) => piece(n, res, 0)
}

/** Code as a reason quotes it: one line, at most 60 characters. */
export function shorten(code: string): string {
  const one = code.replace(/\s+/g, ' ')
  return one.length > 60 ? `${one.slice(0, 57)}…` : one
}

/** Named children that are real arguments (comments dropped). */
export function argNodes(list: Node | null): Node[] {
  if (!list) return []
  const out: Node[] = []
  for (const c of list.namedChildren) if (c && !c.type.includes('comment')) out.push(c)
  return out
}

/** The first named, non-comment child: the inside of parentheses, `await x`, `(x as T)`. */
export function firstNamed(n: Node): Node | null {
  for (const c of n.namedChildren) if (c && !c.type.includes('comment')) return c
  return null
}

/** Concatenation hook for a binary node type with fields left/operator/right: operands when the operator is `op`. */
export function binaryWith(op: string): (n: Node) => Node[] | null {
  return (n) => {
    const operator = n.childForFieldName('operator')
    if (operator?.type !== op) return null
    const l = n.childForFieldName('left')
    const r = n.childForFieldName('right')
    return l && r ? [l, r] : null
  }
}

/**
 * Arguments of an argument list whose children are `argument` nodes (C#, PHP): each one's expression,
 * named ones included (`message: "…"`).
 */
export function argumentExpressions(list: Node | null): Node[] {
  if (!list) return []
  const out: Node[] = []
  for (const a of list.namedChildren) {
    if (!a || a.type !== 'argument') continue
    const named = a.childForFieldName('name')
    const expr = a.namedChildren.find((c) => c && !c.type.includes('comment') && (!named || c.id !== named.id))
    if (expr) out.push(expr)
  }
  return out
}
