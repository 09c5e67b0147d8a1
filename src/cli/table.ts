/** How a column gives way when the terminal is narrower than the table. */
export interface Column {
  head: string
  /** Never narrowed (ids, levels). */
  fixed?: boolean
  /** Narrowest it gets before the table overflows instead. */
  min?: number
  /** `end`: cut the end with an ellipsis; `middle`: keep both ends (paths); a function for its own way. */
  shorten?: 'end' | 'middle' | ((text: string, width: number) => string)
}

const GAP = 2

/** `text` in `width` characters, keeping its start and its last `keepEnd` (default: most of the room) characters. */
export function shortenMiddle(text: string, width: number, keepEnd = 0): string {
  if (text.length <= width) return text
  if (width <= 1) return text.slice(0, width)
  const tail = Math.min(width - 1, Math.max(keepEnd, Math.ceil((width - 1) * 0.6)))
  return text.slice(0, width - 1 - tail) + '…' + text.slice(text.length - tail)
}

/** `file:line` in `width`: the line number is never cut; the path loses its middle, the file name last. */
export function shortenWhere(where: string, width: number): string {
  const m = /^(.*)(:\d+)$/.exec(where)
  if (!m || where.length <= width) return shortenMiddle(where, width)
  const path = m[1]!
  const base = path.slice(path.lastIndexOf('/'))
  return shortenMiddle(path, Math.max(1, width - m[2]!.length), base.length) + m[2]
}

const cutEnd = (s: string, w: number) => (s.length > w ? s.slice(0, Math.max(0, w - 1)) + '…' : s)

/**
 * Lay rows out in `width` characters (Infinity: no limit). Columns keep their natural width when it fits;
 * otherwise the last column gives way first, then the others (right to left) down to their `min`.
 */
export function renderTable(columns: Column[], rows: string[][], width = Infinity): string[] {
  const natural = columns.map((c, i) => Math.max(c.head.length, ...rows.map((r) => r[i]!.length)))
  const widths = natural.slice()
  let over = widths.reduce((a, b) => a + b, 0) + GAP * (columns.length - 1) - width
  for (let i = columns.length - 1; i >= 0 && over > 0; i--) {
    const c = columns[i]!
    if (c.fixed) continue
    const floor = Math.max(c.head.length, Math.min(natural[i]!, c.min ?? 8))
    const give = Math.min(over, widths[i]! - floor)
    widths[i]! -= give
    over -= give
  }
  const fit = (s: string, i: number): string => {
    const w = widths[i]!
    if (s.length <= w) return s
    const how = columns[i]!.shorten ?? 'end'
    return how === 'middle' ? shortenMiddle(s, w) : how === 'end' ? cutEnd(s, w) : how(s, w)
  }
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? fit(c, i) : fit(c, i).padEnd(widths[i]!))).join(' '.repeat(GAP)).trimEnd()
  return [line(columns.map((c) => c.head)), ...rows.map(line)]
}

/** The width to lay a table out in: the terminal's, else $COLUMNS, else no limit (a pipe or a file). */
export function outputWidth(out: NodeJS.WritableStream, env: NodeJS.ProcessEnv): number {
  const tty = out as NodeJS.WriteStream
  if (tty.isTTY && tty.columns) return tty.columns
  const env_ = Number(env.COLUMNS)
  return Number.isInteger(env_) && env_ > 0 ? env_ : Infinity
}
