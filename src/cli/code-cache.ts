import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import Module from 'node:module'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'
import { Script } from 'node:vm'
import { crc32 } from 'node:zlib'

/**
 * How `dice` starts fast (issue 18: ≤ 200 ms to the first line matched). bin/dice.js runs the CLI from one file,
 * dist/dice.cjs (scripts/bundle.mjs), compiled with V8's code cache of an earlier start of the same command: no
 * module resolution, no parsing, and the functions that start-up runs come compiled. Measured in bench/RESULTS.md
 * ("Session 20"). Anything wrong with the cache only costs speed: V8 checks its own version, flags and the source's
 * length and falls back to compiling, and the file is rewritten. V8 does not check the bytes themselves (a damaged
 * cache crashes the process: "Fatal error … unreachable code" in the deserializer), so the file carries a CRC-32 of
 * them, checked before V8 sees them.
 *
 * Where the cache lives: beside the bundle (an install's own folder: whoever can write there can change the code
 * anyway), else, when that folder is read-only (a global install used by another user, the Docker image), in the
 * user's cache folder ($XDG_CACHE_HOME/dice or ~/.cache/dice) — never a shared temp folder, where another user could
 * plant compiled code. `DICE_CODE_CACHE=off` turns it off, `DICE_CODE_CACHE=DIR` puts it in DIR.
 */

/** What the bundle exports: the CLI's entry point (src/cli/main.ts). */
export interface CliEntry {
  main(argv: string[]): Promise<number>
}

/** The commands with a cache of their own: each compiles different code; every other command shares one. */
const OWN_CACHE = new Set(['run', 'replay', 'match', 'index', 'digest', 'demo'])

const KEY = Symbol.for('dice.codeCache')
interface Pending {
  capture(): void
}

/**
 * Make the cache's bytes now, before something changes V8's flags (src/cli/heap.ts does, for a large catalog): V8
 * stamps the cache with the flags in force when it is made and refuses it when they differ at the next start. Kept
 * in memory, written at exit. A no-op when no cache is to be written (off, already fresh, or not started from the
 * bundle).
 */
export function captureCodeCache(): void {
  ;(globalThis as { [KEY]?: Pending })[KEY]?.capture()
}

/**
 * The bundle to start from, or null for the ES modules of dist/: none built, `DICE_BUNDLE=0`, or, in a source
 * checkout, older than dist/cli/main.js (tsc ran after the bundle was made: the bundle would run stale code). An
 * installed package has no tsconfig.json and is not compared: npm gives its files the time they were unpacked, in
 * no order.
 */
export function bundleIn(dist: string, env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.DICE_BUNDLE === '0') return null
  const file = join(dist, 'dice.cjs')
  try {
    const made = statSync(file).mtimeMs
    if (!existsSync(join(dist, '..', 'tsconfig.json'))) return file
    return made >= statSync(join(dist, 'cli', 'main.js')).mtimeMs ? file : null
  } catch {
    return null
  }
}

/** The name of a command's cache: the build (the bundle's first line, a hash of its content), the command, and Node. */
export function cacheName(source: string, argv: readonly string[]): string {
  const m = /^\/\/ dice build ([0-9a-f]{8,64})\n/.exec(source)
  const build = m ? m[1]! : 'unstamped'
  // The first word naming such a command (a global flag's value before it, `--db mydb`, is not one of them).
  const command = argv.find((a) => OWN_CACHE.has(a)) ?? 'cli'
  return `dice-${build}-${command}-${process.version}-${process.arch}.v8cache`
}

/** Where caches are looked for and written, in order. */
export function cacheDirs(bundle: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const set = env.DICE_CODE_CACHE
  if (set === 'off' || set === '0') return []
  if (set) return [set]
  const home = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache')
  return [dirname(bundle), join(home, 'dice')]
}

/** A cache file: this magic, the payload's CRC-32 and length (uint32 LE each), then V8's bytes. */
const MAGIC = Buffer.from('DICEV8C1')
const HEADER = MAGIC.length + 8

/** V8's bytes of a cache file, or null when the file is not whole (torn, damaged, another format). */
export function cachePayload(file: Buffer): Buffer | null {
  if (file.length < HEADER || !file.subarray(0, MAGIC.length).equals(MAGIC)) return null
  const payload = file.subarray(HEADER)
  if (file.readUInt32LE(MAGIC.length + 4) !== payload.length || file.readUInt32LE(MAGIC.length) !== crc32(payload)) return null
  return payload
}

function cacheFile(payload: Buffer): Buffer {
  const head = Buffer.alloc(HEADER)
  MAGIC.copy(head)
  head.writeUInt32LE(crc32(payload), MAGIC.length)
  head.writeUInt32LE(payload.length, MAGIC.length + 4)
  return Buffer.concat([head, payload])
}

/** What a start from the bundle did with the cache (printed with DICE_DEBUG_START=1; the tests read it). */
export type CacheUse = 'off' | 'none' | 'accepted' | 'rejected'

/**
 * Load the bundle, with the cache of this command when there is one, and arrange for a missing or refused cache to
 * be written when the process exits.
 */
export function loadBundle(bundle: string, argv: readonly string[], env: NodeJS.ProcessEnv = process.env): { entry: CliEntry; cache: CacheUse; ms: number } {
  const t0 = performance.now()
  const source = readFileSync(bundle, 'utf8')
  const dirs = cacheDirs(bundle, env)
  const name = cacheName(source, argv)
  let found: Buffer | undefined
  for (const d of dirs) {
    try {
      found = readFileSync(join(d, name))
      break
    } catch {
      // Not there: the next place, or compile without.
    }
  }
  const cachedData = found && (cachePayload(found) ?? undefined)
  const script = new Script(Module.wrap(source), { filename: bundle, cachedData })
  const cache: CacheUse = dirs.length === 0 ? 'off' : found === undefined ? 'none' : cachedData === undefined || script.cachedDataRejected ? 'rejected' : 'accepted'
  if (cache === 'none' || cache === 'rejected') {
    let bytes: Buffer | null = null
    const pending: Pending = {
      capture() {
        if (bytes === null) bytes = script.createCachedData()
      },
    }
    ;(globalThis as { [KEY]?: Pending })[KEY] = pending
    // At exit the cache holds every function this run compiled: the next start of the command finds them compiled.
    process.once('exit', () => {
      pending.capture()
      writeCache(dirs, name, bytes!)
    })
  }
  const mod = new Module(bundle)
  mod.filename = bundle
  mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(dirname(bundle))
  const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void
  wrapper.call(mod.exports, mod.exports, Module.createRequire(bundle), mod, bundle, dirname(bundle))
  return { entry: mod.exports as CliEntry, cache, ms: performance.now() - t0 }
}

/**
 * Write the cache into the first folder that takes it, whole (a temporary file renamed: processes starting meanwhile
 * read the old file or the new one); and remove the caches of other builds and other Node versions there, so upgrades
 * leave nothing behind.
 * Never throws: the process is exiting.
 */
function writeCache(dirs: readonly string[], name: string, bytes: Buffer): void {
  const [, build, , node] = name.split('-')
  for (const d of dirs) {
    try {
      mkdirSync(d, { recursive: true, mode: 0o700 })
      const tmp = join(d, `${name}.${process.pid}.tmp`)
      try {
        writeFileSync(tmp, cacheFile(bytes), { mode: 0o600 })
        renameSync(tmp, join(d, name))
      } catch (e) {
        rmSync(tmp, { force: true })
        throw e
      }
      for (const f of readdirSync(d)) {
        if (!f.startsWith('dice-')) continue
        // Another build's, or another Node's (Node was upgraded under the same install): never read again.
        const parts = f.split('-')
        const otherBuild = f.endsWith('.v8cache') && (parts[1] !== build || parts[3] !== node)
        // A process killed between writing its temporary file and renaming it leaves the file behind.
        const leftOver = f.endsWith('.tmp') && f.includes('.v8cache.') && (statSync(join(d, f), { throwIfNoEntry: false })?.mtimeMs ?? Infinity) < Date.now() - 10 * 60_000
        if (!otherBuild && !leftOver) continue
        try {
          unlinkSync(join(d, f))
        } catch {
          // Another process removed it first.
        }
      }
      return
    } catch {
      // Read-only or full: the next folder.
    }
  }
}
