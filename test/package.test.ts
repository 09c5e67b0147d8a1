import { execFileSync } from 'node:child_process'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = join(import.meta.dirname, '..')
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))

/** The lowest version of each major line a range admits: `^20.18.1 || ^22.12.0` → [[20,18,1],[22,12,0]]. */
function claimedLines(range: string): number[][] {
  return range.split('||').map((part) => {
    const m = /^\s*\^(\d+)\.(\d+)\.(\d+)\s*$/.exec(part)
    if (!m) throw new Error(`engines.node: write each supported line as ^MAJOR.MINOR.PATCH, got "${part.trim()}"`)
    return [Number(m[1]), Number(m[2]), Number(m[3])]
  })
}

/** Does version `v` satisfy a dependency's engines range (the forms npm packages use: >=x, M.x, ^x, ||)? */
function satisfies(v: number[], range: string): boolean {
  const cmp = (a: number[], b: number[]) => a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]!
  const ver = (s: string) => [...s.split('.').map((x) => (x === 'x' ? 0 : Number(x))), 0, 0].slice(0, 3)
  return range.split('||').some((alt) => alt.trim().split(/\s+(?=[<>^])/).every((c) => {
    const m = /^(>=|>|<=|<|\^)?\s*v?(\d+(?:\.(?:\d+|x))*)$/.exec(c.trim())
    if (!m) throw new Error(`cannot read the engines range "${range}"`)
    const [op, want] = [m[1] ?? '', ver(m[2]!)]
    const d = cmp(v, want)
    if (op === '>=') return d >= 0
    if (op === '>') return d > 0
    if (op === '<') return d < 0
    if (op === '<=') return d <= 0
    // `20.x`, `20`, `^20.1.0`: the same major, at least that version.
    return v[0] === want[0] && d >= 0
  }))
}

describe('the npm package', () => {
  it('ships the compiled CLI, bin/dice.js and the demo data, and no sources, tests or source maps', () => {
    // dist/ is fresh: test/global-setup.ts built it. --ignore-scripts: list what `files` selects, do not rebuild.
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    const files: string[] = JSON.parse(out)[0].files.map((f: { path: string }) => f.path)
    for (const f of ['bin/dice.js', 'dist/dice.cjs', 'dist/cli/code-cache.js', 'dist/cli/main.js', 'dist/cli/commands/demo.js', 'testdata/demo/dice.yml', 'testdata/demo/app.log.txt', 'package.json', 'README.md']) expect(files).toContain(f)
    expect(files.filter((f) => /^(src|test|bench|scripts|\.ci)\/|\.test\.js$|\/testutil\/|\.map$|\.v8cache$|\.tmp$/.test(f))).toEqual([])
    expect(pkg.bin).toEqual({ dice: 'bin/dice.js' })
    expect(statSync(join(ROOT, 'bin/dice.js')).mode & 0o111).not.toBe(0)
    expect(readFileSync(join(ROOT, 'bin/dice.js'), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/)
    // The tarball must be built from a clean dist/: prepack removes it first, so no module deleted from src/ ships
    // (nor a code cache the tests' starts left there), then compiles and bundles.
    expect(pkg.scripts.prepack).toMatch(/rmSync\('dist'.*&& tsc -p tsconfig\.json && node scripts\/bundle\.mjs$/)
  })

  it('claims in engines only Node lines that every runtime dependency, better-sqlite3 included, declares', () => {
    const lines = claimedLines(pkg.engines.node)
    const running = process.versions.node.split('.').map(Number)
    expect(satisfies(running, pkg.engines.node), `this Node (${process.versions.node}) is outside engines.node`).toBe(true)
    const problems: string[] = []
    for (const dep of Object.keys(pkg.dependencies)) {
      const range = JSON.parse(readFileSync(join(ROOT, 'node_modules', dep, 'package.json'), 'utf8')).engines?.node as string | undefined
      if (!range) continue
      for (const l of lines) if (!satisfies(l, range)) problems.push(`${dep} declares node "${range}", which excludes ${l.join('.')} claimed in engines.node`)
    }
    expect(problems, problems.join('\n')).toEqual([])
    // better-sqlite3 has engines; a version without them would make this test vacuous for the native module.
    expect(JSON.parse(readFileSync(join(ROOT, 'node_modules/better-sqlite3/package.json'), 'utf8')).engines?.node).toBeTruthy()
  })

  it('keeps what only tests and benches use out of the runtime dependencies', () => {
    for (const dev of ['tsx', 'typescript', 'vitest', 'playwright-core']) expect(Object.keys(pkg.dependencies)).not.toContain(dev)
  })
})
