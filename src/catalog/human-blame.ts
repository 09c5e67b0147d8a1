import type { SkippedCommit } from '../core/types.js'
import type { BlameOptions, LineBlame } from './blame.js'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'
import { gitProcess } from './git.js'

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

/** Echoed by `git diff-tree --stdin` after a commit's output (a line that is no object name is printed as is). */
const DONE = '#dice-done'

/**
 * One `git diff-tree --stdin --numstat` kept running: a commit id in, its files and lines added out (a root
 * commit or a merge: none). Null when the process failed (the caller then finds no reformat).
 */
class NumstatStream {
  private child: ChildProcessWithoutNullStreams | null = null
  private waiting: Array<(r: Map<string, number> | null) => void> = []
  private cur = new Map<string, number>()
  private rest = ''
  private dead = false

  constructor(private root: string, private whitespace: boolean) {}

  ask(commit: string): Promise<Map<string, number> | null> {
    if (this.dead) return Promise.resolve(null)
    const child = this.child ?? this.start()
    return new Promise((resolve) => {
      this.waiting.push(resolve)
      child.stdin.write(`${commit}\n${DONE}\n`)
    })
  }

  close(): void {
    this.child?.stdin.end()
  }

  private start(): ChildProcessWithoutNullStreams {
    const args = ['-c', 'core.quotePath=false', 'diff-tree', '--stdin', '-r', '--no-renames', '--no-ext-diff', '--numstat', '--format=%x00%H']
    const child = gitProcess(this.root, this.whitespace ? [...args, '-w'] : args)
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (d: string) => this.read(d))
    child.stderr.resume()
    const fail = () => {
      this.dead = true
      for (const w of this.waiting.splice(0)) w(null)
    }
    child.on('error', fail)
    child.on('close', fail)
    child.stdin.on('error', fail)
    return (this.child = child)
  }

  private read(d: string): void {
    const rows = (this.rest + d).split('\n')
    this.rest = rows.pop()!
    for (const row of rows) {
      if (row === DONE) {
        this.waiting.shift()?.(this.cur)
        this.cur = new Map()
        continue
      }
      const m = /^(\d+)\t\d+\t(.*)$/.exec(row)
      if (m) this.cur.set(unquote(m[2]!), Number(m[1]))
    }
  }
}

/** A path as git prints it: names with tabs, newlines or quotes come C-quoted, which JSON reads. */
function unquote(path: string): string {
  if (!path.startsWith('"')) return path
  try {
    return JSON.parse(path) as string
  } catch {
    return path
  }
}

/**
 * Which commits changed some lines of a file in whitespace only: the file's lines added by the commit are fewer
 * under `git diff-tree --numstat -w` than without `-w`. Two diff-tree processes run for the whole index (started
 * at the first question), each commit is asked once (answers kept, bounded); `close()` ends them.
 */
export class WhitespaceCommits {
  private answers = new Map<string, Promise<ReadonlySet<string>>>()
  private plain: NumstatStream
  private ws: NumstatStream

  constructor(root: string, private maxCommits = 100_000) {
    this.plain = new NumstatStream(root, false)
    this.ws = new NumstatStream(root, true)
  }

  /** True when `commit` changed some of `path`'s lines in whitespace only (those lines are then worth a `-w` blame). */
  async partly(commit: string, path: string): Promise<boolean> {
    let p = this.answers.get(commit)
    if (!p) {
      if (this.answers.size >= this.maxCommits) this.answers.clear()
      this.answers.set(commit, (p = this.ask(commit)))
    }
    return (await p).has(path)
  }

  /** End the git processes (answers already given stay). */
  close(): void {
    this.plain.close()
    this.ws.close()
  }

  private async ask(commit: string): Promise<ReadonlySet<string>> {
    const [before, after] = await Promise.all([this.plain.ask(commit), this.ws.ask(commit)])
    const out = new Set<string>()
    if (before && after) for (const [path, n] of before) if ((after.get(path) ?? 0) < n) out.add(path)
    return out
  }
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
    // Every commit of these lines asked at once: one batch, not one git process per commit in turn.
    const reformats = new Set<string>()
    if (o.whitespace) {
      const asked = new Set<string>()
      for (const n of open) {
        const b = out.get(n)
        if (b && !o.keep?.has(b.commit) && !o.isBot(b)) asked.add(b.commit)
      }
      await Promise.all([...asked].map(async (c) => (await o.whitespace!.partly(c, path)) && reformats.add(c)))
    }
    for (const n of open) {
      const b = out.get(n)
      if (!b || o.keep?.has(b.commit)) continue
      if (o.isBot(b)) (bots.push(n), ignore.add(b.commit))
      else if (reformats.has(b.commit)) formatting.push(n)
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
