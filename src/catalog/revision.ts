import type { Config } from '../config/schema.js'
import { systemClock, type Clock } from '../core/clock.js'
import { DiceError, ErrorCode } from '../core/errors.js'
import type { Statement } from '../core/types.js'
import type { Store } from '../store/store.js'
import { blameRanges, statementBlame } from './blame.js'
import { RepoContext } from './context.js'
import { git, gitOk, linguistExcluded, workTreeRoot } from './git.js'
import { parseDefs, toStatements, type Extractor } from './indexer.js'
import { isBinary, isGeneratedText, pathFilter } from './select.js'

/** What cataloguing one revision did. */
export interface RevisionSummary {
  /** The name given (`v1.4.2`, a branch, a commit) and the commit it resolved to. */
  rev: string
  commit: string
  /** True when this commit was catalogued under this name already: nothing was read. */
  unchanged: boolean
  /** Source files in scope at the revision. */
  files: number
  /** Files whose content at the revision is the one the work tree's catalog holds: its statements, not read again. */
  reused: number
  /** Files read from git, extracted and blamed at the revision. */
  parsed: number
  statements: number
  errors: Array<{ file: string; reason: string }>
}

/** The commit `rev` names in the repository at `root`; a usage error naming the flag when it names none. */
export async function resolveRevision(root: string, rev: string, flag = '--rev'): Promise<string> {
  if (rev.startsWith('-')) throw new DiceError(ErrorCode.Usage, `${flag} ${rev}: not a revision`, 2)
  const r = await git(root, ['rev-parse', '-q', '--verify', `${rev}^{commit}`])
  const commit = r.stdout.toString('utf8').trim()
  if (r.code !== 0 || !/^[0-9a-f]{40,64}$/.test(commit)) throw new DiceError(ErrorCode.Usage, `${flag} ${rev}: no such revision in ${root} (a tag, branch or commit)`, 2)
  return commit
}

/**
 * Catalogue the tree of revision `rev` (docs/alerts/versions.md): every source file in scope at that commit,
 * with the same ids as the work tree's catalog (ids are file + message + level, never the line, so a statement
 * unchanged between revisions has one id in all). A file whose blob is the one the work tree's catalog was built
 * from is not read again: its statements are that catalog's. Others are read with `git cat-file`, extracted with
 * the repository's stored definitions (wrappers, constants) and blamed at the commit. A revision already
 * catalogued at the same commit is left as it is.
 */
export async function indexRevision(o: { dir: string; store: Store; config: Config; rev: string; clock?: Clock; extractor?: Extractor }): Promise<RevisionSummary> {
  const clock = o.clock ?? systemClock
  const root = await workTreeRoot(o.dir)
  const commit = await resolveRevision(root, o.rev)
  const known = (await o.store.listRevisions()).find((r) => r.rev === o.rev)
  const summary: RevisionSummary = { rev: o.rev, commit, unchanged: false, files: 0, reused: 0, parsed: 0, statements: 0, errors: [] }
  if (known && known.commit === commit) return { ...summary, unchanged: true, statements: known.statements }
  const languageOf = o.extractor?.languageOf ?? (await import('./languages.js')).languageOf
  const keep = pathFilter(o.config.catalog)
  let files = treeFiles((await gitOk(root, ['ls-tree', '-r', '-z', '--full-tree', commit])).toString('utf8'))
    .filter((f) => keep(f.path) === null && languageOf(f.path) !== null)
  const marked = await linguistExcluded(root, files.map((f) => f.path), files.map((f) => f.path))
  if (marked.size) files = files.filter((f) => !marked.has(f.path))
  summary.files = files.length

  const indexed = await o.store.indexedFiles()
  const catalogued = new Map<string, Statement[]>()
  for (const s of await o.store.listStatements()) {
    const l = catalogued.get(s.file)
    if (l) l.push(s)
    else catalogued.set(s.file, [s])
  }
  const context = new RepoContext([...(await o.store.fileDefinitions())].filter(([f]) => languageOf(f) !== null).map(([file, json]) => ({ file, language: languageOf(file)!, defs: parseDefs(json) })))
  const extract = o.extractor?.extractFile ?? (await import('./extract-file.js')).extractFile
  const out: Statement[] = []
  for (const f of files) {
    // The work tree's stored hash is `<blob>[~dirty]@<settings>`: the same blob, committed, is the same content.
    const stored = indexed.get(f.path)?.split('@')[0]
    if (stored === f.blob) {
      summary.reused++
      out.push(...(catalogued.get(f.path) ?? []))
      continue
    }
    const bytes = await gitOk(root, ['cat-file', 'blob', f.blob])
    if (bytes.length > o.config.catalog.maxFileBytes || isBinary(bytes)) continue
    let text: string
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    } catch {
      text = bytes.toString('latin1')
    }
    if (isGeneratedText(text)) continue
    const language = languageOf(f.path)!
    let found: Statement[]
    try {
      const ex = await extract(f.path, text, { loggers: o.config.catalog.loggers, wrappers: o.config.catalog.wrappers, context: context.for(f.path, language) })
      found = toStatements(f.path, language, text, ex)
    } catch (e) {
      summary.errors.push({ file: f.path, reason: `extraction failed: ${(e as Error).message}` })
      continue
    }
    summary.parsed++
    if (found.length) {
      try {
        const lines = await blameRanges(root, f.path, found.map((s) => [s.line, s.endLine]), { rev: commit })
        for (const s of found) s.blame = statementBlame(lines, s.line, s.endLine)
      } catch (e) {
        summary.errors.push({ file: f.path, reason: `git blame failed: ${(e as Error).message.split('\n')[0]}` })
      }
    }
    out.push(...found)
  }
  await o.store.putRevision({ rev: o.rev, commit, at: clock() }, out)
  summary.statements = new Set(out.map((s) => s.id)).size
  return summary
}

/** `git ls-tree -r -z` records: regular files with their blob ids (submodules and symlinks left out). */
function treeFiles(out: string): Array<{ path: string; blob: string }> {
  const files: Array<{ path: string; blob: string }> = []
  for (const rec of out.split('\0')) {
    // "<mode> <type> <blob>\t<path>"
    const tab = rec.indexOf('\t')
    if (tab < 0) continue
    const [mode, type, blob] = rec.slice(0, tab).split(' ')
    if (type !== 'blob' || mode === '120000') continue
    files.push({ path: rec.slice(tab + 1), blob: blob! })
  }
  return files
}
