import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const made = new Set<string>()

/**
 * A fresh `dice-PREFIX-*` directory under the system temp dir. Tests take every temporary directory from
 * here so the shared setup file (test/setup.ts) can remove them after the file's tests: a full run used to
 * leave ~270 of them behind. No vitest import, so benches may use the helpers that call it.
 */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `dice-${prefix}-`))
  made.add(dir)
  return dir
}

/** Remove every directory tempDir() made in this process (test/setup.ts calls it after each test file). */
export function removeTempDirs(): void {
  for (const dir of made) rmSync(dir, { recursive: true, force: true, maxRetries: 3 })
  made.clear()
}
