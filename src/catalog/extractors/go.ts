/**
 * Go: the standard `log` package (`log.Printf`, `log.Fatalf`, `log.Panicf`, `log.Println`), zap
 * (`logger.Error("msg", zap.String(…))`, sugared `Errorw`/`Errorf`), logrus (`logrus.WithField(…).Warn(…)`,
 * `log.Warnf`), slog (`slog.Warn("msg", "k", v)`, `logger.ErrorContext(ctx, "msg")`, `slog.Log(ctx, slog.LevelWarn, …)`),
 * zerolog (`log.Error().Err(err).Msg("…")`), go-kit (`level.Warn(logger).Log("msg", "…")`), klog/glog. `fmt.Sprintf(…)` around a message gives its format.
 */
import type { Node } from 'web-tree-sitter'
import { lit, stringPiece, unescapeC, type Piece } from '../template.js'
import { argNodes, binaryWith, firstNamed, makePiece } from './pieces.js'
import { naming, type Adapter, type CallParts, type CallSite, type ScopeHooks } from './types.js'

/** A plain name: `errFmt`, `msgs.Started`. */
function goRef(n: Node): string | null {
  if (n.type === 'identifier') return n.text
  if (n.type === 'selector_expression' && /^[\w.]+$/.test(n.text)) return n.text
  return null
}

const goScope: ScopeHooks = {
  signature(fn) {
    const params: string[] = []
    for (const p of fn.childForFieldName('parameters')?.namedChildren ?? []) {
      if (p?.type !== 'parameter_declaration' && p?.type !== 'variadic_parameter_declaration') continue
      const names = p.childrenForFieldName('name').filter((c) => c !== null)
      // An unnamed parameter (`func(string)`) still takes an argument.
      if (names.length === 0) params.push('')
      for (const c of names) params.push(c!.text)
    }
    return { name: fn.childForFieldName('name')?.text ?? null, params }
  },
  defName: (n) => n.text,
  isDefinition(n) {
    const stmt = n.parent?.type === 'expression_list' ? n.parent.parent : n.parent
    return stmt?.type !== 'assignment_statement' || stmt.childForFieldName('operator')?.text === '='
  },
  // A method's receiver type (`func (e *Engine) debugPrint(…)` → Engine).
  container(n) {
    for (let p: Node | null = n; p; p = p.parent) {
      if (p.type === 'method_declaration') return /(\w+)\s*\)\s*$/.exec(p.childForFieldName('receiver')?.text ?? '')?.[1] ?? null
    }
    return null
  },
  exported: () => true,
}

/** The Go adapter. */
export function goAdapter(): Adapter {
  const strings: Record<string, (n: Node) => Piece> = {
    interpreted_string_literal: (n) => stringPiece(n, { open: 1, close: 1, unescape: (s) => unescapeC(s) }),
    raw_string_literal: (n) => lit(n.text.slice(1, -1).replace(/\r/g, '')),
  }
  const piece = makePiece({
    language: 'go',
    strings,
    ref: goRef,
    wrap: { parenthesized_expression: firstNamed },
    concat: { binary_expression: binaryWith('+') },
    call: (n) => {
      if (n.type !== 'call_expression') return null
      const fn = n.childForFieldName('function')
      if (!fn) return null
      const sel = fn.type === 'selector_expression'
      return { callee: fn.text, args: argNodes(n.childForFieldName('arguments')), receiver: sel ? fn.childForFieldName('operand') : null, method: sel ? fn.childForFieldName('field')?.text ?? null : null }
    },
  })
  const callSite = (node: Node, _source: string, parts: CallParts): CallSite | null => {
    const fn = parts.name ?? node.childForFieldName('function')
    const argList = parts.args ?? node.childForFieldName('arguments')
    if (!fn || !argList || (fn.type !== 'selector_expression' && fn.type !== 'identifier')) return null
    return { ...naming(fn.text), node, args: argNodes(argList) }
  }
  return {
    language: 'go',
    query: `(call_expression function: (_) @name arguments: (_) @args) @call (comment) @comment
      (function_declaration) @func (method_declaration) @func (func_literal) @func
      (const_spec . name: (identifier) @def.name value: (expression_list . (_) @def.value))
      (var_spec . name: (identifier) @def.name value: (expression_list . (_) @def.value))
      (short_var_declaration left: (expression_list . (identifier) @def.name) right: (expression_list . (_) @def.value))
      (assignment_statement left: (expression_list . (identifier) @def.name) right: (expression_list . (_) @def.value))`,
    callSite,
    piece,
    ref: goRef,
    scope: goScope,
    isString: (n) => n.type in strings,
    // go-kit: `level.Warn(logger).Log("msg", "disk full", "path", p)`: the value after the "msg" key.
    messageNode: (site) => {
      if (site.name !== 'Log') return undefined
      for (let i = 0; i + 1 < site.args.length; i += 2) {
        const a = site.args[i]
        if (a.type === 'interpreted_string_literal' && (a.text === '"msg"' || a.text === '"message"')) return site.args[i + 1]
      }
      return undefined
    },
    style: (site) => {
      // fmt.Sprintln semantics: operands joined by spaces. fmt.Sprint: spaces only between two non-strings.
      if (/^[A-Z]\w*ln$/.test(site.name)) return 'println'
      if (site.receiver.length === 1 && site.receiver[0] === 'log' && /^(?:Print|Fatal|Panic)$/.test(site.name)) return 'print'
      return undefined
    },
  }
}
