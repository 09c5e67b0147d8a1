import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildDist } from '../src/testutil/build-dist.js'

export default async function setup(): Promise<() => void> {
  // CLI tests spawn bin/dice.js, which runs the compiled dist/ (its bundle, dist/dice.cjs): build both once so they
  // never test stale code.
  await buildDist(join(import.meta.dirname, '..'))
  // The run gets a temp dir of its own (workers and the dice processes they spawn inherit TMPDIR), so what a
  // test leaves behind is seen here, not mixed with other programs' files, and fails the run by name.
  const outer = process.env.TMPDIR
  const runDir = mkdtempSync(join(tmpdir(), 'dice-test-run-'))
  process.env.TMPDIR = runDir
  return () => {
    if (outer === undefined) delete process.env.TMPDIR
    else process.env.TMPDIR = outer
    const left = readdirSync(runDir)
    rmSync(runDir, { recursive: true, force: true, maxRetries: 3 })
    if (left.length) {
      // A throw here is only logged by vitest ("error during close"); the exit status must say it.
      process.exitCode = 1
      process.stderr.write(`\nFAIL the tests left ${left.length} entries in the temp dir: ${left.slice(0, 20).join(', ')}. ` +
        'Take temporary directories from tempDir() in src/testutil/tmp.ts (removed after each test file), or remove what you create.\n')
    }
  }
}
