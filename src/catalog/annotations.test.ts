import { describe, expect, it } from 'vitest'
import { parseComment } from './annotations.js'
import { statements } from './testutil/extract.js'

describe('parseComment', () => {
  it('reads several channels and people from one comment, in order, without duplicates', () => {
    expect(parseComment('// #ipsec-debug @elmore #ops.alerts @elmore')).toEqual({ channels: ['ipsec-debug', 'ops.alerts'], mentions: ['elmore'], onlyTokens: true })
  })

  it('accepts a person written as an email', () => {
    expect(parseComment('/* @pig@pen.mssn */').mentions).toEqual(['pig@pen.mssn'])
  })

  it('counts tokens inside prose but not issue numbers, URLs or mail addresses', () => {
    const a = parseComment('// flaky since #1234, ask @elmore. see http://x.io/a#frag or mail bob@x.io')
    expect(a).toEqual({ channels: [], mentions: ['elmore'], onlyTokens: false })
  })

  it('ignores tool directives and doc tags', () => {
    expect(parseComment('// @ts-ignore')).toEqual({ channels: [], mentions: [], onlyTokens: false })
    expect(parseComment('/** @deprecated use #other */').channels).toEqual(['other'])
    expect(parseComment('// #endif @elmore')).toEqual({ channels: [], mentions: ['elmore'], onlyTokens: true })
  })

  it('strips one # of a hash comment, so "#chan" alone is just a comment', () => {
    expect(parseComment('#chan').channels).toEqual([])
    expect(parseComment('# #chan').channels).toEqual(['chan'])
  })
})

describe('annotations on statements', () => {
  it('take the comment on the last line of a multi-line call', async () => {
    const [s] = await statements('a.js', 'log.warn(\n  "x %s",\n  y) // #this-one @me\n')
    expect(s.channels).toEqual(['this-one'])
    expect(s.mentions).toEqual(['me'])
  })

  it('take a trailing comment on the first line of a multi-line call, and not for the statement below', async () => {
    const src = [
      'package ipsec',
      'func down(name string, err error) {',
      '\tlog.Errorf("tunnel %s down: %v", // #ipsec-debug',
      '\t\tname,',
      '\t\terr)',
      '\tlog.Warnf("rekey of %s late", name)',
      '}',
    ].join('\n')
    const list = await statements('ipsec.go', src)
    expect(list.map((s) => [s.line, s.endLine, s.template, s.channels])).toEqual([
      [3, 5, 'tunnel %s down: %v', ['ipsec-debug']],
      [6, 6, 'rekey of %s late', []],
    ])
  })

  it('take trailing comments on every line of a multi-line call, merged', async () => {
    const [s] = await statements('a.js', 'log.warn(\n  "x %s", // #middle\n  y) // #last @me\n')
    expect([s.channels, s.mentions]).toEqual([['middle', 'last'], ['me']])
  })

  it('give a comment inside a call to that call, not to the statement ending before it on the same line', async () => {
    const list = await statements('a.py', 'log.info("done"); log.error("failed %s",  # #jobs @kim\n    name)\n')
    expect(list.map((s) => [s.template, s.channels, s.mentions])).toEqual([
      ['done', [], []],
      ['failed %s', ['jobs'], ['kim']],
    ])
  })

  it('go to the last statement before the comment when two share a line', async () => {
    const list = await statements('a.c', 'void f(){ if (x) WARN_LOG("first"); else ERROR_LOG("second"); // #second\n}')
    expect(list.map((s) => s.channels)).toEqual([[], ['second']])
  })

  it('take an own-line, tokens-only comment directly above', async () => {
    const list = await statements('a.py', '# #jobs @kim\nlog.warning("above")\n\n# #jobs\n\nlog.warning("blank line between")\n# just prose #jobs\nlog.warning("prose above")\n')
    expect(list.map((s) => [s.template, s.channels, s.mentions])).toEqual([
      ['above', ['jobs'], ['kim']],
      ['blank line between', [], []],
      ['prose above', [], []],
    ])
  })

  it('do not take the trailing comment of the statement above for a comment above', async () => {
    const list = await statements('a.c', 'void f(){\n  WARN_LOG("one"); // #one\n  ERROR_LOG("two");\n}')
    expect(list.map((s) => s.channels)).toEqual([['one'], []])
  })

  it('never come from a # or @ inside a string', async () => {
    const [s] = await statements('a.rb', 'logger.warn "ticket #42 for @ops # #nope" # plain\n')
    expect(s.channels).toEqual([])
    expect(s.mentions).toEqual([])
  })

  it('merge a comment above with a trailing comment', async () => {
    const [s] = await statements('A.java', 'class A { void f() {\n  // @ana\n  log.warn("x"); // #orders\n} }')
    expect([s.channels, s.mentions]).toEqual([['orders'], ['ana']])
  })
})

describe('!expect annotations', () => {
  it('read the expectation beside people and channels, the comment still being tokens alone', () => {
    expect(parseComment('// @elmore !expect 1/h')).toEqual({ channels: [], mentions: ['elmore'], onlyTokens: true, expect: { count: 1, everyMs: 3_600_000 } })
    expect(parseComment('# !expect 3/15m')).toEqual({ channels: [], mentions: [], onlyTokens: true, expect: { count: 3, everyMs: 900_000 } })
  })

  it('ignore a period that does not parse, and words that only look like it', () => {
    expect(parseComment('// @elmore !expect often').expect).toBeUndefined()
    expect(parseComment('// we !expected 1/h of these').expect).toBeUndefined()
  })

  it('reach the statement from a trailing comment or the comment above, not the statement below', async () => {
    const list = await statements('a.c', [
      'void f(){',
      '  INFO_LOG("backup finished in %d s", s); // @elmore !expect 1/d',
      '  // !expect 2/h',
      '  INFO_LOG("leader elected");',
      '  INFO_LOG("no promise");',
      '}',
    ].join('\n'))
    expect(list.map((s) => [s.template, s.mentions, s.expect ?? null])).toEqual([
      ['backup finished in %d s', ['elmore'], { count: 1, everyMs: 86_400_000 }],
      ['leader elected', [], { count: 2, everyMs: 3_600_000 }],
      ['no promise', [], null],
    ])
  })
})
