import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../cli/testutil.js'
import { ALL_SCOPES, FEATURES, METHOD_SCOPES, scopesFor } from './manifest.js'

const doc = readFileSync(join(ROOT, 'docs/SLACK.md'), 'utf8')
const cells = (row: string) => row.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim())
const ticked = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!)

/** Every `.ts` file under src/, tests and test utilities left out. */
function sources(dir = join(ROOT, 'src')): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n)
    if (statSync(p).isDirectory()) return n === 'testutil' ? [] : sources(p)
    return n.endsWith('.ts') && !n.endsWith('.test.ts') ? [p] : []
  })
}

describe('Slack scopes: code, manifest and docs/SLACK.md agree', () => {
  it('the code calls only Slack methods whose scopes the manifest asks for', () => {
    const called = new Map<string, string>()
    for (const f of sources()) {
      for (const m of readFileSync(f, 'utf8').matchAll(/\b(?:call|apiCall)\('([a-z]+\.[A-Za-z.]+)'/g)) called.set(m[1]!, relative(ROOT, f))
    }
    expect(called.size).toBeGreaterThan(10)
    const unknown = [...called].filter(([m]) => !(m in METHOD_SCOPES)).map(([m, f]) => `${f} calls ${m}: add it to METHOD_SCOPES in src/init/manifest.ts and to docs/SLACK.md`)
    expect(unknown).toEqual([])
    for (const [m, scopes] of Object.entries(METHOD_SCOPES)) for (const s of scopes) expect(ALL_SCOPES, `${m} needs ${s}`).toContain(s)
    // Every scope the manifest asks for is needed by some call.
    for (const s of ALL_SCOPES) expect(Object.values(METHOD_SCOPES).flat(), `the manifest asks for ${s}, which no call needs`).toContain(s)
  })

  it('docs/SLACK.md lists each method with the scopes it needs, and each feature with the scopes the manifest gives it', () => {
    const calls = doc.slice(doc.indexOf('## 2. What Dice calls'), doc.indexOf('## 3.'))
    const documented = new Map<string, string[]>()
    for (const row of calls.split('\n').filter((l) => l.startsWith('| `'))) {
      const [methods, scopes] = cells(row)
      for (const m of ticked(methods!)) documented.set(m, ticked(scopes!))
    }
    expect(Object.fromEntries(documented)).toEqual(METHOD_SCOPES)

    const features = new Map(doc.split('\n').filter((l) => /^\| `(channels|digests|actions|home)` \|/.test(l)).map((row) => {
      const [f, , added] = cells(row)
      return [ticked(f!)[0]!, ticked(added!).filter((x) => x.includes(':'))]
    }))
    for (const f of FEATURES) expect(features.get(f), `docs/SLACK.md feature ${f}`).toEqual(scopesFor([f]))
  })
})
