import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../testutil/tmp.js'
import { bundleIn, cacheDirs, cacheName } from './code-cache.js'
import { ROOT, runDice } from './testutil.js'

const started = (stderr: string) => /dice: start: (bundle|modules) [^\s,]+(?:, code cache (\w+))?/.exec(stderr)

describe('starting dice from its bundle with a code cache', () => {
  it('a second start of a command takes the code cache the first start wrote, and prints what the modules print', async () => {
    const dir = tempDir('code-cache')
    const env = { DICE_CODE_CACHE: dir, DICE_DEBUG_START: '1' }
    const db = join(dir, 'dice.db')
    const first = await runDice(['--db', db, 'catalog', '--json'], { env })
    expect(first.code).toBe(0)
    expect(started(first.stderr)?.slice(1)).toEqual(['bundle', 'none'])
    const written = readdirSync(dir).filter((f) => f.endsWith('.v8cache'))
    expect(written).toEqual([expect.stringMatching(/^dice-[0-9a-f]{16}-cli-v\d+\.\d+\.\d+-\w+\.v8cache$/)])
    const second = await runDice(['--db', db, 'catalog', '--json'], { env })
    expect(started(second.stderr)?.slice(1)).toEqual(['bundle', 'accepted'])
    const modules = await runDice(['--db', db, 'catalog', '--json'], { env: { ...env, DICE_BUNDLE: '0' } })
    expect(started(modules.stderr)?.[1]).toBe('modules')
    expect(second.stdout).toBe(modules.stdout)
    expect(first.stdout).toBe(modules.stdout)
    // `run`, `replay` and `match` compile different code: each keeps its own cache.
    const match = await runDice(['--db', db, 'match', '--json'], { env, input: 'ERROR something broke\n' })
    expect(match.code).toBe(0)
    const now = readdirSync(dir).filter((f) => f.endsWith('.v8cache'))
    expect(now).toHaveLength(2)
    expect(now).toContain(written[0])
    expect(now.find((f) => f !== written[0])).toMatch(/^dice-[0-9a-f]{16}-match-/)
  })

  it('a damaged cache costs only speed: refused, the command runs as usual, and the cache is written again', async () => {
    const dir = tempDir('code-cache')
    const env = { DICE_CODE_CACHE: dir, DICE_DEBUG_START: '1' }
    const clean = await runDice(['--version'], { env })
    const [name] = readdirSync(dir)
    const good = readFileSync(join(dir, name!))
    // Same length, bytes flipped in the middle (what a bad disk leaves): given to V8, these crash the process.
    const bad = Buffer.from(good)
    for (let i = bad.length >> 1; i < (bad.length >> 1) + 64; i++) bad[i]! ^= 0xff
    writeFileSync(join(dir, name!), bad)
    const damaged = await runDice(['--version'], { env })
    expect(damaged.code).toBe(0)
    expect(damaged.stdout).toBe(clean.stdout)
    expect(started(damaged.stderr)?.[2]).toBe('rejected')
    const again = await runDice(['--version'], { env })
    expect(started(again.stderr)?.[2]).toBe('accepted')
    // Garbage that is not a V8 cache at all, too.
    writeFileSync(join(dir, name!), 'not a cache')
    const garbage = await runDice(['--version'], { env })
    expect([garbage.code, garbage.stdout, started(garbage.stderr)?.[2]]).toEqual([0, clean.stdout, 'rejected'])
  })

  it('writing a cache removes other builds\' and other Nodes\' caches and temporary files a killed process left, not one being written', async () => {
    const dir = tempDir('code-cache')
    const other = `dice-0000000000000000-cli-${process.version}-${process.arch}.v8cache`
    const build = /^\/\/ dice build ([0-9a-f]{16})\n/.exec(readFileSync(join(ROOT, 'dist', 'dice.cjs'), 'utf8'))![1]
    const olderNode = `dice-${build}-replay-v18.0.0-${process.arch}.v8cache`
    const stale = `dice-0000000000000000-run-${process.version}-${process.arch}.v8cache.4242.tmp`
    const fresh = `dice-0000000000000000-run-${process.version}-${process.arch}.v8cache.4343.tmp`
    for (const f of [other, olderNode, stale, fresh]) writeFileSync(join(dir, f), 'x')
    const hourAgo = new Date(Date.now() - 3_600_000)
    utimesSync(join(dir, stale), hourAgo, hourAgo)
    writeFileSync(join(dir, 'unrelated.txt'), 'kept')
    const r = await runDice(['--version'], { env: { DICE_CODE_CACHE: dir, DICE_DEBUG_START: '1' } })
    expect(started(r.stderr)?.[2]).toBe('none')
    const left = readdirSync(dir).sort()
    expect(left).toHaveLength(3)
    expect(left).toEqual(expect.arrayContaining([fresh, 'unrelated.txt', expect.stringMatching(/^dice-[0-9a-f]{16}-cli-.*\.v8cache$/)]))
    expect(left).not.toContain(other)
    expect(left).not.toContain(olderNode)
  })

  it('DICE_CODE_CACHE=off writes nothing anywhere; DICE_BUNDLE=0 starts from the modules', async () => {
    const home = tempDir('code-cache-home')
    const off = await runDice(['--version'], { env: { DICE_CODE_CACHE: 'off', DICE_DEBUG_START: '1', XDG_CACHE_HOME: home, HOME: home } })
    expect(started(off.stderr)?.slice(1)).toEqual(['bundle', 'off'])
    expect(readdirSync(home)).toEqual([])
    const modules = await runDice(['--version'], { env: { DICE_BUNDLE: '0', DICE_DEBUG_START: '1' } })
    expect(started(modules.stderr)?.[1]).toBe('modules')
    expect(modules.stdout).toBe(off.stdout)
  })

  it('keeps the cache V8 will take when the run changes V8 flags after start-up (a large catalog bounds the heap)', () => {
    // A stand-in bundle whose command changes a V8 flag, as src/cli/heap.ts does for a catalog of 50k statements:
    // V8 refuses a cache made after that. With the capture first (what heap.ts does), the next start takes it.
    const dir = tempDir('code-cache')
    const start = (capture: boolean) => {
      const bundle = join(dir, capture ? 'with' : 'without', 'dice.cjs')
      mkdirSync(join(bundle, '..'), { recursive: true })
      writeFileSync(bundle, `// dice build 0123456789abcdef\nexports.main = async () => {\n${capture ? "  globalThis[Symbol.for('dice.codeCache')]?.capture()\n" : ''}  require('node:v8').setFlagsFromString('--heap-growing-percent=30')\n  return 0\n}\n`)
      const code = `const m = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist/cli/code-cache.js')).href)}); const l = m.loadBundle(${JSON.stringify(bundle)}, ['replay'], { DICE_CODE_CACHE: ${JSON.stringify(join(bundle, '..', 'cache'))} }); await l.entry.main([]); console.log(l.cache)`
      return () => execFileSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' }).trim()
    }
    const withCapture = start(true)
    expect([withCapture(), withCapture(), withCapture()]).toEqual(['none', 'accepted', 'accepted'])
    const without = start(false)
    expect([without(), without()]).toEqual(['none', 'rejected'])
  })

  it('starts from the modules when the bundle is missing, or in a checkout older than the compiled modules (tsc ran after it)', () => {
    const root = tempDir('code-cache-root')
    const dist = join(root, 'dist')
    mkdirSync(join(dist, 'cli'), { recursive: true })
    writeFileSync(join(dist, 'cli', 'main.js'), '')
    expect(bundleIn(dist, {})).toBeNull()
    writeFileSync(join(dist, 'dice.cjs'), '')
    const t = statSync(join(dist, 'cli', 'main.js')).mtime
    const older = new Date(t.getTime() - 1000)
    // An installed package (no tsconfig.json): npm unpacks files with the time of unpacking, in no order.
    utimesSync(join(dist, 'dice.cjs'), t, older)
    expect(bundleIn(dist, {})).toBe(join(dist, 'dice.cjs'))
    expect(bundleIn(dist, { DICE_BUNDLE: '0' })).toBeNull()
    // A source checkout: a bundle older than dist/cli/main.js is stale.
    writeFileSync(join(root, 'tsconfig.json'), '{}')
    expect(bundleIn(dist, {})).toBeNull()
    utimesSync(join(dist, 'dice.cjs'), t, new Date(t.getTime() + 1000))
    expect(bundleIn(dist, {})).toBe(join(dist, 'dice.cjs'))
  })

  it('names a cache after the build, the command and Node, and looks beside the bundle before the user cache folder', () => {
    const src = '// dice build 00112233aabbccdd\n"use strict";'
    expect(cacheName(src, ['--db', 'x.db', 'run', '--port', '0'])).toBe(`dice-00112233aabbccdd-run-${process.version}-${process.arch}.v8cache`)
    expect(cacheName(src, ['--at', '2026-03-02T12:00:00Z', 'snooze', 'abc'])).toMatch(/^dice-00112233aabbccdd-cli-/)
    expect(cacheName(src, ['--db', 'mydb', 'replay', 'app.log'])).toMatch(/^dice-00112233aabbccdd-replay-/)
    expect(cacheName('"use strict";', ['run'])).toMatch(/^dice-unstamped-run-/)
    expect(cacheDirs('/opt/dice/dist/dice.cjs', { HOME: '/home/u', XDG_CACHE_HOME: '/home/u/.xdg' })).toEqual(['/opt/dice/dist', '/home/u/.xdg/dice'])
    expect(cacheDirs('/opt/dice/dist/dice.cjs', { DICE_CODE_CACHE: '/var/cache/dice' })).toEqual(['/var/cache/dice'])
    expect(cacheDirs('/opt/dice/dist/dice.cjs', { DICE_CODE_CACHE: 'off' })).toEqual([])
  })

  it('the built bundle is stamped with its build and is what bin/dice.js starts from', () => {
    const bundle = join(ROOT, 'dist', 'dice.cjs')
    expect(existsSync(bundle)).toBe(true)
    expect(readFileSync(bundle, 'utf8')).toMatch(/^\/\/ dice build [0-9a-f]{16}\n/)
    expect(bundleIn(join(ROOT, 'dist'), {})).toBe(bundle)
  })
})
