import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { DiceError, ErrorCode } from '../core/errors.js'

/** Output of one git invocation. */
export interface GitResult {
  stdout: Buffer
  stderr: string
  code: number
}

/**
 * Run `git -C cwd args…`, feeding `input` on stdin. Never throws on a non-zero exit (callers decide what a
 * failure means); throws only when git itself cannot be started.
 */
export function git(cwd: string, args: string[], input?: string): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = gitProcess(cwd, args)
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (b: Buffer) => out.push(b))
    child.stderr.on('data', (b: Buffer) => err.push(b))
    child.on('error', (e) => reject(new DiceError(ErrorCode.Unknown, `cannot run git: ${e.message}`)))
    child.on('close', (code) => resolve({ stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8'), code: code ?? 1 }))
    child.stdin.on('error', () => { /* git may exit before reading all input; its exit code tells */ })
    child.stdin.end(input ?? '')
  })
}

/**
 * A started `git -C cwd args…` with stdin, stdout and stderr piped, for a process kept running (`--stdin`
 * modes). LC_ALL=C: messages we may show stay stable; GIT_OPTIONAL_LOCKS=0: `git status` must not take the
 * index lock (a concurrent commit in the same repo would otherwise fail).
 */
export function gitProcess(cwd: string, args: string[]): ChildProcessWithoutNullStreams {
  return spawn('git', ['-C', cwd, ...args], {
    env: { ...process.env, LC_ALL: 'C', GIT_OPTIONAL_LOCKS: '0', GIT_TERMINAL_PROMPT: '0' },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
}

/** Like `git`, but a non-zero exit is a runtime error naming the command. */
export async function gitOk(cwd: string, args: string[], input?: string): Promise<Buffer> {
  const r = await git(cwd, args, input)
  if (r.code !== 0) throw new DiceError(ErrorCode.Unknown, `git ${args[0]} failed in ${cwd}: ${r.stderr.trim() || `exit ${r.code}`}`)
  return r.stdout
}

/**
 * The top of the work tree containing `dir`. A directory outside any work tree (or a bare repository) is
 * a usage error (exit 2) with a message naming the directory.
 */
export async function workTreeRoot(dir: string): Promise<string> {
  if (!existsSync(dir)) throw new DiceError(ErrorCode.NotARepo, `index: ${dir}: no such directory`, 2)
  const r = await git(dir, ['rev-parse', '--is-inside-work-tree', '--show-toplevel'])
  const [inside, top] = r.stdout.toString('utf8').split('\n')
  if (r.code !== 0 || inside !== 'true' || !top) {
    throw new DiceError(ErrorCode.NotARepo, `index: ${dir} is not inside a git work tree (dice index needs a git clone to read files and blame)`, 2)
  }
  return top
}

/** `HEAD`'s commit id, or null in a repository with no commits yet. */
export async function headCommit(root: string): Promise<string | null> {
  const r = await git(root, ['rev-parse', '-q', '--verify', 'HEAD^{commit}'])
  return r.code === 0 ? r.stdout.toString('utf8').trim() || null : null
}

/**
 * The commits a shallow clone's history is cut at (`.git/shallow`), empty for a full clone. `git blame`
 * gives every line older than the cut to the cut commit, whoever wrote it.
 */
export async function shallowCommits(root: string): Promise<Set<string>> {
  const r = await git(root, ['rev-parse', '--git-path', 'shallow'])
  const p = r.stdout.toString('utf8').trim()
  if (r.code !== 0 || !p) return new Set()
  try {
    return new Set((await readFile(resolve(root, p), 'utf8')).split('\n').map((l) => l.trim()).filter((l) => /^[0-9a-f]{40,64}$/.test(l)))
  } catch {
    return new Set()
  }
}

/** One tracked file as `git ls-files -s` reports it. */
export interface TrackedFile {
  path: string
  mode: string
  /** Blob id of the staged content. */
  blob: string
}

/**
 * Tracked files with their staged blob ids (one `git ls-files -s -z`). Submodules and symlinks are left
 * out: neither is source we can read in place. Conflicted paths appear once.
 */
export async function trackedFiles(root: string): Promise<TrackedFile[]> {
  const out = (await gitOk(root, ['ls-files', '-s', '-z'])).toString('utf8')
  const files: TrackedFile[] = []
  let last = ''
  for (const rec of out.split('\0')) {
    if (!rec) continue
    // "<mode> <blob> <stage>\t<path>"
    const tab = rec.indexOf('\t')
    const path = rec.slice(tab + 1)
    const mode = rec.slice(0, 6)
    if (mode === '160000' || mode === '120000' || path === last) continue
    files.push({ path, mode, blob: rec.slice(7, tab - 2) })
    last = path
  }
  return files
}

/** Working-tree state of tracked files that differ from HEAD (from one `git status`). */
export interface WorkTreeChanges {
  /** Files whose working-tree content differs from the index: their blob id must be recomputed. */
  modified: string[]
  /** Tracked files missing from the working tree. */
  deleted: Set<string>
  /** Every path git status lists: staged, modified or conflicted, i.e. not all lines are committed. */
  dirty: Set<string>
}

/** Tracked files that differ from HEAD or from the index (untracked files are not looked at). */
export async function workTreeChanges(root: string): Promise<WorkTreeChanges> {
  const out = (await gitOk(root, ['status', '--porcelain=v1', '-z', '--untracked-files=no', '--no-renames', '--ignore-submodules=all'])).toString('utf8')
  const modified: string[] = []
  const deleted = new Set<string>()
  const dirty = new Set<string>()
  for (const rec of out.split('\0')) {
    if (rec.length < 4) continue
    const x = rec[0]!
    const y = rec[1]!
    const path = rec.slice(3)
    dirty.add(path)
    if (y === 'D' || (x === 'D' && y === ' ')) deleted.add(path)
    else if (y !== ' ' || x === 'U') modified.push(path)
  }
  return { modified, deleted, dirty }
}

/** Blob ids of working-tree files (one `git hash-object --stdin-paths`, so clean filters and eol apply). */
export async function hashObjects(root: string, paths: string[]): Promise<Map<string, string>> {
  const result = new Map<string, string>()
  if (!paths.length) return result
  const r = await git(root, ['hash-object', '--stdin-paths'], paths.join('\n') + '\n')
  const ids = r.stdout.toString('utf8').split('\n')
  // On failure (a file vanished between status and now) hash one by one so one bad path costs only itself.
  if (r.code !== 0 || ids.length < paths.length) {
    for (const p of paths) {
      const one = await git(root, ['hash-object', '--', p])
      if (one.code === 0) result.set(p, one.stdout.toString('utf8').trim())
    }
    return result
  }
  paths.forEach((p, i) => result.set(p, ids[i]!))
  return result
}

/**
 * `linguist-generated` / `linguist-vendored` from .gitattributes, for `paths` (one `git check-attr`).
 * Returns the paths marked with either. Skipped (empty result) when no attributes file exists.
 */
export async function linguistExcluded(root: string, paths: string[], tracked: string[]): Promise<Set<string>> {
  const marked = new Set<string>()
  const hasAttributes = tracked.some((p) => p === '.gitattributes' || p.endsWith('/.gitattributes')) || existsSync(join(root, '.git', 'info', 'attributes'))
  if (!hasAttributes || !paths.length) return marked
  const r = await git(root, ['check-attr', '-z', '--stdin', 'linguist-generated', 'linguist-vendored'], paths.join('\0') + '\0')
  if (r.code !== 0) return marked
  const f = r.stdout.toString('utf8').split('\0')
  for (let i = 0; i + 2 < f.length; i += 3) {
    const v = f[i + 2]
    if (v === 'set' || v === 'true') marked.add(f[i]!)
  }
  return marked
}

/**
 * Tracked files (work-tree content) that contain any of `words` as a whole word: the files a changed constant
 * or wrapper may concern. Asked in batches, so any number of words works.
 */
export async function filesMentioning(root: string, words: readonly string[]): Promise<Set<string>> {
  const out = new Set<string>()
  for (let i = 0; i < words.length; i += 200) {
    const args = ['grep', '-l', '-z', '-I', '-w', '-F']
    for (const w of words.slice(i, i + 200)) args.push('-e', w)
    const r = await git(root, args)
    // Exit 1: no file matched.
    if (r.code > 1) throw new DiceError(ErrorCode.Unknown, `git grep failed in ${root}: ${r.stderr.trim() || `exit ${r.code}`}`)
    for (const f of r.stdout.toString('utf8').split('\0')) if (f) out.add(f)
  }
  return out
}
