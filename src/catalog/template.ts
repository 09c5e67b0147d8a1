/**
 * Building message templates from code (see "Template syntax" in the interfaces brief): literal text is
 * unescaped to the characters the program prints, placeholders are kept as written (`%s`, `{}`,
 * `{name}`, `${expr}`), and every other non-literal part (a concatenated variable, Ruby `#{x}`, PHP
 * `$x`, a C++ `<< x`) becomes `{}`.
 */
import type { Node } from 'web-tree-sitter'

/** A template fragment: its text and whether any literal string went into it. */
export interface Piece {
  text: string
  literal: boolean
  /** Why a non-literal piece could not be read as text (`msg has 2 values in f`), for `reason`. */
  why?: string
}

/**
 * A parameter of the enclosing function standing in a message (`"[GIN-debug] " + format`): the function is a
 * logging wrapper and its callers supply the text. Written into a template as `\uE000<index>\uE001`
 * (private-use characters no source string holds) so concatenation and joining keep it in place.
 */
export function paramMark(index: number): Piece {
  return { text: `\uE000${index}\uE001`, literal: true }
}

/** The parameter marks of a template (see paramMark). */
export const PARAM_MARK = /\uE000(\d+)\uE001/g

/** True when a template holds a parameter mark. */
export function hasParamMark(text: string): boolean {
  return text.includes('\uE000')
}

/** The `{}` a non-literal expression stands for. */
export const HOLE: Piece = { text: '{}', literal: false }

/** A literal piece (text already unescaped). */
export function lit(text: string): Piece {
  return { text, literal: true }
}

/** Concatenate pieces (`"a " + x + " b"` → `a {} b`); literal when any part is. */
export function join(pieces: Piece[], sep = ''): Piece {
  let text = ''
  let literal = false
  let why: string | undefined
  for (let i = 0; i < pieces.length; i++) {
    if (i > 0) text += sep
    text += pieces[i].text
    literal ||= pieces[i].literal
    why ??= pieces[i].why
  }
  return literal || why === undefined ? { text, literal } : { text, literal, why }
}

const SIMPLE: Record<string, string> = {
  n: '\n', t: '\t', r: '\r', '0': '\0', a: '\x07', b: '\b', f: '\f', v: '\v', e: '\x1b',
  '\\': '\\', '"': '"', "'": "'", '`': '`', '?': '?', $: '$', '{': '{', '}': '}', '/': '/',
}

const ESCAPE = /\\(u\{[0-9a-fA-F]{1,6}\}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|x[0-9a-fA-F]{1,2}|[0-7]{1,3}|\r?\n[ \t]*|[\s\S])/g

function codePoint(hex: string): string {
  const n = parseInt(hex, 16)
  return n <= 0x10ffff ? String.fromCodePoint(n) : ''
}

/**
 * Unescape backslash escapes the way C-family languages do (`\n`, `\t`, `\"`, `\\`, `\xHH`, `\uHHHH`,
 * `\u{…}`, octal). A backslash-newline is a line continuation and vanishes; `rustContinuation` also
 * drops the next line's leading whitespace, as Rust does. Unknown escapes keep the character
 * (Python keeps the backslash too: `keepUnknown`).
 */
export function unescapeC(raw: string, o: { rustContinuation?: boolean; keepUnknown?: boolean } = {}): string {
  if (!raw.includes('\\')) return raw
  return raw.replace(ESCAPE, (m, e: string) => {
    const c = e[0]
    if (c === '\n' || c === '\r') return o.rustContinuation ? '' : e.replace(/^\r?\n/, '')
    if (e.length > 1) {
      if (c === 'u' && e[1] === '{') return codePoint(e.slice(2, -1))
      if (c === 'u' || c === 'U' || c === 'x') return codePoint(e.slice(1))
      if (c >= '0' && c <= '7') return String.fromCharCode(parseInt(e, 8))
    }
    if (c >= '0' && c <= '7') return String.fromCharCode(parseInt(e, 8))
    return SIMPLE[c] ?? (o.keepUnknown ? m : c)
  })
}

/** Single-quoted strings of Ruby and PHP (and Python/JS raw-ish forms): only `\\` and `\'` are escapes. */
export function unescapeSingle(raw: string): string {
  return raw.includes('\\') ? raw.replace(/\\([\\'])/g, '$1') : raw
}

/** Options for reading one string literal node. */
export interface StringSpec {
  /** Length of the opening and closing delimiters, e.g. `f"` and `"`. */
  open: number
  close: number
  unescape: (raw: string) => string
  /**
   * For children inside the string: the placeholder text of an interpolation (`${x}` kept as written,
   * Ruby `#{x}` → `{}`), '' to drop the child's text, or undefined when the child is ordinary content.
   */
  hole?: (child: Node) => string | undefined
}

/** The template of one string literal node: content unescaped, interpolations replaced per `spec.hole`. */
export function stringPiece(node: Node, spec: StringSpec): Piece {
  const text = node.text
  const start = spec.open
  const end = Math.max(start, text.length - spec.close)
  if (!spec.hole || node.childCount === 0) return lit(spec.unescape(text.slice(start, end)))
  const base = node.startIndex
  let out = ''
  let cursor = start
  for (const child of node.children) {
    const from = child.startIndex - base
    if (from < start || from >= end) continue
    const h = spec.hole(child)
    if (h === undefined) continue
    out += spec.unescape(text.slice(cursor, from)) + h
    cursor = Math.max(cursor, child.endIndex - base)
  }
  out += spec.unescape(text.slice(cursor, end))
  return lit(out)
}

// Placeholders the matcher recognises, removed to see whether any literal text is left.
const PLACEHOLDERS = /%%|%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]|%[-#0 +']*(?:\*|\d+)?(?:\.(?:\*|\d+))?(?:hh|h|ll|l|L|q|j|z|t)?[a-zA-Z]|\$\{[^}]*\}|\{[^{}]*\}/g

/**
 * True when a template has something to match on: at least one letter or digit outside placeholders.
 * `"%s"`, `"{}"` or `"%s: %s"` would match nearly every line, so such statements are kept in the
 * catalog but marked not matchable.
 */
export function hasLiteralText(template: string): boolean {
  return /[\p{L}\p{N}]/u.test(template.replace(PLACEHOLDERS, ''))
}

/**
 * The `template`/`matchable` pair for a message piece, and why it is not matchable: a non-literal message has
 * template null; a message with a parameter mark belongs to its wrapper's callers (template null too).
 */
export function finish(piece: Piece | null): { template: string | null; matchable: boolean; reason: string | null } {
  if (!piece || !piece.literal) return { template: null, matchable: false, reason: piece?.why ?? 'the message is not a string literal' }
  if (hasParamMark(piece.text)) return { template: null, matchable: false, reason: 'the message is a parameter' }
  const matchable = hasLiteralText(piece.text)
  return { template: piece.text, matchable, reason: matchable ? null : 'the template has no letter or digit outside placeholders' }
}

/** Number of printf conversions in a template (`%%` excluded): arguments a printf-style call consumes. */
export function printfCount(template: string): number {
  let n = 0
  for (const m of template.matchAll(/%%|%[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[sdifjoOcxXuv]/g)) if (m[0] !== '%%') n++
  return n
}
