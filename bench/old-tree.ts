/**
 * Another commit's `src/` next to this one, for benches that compare old and new code in one process (the
 * same machine state for both): `git archive` into a temporary directory, imported from there. Type-only
 * imports vanish and the matcher and parsers import no packages, so `src/` alone is enough.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

const ROOT = resolve(import.meta.dirname, '..')

/** Import `path` (relative to the repository, e.g. `src/match/matcher.ts`) as it was at `commit`. */
export async function importAt<T>(commit: string, path: string): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'dice-old-'))
  execFileSync('sh', ['-c', `git archive ${JSON.stringify(commit)} src | tar -x -C ${JSON.stringify(dir)}`], { cwd: ROOT })
  return (await import(pathToFileURL(join(dir, path)).href)) as T
}
