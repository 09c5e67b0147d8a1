/**
 * Java: slf4j/log4j/logback (`log.warn("x {}", y)`, `LOGGER.error(…)`, fluent `log.atWarn().log(…)`),
 * java.util.logging (`logger.severe`, `logger.log(Level.WARNING, …)`), Android `Log.e(TAG, "…")`.
 * `String.format(…)`/`MessageFormat.format(…)`/`"…".formatted(…)` around a message give its format string.
 */
import type { Node } from 'web-tree-sitter'
import { lit, stringPiece, unescapeC, type Piece } from '../template.js'
import { argNodes, binaryWith, firstNamed, makePiece } from './pieces.js'
import { naming, type Adapter, type CallSite, type ScopeHooks } from './types.js'

/** Text blocks (`"""…"""`): drop the opening line break and the common indentation, as javac does. */
function textBlock(n: Node): Piece {
  const body = n.text.slice(3, -3).replace(/^[ \t]*\r?\n/, '')
  const lines = body.split('\n')
  const indents = lines.filter((l, i) => l.trim() !== '' || i === lines.length - 1).map((l) => /^[ \t]*/.exec(l)![0].length)
  const cut = indents.length > 0 ? Math.min(...indents) : 0
  return lit(unescapeC(lines.map((l) => l.slice(cut).replace(/[ \t]+$/, '')).join('\n')))
}

function calleeOf(n: Node): string | null {
  const name = n.childForFieldName('name')
  if (!name) return null
  const obj = n.childForFieldName('object')
  return obj ? `${obj.text}.${name.text}` : name.text
}

/** A plain name: `FMT`, `Messages.FMT`, `this.FMT`. */
function javaRef(n: Node): string | null {
  if (n.type === 'identifier') return n.text
  if (n.type === 'field_access' && /^[\w$.]+$/.test(n.text)) return n.text
  return null
}

const CLASSES = new Set(['class_declaration', 'interface_declaration', 'enum_declaration', 'record_declaration'])

const javaScope: ScopeHooks = {
  signature(fn) {
    const params: string[] = []
    for (const p of fn.childForFieldName('parameters')?.namedChildren ?? []) {
      if (p?.type === 'formal_parameter') params.push(p.childForFieldName('name')?.text ?? '')
      else if (p?.type === 'spread_parameter') params.push(p.namedChildren.find((c) => c?.type === 'variable_declarator')?.childForFieldName('name')?.text ?? '')
    }
    return { name: fn.childForFieldName('name')?.text ?? null, params }
  },
  defName: (n) => n.text,
  isDefinition: (n) => n.parent?.type !== 'assignment_expression' || n.parent.childForFieldName('operator')?.text === '=',
  container(n) {
    for (let p = n.parent; p; p = p.parent) if (CLASSES.has(p.type)) return p.childForFieldName('name')?.text ?? null
    return null
  },
  // Fields other classes read: `static final` ones, and every interface constant.
  exported(name) {
    const decl = name.parent?.parent
    if (decl?.type === 'constant_declaration') return true
    if (decl?.type !== 'field_declaration') return false
    const mods = decl.namedChildren.find((c) => c?.type === 'modifiers')?.text ?? ''
    return /\bstatic\b/.test(mods) && /\bfinal\b/.test(mods)
  },
}

/** The Java adapter. */
export function javaAdapter(): Adapter {
  const strings: Record<string, (n: Node) => Piece> = {
    string_literal: (n) => (n.text.startsWith('"""') ? textBlock(n) : stringPiece(n, { open: 1, close: 1, unescape: (s) => unescapeC(s) })),
  }
  const piece = makePiece({
    language: 'java',
    strings,
    ref: javaRef,
    wrap: {
      parenthesized_expression: firstNamed,
      cast_expression: (n) => n.childForFieldName('value'),
      // Supplier lambdas: `logger.warning(() -> "x " + y)`.
      lambda_expression: (n) => {
        const body = n.childForFieldName('body')
        return body && body.type !== 'block' ? body : null
      },
    },
    concat: { binary_expression: binaryWith('+') },
    call: (n) => {
      if (n.type !== 'method_invocation') return null
      const callee = calleeOf(n)
      if (!callee) return null
      return { callee, args: argNodes(n.childForFieldName('arguments')), receiver: n.childForFieldName('object'), method: n.childForFieldName('name')?.text ?? null }
    },
  })
  const callSite = (node: Node): CallSite | null => {
    const callee = calleeOf(node)
    const argList = node.childForFieldName('arguments')
    if (!callee || !argList) return null
    return { ...naming(callee), node, args: argNodes(argList) }
  }
  return {
    language: 'java',
    query: `(method_invocation name: (_) @name) @call (line_comment) @comment (block_comment) @comment
      (method_declaration) @func (constructor_declaration) @func
      (variable_declarator name: (identifier) @def.name value: (_) @def.value)
      (assignment_expression left: (identifier) @def.name right: (_) @def.value)`,
    callSite,
    piece,
    ref: javaRef,
    scope: javaScope,
    isString: (n) => n.type in strings,
  }
}
