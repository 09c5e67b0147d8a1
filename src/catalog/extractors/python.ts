/**
 * Python: the logging module (`logging.error`, `logger.exception` → error, `logger.critical` → fatal,
 * `log.log(logging.WARN, …)`, numeric levels), structlog/loguru method calls. f-strings keep `{expr}` as
 * written; `"…" % args`, `"…".format(…)` and implicit concatenation give the format string.
 */
import type { Node } from 'web-tree-sitter'
import { join, stringPiece, unescapeC, type Piece } from '../template.js'
import { pythonLevel } from './engine.js'
import { binaryWith, firstNamed, makePiece } from './pieces.js'
import { naming, type Adapter, type CallParts, type CallSite, type ScopeHooks } from './types.js'

function pyString(n: Node): Piece {
  const start = n.firstChild
  const end = n.lastChild
  const prefix = start?.type === 'string_start' ? start.text : '"'
  const open = prefix.length
  const close = end?.type === 'string_end' ? end.text.length : 1
  const flags = prefix.replace(/["']/g, '').toLowerCase()
  const raw = flags.includes('r')
  const f = flags.includes('f')
  return stringPiece(n, {
    open,
    close,
    unescape: raw ? (s) => s : (s) => unescapeC(s, { keepUnknown: true }),
    hole: f ? (c) => (c.type === 'interpolation' ? c.text : undefined) : undefined,
  })
}

/** Positional arguments: keyword arguments (`exc_info=`, `extra=`) and splats are not the message. */
function positional(list: Node | null): Node[] {
  if (!list || list.type !== 'argument_list') return []
  const out: Node[] = []
  for (const c of list.namedChildren) {
    if (!c || c.type === 'keyword_argument' || c.type === 'list_splat' || c.type === 'dictionary_splat' || c.type === 'comment') continue
    out.push(c)
  }
  return out
}

/** A plain name: `MSG`, `self.FMT`, `messages.STARTED`. */
function pyRef(n: Node): string | null {
  if (n.type === 'identifier') return n.text
  if (n.type === 'attribute' && /^[\w.]+$/.test(n.text)) return n.text
  return null
}

const pyScope: ScopeHooks = {
  signature(fn) {
    const params: string[] = []
    for (const p of fn.childForFieldName('parameters')?.namedChildren ?? []) {
      if (!p) continue
      // `*args`, `**kw` and everything after a bare `*` are no positional parameters.
      if (p.type === 'list_splat_pattern' || p.type === 'dictionary_splat_pattern' || p.type === 'keyword_separator') break
      if (p.type === 'identifier') params.push(p.text)
      else if (p.type === 'typed_parameter') params.push(p.namedChildren.find((c) => c?.type === 'identifier')?.text ?? '')
      else if (p.type === 'default_parameter' || p.type === 'typed_default_parameter') params.push(p.childForFieldName('name')?.text ?? '')
    }
    return { name: fn.childForFieldName('name')?.text ?? null, params }
  },
  defName: (n) => n.text,
  container(n) {
    for (let p = n.parent; p; p = p.parent) if (p.type === 'class_definition') return p.childForFieldName('name')?.text ?? null
    return null
  },
  exported: () => true,
}

/** The Python adapter. */
export function pythonAdapter(): Adapter {
  const strings: Record<string, (n: Node) => Piece> = {
    string: pyString,
    concatenated_string: (n) => join(n.namedChildren.filter((c) => c && c.type === 'string').map((c) => pyString(c!))),
  }
  const piece = makePiece({
    language: 'python',
    strings,
    ref: pyRef,
    wrap: { parenthesized_expression: firstNamed },
    concat: { binary_operator: binaryWith('+') },
    formatOperator: (n) => {
      if (n.type !== 'binary_operator' || n.childForFieldName('operator')?.type !== '%') return null
      const left = n.childForFieldName('left')
      return left && left.type in strings ? left : null
    },
    call: (n) => {
      if (n.type !== 'call') return null
      const fn = n.childForFieldName('function')
      if (!fn) return null
      const attr = fn.type === 'attribute'
      return { callee: fn.text, args: positional(n.childForFieldName('arguments')), receiver: attr ? fn.childForFieldName('object') : null, method: attr ? fn.childForFieldName('attribute')?.text ?? null : null }
    },
  })
  const callSite = (node: Node, _source: string, parts: CallParts): CallSite | null => {
    const fn = parts.name ?? node.childForFieldName('function')
    if (!fn || (fn.type !== 'attribute' && fn.type !== 'identifier')) return null
    const argList = parts.args ?? node.childForFieldName('arguments')
    if (!argList || argList.type !== 'argument_list') return null
    return { ...naming(fn.text), node, args: positional(argList) }
  }
  return {
    language: 'python',
    query: `(call function: (_) @name arguments: (_) @args) @call (comment) @comment
      (function_definition) @func
      (assignment left: (identifier) @def.name right: (_) @def.value)`,
    callSite,
    piece,
    ref: pyRef,
    scope: pyScope,
    isString: (n) => n.type in strings,
    numericLevel: pythonLevel,
    messageFirst: true,
  }
}
