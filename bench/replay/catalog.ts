/**
 * The replay benchmark's catalog: M statements from bench/match's generator (1% `#ops`-annotated), written to a
 * fresh SQLite file with its matcher plan, as `dice index` writes them. Also a command, for back-to-back runs of two code versions on the same catalog:
 *
 *   node --import tsx bench/replay/catalog.ts OUT.db [--statements 10000]
 */
import { spawnSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'
import { makeCatalog } from '../match/generate.js'
import { openStore } from '../../src/store/registry.js'
import { Matcher } from '../../src/match/matcher.js'
import { keepPlan } from '../../src/match/stored-plan.js'
import type { Statement } from '../../src/core/types.js'

export function statementsOf(templates: string[]): Statement[] {
  return templates.map((template, i) => ({
    id: `s${i}`, file: `src/mod${i % 97}/file${i % 503}.c`, line: 1 + i, endLine: 1 + i, language: 'c',
    level: 'error', template, matchable: true, channels: i % 100 === 7 ? ['ops'] : [], mentions: [], blame: null, callee: 'log_error',
  }))
}

/** A fresh SQLite file at `db` holding `statements` as the catalog. */
export async function writeCatalogDb(db: string, statements: Statement[]): Promise<void> {
  for (const f of [db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true })
  const store = await openStore({ dbFile: db })
  await store.replaceFiles([...new Set(statements.map((s) => s.file))].map((file) => ({ file, hash: 'h' })), statements, [])
  // As `dice index` does: the matcher plan of the new catalog.
  await keepPlan(store, Matcher.build(await store.listStatements()))
  await store.close()
}

/**
 * Store the matcher plan of `db`'s catalog as the build `dice` (argv of its CLI) makes it: a stored plan is valid
 * only for the code that wrote it (src/match/snapshot.ts hashes that code), so a catalog written here and replayed
 * by compiled code would build its matcher in the timed run, which a user's `dice index` → `dice replay` never does.
 * `dice match` with empty input builds the index and keeps it.
 */
export function planWith(dice: string[], db: string): void {
  const r = spawnSync(dice[0]!, [...dice.slice(1), '--db', db, 'match'], { input: '', encoding: 'utf8', env: { ...process.env, SLACK_BOT_TOKEN: '', DICE_DATABASE_URL: '' } })
  if (r.status !== 0) throw new Error(`dice match (to store the plan) failed: ${r.stderr}`)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({ options: { statements: { type: 'string', default: '10000' } }, allowPositionals: true })
  if (!positionals[0]) throw new Error('usage: catalog.ts OUT.db [--statements M]')
  await writeCatalogDb(positionals[0], statementsOf(makeCatalog(3, Number(values.statements)).templates))
}
