import { describe, expect, it } from 'vitest'
import { renderTable, shortenMiddle, shortenWhere, type Column } from './table.js'

const COLS: Column[] = [
  { head: 'ID', fixed: true },
  { head: 'WHERE', min: 20, shorten: shortenWhere },
  { head: 'MESSAGE', min: 10 },
]
const LONG = 'services/payments/internal/adapters/outbound/bank/transfer_client.go:1234'

describe('tables fitted to the terminal', () => {
  it('keeps the line number and both ends of a long path, cutting the middle', () => {
    const s = shortenWhere(LONG, 30)
    expect(s).toHaveLength(30)
    expect(s).toBe('servi…/transfer_client.go:1234')
    expect(shortenWhere('a.c:7', 30)).toBe('a.c:7')
    expect(shortenMiddle('abcdefghij', 5)).toBe('a…hij')
  })

  it('never writes a line wider than the width, and narrows the message before the path', () => {
    const rows = [['3f9a1c2b7d10', LONG, 'transfer %s to %s failed after %d retries: %v'], ['0c4d5e6f7a8b', 'a.c:7', 'short']]
    const lines = renderTable(COLS, rows, 110)
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(110)
    // 110 columns leave room for the whole path once the message gave way.
    expect(lines[1]).toContain(LONG)
    expect(lines[1]).toMatch(/transfer %s to.*…$/)
    const narrow = renderTable(COLS, rows, 50)
    for (const l of narrow) expect(l.length).toBeLessThanOrEqual(50)
    expect(narrow[1]).toMatch(/…\/?transfer_client\.go:1234 /)
    expect(narrow[1]).toContain('…')
  })

  it('cuts nothing when there is no width limit (output to a pipe)', () => {
    const rows = [['id', LONG, 'x'.repeat(300)]]
    expect(renderTable(COLS, rows)[1]).toBe(`id  ${LONG}  ${'x'.repeat(300)}`)
  })
})
