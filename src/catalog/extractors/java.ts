/**
 * Java: slf4j/log4j/logback (`log.warn("x {}", y)`, `LOGGER.error(…)`, fluent `log.atWarn().log(…)`),
 * java.util.logging (`logger.severe`, `logger.log(Level.WARNING, …)`), Android `Log.e(TAG, "…")`.
 * `String.format(…)`/`MessageFormat.format(…)`/`"…".formatted(…)` around a message give its format string.
 */
import type { Node } from 'web-tree-sitter'
import { lit, stringPiece, unescapeC, type Piece } from '../template.js'
import { argNodes, binaryWith, firstNamed, makePiece } from './pieces.js'
import { naming, type Adapter, type CallSite } from './types.js'

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

/** The Java adapter. */
export function javaAdapter(): Adapter {
  const strings: Record<string, (n: Node) => Piece> = {
    string_literal: (n) => (n.text.startsWith('"""') ? textBlock(n) : stringPiece(n, { open: 1, close: 1, unescape: (s) => unescapeC(s) })),
  }
  const piece = makePiece({
    language: 'java',
    strings,
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
    query: '(method_invocation name: (_) @name) @call (line_comment) @comment (block_comment) @comment',
    callSite,
    piece,
    isString: (n) => n.type in strings,
  }
}
