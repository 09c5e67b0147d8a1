/**
 * C#: Microsoft.Extensions.Logging (`_logger.LogWarning("… {Id}", id)`, `_logger.Log(LogLevel.Error, …)`),
 * Serilog (`Log.Error(…)`, `Log.Information`), NLog/log4net (`Logger.Warn`, `log.WarnFormat`), and the
 * source-generated `[LoggerMessage(…)]` attributes and `LoggerMessage.Define<…>(LogLevel.X, …, "…")`.
 * Interpolated strings keep `{expr}` as written; verbatim and raw strings are read as C# reads them.
 */
import type { Node } from 'web-tree-sitter'
import { lit, stringPiece, unescapeC, type Piece } from '../template.js'
import { argumentExpressions, binaryWith, firstNamed, makePiece } from './pieces.js'
import { naming, type Adapter, type CallParts, type CallSite } from './types.js'

function delimiters(text: string): { open: number; close: number; verbatim: boolean; raw: boolean } {
  const prefix = /^[$@]*"+/.exec(text)?.[0] ?? '"'
  const quotes = prefix.replace(/[$@]/g, '').length
  const raw = quotes >= 3
  return { open: prefix.length, close: raw ? quotes : 1, verbatim: prefix.includes('@'), raw }
}

function csString(n: Node): Piece {
  const d = delimiters(n.text)
  const unescape = d.raw ? (s: string) => s : d.verbatim ? (s: string) => s.replace(/""/g, '"') : (s: string) => unescapeC(s)
  return stringPiece(n, { open: d.open, close: d.close, unescape, hole: (c) => (c.type === 'interpolation' ? c.text : undefined) })
}

/**
 * Source-generated logging: `[LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "…")]` or
 * positional `[LoggerMessage(1, LogLevel.Warning, "…")]`. Arguments come out as `[level, message]` for the
 * built-in rule (levelArg 0, messageArg 1); without a level (passed at the call) the message stands in
 * for it and reads as no level.
 */
function attributeSite(node: Node): CallSite | null {
  const name = node.childForFieldName('name')
  const list = node.namedChildren.find((c) => c && c.type === 'attribute_argument_list')
  if (!name || !list || !/(?:^|\.)LoggerMessage(?:Attribute)?$/.test(name.text)) return null
  let level: Node | null = null
  let message: Node | null = null
  for (const a of list.namedChildren) {
    if (!a || a.type !== 'attribute_argument') continue
    const key = a.childForFieldName('name')?.text
    const value = a.namedChildren.filter((c) => c && c.type !== 'comment').pop()
    if (!value) continue
    if (key === 'Level' || (!key && /LogLevel\./.test(value.text))) level = value
    else if (key === 'Message' || (!key && !message && value.type.includes('string'))) message = value
  }
  if (!message) return null
  return { ...naming('LoggerMessage'), node, args: [level ?? message, message] }
}

/** The C# adapter. */
export function csharpAdapter(): Adapter {
  const strings: Record<string, (n: Node) => Piece> = {
    string_literal: csString,
    verbatim_string_literal: csString,
    raw_string_literal: (n) => {
      const d = delimiters(n.text)
      return lit(n.text.slice(d.open, n.text.length - d.close))
    },
    interpolated_string_expression: csString,
  }
  const piece = makePiece({
    language: 'csharp',
    strings,
    wrap: { parenthesized_expression: firstNamed, cast_expression: (n) => n.childForFieldName('value') },
    concat: { binary_expression: binaryWith('+') },
    call: (n) => {
      if (n.type !== 'invocation_expression') return null
      const fn = n.childForFieldName('function')
      if (!fn) return null
      const member = fn.type === 'member_access_expression'
      return { callee: fn.text, args: argumentExpressions(n.childForFieldName('arguments')), receiver: member ? fn.childForFieldName('expression') : null, method: member ? fn.childForFieldName('name')?.text ?? null : null }
    },
  })
  const callSite = (node: Node, _source: string, parts: CallParts): CallSite | null => {
    if (node.type === 'attribute') return attributeSite(node)
    const fn = parts.name ?? node.childForFieldName('function')
    const argList = parts.args ?? node.childForFieldName('arguments')
    if (!fn || !argList) return null
    if (fn.type !== 'member_access_expression' && fn.type !== 'identifier' && fn.type !== 'conditional_access_expression') return null
    // `_logger.LogWarning<T>(…)` generic names: drop the type arguments from the callee.
    return { ...naming(fn.text.replace(/<[^<>()]*>$/, '')), node, args: argumentExpressions(argList) }
  }
  return {
    language: 'csharp',
    query: '(invocation_expression function: (_) @name arguments: (_) @args) @call (attribute name: (_) @name) @call (comment) @comment',
    callSite,
    piece,
    isString: (n) => n.type in strings,
  }
}
