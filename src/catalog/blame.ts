import type { Blame } from '../core/types.js'
import { git } from './git.js'

const UNCOMMITTED = '0000000000000000000000000000000000000000'

/** Blame of one line: a commit's author, or `null` for a line not committed yet. */
export type LineBlame = Blame | null

/**
 * Merge 1-based inclusive line ranges into the fewest sorted, non-overlapping ranges (adjacent ones join),
 * so one `git blame` gets one `-L` per block of statements.
 */
export function mergeRanges(ranges: Array<[number, number]>): Array<[number, number]> {
  const sorted = ranges.map(([a, b]): [number, number] => [Math.min(a, b), Math.max(a, b)]).sort((x, y) => x[0] - y[0])
  const out: Array<[number, number]> = []
  for (const r of sorted) {
    const last = out[out.length - 1]
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1])
    else out.push([r[0], r[1]])
  }
  return out
}

/**
 * Parse `git blame --porcelain` output into final line → blame. Porcelain prints a commit's author
 * headers only the first time the commit appears, so headers are remembered per commit (bounded by the
 * commits touching this one file).
 */
export function parsePorcelain(text: string): Map<number, LineBlame> {
  const lines = new Map<number, LineBlame>()
  const commits = new Map<string, { name: string; email: string; time: number; tz: string }>()
  let cur: { sha: string; final: number; count: number } | null = null
  let info: { name: string; email: string; time: number; tz: string } | null = null
  for (const row of text.split('\n')) {
    if (row.startsWith('\t')) {
      // The content line ends a group: record every line the header covers (only the first line of a
      // group carries the count; later lines of the same group have their own headers).
      if (cur) {
        const c = commits.get(cur.sha)
        lines.set(cur.final, cur.sha === UNCOMMITTED || !c ? null
          : { email: c.email, name: c.name, commit: cur.sha, time: new Date(c.time * 1000).toISOString() })
      }
      cur = null
      continue
    }
    const m = /^([0-9a-f]{40}) \d+ (\d+)(?: (\d+))?$/.exec(row)
    if (m) {
      cur = { sha: m[1]!, final: Number(m[2]), count: Number(m[3] ?? 1) }
      info = commits.get(cur.sha) ?? null
      if (!info) {
        info = { name: '', email: '', time: 0, tz: '+0000' }
        commits.set(cur.sha, info)
      }
      continue
    }
    if (!info) continue
    if (row.startsWith('author ')) info.name = row.slice(7)
    else if (row.startsWith('author-mail ')) info.email = row.slice(12).replace(/^<|>$/g, '')
    else if (row.startsWith('author-time ')) info.time = Number(row.slice(12))
    else if (row.startsWith('author-tz ')) info.tz = row.slice(10)
  }
  return lines
}

/** Options for blaming one file. */
export interface BlameOptions {
  /** Repository-relative path of `.git-blame-ignore-revs` (or another ignore-revs file) when present. */
  ignoreRevsFile?: string | null
  /** Commits to look past (`--ignore-rev`), besides the ignore-revs file's. */
  ignoreRevs?: readonly string[]
  /** `-w`: a change of whitespace only is no change (a reformat does not make its author the line's). */
  ignoreWhitespace?: boolean
  /**
   * Blame this commit's version instead of the working tree. Only for files whose working-tree content
   * equals that commit's: git then skips diffing the working tree against it.
   */
  rev?: string | null
}

/**
 * Blame only `ranges` of the working-tree `file` in one `git blame --porcelain` with several `-L`.
 * git applies .mailmap to porcelain author headers itself. Lines git cannot blame are absent from the map.
 */
export async function blameRanges(root: string, file: string, ranges: Array<[number, number]>, o: BlameOptions = {}): Promise<Map<number, LineBlame>> {
  const merged = mergeRanges(ranges)
  if (!merged.length) return new Map()
  const args = ['blame', '--porcelain']
  if (o.ignoreRevsFile) args.push('--ignore-revs-file', o.ignoreRevsFile)
  for (const c of o.ignoreRevs ?? []) args.push('--ignore-rev', c)
  if (o.ignoreWhitespace) args.push('-w')
  for (const [a, b] of merged) args.push('-L', `${a},${b}`)
  if (o.rev) args.push(o.rev)
  args.push('--', file)
  const r = await git(root, args)
  if (r.code !== 0) throw new Error(r.stderr.trim() || `git blame exited ${r.code}`)
  return parsePorcelain(r.stdout.toString('utf8'))
}

/**
 * The owner of a statement spanning `line..endLine`: the author of the most recent commit among its lines —
 * among those a human wrote when there are any (a line left to a bot is `bot: true`, see human-blame.ts), with
 * every line's `skipped` commits gathered. Any uncommitted line makes the statement's blame null (its latest
 * change belongs to nobody yet).
 */
export function statementBlame(lines: ReadonlyMap<number, LineBlame>, line: number, endLine: number): Blame | null {
  let human: Blame | null = null
  let bot: Blame | null = null
  const skipped = new Map<string, NonNullable<Blame['skipped']>[number]>()
  for (let n = line; n <= Math.max(line, endLine); n++) {
    if (!lines.has(n)) continue
    const b = lines.get(n)!
    if (b === null) return null
    for (const s of b.skipped ?? []) if (!skipped.has(s.commit)) skipped.set(s.commit, s)
    if (b.bot) {
      if (!bot || b.time > bot.time) bot = b
    } else if (!human || b.time > human.time) human = b
  }
  const best = human ?? bot
  if (!best) return null
  const { skipped: _own, ...rest } = best
  return skipped.size ? { ...rest, skipped: [...skipped.values()] } : rest
}

/** Run `fn` over `items` with at most `limit` in flight, preserving nothing but completion. */
export async function pool<T>(items: T[], limit: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++
      await fn(items[i]!, i)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker))
}
