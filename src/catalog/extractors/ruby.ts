/**
 * Ruby: Logger and Rails (`logger.warn "msg #{x}"`, `Rails.logger.error(…)`, block form
 * `logger.debug { "…" }`). `#{expr}` interpolation becomes `{}`; `format(…)` and `"…" % args` give the
 * format string. Heredoc messages are read as non-literal.
 */
import type { Node } from 'web-tree-sitter'
import { stringPiece, unescapeC, unescapeSingle, type Piece } from '../template.js'
import { binaryWith, firstNamed, makePiece } from './pieces.js'
import { naming, type Adapter, type CallSite } from './types.js'

function rubyString(n: Node): Piece {
  const text = n.text
  const m = /^(?:%[qQ]?.|["'])/.exec(text)
  const open = m ? m[0].length : 1
  const single = text.startsWith("'") || text.startsWith('%q')
  return stringPiece(n, {
    open,
    close: 1,
    unescape: single ? unescapeSingle : (s) => unescapeC(s),
    hole: (c) => (c.type === 'interpolation' ? '{}' : undefined),
  })
}

/** Positional arguments: hash pairs (`exc: e`), splats and block arguments are not the message. */
function positional(list: Node | null): Node[] {
  if (!list) return []
  const out: Node[] = []
  for (const c of list.namedChildren) {
    if (!c || c.type === 'pair' || c.type.includes('splat') || c.type === 'block_argument' || c.type === 'comment') continue
    out.push(c)
  }
  return out
}

function calleeOf(n: Node): string | null {
  const method = n.childForFieldName('method')
  if (!method) return null
  const recv = n.childForFieldName('receiver')
  return recv ? `${recv.text}.${method.text}` : method.text
}

/** The Ruby adapter. */
export function rubyAdapter(): Adapter {
  const strings: Record<string, (n: Node) => Piece> = { string: rubyString }
  const piece = makePiece({
    language: 'ruby',
    strings,
    wrap: { parenthesized_statements: firstNamed, block_body: firstNamed, body_statement: firstNamed },
    concat: { binary: binaryWith('+') },
    formatOperator: (n) => {
      if (n.type !== 'binary' || n.childForFieldName('operator')?.type !== '%') return null
      const left = n.childForFieldName('left')
      return left && left.type === 'string' ? left : null
    },
    call: (n) => {
      if (n.type !== 'call') return null
      const callee = calleeOf(n)
      if (!callee) return null
      return { callee, args: positional(n.childForFieldName('arguments')), receiver: n.childForFieldName('receiver'), method: n.childForFieldName('method')?.text ?? null }
    },
  })
  const callSite = (node: Node): CallSite | null => {
    const callee = calleeOf(node)
    if (!callee) return null
    const args = positional(node.childForFieldName('arguments'))
    const block = node.childForFieldName('block')
    const body = block ? block.namedChildren.find((c) => c && (c.type === 'block_body' || c.type === 'body_statement')) ?? undefined : undefined
    return { ...naming(callee), node, args, block: body }
  }
  return {
    language: 'ruby',
    query: '(call method: (_) @name) @call (comment) @comment',
    callSite,
    piece,
    isString: (n) => n.type in strings,
    messageFirst: true,
  }
}
