import { describe, expect, it } from 'vitest'
import { ByteLines, JsonMatchLines } from './byte-lines.js'

const text = (b: ByteLines): string => Buffer.concat(b.take()).toString('utf8')

describe('output lines written as bytes', () => {
  it('writes line numbers as JSON does, from 0 to beyond 32 bits', () => {
    const b = new ByteLines()
    const ns = [0, 1, 9, 10, 99, 100, 12_345, 1_000_000, 2 ** 31 + 5, 2 ** 40 + 3, Number.MAX_SAFE_INTEGER]
    for (const n of ns) {
      b.digits(n)
      b.text(' ')
    }
    expect(text(b)).toBe(ns.map((n) => `${n} `).join(''))
  })

  it('keeps every byte and their order across many buffers, and never rewrites bytes already taken', () => {
    const b = new ByteLines()
    const want: string[] = []
    const taken: Buffer[] = []
    const copies: string[] = []
    for (let i = 0; i < 40_000; i++) {
      const s = i % 1000 === 0 ? `é${'x'.repeat(300_000)}\n` : `line ${i} ünïcode ${'y'.repeat(i % 200)}\n`
      if (i % 2 === 0) b.text(s)
      else b.bytes(Buffer.from(s))
      want.push(s)
      if (i % 777 === 0) for (const t of b.take()) taken.push(t), copies.push(t.toString('utf8'))
    }
    for (const t of b.take()) taken.push(t), copies.push(t.toString('utf8'))
    expect(copies.join('')).toBe(want.join(''))
    // A later write into a buffer's free rest must not change what an earlier take returned.
    expect(taken.map((t) => t.toString('utf8'))).toEqual(copies)
  })

  it("writes dice match's JSON lines exactly as JSON.stringify would, hosts with quotes and any text included", () => {
    const b = new ByteLines()
    const st = (id: string): string => JSON.stringify({ id, file: `src/"q"/${id}.go`, line: 7 })
    const j = new JsonMatchLines(b, st)
    const cases: Array<[number, string | null, string | null, string | null, string[] | undefined]> = [
      [1, 'error', 'web-1', 's1', undefined],
      [2, 'warn', 'web-1', 's1', ['s1', 's2']],
      [3, null, null, null, undefined],
      [4, 'info', 'h"o\\st\u0001<é>', 's2', undefined],
      [5, 'error', 'web-1', null, undefined],
      // One host at several levels, and no level: each pair's part is its own.
      [6, 'warn', 'web-1', 's1', undefined],
      [7, null, 'web-1', 's2', ['s2', 's1']],
      [8, 'error', null, 's1', undefined],
      [9, 'warn', null, 's1', undefined],
      [10, 'error', 'web-1', 's1', undefined],
    ]
    // More hosts than are kept encoded: the later ones are written line by line, the same text.
    for (let i = 0; i < 5000; i++) cases.push([11 + i, i % 2 ? 'warn' : 'error', `host-${i}`, `s${i % 3}`, i % 7 ? undefined : ['s0', 's1']])
    for (const c of cases) j.line(...c)
    const want = cases.map(([n, level, host, id, ambiguous]) => {
      const o: Record<string, unknown> = { n, level, host, statement: id === null ? null : JSON.parse(st(id)) }
      if (ambiguous) o.ambiguous = ambiguous
      return `${JSON.stringify(o)}\n`
    })
    expect(text(b)).toBe(want.join(''))
  })
})
