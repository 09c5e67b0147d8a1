import type { LanguageId } from '../languages.js'
import { cAdapter } from './c.js'
import { csharpAdapter } from './csharp.js'
import { goAdapter } from './go.js'
import { javaAdapter } from './java.js'
import { jsAdapter } from './javascript.js'
import { phpAdapter } from './php.js'
import { pythonAdapter } from './python.js'
import { rubyAdapter } from './ruby.js'
import { rustAdapter } from './rust.js'
import type { Adapter } from './types.js'

const factories: Record<LanguageId, () => Adapter> = {
  c: () => cAdapter('c'),
  cpp: () => cAdapter('cpp'),
  java: javaAdapter,
  python: pythonAdapter,
  go: goAdapter,
  javascript: () => jsAdapter('javascript'),
  typescript: () => jsAdapter('typescript'),
  csharp: csharpAdapter,
  rust: rustAdapter,
  ruby: rubyAdapter,
  php: phpAdapter,
}

const adapters = new Map<LanguageId, Adapter>()

/** The extractor adapter of a language, built once. */
export function adapterFor(language: LanguageId): Adapter {
  let a = adapters.get(language)
  if (!a) {
    a = factories[language]()
    adapters.set(language, a)
  }
  return a
}
