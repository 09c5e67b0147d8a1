import { describe, expect, it } from 'vitest'
import { extractFile } from './extract-file.js'

describe('extractFile', () => {
  it('yields the three article examples exactly', async () => {
    const src = [
      'INFO_LOG("hello cruel world"); // #hello-worlders',
      'WARN_LOG("the sky is crying"); // @elmore',
      'ERROR_LOG("it hurts me too");',
    ].map((l) => `  ${l}`).join('\n')
    const r = await extractFile('src/blues.c', `void blues(void) {\n${src}\n}\n`)
    expect(r.syntaxErrors).toBe(false)
    expect(r.statements.map(({ level, template, channels, mentions }) => ({ level, template, channels, mentions }))).toEqual([
      { level: 'info', template: 'hello cruel world', channels: ['hello-worlders'], mentions: [] },
      { level: 'warn', template: 'the sky is crying', channels: [], mentions: ['elmore'] },
      { level: 'error', template: 'it hurts me too', channels: [], mentions: [] },
    ])
  })

  it('returns nothing for files of other languages', async () => {
    expect(await extractFile('README.md', 'log.warn("x")')).toEqual({ statements: [], syntaxErrors: false })
  })

  it('never throws on garbage input', async () => {
    const garbage = ['\u0000\u0001\u0002', '}}}}((((', '"unterminated', 'x'.repeat(100_000), '\uFFFD\uD800 lone surrogate']
    for (const g of garbage) {
      for (const path of ['a.c', 'a.py', 'a.go', 'a.rb', 'a.php', 'a.rs', 'a.java', 'a.ts', 'a.cs']) {
        const r = await extractFile(path, g)
        expect(Array.isArray(r.statements)).toBe(true)
      }
    }
  })

  it('reports statements on the right lines after non-ASCII text', async () => {
    const r = await extractFile('a.js', '// héllo wörld 😀\nconst s = read("ü😀"); log.warn("após " + s) // #canal\n')
    expect(r.statements).toEqual([
      { line: 2, endLine: 2, level: 'warn', template: 'após {}', matchable: true, channels: ['canal'], mentions: [], callee: 'log.warn', via: null, reason: null },
    ])
  })

  it('reads CRLF files and files starting with a byte-order mark', async () => {
    const r = await extractFile('a.c', '\uFEFFvoid f(void) {\r\n  // #above\r\n  WARN_LOG("crlf %d", 1); // @x\r\n  ERROR_LOG("a "\r\n    "b");\r\n}\r\n')
    expect(r.syntaxErrors).toBe(false)
    expect(r.statements.map((s) => [s.line, s.endLine, s.template, s.channels, s.mentions])).toEqual([
      [3, 3, 'crlf %d', ['above'], ['x']],
      [4, 5, 'a b', [], []],
    ])
  })

  it('applies config loggers only to their language', async () => {
    const loggers = { python: [{ call: 'audit.record', level: 'notice' as const }] }
    expect((await extractFile('a.py', 'audit.record("granted %s", u)', { loggers })).statements[0]?.level).toBe('notice')
    expect((await extractFile('a.js', 'audit.record("granted %s", u)', { loggers })).statements).toEqual([])
  })

  it('applies glob rules and an explicit message argument from config', async () => {
    const loggers = { javascript: [{ call: '*.track', level: 'info' as const, messageArg: 1 }] }
    const r = await extractFile('a.js', 'analytics.track(user, "checkout started")\nthis.bus.track("x", `event ${n}`)\nplain.track("no")', { loggers })
    // `plain.track("no")` has no argument 1: nothing to take as the message, so no statement.
    expect(r.statements.map((s) => [s.callee, s.template])).toEqual([
      ['analytics.track', 'checkout started'],
      ['this.bus.track', 'event ${n}'],
    ])
  })

  // A time bound would fail on a busy machine; what matters is that extraction grows with the file, not faster:
  // 10x the functions must cost well under 100x (quadratic), best of five runs of each size, same process.
  it('extracts a C file in time that grows linearly with its size (2,000 lines vs 200)', async () => {
    const file = (n: number) => {
      const body: string[] = []
      for (let i = 0; i < n; i++) {
        body.push(`static int f${i}(struct conn *c, int n) {`, `  if (n > ${i}) { ERROR_LOG("conn %s failed at step ${i}: %d", c->name, n); return -1; } // #net`,
          `  c->count += n * ${i};`, `  return helper_${i}(c, "not a log", n);`, '}')
      }
      return body.join('\n')
    }
    const small = file(40)
    const big = file(400)
    for (let i = 0; i < 3; i++) await extractFile('warm.c', big)
    const best = async (src: string, expected: number) => {
      let t = Infinity
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now()
        expect((await extractFile('f.c', src)).statements.length).toBe(expected)
        t = Math.min(t, performance.now() - t0)
      }
      return t
    }
    const tSmall = await best(small, 40)
    const tBig = await best(big, 400)
    expect(tBig / tSmall).toBeLessThan(40)
  })
})
