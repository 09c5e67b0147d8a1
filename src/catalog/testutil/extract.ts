import type { ExtractedStatement } from '../extract.js'
import { extractFile, type ExtractOptions } from '../extract-file.js'

/** Extract from inline source; `path` picks the language. */
export async function statements(path: string, source: string, opts?: ExtractOptions): Promise<ExtractedStatement[]> {
  return (await extractFile(path, source, opts)).statements
}

/** The statement whose template (or callee, for non-literal messages) is `key`; fails loudly when absent. */
export function find(list: ExtractedStatement[], key: string): ExtractedStatement {
  const s = list.find((x) => x.template === key) ?? list.find((x) => x.template === null && x.callee === key)
  if (!s) throw new Error(`no statement ${JSON.stringify(key)} in:\n${list.map((x) => `${x.line} ${x.callee} ${JSON.stringify(x.template)}`).join('\n')}`)
  return s
}

/** Compact view for whole-file assertions: `line level callee template`. */
export function summary(list: ExtractedStatement[]): string[] {
  return list.map((s) => `${s.line}${s.endLine !== s.line ? `-${s.endLine}` : ''} ${s.level ?? '-'} ${s.callee} ${s.template === null ? '<null>' : JSON.stringify(s.template)}${s.matchable ? '' : ' !m'}${s.channels.map((c) => ` #${c}`).join('')}${s.mentions.map((m) => ` @${m}`).join('')}`)
}
