import { createHash } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import { existsSync, readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import type { Config } from '../config/schema.js'
import { systemClock, type Clock } from '../core/clock.js'
import type { Statement } from '../core/types.js'
import type { Store } from '../store/store.js'
import { Matcher } from '../match/matcher.js'
import { keepPlan, storedPlan } from '../match/stored-plan.js'
import { RepoContext } from './context.js'
import { NO_DEFS, type FileDefs, type FileExtraction } from './extract.js'
import { storeCodeOwners } from './codeowners-file.js'
import { blameRanges, statementBlame, type BlameOptions, type LineBlame } from './blame.js'
import { botMatcher, humanBlame, WhitespaceCommits } from './human-blame.js'
import { filesMentioning, hashObjects, headCommit, linguistExcluded, shallowCommits, trackedFiles, workTreeChanges, workTreeRoot } from './git.js'
import { identityKey, statementIds } from './ids.js'
import { isBinary, isGeneratedText, pathFilter } from './select.js'
import { META_COMMIT, META_COMMIT_AT, META_INDEXED_AT, META_ROOT } from './meta.js'

/** What one `dice index` run did. `files` = parsed + skipped + unchanged. */
export interface IndexSummary {
  /** HEAD at index time (null in a repository without commits). */
  commit: string | null
  /** Source files in scope: tracked, of a known language, not vendored/generated-by-path/excluded. */
  files: number
  /** Files read and parsed this run (new or changed). */
  parsed: number
  /** Files looked at this run and left out of the catalog (binary, huge, generated, unreadable). */
  skipped: number
  /** `skipped` by reason: `generated`, `binary`, `too large`, `unreadable`, `extraction failed`. */
  skippedBy: Record<string, number>
  /** Files whose content hash matched the stored one: not read, not parsed, not blamed. */
  unchanged: number
  /** Statements in the catalog after the run. */
  statements: number
  /** Bad input met this run; never fatal. */
  errors: Array<{ file: string; reason: string }>
  ms: number
}

/** Progress callback: `done` of `total` changed files processed. */
export type IndexProgress = (p: { done: number; total: number; file?: string }) => void

/** The per-language extractor (`extractFile` in extract-file.ts). */
export type ExtractFn = (path: string, source: string, opts?: import('./extract-file.js').ExtractOptions) => Promise<FileExtraction>

/** Language detection plus extraction; injectable so the indexer can be tested on its own. */
export interface Extractor {
  languageOf(path: string): string | null
  extractFile: ExtractFn
}

/**
 * Bump when what the indexer stores for the same input changes (ids, extraction rules): every file is
 * then re-parsed once.
 */
export const INDEX_FORMAT = 8

/** Files to read again because what they use from other files changed (cleared when done). */
const META_REDO = 'catalog.redo'

/** Rounds of reading files again after definitions changed (a wrapper of a wrapper in another file takes one). */
const CONTEXT_ROUNDS = 4

/** Cap on the error list kept in a summary: a repository full of bad files must not grow it unbounded. */
const MAX_ERRORS = 1000

/** Files per catalog write during a long index run. */
const WRITE_BATCH = 1000

/**
 * Build or update the catalog of the git work tree at `dir`. Incremental: a file is read, parsed and
 * blamed only when its content hash (blob id; recomputed for working-tree edits) differs from the stored
 * one, or when the settings that shape the catalog (catalog config, .mailmap, .git-blame-ignore-revs,
 * INDEX_FORMAT) changed. Bad input is counted in the summary, never thrown. Not a git work tree: DiceError
 * exit 2.
 */
export async function indexRepository(o: {
  dir: string
  store: Store
  config: Config
  clock?: Clock
  onProgress?: IndexProgress
  /** Parallel `git blame` processes (default: number of cores). */
  concurrency?: number
  /** Files per catalog write (default 1000). */
  writeBatch?: number
  /** Defaults to the built-in extractor; its parsers load only when some file changed. */
  extractor?: Extractor
}): Promise<IndexSummary> {
  const clock = o.clock ?? systemClock
  const t0 = clock()
  const languageOf = o.extractor?.languageOf ?? (await import('./languages.js')).languageOf
  const root = await workTreeRoot(o.dir)
  const [tracked, changes, commit, previous, shallow] = await Promise.all([
    trackedFiles(root), workTreeChanges(root), headCommit(root), o.store.indexedFiles(), shallowCommits(root),
  ])
  // A deeper or full history changes blame, so the cut is part of the settings.
  const fingerprint = settingsFingerprint(root, o.config, [...shallow].sort().join(','))
  // Statements whose latest line git can only give to a shallow clone's cut commit: blame unknown.
  let cutBlames = 0
  // Bots and reformatting make nobody the owner: their lines are blamed again past them (human-blame.ts).
  const isBot = botMatcher(o.config.catalog.blame.bots)
  const whitespace = o.config.catalog.blame.formatting ? new WhitespaceCommits(root) : null

  // Which files are in scope: decided from paths alone, so a warm run reads no file.
  const keep = pathFilter(o.config.catalog)
  let candidates = tracked.filter((f) => !changes.deleted.has(f.path) && keep(f.path) === null && languageOf(f.path) !== null)
  const marked = await linguistExcluded(root, candidates.map((f) => f.path), tracked.map((f) => f.path))
  if (marked.size) candidates = candidates.filter((f) => !marked.has(f.path))

  const inScope = new Set(candidates.map((f) => f.path))
  const worktreeIds = await hashObjects(root, changes.modified.filter((p) => inScope.has(p)))
  const todo: Array<{ path: string; hash: string }> = []
  let unchanged = 0
  for (const f of candidates) {
    // Stored hash: content id, a marker for uncommitted changes (once committed, blame must be redone
    // even if the content is identical), and the settings fingerprint (new settings redo every file, and
    // an interrupted run resumes: files done under the new settings already carry it).
    const hash = `${worktreeIds.get(f.path) ?? f.blob}${changes.dirty.has(f.path) ? '~dirty' : ''}@${fingerprint}`
    const stored = previous.get(f.path)
    if (stored !== undefined && stored.split('!')[0] === hash) unchanged++
    else todo.push({ path: f.path, hash })
  }
  const removed = [...previous.keys()].filter((p) => !inScope.has(p))

  const errors: IndexSummary['errors'] = []
  const addError = (file: string, reason: string): void => {
    if (errors.length < MAX_ERRORS) errors.push({ file, reason })
  }
  let parsed = 0
  let skipped = 0
  const skippedBy: Record<string, number> = {}
  const skip = (why: string): void => {
    skipped++
    skippedBy[why] = (skippedBy[why] ?? 0) + 1
  }
  let done = 0
  let total = todo.length
  // Finished files are written in batches, each atomic: an interrupted cold index resumes where it
  // stopped, and a small update is still a single transaction.
  let records: Array<{ file: string; hash: string; defs?: string | null }> = []
  let statements: Statement[] = []
  let writing: Promise<void> = Promise.resolve()
  const flush = (removedFiles: string[] = []): Promise<void> => {
    const [r, s] = [records, statements]
    records = []
    statements = []
    writing = writing.then(() => o.store.replaceFiles(r, s, removedFiles))
    return writing
  }
  // After a failure nothing more is written: what was written is consistent, and a re-run resumes.
  // (a holder object: the flag is set from async callbacks, which control-flow narrowing cannot see)
  const stop: { failure: { error: unknown } | null } = { failure: null }
  const finish = (file: string, record: { file: string; hash: string; defs?: string | null } | null, found: Statement[] = []): void => {
    if (stop.failure) return
    if (record) records.push(record)
    statements.push(...found)
    if (records.length >= (o.writeBatch ?? WRITE_BATCH)) void flush().catch(() => { /* surfaces at the final await */ })
    done++
    o.onProgress?.({ done, total, file })
  }

  // What every file defines for the others (constants, logging wrappers, logger function pointers): stored
  // with each file, so a warm run reads none; the files of this run replace theirs as they are read.
  const storedDefs = new Map<string, FileDefs>()
  for (const [file, json] of await o.store.fileDefinitions()) storedDefs.set(file, parseDefs(json))
  const defsOf = new Map([...storedDefs].filter(([file]) => inScope.has(file)))
  const contextOf = (defs: Map<string, FileDefs>) => new RepoContext([...defs].filter(([f]) => languageOf(f) !== null).map(([file, d]) => ({ file, language: languageOf(file)!, defs: d })))
  let context = contextOf(storedDefs)
  // Files an interrupted run meant to read again (their definitions changed under them).
  const redo = new Set<string>((JSON.parse((await o.store.getMeta(META_REDO)) ?? '[]') as string[]).filter((f) => inScope.has(f)))
  const hashOf = new Map(candidates.map((f) => [f.path, `${worktreeIds.get(f.path) ?? f.blob}${changes.dirty.has(f.path) ? '~dirty' : ''}@${fingerprint}`]))
  for (const f of redo) if (!todo.some((t) => t.path === f)) todo.push({ path: f, hash: hashOf.get(f)! })
  total = todo.length

  /** Read, extract and blame `files` with `ctx` for what other files define; returns the names each file looked for. */
  const pass = async (files: Array<{ path: string; hash: string }>, ctx: RepoContext): Promise<Map<string, string[]>> => {
    const wanted = new Map<string, string[]>()
    const blames: Promise<void>[] = []
    try {
      const extract = o.extractor?.extractFile ?? (await import('./extract-file.js')).extractFile
      const ignoreRevsFile = existsSync(join(root, '.git-blame-ignore-revs')) ? '.git-blame-ignore-revs' : null
      const limit = semaphore(o.concurrency ?? availableParallelism())
      o.onProgress?.({ done, total })
      // Parse on this thread one file at a time (tree-sitter is CPU work); blame runs in git processes
      // meanwhile, at most `concurrency` at once, so parsing and blaming overlap.
      for (const f of files) {
        if (stop.failure) break
        const read = await readSource(root, f.path, o.config.catalog.maxFileBytes)
        if ('skip' in read) {
          skip(read.skip.split(':')[0]!)
          if (read.error) addError(f.path, read.skip)
          defsOf.delete(f.path)
          // Unreadable files are retried next run; the others are remembered with why they were skipped.
          finish(f.path, read.remember ? { file: f.path, hash: `${f.hash}!${read.skip.split(':')[0]}` } : null)
          continue
        }
        if (read.latin1) addError(f.path, 'not UTF-8: read as Latin-1')
        let ex: FileExtraction
        try {
          ex = await extract(f.path, read.text, { loggers: o.config.catalog.loggers, wrappers: o.config.catalog.wrappers, context: ctx.for(f.path, languageOf(f.path)!) })
        } catch (e) {
          skip('extraction failed')
          addError(f.path, `extraction failed: ${(e as Error).message}`)
          finish(f.path, null)
          continue
        }
        parsed++
        if (ex.syntaxErrors) addError(f.path, 'syntax errors: statements outside the broken parts were kept')
        const defines = ex.defs && (ex.defs.constants.length || ex.defs.wrappers.length || ex.defs.aliases.length) ? ex.defs : null
        if (defines) defsOf.set(f.path, defines)
        else defsOf.delete(f.path)
        wanted.set(f.path, ex.wanted ?? [])
        const record = { file: f.path, hash: f.hash, defs: defines ? JSON.stringify(defines) : null }
        const fileStatements = toStatements(f.path, languageOf(f.path)!, read.text, ex)
        // Their line numbers are this commit's (code links); a file with uncommitted changes is at none.
        const at = changes.dirty.has(f.path) ? null : commit
        for (const s of fileStatements) s.commit = at
        if (!fileStatements.length || commit === null) {
          finish(f.path, record, fileStatements)
          continue
        }
        // Each git process holds a slot; waiting between them (for the batched whitespace check) holds none.
        blames.push((async () => {
          if (stop.failure) return
          try {
            const rev = changes.dirty.has(f.path) ? null : commit
            const first = await limit(() => blameWithFallback(root, f.path, fileStatements.map((s) => [s.line, s.endLine]), { ignoreRevsFile, rev }))
            const lines = await humanBlame(first, f.path, {
              isBot, whitespace, keep: shallow, blame: (ranges, extra) => limit(() => blameWithFallback(root, f.path, ranges, { ignoreRevsFile, rev, ...extra })),
            })
            for (const s of fileStatements) {
              const b = statementBlame(lines, s.line, s.endLine)
              // The cut commit "wrote" every older line too: naming its author would send them all to one person.
              if (b && shallow.has(b.commit)) cutBlames++
              s.blame = b && shallow.has(b.commit) ? null : b
            }
          } catch (e) {
            addError(f.path, `git blame failed: ${(e as Error).message.split('\n')[0]}`)
          }
          finish(f.path, record, fileStatements)
        })().catch((error: unknown) => void (stop.failure ??= { error })))
      }
      await Promise.all(blames)
      if (stop.failure) throw stop.failure.error
    } catch (e) {
      stop.failure ??= { error: e }
      // Let batches already handed to the store land before failing, so a re-run resumes after them.
      await Promise.allSettled(blames)
      await writing.catch(() => undefined)
      throw stop.failure.error
    }
    return wanted
  }

  if (todo.length) try {
    let files = todo
    // What each file read this run looked for elsewhere (its latest reading).
    const wantedOf = new Map<string, string[]>()
    // A file read with definitions that then changed (a wrapper or constant defined in a file read later,
    // or edited) is read again with the new ones: the files that looked for a changed name, and unchanged
    // files that mention it. Wrappers of wrappers across files take a round each.
    for (let round = 0; files.length > 0 && round < CONTEXT_ROUNDS; round++) {
      for (const [f, w] of await pass(files, context)) wantedOf.set(f, w)
      const next = contextOf(defsOf)
      const names = RepoContext.changed(context, next)
      context = next
      if (names.size === 0) break
      const again = new Set<string>()
      for (const [f, w] of wantedOf) if (w.some((n) => names.has(n))) again.add(f)
      for (const f of await filesMentioning(root, [...names])) if (inScope.has(f) && !wantedOf.has(f)) again.add(f)
      files = [...again].map((path) => ({ path, hash: hashOf.get(path)! }))
      total += files.length
      // Remembered until done: an interrupted run reads them again next time. What the last round read is
      // written first (a file is written once per batch).
      await flush()
      await o.store.setMeta(META_REDO, JSON.stringify(files.map((f) => f.path)))
    }
  } finally {
    whitespace?.close()
  }
  if (redo.size > 0 || todo.length > 0) await o.store.setMeta(META_REDO, '[]')

  if (cutBlames) addError('.git/shallow', `shallow clone: ${cutBlames} statement(s) have no blame owner (git blame cannot tell who wrote lines older than the clone's cut); index a full clone, or run git fetch --unshallow`)
  if (todo.length || removed.length) await flush(removed)
  await writing
  const count = await o.store.countStatements()
  // The matcher's keys for the new catalog, chosen once here rather than by the next replay or run.
  if (todo.length || removed.length || (await storedPlan(o.store)) === null) await keepPlan(o.store, Matcher.build(await o.store.listStatements()))
  // When the commit moves, a deploy starts: first-seen alerts compare with it (alerts/deploy.ts).
  if (commit && (await o.store.getMeta(META_COMMIT)) !== commit) await o.store.setMeta(META_COMMIT_AT, String(clock()))
  await o.store.setMeta(META_COMMIT, commit ?? '')
  await o.store.setMeta(META_ROOT, root)
  await storeCodeOwners(root, o.store)
  // When the catalog was last brought up to date, changed or not: /metrics turns it into
  // dice_index_age_seconds, so "nobody re-indexed after the deploys" can be alerted on.
  await o.store.setMeta(META_INDEXED_AT, String(clock()))
  return { commit, files: candidates.length, parsed, skipped, skippedBy, unchanged, statements: count, errors, ms: Math.max(0, clock() - t0) }
}

type ReadResult = { text: string; latin1: boolean } | { skip: string; error: boolean; remember: boolean }

/** Read one source file, deciding huge / unreadable / binary / generated and the text encoding. */
async function readSource(root: string, path: string, maxBytes: number): Promise<ReadResult> {
  let bytes: Buffer
  try {
    const st = await stat(join(root, path))
    if (st.size > maxBytes) return { skip: `too large: ${st.size} bytes > catalog.maxFileBytes ${maxBytes}`, error: true, remember: true }
    bytes = await readFile(join(root, path))
  } catch (e) {
    return { skip: `unreadable: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, error: true, remember: false }
  }
  if (isBinary(bytes)) return { skip: 'binary: NUL byte in the first 8 KB', error: true, remember: true }
  let text: string
  let latin1 = false
  try {
    text = utf8.decode(bytes)
  } catch {
    text = bytes.toString('latin1')
    latin1 = true
  }
  if (isGeneratedText(text)) return { skip: 'generated', error: false, remember: true }
  return { text, latin1 }
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** Turn one file's extraction into catalog statements with stable ids (blame filled in later). */
export function toStatements(file: string, language: string, text: string, ex: FileExtraction): Statement[] {
  const lines = text.split('\n')
  const found = [...ex.statements].sort((a, b) => a.line - b.line || a.endLine - b.endLine)
  const ids = statementIds(file, found.map((s) => identityKey(s, lines.slice(s.line - 1, Math.max(s.line, s.endLine)).join('\n'))))
  return found.map((s, i) => ({
    id: ids[i]!,
    file,
    line: s.line,
    endLine: Math.max(s.line, s.endLine),
    language,
    level: s.level,
    template: s.template,
    matchable: s.matchable,
    channels: s.channels,
    mentions: s.mentions,
    ...(s.expect ? { expect: s.expect } : {}),
    blame: null,
    callee: s.callee,
    via: s.via ?? null,
    reason: s.reason ?? null,
  }))
}

/** A file's stored definitions (JSON written by the indexer); nothing when unreadable. */
export function parseDefs(json: string): FileDefs {
  try {
    const d = JSON.parse(json) as FileDefs
    return { constants: d.constants ?? [], wrappers: d.wrappers ?? [], aliases: d.aliases ?? [] }
  } catch {
    return NO_DEFS
  }
}

// An ignore-revs file naming a commit this clone lacks makes git blame fail: retry without it rather
// than losing the file's blame.
async function blameWithFallback(root: string, file: string, ranges: Array<[number, number]>, o: BlameOptions): Promise<Map<number, LineBlame>> {
  try {
    return await blameRanges(root, file, ranges, o)
  } catch (e) {
    if (!o.ignoreRevsFile) throw e
    return await blameRanges(root, file, ranges, { ...o, ignoreRevsFile: null })
  }
}

// Everything besides file content that changes what the catalog holds; when it changes, all files are redone.
function settingsFingerprint(root: string, config: Config, shallow: string): string {
  // Which revisions are kept besides the work tree does not change what the work tree's catalog holds.
  const { revisions: _revisions, ...catalog } = config.catalog
  const h = createHash('sha256').update(JSON.stringify({ v: INDEX_FORMAT, catalog }))
  if (shallow) h.update(`\u0000shallow\u0000${shallow}`)
  for (const f of ['.mailmap', '.git-blame-ignore-revs']) {
    const p = join(root, f)
    h.update(`\u0000${f}\u0000`)
    if (existsSync(p)) {
      try {
        h.update(readFileSync(p))
      } catch { /* unreadable: treated as absent, like git does */ }
    }
  }
  return h.digest('hex').slice(0, 16)
}

/** At most `n` async tasks at once. */
function semaphore(n: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0
  const waiting: Array<() => void> = []
  return async (fn) => {
    // A finishing task hands its slot straight to the next waiter, so a newcomer cannot slip in between.
    if (active >= n) await new Promise<void>((r) => waiting.push(r))
    else active++
    try {
      return await fn()
    } finally {
      const next = waiting.shift()
      if (next) next()
      else active--
    }
  }
}
