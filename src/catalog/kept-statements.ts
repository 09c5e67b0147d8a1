import { deserialize, serialize } from 'node:v8'
import type { Statement } from '../core/types.js'
import { interner, NO_NAMES } from '../core/interned.js'
import { KEPT_STATEMENTS_BLOB, type Store } from '../store/store.js'
import { catalogStamp } from './meta.js'

/**
 * The work tree's statements kept in the store as one blob (V8's serialization of the list), for the processes that
 * start by reading the whole catalog (`dice run`, `dice replay`): 10k statements came back in ~18 ms against 36–44 ms
 * from their rows (bench/RESULTS.md, "Session 20"). A cache, like the matcher plan (match/stored-plan.ts): tagged
 * with what it was made from — the catalog's stamp (the meta keys every `dice index` and `dice deploy` writes when
 * done, whatever its version), the number of statements and this format — and read only while all still hold;
 * anything else reads the rows and keeps a new blob. `replaceFiles` (every change of the statements) drops the blob in
 * its transaction; the stamp covers a Dice that predates the blob writing to the same store.
 */

/** Bumped when Statement's fields change meaning: a blob of another format is not read. */
const FORMAT = 1

/**
 * From this size the rows are read every time: a larger blob is held whole while it is read (50k statements: ~13
 * MB, then the objects), where the rows stream; the 100k-statement processes are the ones at their memory bound.
 */
export const KEPT_BELOW = 50_000

/** What reading the statements (kept or not) needs of the store. */
export type KeptReads = Pick<Store, 'listStatements' | 'countStatements' | 'getBlob' | 'setBlob' | 'getMeta'>

/** The work tree's statements (as `listStatements`: same order, same values), from the kept blob when it is current. */
export async function readStatements(store: KeptReads): Promise<Statement[]> {
  const [stamp, count] = await Promise.all([catalogStamp(store), store.countStatements()])
  const tag = `${FORMAT} ${count} ${stamp}`
  const keeps = count > 0 && count < KEPT_BELOW
  if (keeps) {
    const kept = await keptList(store, tag, count)
    if (kept !== null) return kept
  }
  const list = await store.listStatements()
  // Kept only if no index or deploy finished while the rows were read (they may mix two catalogs).
  if (keeps && list.length === count && (await catalogStamp(store)) === stamp) {
    try {
      await store.setBlob(KEPT_STATEMENTS_BLOB, tag, serialize(list))
    } catch {
      // Read-only or busy store: the next start reads the rows again.
    }
  }
  return list
}

async function keptList(store: KeptReads, tag: string, count: number): Promise<Statement[] | null> {
  try {
    const b = await store.getBlob(KEPT_STATEMENTS_BLOB)
    if (b === null || b.tag !== tag) return null
    const list = deserialize(b.bytes) as unknown
    if (!Array.isArray(list) || list.length !== count) return null
    return shareTexts(list as Statement[])
  } catch {
    // Unreadable (written by another Node's serializer, damaged): the rows.
    return null
  }
}

/**
 * The texts many statements repeat (file, language, level, callee, wrapper, commit) as one string each, and one frozen
 * empty list for no channels or mentions, as the store's row reader gives them: V8's deserializer makes a string and a
 * list per occurrence. (Blame objects stay shared: the serializer keeps an object referenced twice as one.)
 */
function shareTexts(list: Statement[]): Statement[] {
  const one = interner()
  for (const s of list) {
    s.file = one(s.file)
    s.language = one(s.language)
    s.level = one(s.level)
    s.callee = one(s.callee)
    s.via = one(s.via)
    s.commit = one(s.commit)
    if (s.channels.length === 0) s.channels = NO_NAMES
    if (s.mentions.length === 0) s.mentions = NO_NAMES
  }
  return list
}
