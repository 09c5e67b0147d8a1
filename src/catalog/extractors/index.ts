import type { LanguageId } from '../languages.js'
import { cAdapter } from './c.js'
import { jsAdapter } from './javascript.js'
import type { Adapter } from './types.js'

const factories: Partial<Record<LanguageId, () => Adapter>> = {
  c: () => cAdapter('c'),
  cpp: () => cAdapter('cpp'),
  javascript: () => jsAdapter('javascript'),
  typescript: () => jsAdapter('typescript'),
}

const adapters = new Map<LanguageId, Adapter>()

/** The extractor adapter of a language (built once), or null when none exists yet. */
export function adapterFor(language: LanguageId): Adapter | null {
  let a = adapters.get(language)
  if (!a) {
    const f = factories[language]
    if (!f) return null
    a = f()
    adapters.set(language, a)
  }
  return a
}
