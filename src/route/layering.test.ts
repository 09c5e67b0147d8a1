import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const here = import.meta.dirname

describe('route layering', () => {
  it('routing code imports nothing from deliver/: the route decision is made before delivery sees a hit', () => {
    const sources = readdirSync(here).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    expect(sources.length).toBeGreaterThan(2)
    const offending = sources.flatMap((f) =>
      [...readFileSync(join(here, f), 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1]!).filter((p) => /(^|\/)deliver\//.test(p)).map((p) => `${f}: ${p}`))
    expect(offending).toEqual([])
  })
})
