import { describe, expect, it } from 'vitest'
import { MASKS, shapeHash, shapeOf } from './shape.js'

describe('shapeOf', () => {
  it('masks numbers, hex ids, UUIDs, IPs, emails, quoted strings, paths and times', () => {
    expect(shapeOf('user 42 from 10.0.0.1:443 id 3fa85f64-5717-4562-b3fc-2c963f66afa6 at 0xdeadbeef').shape).toBe('user <NUM> from <IP> id <UUID> at <HEX>')
    expect(shapeOf('mail to ann@example.com bounced: "mailbox full" (/var/spool/mail/ann)').shape).toBe('mail to <EMAIL> bounced: <STR> (<PATH>)')
    expect(shapeOf('peer fe80::1ff:fe23:4567:890a down since 2026-11-25T10:00:01Z').shape).toBe('peer <IP> down since <TIME>')
    expect(shapeOf('commit 9f86d081884c7d65 took 1.5s, shard db-7').shape).toBe('commit <HEX> took <NUM>s, shard db-<NUM>')
  })

  it('gives look-alike messages the same shape and hash, different ones different hashes', () => {
    const a = shapeOf('timeout after 30s talking to 10.1.2.3')
    const b = shapeOf('timeout after 5s talking to 192.168.0.9')
    const c = shapeOf('refused after 5s talking to 192.168.0.9')
    expect(a).toEqual(b)
    expect(a.hash).toMatch(/^[0-9a-f]{12}$/)
    expect(c.hash).not.toBe(a.hash)
  })

  it('folds every whitespace run (tabs, repeats, Unicode spaces) to one space, and digits left in words', () => {
    expect(shapeOf('a\tb  c\u00a0d\u2003e \n f').shape).toBe('a b c d e f')
    expect(shapeOf('user42  on shard-x9y').shape).toBe('user<NUM> on shard-x<NUM>y')
    expect(shapeOf('plain words only').shape).toBe('plain words only')
  })

  it('gives an id with a negative number after `_` the shape of a positive one (HDFS `blk_-695…`)', () => {
    expect(shapeOf('PacketResponder 1 for block blk_-6952295868487656571 terminating')).toEqual(shapeOf('PacketResponder 0 for block blk_38865049064139660 terminating'))
    expect(shapeOf('range a-5 x_-3').shape).toBe('range a-<NUM> x_<NUM>')
  })

  it('keeps the hash of a shape the same across versions (stored unowned rows merge by it)', () => {
    expect(['', 'user <NUM> from <IP>', 'plain words only', 'é ü ✓ 𝄞', 'a'.repeat(2000)].map(shapeHash))
      .toEqual(['811c9dc50578', 'cc0b2f89d08f', 'a0419168cf17', 'eff933392919', '28534c55ed61'])
  })

  it('shapes only the start of a huge message', () => {
    const s = shapeOf(`x ${'a'.repeat(100_000)}`)
    expect(s.shape.length).toBeLessThanOrEqual(2000)
  })
})

describe('shapeOf masking only with the masks a message can hold', () => {
  // The definition: one alternation of every mask, in priority order, then digits left in words and spaces.
  const ALL = new RegExp(MASKS.map((m) => `(${m.re})`).join('|'), 'g')
  function reference(message: string): string {
    const masked = message.slice(0, 2000).trim().replace(ALL, (m: string, ...g: unknown[]) => {
      const i = g.slice(0, MASKS.length).findIndex((x) => x !== undefined)
      return i < 0 ? m : `<${MASKS[i]!.name}>`
    })
    return masked.replace(/\d+/g, '<NUM>').replace(/\s+/g, ' ')
  }
  const PIECES = ['user', 'id', 'db-7', 'x9y', '0x1f', 'deadbeef12', 'deadbeef-dead-beef-dead-beefdeadbeef', '3fa85f64-5717-4562-b3fc-2c963f66afa6',
    '10.0.0.1:443', 'fe80::1ff:fe23', '::1', '::', 'a:b', '2026-11-25T10:00:01Z', '2026-11-25', '10:00:01,5', '"quoted 12"', '"open', "'x'", "it's",
    '/var/log/a1.log', '/a/b', 'a/b', 'a@b1.io', 'x@y', 'https://h/9', 'ftp://x', 'a:/', '1.5e3', '-42', '+7', 'v1.2.3', '1.2.3.4', '1.2.3', '99999',
    'ab12cd34ef', 'abcdefab', '+12', 'a+1', '_1', '1_', 'blk_-42', '_-', 'x_+3', 'ff', 'FF00AA11', 'deadbeefcafe', '0x', '0xg', '12e5', '1e+5', '1e', 'e5', 'x1e5', '12:34', '\t', '  ', 'é1', '٣', 'q', ':', '.', '-', '/', '@', '"', "'", '1', '22', '333', '4444', '55555555', 'x.1', 'a-b']
  function rng(seed: number): () => number {
    return () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32)
  }

  it('gives the shape of one alternation of all masks, on 30,000 random messages mixing every kind of value', () => {
    const r = rng(5)
    for (let i = 0; i < 30_000; i++) {
      const n = 1 + Math.floor(r() * 9)
      let m = ''
      for (let k = 0; k < n; k++) m += (k && r() < 0.75 ? ' ' : '') + PIECES[Math.floor(r() * PIECES.length)]!
      expect(shapeOf(m).shape, m).toBe(reference(m))
    }
  })
})
