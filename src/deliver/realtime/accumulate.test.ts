import { describe, expect, it } from 'vitest'
import { hit, statement } from '../testutil/fixtures.js'
import { Accumulator, MAX_HOST_ROWS, channelKey } from './accumulate.js'

const s = statement({ id: 'tun', channels: ['ipsec', 'net'] })

describe('Accumulator', () => {
  it('folds hits per statement × channel: counts per host, time frame, newest sample and level', () => {
    const a = new Accumulator()
    a.add(hit(s, { time: 20, host: 'gw-1', raw: 'second' }), ['ipsec', 'net'], 'warn')
    a.add(hit(s, { time: 10, host: 'gw-1', raw: 'first' }), ['ipsec'], 'error')
    a.add(hit(s, { time: 30, host: 'gw-2', raw: 'third' }), ['ipsec'], 'warn')
    expect(a.size).toBe(2)
    const out = a.drain()
    expect(a.size).toBe(0)
    const ipsec = out.get(channelKey('tun', 'ipsec'))!
    expect([...ipsec.hosts]).toEqual([['gw-1', { count: 2, firstSeen: 10, lastSeen: 20 }], ['gw-2', { count: 1, firstSeen: 30, lastSeen: 30 }]])
    expect(ipsec).toMatchObject({ channel: 'ipsec', lastSeen: 30, sample: 'third', sampleHost: 'gw-2', level: 'warn' })
    expect([...out.get(channelKey('tun', 'net'))!.hosts.values()].map((h) => h.count)).toEqual([1])
  })

  it('counts hosts past the cap under the overflow host, so memory stays bounded', () => {
    const a = new Accumulator()
    for (let i = 0; i < MAX_HOST_ROWS + 50; i++) a.add(hit(s, { time: i, host: `h${i}` }), ['ipsec'], 'warn')
    const d = a.drain().get(channelKey('tun', 'ipsec'))!
    expect(d.hosts.size).toBe(MAX_HOST_ROWS + 1)
    expect(d.hosts.get('')!.count).toBe(50)
    expect([...d.hosts.values()].reduce((n, h) => n + h.count, 0)).toBe(MAX_HOST_ROWS + 50)
  })

  it('merges what is put back with what arrived meanwhile: nothing lost, nothing twice', () => {
    const a = new Accumulator()
    a.add(hit(s, { time: 5, host: 'gw-1', raw: 'old' }), ['ipsec'], 'warn')
    const [taken] = a.drain().values()
    a.add(hit(s, { time: 7, host: 'gw-1', raw: 'newer' }), ['ipsec'], 'warn')
    a.add(hit(s, { time: 8, host: 'gw-3', raw: 'newest' }), ['ipsec'], 'warn')
    a.putBack(taken!)
    const d = a.drain().get(channelKey('tun', 'ipsec'))!
    expect(d.hosts.get('gw-1')).toEqual({ count: 2, firstSeen: 5, lastSeen: 7 })
    expect(d.hosts.get('gw-3')!.count).toBe(1)
    expect(d.sample).toBe('newest')
  })
})
