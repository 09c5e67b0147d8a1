/**
 * Names for a template's placeholders, for people reading their values ("peer: 203.0.113.9 ×812"): the name a
 * placeholder carries (`%(peer)s`, `{peer}`, `${conn.peer}`), else the word written just before it (`peer %s`,
 * `user=%s`) skipping small words (`from %s` → the word before `from`), else `value N`.
 */
import { parseTemplate } from './template.js'

const SMALL = new Set(['a', 'an', 'the', 'for', 'from', 'to', 'of', 'in', 'on', 'at', 'by', 'with', 'is', 'was', 'are', 'were', 'be', 'and', 'or', 'as', 'via', 'into'])

/** One label per placeholder of `template`, in order (distinct: a repeated word gets ` 2`, ` 3`). */
export function placeholderLabels(template: string): string[] {
  const { literals, placeholders } = parseTemplate(template)
  const seen = new Map<string, number>()
  return placeholders.map((p, i) => {
    let label = named(p.text) ?? wordBefore(literals[i]!) ?? `value ${i + 1}`
    const n = (seen.get(label) ?? 0) + 1
    seen.set(label, n)
    if (n > 1) label = `${label} ${n}`
    return label
  })
}

function named(text: string): string | null {
  const m = /^%\((\w+)\)/.exec(text) ?? /^\$\{\s*(?:[\w$]+\.)*([\w$]+)\s*\}$/.exec(text) ?? /^\{([A-Za-z_]\w*)(?:[.[:!,].*)?\}$/.exec(text)
  return m ? m[1]!.slice(0, 40) : null
}

function wordBefore(literal: string): string | null {
  const words = literal.split(/[^\p{L}\p{N}_-]+/u).filter((w) => /\p{L}/u.test(w))
  for (let i = words.length - 1; i >= 0 && i >= words.length - 3; i--) {
    const w = words[i]!
    if (!SMALL.has(w.toLowerCase())) return w.slice(0, 40)
  }
  return null
}
