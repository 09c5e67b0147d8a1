import { describe, expect, it } from 'vitest'
import { LineSplitter, type SplitLine } from './line-splitter.js'
import { LINE_BAD_UTF8, LINE_TOO_LONG } from './source.js'

const split = (chunks: Buffer[], max = 1024, start = 0) => {
  const s = new LineSplitter(max, start)
  const out: SplitLine[] = []
  for (const c of chunks) s.push(c, out)
  s.end(out)
  return out
}

describe('LineSplitter', () => {
  it('joins a line cut across chunks, strips CRLF, and reports the offset after each newline', () => {
    const out = split([Buffer.from('one\r\ntw'), Buffer.from('o\nthr'), Buffer.from('ee')], 1024, 100)
    expect(out).toEqual([{ text: 'one', flags: 0, end: 105 }, { text: 'two', flags: 0, end: 109 }, { text: 'three', flags: 0, end: 114 }])
  })

  it('keeps a multi-byte character split across chunks intact and clean', () => {
    const b = Buffer.from('héllo wörld\n')
    const out = split([b.subarray(0, 2), b.subarray(2, 9), b.subarray(9)])
    expect(out).toEqual([{ text: 'héllo wörld', flags: 0, end: b.length }])
  })

  it('cuts an over-long line at a character boundary and drops the rest, across chunks', () => {
    const long = Buffer.from('é'.repeat(10) + 'tail\nnext\n') // é is 2 bytes
    const out = split([long.subarray(0, 7), long.subarray(7)], 5)
    expect(out).toEqual([{ text: 'éé', flags: LINE_TOO_LONG, end: 25 }, { text: 'next', flags: 0, end: 30 }])
    const oneChunk = split([long], 5)
    expect(oneChunk).toEqual(out)
  })

  it('flags only the dirty line of a chunk', () => {
    const out = split([Buffer.concat([Buffer.from('good\n'), Buffer.from([0xc3, 0x28, 0x0a]), Buffer.from('good\n')])])
    expect(out.map((l) => l.flags)).toEqual([0, LINE_BAD_UTF8, 0])
  })

  it('decodes every line of a chunk as UTF-8, whether the chunk is all ASCII or holds one multi-byte line', () => {
    const ascii = Buffer.from('plain one\nplain two\n')
    const mixed = Buffer.from('plain\nnaïve café ✓\n\u00ff\u0100 end\n')
    expect(split([ascii, mixed]).map((l) => l.text)).toEqual(['plain one', 'plain two', 'plain', 'naïve café ✓', '\u00ff\u0100 end'])
    // Bytes ≥ 0x80 read as Latin-1 would give 'Ã¿' for ÿ: the chunk must not be taken for ASCII.
    expect(split([Buffer.from('x\nÿ\n')]).map((l) => l.text)).toEqual(['x', 'ÿ'])
  })
})
