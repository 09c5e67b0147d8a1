import { systemClock, type Clock } from '../core/clock.js'

/** A progress reporter: `update` as work completes, `end` once (clears a TTY bar). */
export interface Progress {
  update(p: { done: number; total: number; file?: string }): void
  end(): void
}

/**
 * Progress on `out` (stderr): a redrawn bar when it is a terminal, else a plain line at every 10% step
 * or every 2 s, whichever comes first, so CI logs stay short but show life.
 */
export function createProgress(out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }, o: { label: string; clock?: Clock; tty?: boolean }): Progress {
  const clock = o.clock ?? systemClock
  const tty = o.tty ?? out.isTTY === true
  let lastDraw = 0
  let lastStep = -1
  let drawn = false
  return {
    update({ done, total, file }) {
      if (total <= 0) return
      const now = clock()
      const pct = Math.floor((done / total) * 100)
      if (tty) {
        // Redraw at most every 100 ms, plus the final state.
        if (done < total && now - lastDraw < 100) return
        lastDraw = now
        const width = 24
        const fill = Math.round((done / total) * width)
        const head = `${o.label} [${'#'.repeat(fill)}${' '.repeat(width - fill)}] ${String(pct).padStart(3)}% ${done}/${total} `
        const room = Math.max(0, (out.columns || 80) - head.length - 1)
        const tail = file && room > 3 ? (file.length > room ? '…' + file.slice(file.length - room + 1) : file) : ''
        out.write(`\r\x1b[K${head}${tail}`)
        drawn = true
        return
      }
      const step = Math.floor(pct / 10)
      if (step > lastStep || now - lastDraw >= 2000 || (done === total && lastStep < 10)) {
        if (done === total) lastStep = 10
        else lastStep = Math.max(lastStep, step)
        lastDraw = now
        out.write(`${o.label}: ${done}/${total} files (${pct}%)\n`)
      }
    },
    end() {
      if (tty && drawn) out.write('\r\x1b[K')
      drawn = false
    },
  }
}
