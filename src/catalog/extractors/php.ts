/**
 * PHP: PSR-3/Monolog (`$logger->error('…')`, `$this->logger->warning("… {$x}")`), Laravel facades
 * (`Log::warning(…)`), `error_log(…)`, `syslog(LOG_ERR, …)`. Variables inside double-quoted strings become
 * `{}`; PSR-3 `{placeholder}` text stays; `sprintf(…)` gives the format; `.` concatenates.
 */
import type { Node } from 'web-tree-sitter'
import { stringPiece, unescapeC, unescapeSingle, type Piece } from '../template.js'
import { argumentExpressions, binaryWith, firstNamed, makePiece } from './pieces.js'
import { naming, type Adapter, type CallSite } from './types.js'

const CONTENT = new Set(['string_content', 'escape_sequence', 'string_value'])

function doubleQuoted(n: Node): Piece {
  return stringPiece(n, {
    open: 1,
    close: 1,
    unescape: (s) => unescapeC(s, { keepUnknown: true }),
    // `{$x}` and `${x}`: the braces vanish and the variable is one `{}`.
    hole: (c) => (CONTENT.has(c.type) ? undefined : c.isNamed ? '{}' : ''),
  })
}

function singleQuoted(n: Node): Piece {
  return stringPiece(n, { open: 1, close: 1, unescape: unescapeSingle })
}

function calleeOf(n: Node): string | null {
  const name = n.childForFieldName('name')
  switch (n.type) {
    case 'member_call_expression':
    case 'nullsafe_member_call_expression': {
      const obj = n.childForFieldName('object')
      return obj && name ? `${obj.text}${n.type === 'member_call_expression' ? '->' : '?->'}${name.text}` : null
    }
    case 'scoped_call_expression': {
      const scope = n.childForFieldName('scope')
      return scope && name ? `${scope.text}::${name.text}` : null
    }
    case 'function_call_expression':
      return n.childForFieldName('function')?.text ?? null
    default:
      return null
  }
}

/** The PHP adapter. */
export function phpAdapter(): Adapter {
  const strings: Record<string, (n: Node) => Piece> = { encapsed_string: doubleQuoted, string: singleQuoted }
  const piece = makePiece({
    language: 'php',
    strings,
    wrap: { parenthesized_expression: firstNamed },
    concat: { binary_expression: binaryWith('.') },
    call: (n) => {
      const callee = calleeOf(n)
      if (!callee) return null
      return { callee, args: argumentExpressions(n.childForFieldName('arguments')), receiver: n.childForFieldName('object'), method: n.childForFieldName('name')?.text ?? null }
    },
  })
  const callSite = (node: Node): CallSite | null => {
    const callee = calleeOf(node)
    const argList = node.childForFieldName('arguments')
    if (!callee || !argList) return null
    return { ...naming(callee), node, args: argumentExpressions(argList) }
  }
  return {
    language: 'php',
    query:
      '(member_call_expression name: (_) @name) @call (nullsafe_member_call_expression name: (_) @name) @call ' +
      '(scoped_call_expression name: (_) @name) @call (function_call_expression function: (_) @name) @call (comment) @comment',
    callSite,
    piece,
    isString: (n) => n.type in strings,
    messageFirst: true,
  }
}
