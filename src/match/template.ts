/**
 * Template syntax (docs/FORMATS.md "Templates"): split a statement's template into literal segments and
 * placeholders. printf (`%s %d %5.2f %lu %-8s %x %v %+v %w %q %[1]d %@`, `%%` is a literal %),
 * Python `%(name)s`, brace forms `{}` `{name}` `{0}` `{:fmt}` `{name:fmt}` `{0,-10:N2}` (`{{`/`}}` are
 * literal braces), and `${expr}`.
 */

/** One placeholder: the text as written and the least number of characters its value can have. */
export interface Placeholder {
  text: string
  /** 0 for string-like placeholders (`%s`, `%v`, `{}`, `{name}`, `${x}`), else 1. */
  min: 0 | 1
}

/** A template as literals and placeholders, alternating: literals.length === placeholders.length + 1. */
export interface ParsedTemplate {
  literals: string[]
  placeholders: Placeholder[]
}

// printf: flags, width, precision, length modifier, conversion. `%[1]d` (Go explicit index) too.
const PRINTF = /^%(?:\[\d+\])?[-+#0']*(?:\d+|\*)?(?:\.(?:\d+|\*))?(?:hh|h|ll|l|L|q|j|z|Z|t|I64|I32|I)?([diouxXeEfFgGaAcspnmvwqtTbU@])/
const PY_NAMED = /^%\((\w+)\)[-+ #0]*(?:\d+)?(?:\.\d+)?([diouxXeEfFgGcrsa])/
const BRACE = /^\{(?:[\w.]*(?:\[[^\]{}]*\])*)(?:![rsa])?(?:,-?\d+)?(?::[^{}]*)?\}/

/**
 * Parse a template. Trailing newlines (a real `\n` or the two characters `\` `n`, as C and Java write
 * them) and surrounding whitespace are dropped: loggers print them as line ends, never inside the line.
 */
export function parseTemplate(template: string): ParsedTemplate {
  const t = trimTemplate(template)
  const literals: string[] = []
  const placeholders: Placeholder[] = []
  // A literal is taken as slices of the template between escapes (V8 keeps a long slice as a view of the
  // template, not a copy: a catalog's literals cost a fraction of their text); `lit` holds what came before.
  let lit = ''
  let from = 0
  let i = 0
  while (i < t.length) {
    const c = t[i]!
    if (c === '%') {
      if (t[i + 1] === '%') {
        lit += t.slice(from, i + 1)
        i += 2
        from = i
        continue
      }
      const rest = t.slice(i, i + 40)
      const m = PY_NAMED.exec(rest) ?? PRINTF.exec(rest)
      if (m) {
        const conv = m[m.length - 1]!
        push({ text: m[0], min: conv === 's' || conv === 'v' || conv === '@' || conv === 'r' ? 0 : 1 })
        from = i += m[0].length
        continue
      }
    } else if (c === '{') {
      if (t[i + 1] === '{') {
        lit += t.slice(from, i + 1)
        i += 2
        from = i
        continue
      }
      const m = BRACE.exec(t.slice(i, i + 200))
      if (m) {
        // `{:fmt}` with a format spec prints something; a bare `{}` / `{name}` may print ''.
        push({ text: m[0], min: m[0].includes(':') ? 1 : 0 })
        from = i += m[0].length
        continue
      }
    } else if (c === '}' && t[i + 1] === '}') {
      lit += t.slice(from, i + 1)
      i += 2
      from = i
      continue
    } else if (c === '$' && t[i + 1] === '{') {
      const end = closingBrace(t, i + 1)
      if (end > 0) {
        push({ text: t.slice(i, end + 1), min: 0 })
        from = i = end + 1
        continue
      }
    }
    i++
  }
  literals.push(lit + t.slice(from))
  return { literals, placeholders }

  function push(p: Placeholder): void {
    literals.push(lit + t.slice(from, i))
    placeholders.push(p)
    lit = ''
  }
}

/** Index of the `}` closing the `{` at `open`, counting nested braces; -1 when unbalanced. */
function closingBrace(t: string, open: number): number {
  let depth = 0
  for (let j = open; j < t.length; j++) {
    const c = t.charCodeAt(j)
    if (c === 123) depth++
    else if (c === 125 && --depth === 0) return j
  }
  return -1
}

/** Template text as matched: trailing `\n`/`\r\n` (real or escaped) and outer whitespace removed. */
export function trimTemplate(template: string): string {
  let t = template
  for (;;) {
    const before = t
    t = t.replace(/(?:\\r)?\\n$/, '').replace(/[\s]+$/, '')
    if (t === before) break
  }
  return t.replace(/^\s+/, '')
}
