import { describe, expect, it } from 'vitest'
import { PassThrough } from 'node:stream'
import { createProgress } from './progress.js'

function sink(): { out: PassThrough; text: () => string } {
  const out = new PassThrough()
  let buf = ''
  out.on('data', (d) => (buf += d))
  return { out, text: () => buf }
}

describe('createProgress', () => {
  it('prints plain lines at each 10% step when not a terminal', () => {
    const { out, text } = sink()
    let now = 0
    const p = createProgress(out, { label: 'indexing', clock: () => now, tty: false })
    for (let i = 0; i <= 100; i++) p.update({ done: i, total: 100 })
    p.end()
    const lines = text().trim().split('\n')
    expect(lines).toHaveLength(11)
    expect(lines[0]).toBe('indexing: 0/100 files (0%)')
    expect(lines.at(-1)).toBe('indexing: 100/100 files (100%)')
    expect(text()).not.toContain('\r')
  })

  it('adds a line every 2 s when progress is slow', () => {
    const { out, text } = sink()
    let now = 0
    const p = createProgress(out, { label: 'x', clock: () => now, tty: false })
    p.update({ done: 0, total: 1000 })
    for (let i = 1; i <= 5; i++) {
      now += 2000
      p.update({ done: i, total: 1000 })
    }
    expect(text().trim().split('\n')).toHaveLength(6)
  })

  it('redraws one bar in place on a terminal and clears it at the end', () => {
    const { out, text } = sink()
    let now = 0
    const p = createProgress(out, { label: 'indexing', clock: () => now, tty: true })
    for (let i = 0; i <= 10; i++) {
      now += 200
      p.update({ done: i, total: 10, file: `f${i}.c` })
    }
    p.end()
    expect(text()).not.toContain('\n')
    expect(text()).toContain('[########################] 100% 10/10 f10.c')
    expect(text().endsWith('\r\x1b[K')).toBe(true)
  })
})
