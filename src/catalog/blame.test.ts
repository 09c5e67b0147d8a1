import { describe, expect, it } from 'vitest'
import { mergeRanges, parsePorcelain, statementBlame } from './blame.js'

const A = 'a'.repeat(40)
const B = 'b'.repeat(40)
const Z = '0'.repeat(40)

const porcelain = [
  `${A} 1 3 2`, 'author Alice', 'author-mail <alice@x>', 'author-time 1700000000', 'author-tz +0100', 'summary one', 'filename f.c', '\tline three',
  `${A} 2 4`, '\tline four',
  `${B} 7 9 1`, 'author Bob', 'author-mail <bob@x>', 'author-time 1800000000', 'author-tz -0500', 'summary two', 'previous x f.c', 'filename f.c', '\tline nine',
  `${Z} 10 10 1`, 'author Not Committed Yet', 'author-mail <not.committed.yet>', 'author-time 1900000000', 'author-tz +0000', 'filename f.c', '\tline ten',
].join('\n') + '\n'

describe('blame', () => {
  it('parses porcelain output, reusing author headers printed once per commit', () => {
    const m = parsePorcelain(porcelain)
    expect(m.get(3)).toEqual({ email: 'alice@x', name: 'Alice', commit: A, time: '2023-11-14T22:13:20.000Z' })
    expect(m.get(4)).toEqual(m.get(3))
    expect(m.get(9)).toMatchObject({ email: 'bob@x', commit: B })
    expect(m.get(10)).toBeNull()
    expect(m.has(5)).toBe(false)
  })

  it('gives a multi-line statement to the author of its most recent line; an uncommitted line makes it null', () => {
    const m = parsePorcelain(porcelain)
    expect(statementBlame(m, 3, 4)?.commit).toBe(A)
    expect(statementBlame(m, 3, 9)?.commit).toBe(B)
    expect(statementBlame(m, 9, 10)).toBeNull()
    expect(statementBlame(m, 20, 21)).toBeNull()
  })

  it('gives a statement to the latest line a human wrote over a later one left to a bot, with every line\'s skipped commits', () => {
    const f = { commit: 'f'.repeat(40), author: 'Fmt', email: 'f@x', why: 'formatting' as const }
    const bot = { commit: B, author: 'dependabot[bot]', email: 'd@x', why: 'bot' as const }
    const m = new Map([
      [1, { email: 'h@x', name: 'H', commit: A, time: '2024-01-01T00:00:00.000Z', skipped: [f] }],
      [2, { email: 'd@x', name: 'dependabot[bot]', commit: B, time: '2025-01-01T00:00:00.000Z', bot: true, skipped: [bot] }],
    ])
    expect(statementBlame(m, 1, 2)).toEqual({ email: 'h@x', name: 'H', commit: A, time: '2024-01-01T00:00:00.000Z', skipped: [f, bot] })
    expect(statementBlame(m, 2, 2)).toMatchObject({ commit: B, bot: true, skipped: [bot] })
  })

  it('merges overlapping and adjacent line ranges', () => {
    expect(mergeRanges([[10, 12], [1, 1], [2, 3], [11, 15], [20, 20]])).toEqual([[1, 3], [10, 15], [20, 20]])
  })
})
