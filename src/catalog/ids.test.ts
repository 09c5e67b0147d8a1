import { describe, expect, it } from 'vitest'
import { identityKey, normaliseCallText, statementIds } from './ids.js'

const lit = (template: string, level: 'warn' | 'error' = 'error') => ({ template, matchable: true, callee: 'log.error', level })

describe('statement ids', () => {
  it('depend on file and template, not on position', () => {
    const [a] = statementIds('src/a.c', [identityKey(lit('x %d'), 'anything')])
    const [b] = statementIds('src/a.c', [identityKey(lit('x %d'), 'log.error("x %d",   y)')])
    expect(a).toBe(b)
    expect(a).toMatch(/^[0-9a-f]{12}$/)
    expect(statementIds('src/b.c', [identityKey(lit('x %d'), '')])[0]).not.toBe(a)
    expect(statementIds('src/a.c', [identityKey(lit('x %s'), '')])[0]).not.toBe(a)
    expect(statementIds('src/a.c', [identityKey(lit('x %d', 'warn'), '')])[0]).not.toBe(a)
  })

  it('number repeats from the second occurrence, so the first keeps its id', () => {
    const k = identityKey(lit('dup'), '')
    const one = statementIds('f', [k])
    const three = statementIds('f', [k, k, k])
    expect(three[0]).toBe(one[0])
    expect(new Set(three).size).toBe(3)
  })

  it('use the callee and call text, ignoring spacing and trailing comments, when the message is not a literal', () => {
    const s = { template: null, matchable: false, callee: 'log.error', level: 'error' as const }
    const a = identityKey(s, 'log.error(err)')
    expect(identityKey(s, '  log.error( err )   // #ops @bob')).toBe(a)
    expect(identityKey(s, 'log.error(\n    err)')).toBe(a)
    expect(identityKey(s, 'log.error(other)')).not.toBe(a)
    expect(identityKey({ ...s, callee: 'log.warn' }, 'log.error(err)')).not.toBe(a)
  })

  it('ignore a trailing comment that has a quote in it, and code after an inline block comment still counts', () => {
    const s = { template: null, matchable: false, callee: 'log.error', level: 'error' as const }
    const a = identityKey(s, 'log.error(err);')
    expect(identityKey(s, "log.error(err); // #ops don't page @bob")).toBe(a)
    expect(identityKey(s, 'log.error(err)  # it\'s "known"')).toBe(identityKey(s, 'log.error(err)'))
    expect(identityKey(s, 'log.error(/* why */ err);')).toBe(a)
    expect(identityKey(s, 'log.error(/* why */ other);')).not.toBe(a)
    expect(normaliseCallText('log.error(fmt("a // b\'s"), e) // c')).toBe('log.error(fmt("a//b\'s"),e)')
  })

  it('keep a comment marker that sits inside a string', () => {
    expect(normaliseCallText('log("http://x", u)')).toBe('log("http://x",u)')
    expect(normaliseCallText('log.info(x)  # note @al')).toBe('log.info(x)')
  })
})
