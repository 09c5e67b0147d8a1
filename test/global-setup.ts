import { execFileSync } from 'node:child_process'
import { join } from 'node:path'

// CLI tests spawn bin/dice.js, which runs the compiled dist/: build it once so they never test stale code.
export default function setup(): void {
  const root = join(import.meta.dirname, '..')
  try {
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.json')], { stdio: 'pipe' })
  } catch (e) {
    // Type errors still emit (noEmitOnError: false); report them but let the behaviour tests speak.
    const out = (e as { stdout?: Buffer }).stdout?.toString() ?? ''
    process.stderr.write(`tsc reported errors:\n${out.slice(0, 4000)}\n`)
  }
}
