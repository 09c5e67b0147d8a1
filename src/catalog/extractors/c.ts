/**
 * C and C++: macros (`ERROR_LOG("…")`, `LOG_WARN(…)`, `SPDLOG_ERROR(…)`), syslog, glog streams
 * (`LOG(ERROR) << "x=" << x`), spdlog (`spdlog::warn`, `logger->error`), Qt (`qWarning() << …`).
 * Linux kernel: `printk(KERN_ERR "…")` takes its level from the `KERN_*` macro, which is no text of the message.
 * Strings: adjacent literals concatenate, `PRIu64`-style macros between them become `d` (`x` for hex),
 * other macros `{}` (`printk(KERN_ERR DRV_NAME ": down")` → `{}: down`).
 */
import type { Node } from 'web-tree-sitter'
import type { Level } from '../../core/types.js'
import type { LanguageId } from '../languages.js'
import { HOLE, lit, stringPiece, unescapeC, type Piece } from '../template.js'
import { argNodes, makePiece, type Resolve } from './pieces.js'
import { naming, type Adapter, type CallParts, type CallSite, type ScopeHooks } from './types.js'

const PRI = /^(?:PRI|SCN)([diouxX])(?:8|16|32|64|MAX|PTR|FAST\d+|LEAST\d+)$/

function cString(n: Node): Piece {
  const text = n.text
  const open = /^(?:L|u8|u|U)?"/.exec(text)?.[0].length ?? 1
  return stringPiece(n, { open, close: 1, unescape: (s) => unescapeC(s) })
}

function rawString(n: Node): Piece {
  const m = /^(?:L|u8|u|U)?R"([^(]*)\(/.exec(n.text)
  if (!m) return HOLE
  return lit(n.text.slice(m[0].length, n.text.length - m[1].length - 2))
}

/**
 * The kernel's level markers: `KERN_ERR` is `"\001" "3"`, the SOH character and a level character that printk
 * strips from the line, so no text of the template. `KERN_CONT` ('c') continues the previous line;
 * `KERN_DEFAULT` ('d') is the default level, info.
 */
const KERN_MACROS: Record<string, string> = {
  KERN_EMERG: '0', KERN_ALERT: '1', KERN_CRIT: '2', KERN_ERR: '3', KERN_WARNING: '4',
  KERN_NOTICE: '5', KERN_INFO: '6', KERN_DEBUG: '7', KERN_DEFAULT: 'd', KERN_CONT: 'c',
}
const KERN_LEVELS: Record<string, Level | 'continuation'> = {
  0: 'fatal', 1: 'fatal', 2: 'fatal', 3: 'error', 4: 'warn', 5: 'notice', 6: 'info', 7: 'debug', d: 'info', c: 'continuation',
}
const SOH = /^\x01([0-7dc])/

/**
 * `printk(KERN_ERR DRV_NAME ": …")`: two macros in a row before a string are no C the grammar can read
 * (it loses the whole call), so the level macro is written as the string it stands for, `"\0013"`, padded
 * to its length so every row and offset stays where it was.
 */
const KERN_BEFORE_MACRO = new RegExp(`(?<=[(,]\\s*)(${Object.keys(KERN_MACROS).join('|')})(?=\\s+[A-Za-z_]\\w*\\s*["A-Za-z_])`, 'g')

function kernelSource(source: string): string {
  if (!source.includes('KERN_')) return source
  return source.replace(KERN_BEFORE_MACRO, (m: string, _name: string, at: number) => {
    // Inside a string (`pr_info("(KERN_ERR is " "3")`) the words are text: an odd count of quotes before it on its line.
    const before = source.slice(source.lastIndexOf('\n', at) + 1, at).replace(/\\./g, '')
    if ((before.match(/"/g)?.length ?? 0) % 2 === 1) return m
    return `"\\001${KERN_MACROS[m]}"`.padEnd(m.length, ' ')
  })
}

/** The kernel level a call's first argument starts with (`printk(KERN_ERR "…")`, `printk(KERN_CONT "…")`). */
function kernelLevel(site: CallSite): Level | 'continuation' | undefined {
  const first = site.args[0]
  if (!first) return undefined
  const head = first.type === 'concatenated_string' ? first.namedChildren.find((c) => c && !c.type.includes('comment')) : first
  if (!head) return undefined
  if (head.type === 'identifier') return Object.hasOwn(KERN_MACROS, head.text) ? KERN_LEVELS[KERN_MACROS[head.text]] : undefined
  if (head.type !== 'string_literal') return undefined
  const m = SOH.exec(cString(head).text)
  return m ? KERN_LEVELS[m[1]] : undefined
}

/** The kernel's device helpers print `driver device: ` (`netdev_*`: `driver device ifname: ` or `ifname: `) first. */
const KERNEL_DEVICE_CALL = /^(?:dev|netdev|netif)_(?:emerg|alert|crit|err|warn|notice|info|dbg)(?:_once|_ratelimited)?$|^dev_err_probe$/
const KERNEL_PR_CALL = /^pr_(?:emerg|alert|crit|err|warn|warning|notice|info|debug|devel)(?:_once|_ratelimited)?$/
const DEVICE_PREFIX: Piece = { text: '{}: ', literal: false }

let prFmtSource: string | null = null
let prFmtPiece: Piece | undefined

/**
 * The prefix `#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt` gives every `pr_*` line of a file: its strings as
 * text, macros as `{}`, up to the format. Undefined without such a define, or one Dice cannot read.
 */
function prFmt(source: string): Piece | undefined {
  if (source === prFmtSource) return prFmtPiece
  prFmtSource = source
  prFmtPiece = undefined
  const m = source.includes('pr_fmt') ? /^[ 	]*#[ 	]*define[ 	]+pr_fmt[ 	]*\([ 	]*(\w+)[ 	]*\)[ 	]+(.*)$/m.exec(source) : null
  if (!m) return undefined
  const at = new RegExp(`\\b${m[1]}\\b`).exec(m[2]!)
  if (!at) return undefined
  let text = ''
  for (const t of m[2]!.slice(0, at.index).matchAll(/"((?:[^"\\\n]|\\.)*)"|([A-Za-z_]\w*)|(\S)/g)) {
    if (t[3] !== undefined) return undefined
    text += t[1] !== undefined ? unescapeC(t[1]) : '{}'
  }
  prFmtPiece = text ? { text, literal: false } : undefined
  return prFmtPiece
}

function concatenated(n: Node, piece: (n: Node, res?: Resolve) => Piece, res?: Resolve): Piece {
  let text = ''
  let first = true
  for (const c of n.namedChildren) {
    if (!c || c.type.includes('comment')) continue
    const head = first
    first = false
    if (c.type === 'identifier') {
      if (head && Object.hasOwn(KERN_MACROS, c.text)) continue
      text += macroWord(c, c.text, res)
    } else {
      const t = piece(c, res).text
      text += head ? t.replace(SOH, '') : t
    }
  }
  return lit(text)
}

/** A macro name between string literals: `PRIu64` → `d` (`x` for hex), a string macro its text, others `{}`. */
function macroWord(at: Node, name: string, res: Resolve | undefined): string {
  const m = PRI.exec(name)
  if (m) return m[1] === 'x' || m[1] === 'X' ? m[1] : 'd'
  const p = res?.(at, name)
  return p && p.literal ? p.text : '{}'
}

/**
 * The value of an object-like macro (`#define QUOTA_MSG "quota exceeded for %.100s"`, `#define TAG "net" ": "`):
 * string literals and macro names in a row, read as C reads adjacent literals; anything else is no string.
 */
function macroValue(n: Node, res: Resolve | undefined): Piece {
  let text = ''
  let any = false
  const src = n.text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')
  for (const t of src.matchAll(/"((?:[^"\\\n]|\\.)*)"|([A-Za-z_]\w*)|(\S)/g)) {
    if (t[3] !== undefined) return { text: '{}', literal: false, why: `the macro is no string: ${src.trim().slice(0, 40)}` }
    if (t[1] !== undefined) {
      text += unescapeC(t[1])
      any = true
    } else text += macroWord(n, t[2]!, res)
  }
  return any ? lit(text) : { text: '{}', literal: false, why: `the macro is no string: ${src.trim().slice(0, 40)}` }
}

/** The identifier a declarator declares (`*const MSG`, `buf[100]`, `(*reportfn)(…)`, `ops->log`). */
function declared(n: Node | null): string | null {
  for (let d = n, i = 0; d && i < 8; i++) {
    if (d.type === 'identifier' || d.type === 'field_identifier') return d.text
    if (d.type === 'field_expression') return d.childForFieldName('field')?.text ?? null
    if (d.type === 'qualified_identifier') return d.childForFieldName('name')?.text ?? null
    d = d.childForFieldName('declarator') ?? d.namedChildren.find((c) => c !== null && /declarator|identifier/.test(c.type)) ?? null
  }
  return null
}

/** Calls that format into a buffer, and which argument is the format. */
const FORMAT_INTO: Record<string, number> = { sprintf: 1, vsprintf: 1, asprintf: 1, vasprintf: 1, snprintf: 2, vsnprintf: 2, g_snprintf: 2, g_vsnprintf: 2 }

const cScope: ScopeHooks = {
  signature(fn) {
    let d = fn.childForFieldName('declarator')
    while (d && d.type !== 'function_declarator') d = d.childForFieldName('declarator')
    if (!d) return { name: null, params: [] }
    const params: string[] = []
    for (const p of d.childForFieldName('parameters')?.namedChildren ?? []) {
      if (p && (p.type === 'parameter_declaration' || p.type === 'optional_parameter_declaration')) params.push(declared(p.childForFieldName('declarator')) ?? '')
    }
    return { name: declared(d.childForFieldName('declarator')), params }
  },
  defName: (n) => declared(n),
  isDefinition: (n) => n.parent?.type !== 'assignment_expression' || n.parent.childForFieldName('operator')?.text === '=',
  container(n) {
    for (let p = n.parent; p; p = p.parent) if (p.type === 'class_specifier' || p.type === 'struct_specifier') return p.childForFieldName('name')?.text ?? null
    return null
  },
  exported: () => true,
  formatInto(call) {
    const at = FORMAT_INTO[call.childForFieldName('function')?.text ?? '']
    const args = argNodes(call.childForFieldName('arguments'))
    if (at === undefined || args.length <= at) return null
    const dest = args[0]!.type === 'pointer_expression' ? args[0]!.childForFieldName('argument') : args[0]!
    const name = dest ? declared(dest) : null
    return name ? { name, value: args[at]! } : null
  },
}

/** A plain name (`QUOTA_MSG`, `log_info`, `ops->log`). */
function cRef(n: Node): string | null {
  if (n.type === 'identifier') return n.text
  if (n.type === 'qualified_identifier') return n.text.replace(/::/g, '.')
  if (n.type === 'field_expression') return n.text.replace(/->|\s+/g, (m) => (m === '->' ? '.' : ''))
  return null
}

const ENDL = new Set(['std::endl', 'endl', 'std::flush', 'flush', 'Qt::endl'])

/** The adapter for C (`language` 'c') or C++ ('cpp'); both grammars share these node types. */
export function cAdapter(language: LanguageId): Adapter {
  const strings: Record<string, (n: Node, res?: Resolve) => Piece> = {
    string_literal: cString,
    raw_string_literal: rawString,
    concatenated_string: (n, res) => concatenated(n, piece, res),
    preproc_arg: macroValue,
  }
  const piece: (n: Node, res?: Resolve) => Piece = makePiece({
    language,
    strings,
    ref: cRef,
    wrap: {
      parenthesized_expression: (n) => n.namedChildren.find((c) => c && !c.type.includes('comment')) ?? null,
      // The double-parenthesis macro idiom of C without variadic macros: `LOG_ERROR(("open %s failed", path))`,
      // Samba's `DEBUG(1, ("…", x))` — the macro pastes the group after a printf-like call, so the format is the
      // comma expression's first operand.
      comma_expression: (n) => n.childForFieldName('left'),
      cast_expression: (n) => n.childForFieldName('value'),
    },
    concat: {
      // `std::string("a") + x`, and stream-macro arguments: ROS_INFO_STREAM("a=" << a).
      binary_expression: (n) => {
        const op = n.childForFieldName('operator')?.type
        return op === '+' || op === '<<' ? [n.childForFieldName('left')!, n.childForFieldName('right')!] : null
      },
    },
    call: (n) => {
      if (n.type !== 'call_expression') return null
      const fn = n.childForFieldName('function')
      if (!fn) return null
      return { callee: fn.text, args: argNodes(n.childForFieldName('arguments')), receiver: null, method: null }
    },
  })

  const callSite = (node: Node, source: string, parts: CallParts): CallSite | null => {
    const fn = parts.name ?? node.childForFieldName('function')
    const argList = parts.args ?? node.childForFieldName('arguments')
    if (!fn || !argList) return null
    const t = fn.type
    if (t !== 'identifier' && t !== 'field_expression' && t !== 'qualified_identifier' && t !== 'template_function') return null
    const args = argNodes(argList)
    // glog / Qt streams: this call is the leftmost operand of a `<<` chain.
    let top: Node = node
    let stream: Node[] | undefined
    // Look at the parents only when the source says a `<<` follows (cheaper than asking the tree).
    const follows = /^\s*<</.test(source.slice(node.endIndex, node.endIndex + 64))
    for (let p = follows ? node.parent : null; p && p.type === 'binary_expression'; p = p.parent) {
      if (p.childForFieldName('operator')?.type !== '<<') break
      const left = p.childForFieldName('left')
      if (!left || left.id !== top.id) break
      const right = p.childForFieldName('right')
      if (right && !ENDL.has(right.text)) (stream ??= []).push(right)
      top = p
    }
    if (stream) {
      const written = node.text.replace(/\s+/g, '')
      const nm = naming(fn.text)
      const streamSeparator = /^q(?:Debug|Info|Warning|Critical|Fatal)$/.test(nm.name) ? ' ' : ''
      return { ...nm, callee: written.length <= 60 ? written : nm.callee, node: top, args, stream, streamSeparator }
    }
    const nm = naming(fn.text)
    const prefix = KERNEL_DEVICE_CALL.test(nm.name) ? DEVICE_PREFIX : KERNEL_PR_CALL.test(nm.name) ? prFmt(source) : undefined
    return { ...nm, node, args, ...(prefix ? { prefix } : {}) }
  }

  return {
    language,
    // Macro bodies (`#define FAIL(t) ERROR_LOG("…")`) are raw text to the grammar: captured as snippets, parsed again.
    query: `(call_expression function: (_) @name arguments: (_) @args) @call (comment) @comment (preproc_arg) @snippet
      (function_definition) @func
      (preproc_def name: (identifier) @def.name value: (preproc_arg) @def.value)
      (init_declarator declarator: (_) @def.name value: (_) @def.value)
      (assignment_expression left: (_) @def.name right: (_) @def.value)
      ((call_expression function: (identifier) @def.fn) @def.call (#match? @def.fn "^(v?sn?printf|v?asprintf|g_v?snprintf)$"))`,
    callSite,
    prepareSource: kernelSource,
    piece,
    ref: cRef,
    scope: cScope,
    isString: (n) => n.type in strings && n.type !== 'preproc_arg',
    messageLevel: kernelLevel,
  }
}
