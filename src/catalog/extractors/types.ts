import type { Node } from 'web-tree-sitter'
import type { LanguageId } from '../languages.js'
import type { Piece } from '../template.js'
import type { Resolve } from './pieces.js'
import type { Signature } from './scope.js'

/** One call the language adapter recognised as a call, before deciding whether it logs. */
export interface CallSite {
  /** Node whose rows give `line`/`endLine` and anchor the trailing comment (a whole `<<` chain for glog). */
  node: Node
  /** When the call spans several sibling nodes (a Rust macro inside a token tree): the last one. */
  endNode?: Node
  /** The callee as written, argument lists of chained calls shortened to `(…)`: `logrus.WithField(…).Warnf`. */
  callee: string
  /** Normalised callee for rule matching: `::`, `->`, `?.` → `.`, no sigils, no arguments: `logrus.WithField.Warnf`. */
  key: string
  /** Last segment of `key`: the function, macro or method name. */
  name: string
  /** The segments of `key` before `name`; empty for a plain function or macro call. */
  receiver: string[]
  /** Positional arguments (keyword arguments and structured fields left out). */
  args: Node[]
  /** C++ streams: the operands after `<<` when this call heads the chain (`LOG(ERROR) << "x" << y`). */
  stream?: Node[]
  /** What the stream puts between operands: nothing (iostream), a space (Qt's `qDebug() <<`). */
  streamSeparator?: string
  /** Ruby: the body of a `{ "msg" }` block, the message when there are no arguments. */
  block?: Node
  /**
   * Text the logger prints before the message, part of every line it writes (the kernel's `dev_err` puts
   * `driver device: ` first, `pr_err` its file's `pr_fmt`): prepended to a literal message's template.
   */
  prefix?: Piece
}

/** Nodes the query captured along with a call. */
export interface CallParts {
  name: Node | null
  args: Node | null
  inner: boolean
}

/** What a language contributes: which nodes to look at and how to read calls and expressions. */
export interface Adapter {
  language: LanguageId
  /**
   * Query capturing call nodes as `@call` with the callee (or its last name) as `@name` in the same pattern,
   * comments as `@comment`, code to re-parse (C macro bodies) as `@snippet`.
   */
  query: string
  /**
   * Read a captured `@call` node (`source` is the whole file); null when it is not a call Dice can read.
   * `parts` holds the `@name` and `@args` nodes the query captured with it (saving tree look-ups); for a
   * call without a node of its own (`inner`: a Rust macro inside a token tree) `node` is the name.
   */
  callSite(node: Node, source: string, parts: CallParts): CallSite | null
  /**
   * The source as the grammar should see it, same length and rows (every offset stays valid): a rewrite of an
   * idiom the grammar cannot parse (C's `printk(KERN_ERR DRV_NAME "…")`); default: the source itself.
   */
  prepareSource?(source: string): string
  /** Template of an argument expression (string literal, concatenation, format call, or `{}`); names in it
   *  are what `res` says they stand for (without `res`: `{}`). */
  piece(node: Node, res?: Resolve): Piece
  /** The name a reference node stands for (`FMT`, `Messages.FMT`, `log_info`), or null when it is none. */
  ref?(node: Node): string | null
  /**
   * Functions, definitions and containers, for names in messages and logging wrappers (scope.ts). The query
   * captures function nodes as `@func` and definitions as `@def.name` + `@def.value`; without these hooks a
   * language reads only literals.
   */
  scope?: ScopeHooks
  /** True when `node` is a string literal (level arguments like `'warn'` are read from these). */
  isString(node: Node): boolean
  /** Level from a bare number argument (Python's `logging.log(40, …)`); default: none. */
  numericLevel?(n: number): import('../../core/types.js').Level | null
  /**
   * The message is always the first positional argument (after a level argument): Python logging, Ruby,
   * PHP/PSR-3. Elsewhere the first string-like argument is taken, which skips pino's object, slf4j's
   * marker, C#'s exception and Go's context.
   */
  messageFirst?: boolean
  /**
   * The message when a convention puts it somewhere special (go-kit's `Log("msg", "…")`, pino's
   * `{ msg: "…" }`); undefined: the usual rules.
   */
  messageNode?(site: CallSite): Node | undefined
  /** For a generic `log(…)` call: where a convention puts the level (winston's `{ level: "warn" }`). */
  levelNode?(site: CallSite): Node | undefined
  /**
   * A level the message itself carries, which wins over the rule's (the kernel's `printk(KERN_ERR "…")`);
   * 'continuation' when the call only continues the previous line (`KERN_CONT`) and is no statement.
   */
  messageLevel?(site: CallSite): import('../../core/types.js').Level | 'continuation' | undefined
  /** How positional arguments after the message join in: console appends them, Go `Println` spaces them. */
  style?(site: CallSite): 'console' | 'println' | 'print' | undefined
}

/** How a language names its functions, definitions and containers (see Adapter.scope). */
export interface ScopeHooks {
  /** A function node's name (null: anonymous) and parameter names in order (Python's `self` included). */
  signature(fn: Node): Signature
  /** The name a `@def.name` node defines (the identifier inside a declarator, a field's name), or null. */
  defName(n: Node): string | null
  /** Whether a `@def.name` capture really defines (`=`, not `+=`). Default: yes. */
  isDefinition?(nameNode: Node): boolean
  /** The class (or interface, struct, enum) a node sits in, by simple name; null: none. */
  container(n: Node): string | null
  /** Whether a definition outside functions is a constant other files may use (Java: static final; JS: const). */
  exported(nameNode: Node, value: Node): boolean
  /** A call that writes a format into a buffer (`vsnprintf(buf, size, fmt, ap)`): the buffer and the format. */
  formatInto?(call: Node): { name: string; value: Node } | null
}

/** Collapse whitespace and shorten argument lists of chained calls to `(…)`, keeping `()` as is. */
export function compactCallee(text: string): string {
  let out = ''
  let depth = 0
  let inner = false
  for (const ch of text) {
    if (ch === '(') {
      if (depth === 0) { out += '('; inner = false }
      depth++
    } else if (ch === ')') {
      depth = Math.max(0, depth - 1)
      if (depth === 0) out += inner ? '…)' : ')'
    } else if (depth > 0) {
      if (!/\s/.test(ch)) inner = true
    } else if (!/\s/.test(ch)) out += ch
  }
  return out
}

/** The rule-matching key of a callee: separators as `.`, sigils, `!` and argument lists dropped. */
export function calleeKey(callee: string): string {
  return callee
    .replace(/\((?:…)?\)/g, '')
    .replace(/::|\??->|\?\.|\\/g, '.')
    .replace(/[$@!\s]/g, '')
    .replace(/^\.+/, '')
}

/** Build a CallSite's naming fields from the callee text as written. */
export function naming(calleeWritten: string): Pick<CallSite, 'callee' | 'key' | 'name' | 'receiver'> {
  const full = compactCallee(calleeWritten)
  // Display only: a long chain keeps its end, where the logging method is.
  const callee = full.length > 100 ? `…${full.slice(-99)}` : full
  const key = calleeKey(full)
  const parts = key.split('.').filter((p) => p !== '')
  const name = parts.pop() ?? ''
  return { callee, key, name, receiver: parts }
}
