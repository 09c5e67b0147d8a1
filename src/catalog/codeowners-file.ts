import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Store } from '../store/store.js'

/** Where GitHub looks for the file, in its order: the first one present is the repository's CODEOWNERS. */
export const CODEOWNERS_PATHS = ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'] as const

/** Store meta key holding the repository's CODEOWNERS as `{"path":…,"text":…}` ('' when it has none). */
export const META_CODEOWNERS = 'catalog.codeowners'

// GitHub ignores a CODEOWNERS file larger than 3 MB; so does Dice.
const MAX_BYTES = 3 * 1024 * 1024

/**
 * Keep the work tree's CODEOWNERS in the store, so `dice run` and every command resolve owners the same way
 * without the repository at hand. Cheap (one small file), so it is done on every index run.
 */
export async function storeCodeOwners(root: string, store: Pick<Store, 'setMeta'>): Promise<string | null> {
  for (const path of CODEOWNERS_PATHS) {
    let text: string
    try {
      text = await readFile(join(root, path), 'utf8')
    } catch {
      continue
    }
    if (Buffer.byteLength(text) > MAX_BYTES) break
    await store.setMeta(META_CODEOWNERS, JSON.stringify({ path, text }))
    return path
  }
  await store.setMeta(META_CODEOWNERS, '')
  return null
}
