/**
 * JavaScript and TypeScript (plain and TSX): `console.*`, pino/winston/bunyan/log4js style loggers
 * (`logger.error(obj, "msg")`, `log.warn("msg")`, `logger.log("warn", "msg")`). Template literals keep
 * their `${expr}` as written; `"a " + x` becomes `a {}`.
 */
import type { Node } from 'web-tree-sitter'
import type { LanguageId } from '../languages.js'
import { stringPiece, unescapeC, type Piece } from '../template.js'
import { argNodes, makePiece } from './pieces.js'
import { naming, type Adapter, type CallParts, type CallSite, type ScopeHooks } from './types.js'

const first = (n: Node): Node | null => n.namedChildren.find((c) => c && !c.type.includes('comment')) ?? null

/** The value of the first of `keys` in an object literal (`{ msg: "…" }`, `{ 'level': 'warn' }`). */
function property(obj: Node, ...keys: string[]): Node | undefined {
  if (obj.type !== 'object') return undefined
  for (const pair of obj.namedChildren) {
    if (!pair || pair.type !== 'pair') continue
    const key = pair.childForFieldName('key')?.text.replace(/^['"]|['"]$/g, '')
    if (key && keys.includes(key)) return pair.childForFieldName('value') ?? undefined
  }
  return undefined
}

/** A plain name: `MSG`, `this.prefix`, `Msgs.STARTED`. */
function jsRef(n: Node): string | null {
  if (n.type === 'identifier') return n.text
  if (n.type === 'member_expression' && /^[\w$.]+$/.test(n.text)) return n.text
  return null
}

/** A parameter's name (`a`, `a: string`, `a = 1`, `a?: T`); '' for a pattern (`{ b }`), which still takes an argument. */
function paramName(p: Node): string {
  if (p.type === 'identifier') return p.text
  if (p.type === 'assignment_pattern') return p.childForFieldName('left')?.type === 'identifier' ? p.childForFieldName('left')!.text : ''
  if (p.type === 'required_parameter' || p.type === 'optional_parameter') {
    const pat = p.childForFieldName('pattern')
    return pat?.type === 'identifier' ? pat.text : ''
  }
  return ''
}

const jsScope: ScopeHooks = {
  signature(fn) {
    const single = fn.childForFieldName('parameter')
    const params = single ? [single.text] : []
    for (const p of fn.childForFieldName('parameters')?.namedChildren ?? []) {
      if (!p || p.type.includes('comment')) continue
      if (p.type === 'rest_pattern' || (p.type === 'required_parameter' && p.childForFieldName('pattern')?.type === 'rest_pattern')) break
      params.push(paramName(p))
    }
    // `const warn = (m) => …`: an anonymous function takes the name it is assigned to.
    let name = fn.childForFieldName('name')?.text ?? null
    if (name === null && fn.parent?.type === 'variable_declarator') name = fn.parent.childForFieldName('name')?.text ?? null
    return { name, params }
  },
  defName: (n) => n.text,
  container(n) {
    for (let p = n.parent; p; p = p.parent) if (p.type === 'class_declaration' || p.type === 'class') return p.childForFieldName('name')?.text ?? null
    return null
  },
  // Top-level `const` (exported or not: an import names it).
  exported: (name) => {
    const decl = name.parent?.parent
    return decl?.type === 'lexical_declaration' && decl.text.startsWith('const')
  },
}

/** The adapter for `javascript` or `typescript` (the TSX grammar has the same node types). */
export function jsAdapter(language: LanguageId): Adapter {
  const strings: Record<string, (n: Node) => Piece> = {
    string: (n) => stringPiece(n, { open: 1, close: 1, unescape: (s) => unescapeC(s) }),
    template_string: (n) =>
      stringPiece(n, {
        open: 1,
        close: 1,
        unescape: (s) => unescapeC(s),
        hole: (c) => (c.type === 'template_substitution' ? c.text : undefined),
      }),
  }
  const piece = makePiece({
    language,
    strings,
    ref: jsRef,
    wrap: {
      parenthesized_expression: first,
      as_expression: first,
      satisfies_expression: first,
      non_null_expression: first,
      await_expression: first,
    },
    concat: {
      binary_expression: (n) => (n.childForFieldName('operator')?.type === '+' ? [n.childForFieldName('left')!, n.childForFieldName('right')!] : null),
    },
    call: (n) => {
      if (n.type !== 'call_expression') return null
      const fn = n.childForFieldName('function')
      if (!fn) return null
      const member = fn.type === 'member_expression'
      return {
        callee: fn.text,
        args: argNodes(n.childForFieldName('arguments')),
        receiver: member ? fn.childForFieldName('object') : null,
        method: member ? fn.childForFieldName('property')?.text ?? null : null,
      }
    },
  })

  const callSite = (node: Node, _source: string, parts: CallParts): CallSite | null => {
    const fn = parts.name ?? node.childForFieldName('function')
    const argList = parts.args ?? node.childForFieldName('arguments')
    if (!fn || !argList || argList.type !== 'arguments') return null
    if (fn.type !== 'member_expression' && fn.type !== 'identifier') return null
    return { ...naming(fn.text), node, args: argNodes(argList) }
  }

  return {
    language,
    query: `(call_expression function: (_) @name arguments: (_) @args) @call (comment) @comment
      (function_declaration) @func (function_expression) @func (arrow_function) @func (method_definition) @func
      (generator_function_declaration) @func
      (variable_declarator name: (identifier) @def.name value: (_) @def.value)
      (assignment_expression left: (identifier) @def.name right: (_) @def.value)`,
    callSite,
    piece,
    ref: jsRef,
    scope: jsScope,
    isString: (n) => n.type in strings,
    style: (site) => (site.receiver.length === 1 && site.receiver[0] === 'console' ? 'console' : undefined),
    // pino/bunyan `logger.info({ msg: "…", user })`, winston `logger.log({ level: "warn", message: "…" })`:
    // with no string argument, the object's msg/message property is the message.
    messageNode: (site) => {
      if (site.receiver[0] === 'console' || site.args.length === 0 || site.args.some((a) => piece(a).literal)) return undefined
      return property(site.args[0], 'msg', 'message')
    },
    levelNode: (site) => (site.args.length > 0 ? property(site.args[0], 'level') : undefined),
  }
}
