import { readdir } from 'node:fs/promises'
import { join, resolve, sep } from 'node:path'

/** A compiled file pattern (`/var/log/app/*.log`, `logs/**\/*.log`, or a plain path). */
export interface FileGlob {
  pattern: string
  /** The directory above the first wildcard: what to watch for new files. */
  base: string
  /** True when the pattern has no wildcard at all. */
  literal: boolean
  /** Existing regular files matching the pattern, sorted; at most `limit`. */
  expand(limit?: number): Promise<string[]>
}

const WILD = /[*?[]/

/** Compile a glob once (segments → regexes); `*` and `?` stay inside one path segment, `**` spans any depth. */
export function compileGlob(pattern: string, cwd = process.cwd()): FileGlob {
  const abs = resolve(cwd, pattern)
  const parts = abs.split(sep)
  const first = parts.findIndex((p) => WILD.test(p))
  if (first < 0) {
    return {
      pattern, base: parts.slice(0, -1).join(sep) || sep, literal: true,
      async expand() {
        const { stat } = await import('node:fs/promises')
        try {
          return (await stat(abs)).isFile() ? [abs] : []
        } catch {
          return []
        }
      },
    }
  }
  const base = parts.slice(0, first).join(sep) || sep
  const segs: Array<RegExp | '**'> = parts.slice(first).map((p) => (p === '**' ? '**' : segmentRegex(p)))
  return {
    pattern, base, literal: false,
    async expand(limit = 10_000) {
      const out: string[] = []
      await walk(base, segs, 0, out, limit, 0)
      return out.sort()
    },
  }
}

function segmentRegex(seg: string): RegExp {
  let re = ''
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i]!
    if (c === '*') re += '[^/]*'
    else if (c === '?') re += '[^/]'
    else if (c === '[') {
      const close = seg.indexOf(']', i + 2)
      if (close < 0) re += '\\['
      else {
        let body = seg.slice(i + 1, close)
        if (body.startsWith('!')) body = '^' + body.slice(1)
        re += `[${body.replace(/\\/g, '\\\\')}]`
        i = close
      }
    } else re += c.replace(/[.+^${}()|\\\]]/g, '\\$&')
  }
  return new RegExp(`^${re}$`)
}

async function walk(dir: string, segs: Array<RegExp | '**'>, i: number, out: string[], limit: number, depth: number): Promise<void> {
  if (out.length >= limit || depth > 32) return
  const seg = segs[i]!
  const last = i === segs.length - 1
  let entries
  try {
    entries = await readdir(dir, { withFileTypes: true })
  } catch {
    return // vanished or unreadable: the next scan tries again
  }
  if (seg === '**') {
    // `**` matches zero directories (try the next segment here) or one more level (stay on `**`).
    if (!last) await walk(dir, segs, i + 1, out, limit, depth)
    for (const e of entries) {
      if (out.length >= limit) return
      if (e.isDirectory()) await walk(join(dir, e.name), segs, i, out, limit, depth + 1)
      else if (last && e.isFile()) out.push(join(dir, e.name))
    }
    return
  }
  for (const e of entries) {
    if (out.length >= limit) return
    if (!seg.test(e.name)) continue
    const p = join(dir, e.name)
    if (last) {
      if (e.isFile() || e.isSymbolicLink()) out.push(p)
    } else if (e.isDirectory() || e.isSymbolicLink()) await walk(p, segs, i + 1, out, limit, depth + 1)
  }
}
