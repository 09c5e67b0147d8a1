import type { SkippedCommit } from '../core/types.js'
import type { BlameOptions, LineBlame } from './blame.js'
import { git } from './git.js'

/** Always bots: GitHub App authors (`dependabot[bot]`, `renovate[bot]`, `github-actions[bot]`, and their noreply emails). */
export const BUILTIN_BOTS = ['*[bot]*']

/** Rounds of looking further back (a bot's commit over another bot's over a reformat…); what is left after them stays as found. */
export const MAX_ROUNDS = 3

/**
 * A test of a commit author against bot patterns (`catalog.blame.bots` plus BUILTIN_BOTS): globs where `*` is any
 * run of characters, matched without case against the whole author name or the whole author email.
 */
export function botMatcher(patterns: readonly string[]): (a: { name: string; email: string }) => boolean {
  const res = [...BUILTIN_BOTS, ...patterns].map((p) => new RegExp(`^${p.split('*').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i'))
  return (a) => res.some((re) => re.test(a.name) || re.test(a.email))
}

/**
 * Which commits changed some lines of a file in whitespace only: a file whose lines added by the commit are
 * fewer under `git log --numstat -w` than without `-w`. The commits asked for within a few milliseconds go to
 * one pair of `git log --no-walk --stdin` processes; answers are kept (bounded) for the rest of the run, so a
 * commit touching many files is asked about once. Merges and root commits never count (no diff to a parent).
 */
export class WhitespaceCommits {
  private answers = new Map<string, Promise<ReadonlySet<string>>>()
  private queue: Array<{ commit: string; resolve: (paths: ReadonlySet<string>) => void; reject: (e: unknown) => void }> = []
  private timer: NodeJS.Timeout | null = null

  constructor(private root: string, private o: { waitMs?: number; maxCommits?: number } = {}) {}

  /** True when `commit` changed some of `path`'s lines in whitespace only (those lines are then worth a `-w` blame). */
  async partly(commit: string, path: string): Promise<boolean> {
    return (await this.paths(commit)).has(path)
  }

  private paths(commit: string): Promise<ReadonlySet<string>> {
    let p = this.answers.get(commit)
    if (p) return p
    p = new Promise((resolve, reject) => this.queue.push({ commit, resolve, reject }))
    if (this.answers.size >= (this.o.maxCommits ?? 100_000)) this.answers.clear()
    this.answers.set(commit, p)
    this.timer ??= setTimeout(() => void this.flush(), this.o.waitMs ?? 0)
    return p
  }

  private async flush(): Promise<void> {
    this.timer = null
    const batch = this.queue
    this.queue = []
    const input = batch.map((b) => b.commit).join('\n') + '\n'
    try {
      const args = ['-c', 'core.quotePath=false', 'log', '--no-walk=unsorted', '--stdin', '--no-renames', '--no-ext-diff', '--numstat', '--format=%x00%H']
      const [plain, ws] = await Promise.all([git(this.root, args, input), git(this.root, [...args, '-w'], input)])
      if (plain.code !== 0 || ws.code !== 0) throw new Error((plain.code ? plain.stderr : ws.stderr).trim() || 'git log --numstat failed')
      const a = parseNumstat(plain.stdout.toString('utf8'))
      const b = parseNumstat(ws.stdout.toString('utf8'))
      for (const q of batch) {
        const before = a.get(q.commit)
        const after = b.get(q.commit)
        const out = new Set<string>()
        if (before) for (const [path, n] of before) if ((after?.get(path) ?? 0) < n) out.add(path)
        q.resolve(out)
      }
    } catch (e) {
      for (const q of batch) this.answers.delete(q.commit)
      for (const q of batch) q.reject(e)
    }
  }
}

/** `git log --numstat --format=%x00%H` → commit → path → lines added (binary files left out). */
export function parseNumstat(text: string): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>()
  let cur: Map<string, number> | null = null
  for (const row of text.split('\n')) {
    if (row.startsWith('\u0000')) {
      out.set(row.slice(1), (cur = new Map()))
      continue
    }
    const m = /^(\d+)\t\d+\t(.*)$/.exec(row)
    if (!m || !cur) continue
    let path = m[2]!
    // Names git still quotes (tabs, newlines, quotes in them): C-style escapes, as JSON reads them.
    if (path.startsWith('"')) try { path = JSON.parse(path) as string } catch { /* kept as printed */ }
    cur.set(path, Number(m[1]))
  }
  return out
}

/** What `humanBlame` needs besides the first blame. */
export interface HumanBlameOptions {
  /** `git blame` of some lines of the same file with these options (ignore-revs file, rev) plus more. */
  blame: (ranges: Array<[number, number]>, extra: Pick<BlameOptions, 'ignoreRevs' | 'ignoreWhitespace'>) => Promise<Map<number, LineBlame>>
  isBot: (a: { name: string; email: string }) => boolean
  /** Null: formatting-only commits are not looked for. */
  whitespace: WhitespaceCommits | null
  /** Commits left as found (a shallow clone's cut commit: git has nothing before it). */
  keep?: ReadonlySet<string>
}

/**
 * Look past bots and reformatting: a line whose commit is by a bot, or changed that line in whitespace only,
 * is blamed again — `--ignore-rev` for the bots' commits, `-w` for formatting — and gets the author git finds
 * before them, with the commits looked past in `skipped` (newest first). At most MAX_ROUNDS rounds, and only
 * those lines pay for them. A line no human wrote (a bot created it) keeps the bot's blame marked `bot: true`,
 * which makes nobody its owner. Returns a new map; `lines` is left as it was.
 */
export async function humanBlame(lines: ReadonlyMap<number, LineBlame>, path: string, o: HumanBlameOptions): Promise<Map<number, LineBlame>> {
  const out = new Map(lines)
  const skipped = new Map<number, SkippedCommit[]>()
  const ignore = new Set<string>()
  let open = [...lines.keys()]
  for (let round = 0; round < MAX_ROUNDS && open.length; round++) {
    const bots: number[] = []
    const formatting: number[] = []
    for (const n of open) {
      const b = out.get(n)
      if (!b || o.keep?.has(b.commit)) continue
      if (o.isBot(b)) (bots.push(n), ignore.add(b.commit))
      else if (o.whitespace && (await o.whitespace.partly(b.commit, path))) formatting.push(n)
    }
    const next: number[] = []
    const again = async (ns: number[], why: SkippedCommit['why']) => {
      if (!ns.length) return
      const found = await o.blame(ns.map((n) => [n, n]), { ignoreRevs: [...ignore], ignoreWhitespace: why === 'formatting' })
      for (const n of ns) {
        const b = out.get(n)!
        const nb = found.get(n)
        if (nb && nb.commit !== b.commit) {
          const l = skipped.get(n) ?? []
          l.push({ commit: b.commit, author: b.name, email: b.email, why })
          skipped.set(n, l)
          out.set(n, nb)
          next.push(n)
        } else if (why === 'bot') {
          // Nobody before the bot (it wrote the line): the bot's blame stays, marked, and listed as looked past.
          const l = skipped.get(n) ?? []
          l.push({ commit: b.commit, author: b.name, email: b.email, why })
          skipped.set(n, l)
          out.set(n, { ...b, bot: true })
        }
        // A formatting suspect git does not look past under -w changed that line for real: its author stays.
      }
    }
    await again(bots, 'bot')
    await again(formatting, 'formatting')
    open = next
  }
  // Still a bot after the last round: nobody found in time.
  for (const n of open) {
    const b = out.get(n)
    if (b && !b.bot && o.isBot(b)) out.set(n, { ...b, bot: true })
  }
  for (const [n, l] of skipped) {
    const b = out.get(n)
    if (b) out.set(n, { ...b, skipped: l })
  }
  return out
}
