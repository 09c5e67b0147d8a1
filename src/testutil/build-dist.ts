import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

/**
 * Build a tree's dist/ as `npm run build` does: tsc, then the bundle bin/dice.js starts from (scripts/bundle.mjs;
 * without it, bin/dice.js would find the bundle older than the modules and start from those). An older tree without
 * the bundle script gets tsc only, as it was built then. Type errors still emit (noEmitOnError: false): they are
 * written to stderr and the build goes on; what runs shows what works. For the tests' setup and the benches.
 */
export async function buildDist(root: string): Promise<void> {
  const tsc = join(existsSync(join(root, 'node_modules/typescript')) ? root : join(import.meta.dirname, '..', '..'), 'node_modules/typescript/bin/tsc')
  try {
    execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json')], { stdio: 'pipe' })
  } catch (e) {
    const out = (e as { stdout?: Buffer }).stdout?.toString() ?? ''
    process.stderr.write(`tsc reported errors in ${root}:\n${out.slice(0, 4000)}\n`)
  }
  const script = join(root, 'scripts', 'bundle.mjs')
  if (!existsSync(script)) return
  const { bundle } = (await import(pathToFileURL(script).href)) as { bundle(root: string): Promise<string> }
  await bundle(root)
}
