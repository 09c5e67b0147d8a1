import { describe, expect, it } from 'vitest'
import { shapeOf } from './shape.js'

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

  it('shapes only the start of a huge message', () => {
    const s = shapeOf(`x ${'a'.repeat(100_000)}`)
    expect(s.shape.length).toBeLessThanOrEqual(2000)
  })
})
