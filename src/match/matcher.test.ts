import { describe, expect, it } from 'vitest'
import type { MatchResult, Statement } from '../core/types.js'
import { decodePlan, encodePlan, Matcher } from './matcher.js'
import { parseTemplate } from './template.js'

let seq = 0
function st(template: string | null, o: Partial<Statement> = {}): Statement {
  const id = o.id ?? `s${++seq}`
  return { id, file: 'src/a.c', line: 1, endLine: 1, language: 'c', level: 'error', template, matchable: template !== null, channels: [], mentions: [], blame: null, callee: 'log', ...o }
}

/** A result's public view (values are read through the lazy getter, as consumers read them). */
function plain(r: MatchResult | null) {
  return r && { statementId: r.statementId, literalChars: r.literalChars, values: r.values }
}

function one(template: string, message: string) {
  return plain(Matcher.build([st(template, { id: 'T' })]).match(message))
}

/**
 * Matcher vs a plain reference on a seeded random catalog of `count` templates: the index files each template
 * under one key and screens rows before verifying; none of that may change an answer. Reference: every
 * template as an anchored regex (placeholders non-greedy, `%s`/`{}` may be empty), the most literal
 * characters winning, then the fewest placeholders, then catalog order. Returns the lines answered
 * differently and how many lines the reference matched (so a vacuous run shows).
 */
function differential(count: number, seedIn: number, build: (sts: Statement[]) => Matcher = (sts) => Matcher.build(sts)): { wrong: string[]; matched: number } {
  let seed = seedIn
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32)
  const pick = <T,>(a: T[]): T => a[Math.floor(rnd() * a.length)]!
  const words = ['failed', 'to', 'connect', 'timeout', 'error', 'user', 'job', 'retry', 'disk', 'full', 'korumi', 'vexa', 'lo']
  const phs = [' %s', ' %d', ' {}', ' {name}', '=%s', ':%d', ' [%s]']
  const longLit = ' and this middle literal is certainly longer than thirty-two characters'
  const templates: string[] = []
  while (templates.length < count) {
    let t = rnd() < 0.2 ? '{}' : ''
    const n = 1 + Math.floor(rnd() * 5)
    for (let i = 0; i < n; i++) {
      t += (t === '' ? '' : ' ') + pick(words)
      if (rnd() < 0.35) t += pick(phs)
      if (rnd() < 0.03) t += longLit + ' %s'
    }
    if (!templates.includes(t)) templates.push(t)
  }
  const sts = templates.map((t, i) => st(t, { id: `r${i}` }))
  const ref = templates.map((t) => {
    const p = parseTemplate(t)
    let src = ''
    p.literals.forEach((l, i) => {
      src += l.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      if (i < p.placeholders.length) src += p.placeholders[i]!.min === 0 ? '[\\s\\S]*?' : '[\\s\\S]+?'
    })
    return { re: new RegExp(`^${src}$`), chars: p.literals.join('').length, ph: p.placeholders.length }
  })
  const oracle = (line: string): string | null => {
    let best = -1
    for (let i = 0; i < ref.length; i++) {
      const r = ref[i]!
      if (!r.re.test(line)) continue
      const b = ref[best]
      if (best < 0 || r.chars > b!.chars || (r.chars === b!.chars && r.ph < b!.ph)) best = i
    }
    return best < 0 ? null : `r${best}`
  }
  const render = (t: string) => t.replace(/%s|%d|\{name\}|\{\}/g, () => (rnd() < 0.5 ? pick(words) : String(Math.floor(rnd() * 1000))))
  const lines: string[] = []
  for (let i = 0; i < 1500; i++) {
    let l = render(pick(templates))
    if (rnd() < 0.2) l = l.replace(pick(words), pick(words)) // a near miss, or another template's line
    if (rnd() < 0.05) l = l + ' ' + pick(words)
    if (rnd() < 0.1) l = l.replace(/\d+$/, '') // a number placeholder left empty
    lines.push(l.trim())
  }
  if (count >= 1000) {
    // More keys than a line can hold for deferred lookup (the rest are looked up at once), > 1024 characters.
    const many = Array.from({ length: 400 }, (_, i) => `w${i}`)
    sts.push(...many.map((w, i) => st(`{} ${w} %s`, { id: `r${templates.length + i}` })))
    ref.push(...many.map((w) => ({ re: new RegExp(`^[\\s\\S]*? ${w} [\\s\\S]*?$`), chars: w.length + 2, ph: 2 })))
    for (let i = 0; i < 30; i++) lines.push(`x ${many.slice(i).join(' ')} ${pick(words)} ${pick(words)} end`)
  }
  const m = build(sts)
  const out = new Int32Array(16)
  // Where values are located in place (spans, from the index's flat data) must be where values cuts them.
  const spansDiffer = (l: string): boolean => {
    const r = m.match(l)
    if (r === null) return false
    const at = r.spans!(out, 8)
    const cut = at === null ? null : Array.from({ length: at.n }, (_, i) => at.line.slice(out[2 * i]!, out[2 * i + 1]!))
    return JSON.stringify(cut) !== JSON.stringify(m.match(l)!.values.slice(0, 8))
  }
  const wrong = lines.filter((l) => (m.match(l)?.statementId ?? null) !== oracle(l) || spansDiffer(l))
  const matched = lines.filter((l) => oracle(l) !== null).length
  if (matched < lines.length / 4) throw new Error(`only ${matched} of ${lines.length} lines match: the test would prove little`)
  return { wrong, matched }
}

describe('placeholder kinds', () => {
  it.each([
    ['tunnel %s: phase %d failed', 'tunnel vpn-3: phase 2 failed', ['vpn-3', '2']],
    ['took %5.2f ms', 'took  3.14 ms', [' 3.14']],
    ['size %lu bytes, flags %x, %-8s|', 'size 123 bytes, flags ff, ab      |', ['123', 'ff', 'ab      ']],
    ['value %v err %w quoted %q', 'value {1 2} err EOF quoted "x"', ['{1 2}', 'EOF', '"x"']],
    ['100%% done in %ds', '100% done in 5s', ['5']],
    ['user %(name)s logged in from %(ip)s', 'user bob logged in from 10.0.0.1', ['bob', '10.0.0.1']],
    ['connect to {} failed', 'connect to db:5432 failed', ['db:5432']],
    ['order {id} for {customer} shipped', 'order 42 for Ann Lee shipped', ['42', 'Ann Lee']],
    ['arg {0} and {1}', 'arg a and b', ['a', 'b']],
    ['ratio {:.2f} of {name:>8}', 'ratio 0.50 of      bob', ['0.50', '     bob']],
    ['C# {0,-10:N2} end', 'C# 1.00       end', ['1.00      ']],
    ['js ${user.name} did ${action}', 'js ann did login', ['ann', 'login']],
    ['Go %[1]d and %+v', 'Go 1 and {A:1}', ['1', '{A:1}']],
    ['literal {{braces}} and {}', 'literal {braces} and x', ['x']],
  ])('%s', (template, message, values) => {
    expect(one(template, message)).toEqual({ statementId: 'T', literalChars: expect.any(Number), values })
  })

  it('lets %s and {} match an empty value but not %d or {:fmt}', () => {
    expect(one('name=%s!', 'name=!')?.values).toEqual([''])
    expect(one('name={} end', 'name= end')?.values).toEqual([''])
    expect(one('count=%d!', 'count=!')).toBeNull()
    expect(one('pct={:.1f}!', 'pct=!')).toBeNull()
  })

  it('parses a template into literals and placeholders', () => {
    const p = parseTemplate('a %s b {} c %% d ${x} e\\n')
    expect(p.literals).toEqual(['a ', ' b ', ' c % d ', ' e'])
    expect(p.placeholders.map((x) => x.text)).toEqual(['%s', '{}', '${x}'])
  })

  it('does not take `50% done` as a printf placeholder', () => {
    expect(parseTemplate('50% done').placeholders).toHaveLength(0)
  })
})

describe('anchoring and literals', () => {
  it('matches the whole message only (anchored at both ends, outer whitespace ignored)', () => {
    expect(one('disk %s full', 'disk sda full')).not.toBeNull()
    expect(one('disk %s full', 'disk sda full  ')).not.toBeNull()
    expect(one('disk %s full', 'extra: disk sda full')).toBeNull()
    expect(one('disk %s full', 'disk sda full, retrying')).toBeNull()
    expect(one('exact message', 'exact message')).not.toBeNull()
    expect(one('exact message', 'exact message!')).toBeNull()
  })

  it('matches a trailing empty value though trimming took the space before it (`connection closed by `)', () => {
    const small = Matcher.build([st('connection closed', { id: 'closed' }), st('connection closed by %s', { id: 'by' })])
    expect(plain(small.match('connection closed by '))).toEqual({ statementId: 'by', literalChars: expect.any(Number), values: [''] })
    expect(small.match('connection closed ')?.statementId).toBe('closed')
    expect(small.match('connection closed by')).toBeNull()
    expect(small.explain('connection closed by ').candidates.find((c) => c.statementId === 'by')?.matched).toBe(true)
    // The same through the index of a large catalog.
    const big = Matcher.build([...Array.from({ length: 3000 }, (_, i) => st(`job ${i} finished in %d ms`)), st('connection closed by %s', { id: 'by' })])
    expect(big.match('connection closed by ')?.statementId).toBe('by')
    expect(big.match('connection closed by 10.0.0.1')?.statementId).toBe('by')
  })

  it('ignores a trailing newline written in the template (real or escaped)', () => {
    expect(one('oops %d\\n', 'oops 3')).not.toBeNull()
    expect(one('oops %d\n', 'oops 3')).not.toBeNull()
  })

  it('treats regex metacharacters in templates as plain text', () => {
    expect(one('cost (USD) is $%s [approx.] a+b*c? ^x|y\\d', 'cost (USD) is $3 [approx.] a+b*c? ^x|y\\d')?.values).toEqual(['3'])
    expect(one('a.c %s', 'abc 1')).toBeNull()
  })

  it('matches unicode text and values', () => {
    expect(one('Benutzer %s hat sich angemeldet ✓', 'Benutzer Jürgen hat sich angemeldet ✓')?.values).toEqual(['Jürgen'])
    expect(one('用户 {} 登录失败', '用户 张三 登录失败')?.values).toEqual(['张三'])
  })

  it('indexes templates that start with a placeholder or have no whole literal word', () => {
    expect(one('%s: connection refused', 'db-1: connection refused')?.values).toEqual(['db-1'])
    expect(one('user=%s action=%s', 'user=bob action=login')?.values).toEqual(['bob', 'login'])
    expect(one('%s=%d%s', 'x=1y')).toBeNull() // no letter or digit in its literals: skipped
    expect(one('%sfailed%s', 'xfailedy')?.values).toEqual(['x', 'y'])
    expect(one('[%s]rc=%d', '[a]rc=1')?.values).toEqual(['a', '1'])
  })

  it('matches nothing with an empty catalog, and handles a 1 MB message', () => {
    expect(Matcher.build([]).match('anything at all')).toBeNull()
    const m = Matcher.build([st('blob %s end', { id: 'b' })])
    expect(m.match(`blob ${'x '.repeat(500_000)}end`)?.statementId).toBe('b')
    expect(m.match(`blob ${'x '.repeat(500_000)}`)).toBeNull()
  })

  it('never matches templates without literal words, non-matchable statements or null templates', () => {
    const m = Matcher.build([st('{}: {}'), st('%s'), st(null), st('real %s', { matchable: false })])
    expect(m.match('a: b')).toBeNull()
    expect(m.match('real x')).toBeNull()
    expect(m.size).toEqual({ templates: 0, statements: 0, skipped: 4 })
  })
})

describe('choosing among several fits', () => {
  it('prefers the template with the most literal characters', () => {
    const m = Matcher.build([st('request %s failed', { id: 'generic' }), st('request %s failed: timeout', { id: 'specific' }), st('request %s failed: %s', { id: 'mid' })])
    expect(m.match('request 7 failed: timeout')?.statementId).toBe('specific')
    expect(m.match('request 7 failed: refused')?.statementId).toBe('mid')
    expect(m.match('request 7 failed')?.statementId).toBe('generic')
  })

  it('handles a template that is a prefix of another', () => {
    const m = Matcher.build([st('connection lost', { id: 'short' }), st('connection lost to %s', { id: 'long' })])
    expect(m.match('connection lost')?.statementId).toBe('short')
    expect(m.match('connection lost to db')?.statementId).toBe('long')
  })

  it('breaks ties with the line\'s file hint (path, basename) and nearest line', () => {
    const m = Matcher.build([
      st('retrying %s', { id: 'a', file: 'src/net/a.go', line: 10 }),
      st('retrying %s', { id: 'b', file: 'src/db/b.go', line: 20 }),
      st('retrying %s', { id: 'b2', file: 'src/db/b.go', line: 90 }),
    ])
    expect(m.match('retrying now')?.statementId).toBe('a')
    expect(m.match('retrying now', { file: 'b.go', line: 85 })?.statementId).toBe('b2')
    expect(m.match('retrying now', { file: 'src/db/b.go', line: 22 })?.statementId).toBe('b')
    expect(m.match('retrying now', { file: 'other.go' })?.statementId).toBe('a')
  })

  it('breaks ties with the logger name (Java class, Python module)', () => {
    const m = Matcher.build([
      st('saved {}', { id: 'j1', file: 'src/main/java/com/ex/Order.java' }),
      st('saved {}', { id: 'j2', file: 'src/main/java/com/ex/Invoice.java' }),
      st('saved {}', { id: 'p1', file: 'app/db/pool.py' }),
    ])
    expect(m.match('saved 1', { logger: 'c.e.Invoice' })?.statementId).toBe('j2')
    expect(m.match('saved 1', { logger: 'com.ex.Invoice' })?.statementId).toBe('j2')
    expect(m.match('saved 1', { logger: 'app.db.pool' })?.statementId).toBe('p1')
  })

  it('breaks ties between different templates of equal specificity by hint too', () => {
    const m = Matcher.build([st('job %s done', { id: 'x', file: 'x.py' }), st('job {} done', { id: 'y', file: 'y.py' })])
    expect(m.match('job 1 done', { file: 'y.py' })?.statementId).toBe('y')
  })

  it('explains candidates, which matched and why the winner won', () => {
    const m = Matcher.build([st('request %s failed: %s', { id: 'mid' }), st('request %s failed: timeout', { id: 'specific' }), st('request %s failed: %s %s', { id: 'other' })])
    const x = m.explain('request 7 failed: timeout')
    expect(x.result?.statementId).toBe('specific')
    const by = Object.fromEntries(x.candidates.map((c) => [c.statementId, c]))
    expect(by.specific).toMatchObject({ matched: true, why: expect.stringMatching(/chosen/) })
    expect(by.mid).toMatchObject({ matched: true, why: expect.stringMatching(/lost \(fewer literal characters/) })
    expect(by.other).toMatchObject({ matched: false, why: expect.stringMatching(/literal " " not found after column/) })
  })

  it('stays correct with thousands of templates sharing common words', () => {
    const sts = Array.from({ length: 5000 }, (_, i) => st(`worker ${i} failed to process job %d`, { id: `w${i}` }))
    sts.push(st('worker %s failed to process job %d', { id: 'any' }))
    const m = Matcher.build(sts)
    expect(m.match('worker 4321 failed to process job 7')?.statementId).toBe('w4321')
    expect(m.match('worker x failed to process job 7')?.statementId).toBe('any')
    expect(m.match('worker x failed to process job')).toBeNull()
  })

  it('a small catalog keyed only by its templates\' first and last words still checks the middle of the line', () => {
    // Few templates with distinctive first/last words: the index reads only the ends of the line, so the
    // literal text in the middle must still be verified before a template wins.
    const m = Matcher.build([
      st('payment gateway timeout after %d ms for order %s', { id: 'pay', channels: ['ops'] }),
      st('disk quota exceeded on volume %s', { id: 'disk' }),
      st('{} retries exhausted', { id: 'retry' }),
    ])
    const long = 'x'.repeat(5000)
    expect(m.match(`payment gateway timeout after 30 ms for order ${long}`)?.statementId).toBe('pay')
    expect(m.match(`payment gateway timeout after 30 s for order ${long}`)).toBeNull()
    expect(m.match(`payment gateway slow after 30 ms for order A1`)).toBeNull()
    expect(m.match('disk quota exceeded on volume /data')?.values).toEqual(['/data'])
    expect(m.match(`job ${long} retries exhausted`)?.statementId).toBe('retry')
    expect(m.match('x retries exhausted')?.values).toEqual(['x'])
    expect(m.match('nothing to see here')).toBeNull()
  })

  it('a small catalog still finds templates whose only words sit between placeholders', () => {
    // `{} leader %s failed {}` has no first or last word: in a small catalog it is found by a substring
    // check of its longest literal rather than by reading every word of every line.
    const m = Matcher.build([
      st('{} leader %s election failed {}', { id: 'leader' }),
      st('%d: {} unsupported codec', { id: 'codec' }),
      st('payment gateway timeout after %d ms', { id: 'pay' }),
    ])
    expect(m.match('raft: leader n3 election failed after 3 rounds')?.values).toEqual(['raft:', 'n3', 'after 3 rounds'])
    expect(m.match('a leader  election failed b')?.values).toEqual(['a', '', 'b'])
    expect(m.match('leader n3 election failed')).toBeNull()
    expect(m.match('raft: election failed for leader n3')).toBeNull()
    expect(m.match('7: h265 unsupported codec')?.statementId).toBe('codec')
    expect(m.match('h265 unsupported codec')).toBeNull()
    expect(m.explain('raft: leader n3 election failed now').candidates.find((c) => c.statementId === 'leader')?.matched).toBe(true)
  })

  it('a small catalog\'s check of the line\'s first and last characters never hides a template that fits', () => {
    // Filed by their longest edge: 8+ leading characters, 8+ trailing, 3–7 leading, 3–7 trailing, or
    // neither (found by their longest literal).
    const m = Matcher.build([
      st('payment gateway timeout %s', { id: 'long-head' }),
      st('%s: replication lag too high', { id: 'long-tail' }),
      st('db %s down', { id: 'short-head' }),
      st('%s is gone', { id: 'short-tail' }),
      st('{}: {} quota {}', { id: 'middle' }),
      st('ok', { id: 'tiny' }),
    ])
    expect(m.match('payment gateway timeout after 3s')?.statementId).toBe('long-head')
    expect(m.match('pg-2: replication lag too high')?.statementId).toBe('long-tail')
    expect(m.match('db users down')?.statementId).toBe('short-head')
    expect(m.match('db  down')?.statementId).toBe('short-head')
    expect(m.match('the cache is gone')?.statementId).toBe('short-tail')
    expect(m.match('a: b quota c')?.statementId).toBe('middle')
    expect(m.match('  ok ')?.statementId).toBe('tiny')
    expect(m.match('payment gateway slow')).toBeNull()
    expect(m.match('db users up')).toBeNull()
    expect(m.match('nothing here at all')).toBeNull()
  })

  it('answers as a plain anchored-regex reference does on a random catalog with shared keys, long lines and long literals', () => {
    expect(differential(3000, 7)).toEqual({ wrong: [], matched: expect.any(Number) })
  })

  it('names each placeholder value in place (spans) exactly where values cuts it, for the first max of them', () => {
    const sts = [st('peer %s failed at %d: %s', { id: 'a' }), st('{} done', { id: 'b' }), st('no values here', { id: 'c' }), st('pair %s-%s', { id: 'd' })]
    const m = Matcher.build(sts)
    const out = new Int32Array(16)
    const cut = (line: string, max: number) => {
      const r = m.match(line)!
      const at = r.spans!(out, max)!
      return Array.from({ length: at.n }, (_, i) => at.line.slice(out[2 * i]!, out[2 * i + 1]!))
    }
    for (const [line, max] of [['peer 203.0.113.9 failed at 42: no proposal chosen', 8], ['peer 203.0.113.9 failed at 42: no proposal chosen', 2], ['job 7 done', 8], ['no values here', 8], ['pair a-b-c', 8]] as const) {
      expect(cut(line, max)).toEqual(m.match(line)!.values.slice(0, max))
    }
    expect(cut('peer x failed at 1: y', 8)).toEqual(['x', '1', 'y'])
    // Once the values were read, the spans are not offered (the caller uses the values).
    const r = m.match('job 7 done')!
    void r.values
    expect(r.spans!(out, 8)).toBeNull()
  })

  it('answers as the reference does on small catalogs too (edge prefilter, ends-only reading, scan list)', () => {
    // ≤ 256 templates: lines are first screened by their first/last characters; ≤ 1000: read at their ends only.
    for (const [count, seed] of [[40, 1], [200, 2], [900, 3]] as const) expect(differential(count, seed)).toEqual({ wrong: [], matched: expect.any(Number) })
  })

  it('answers as the reference does when loaded from a stored index of the same catalog (large and small catalogs)', () => {
    for (const [count, seed] of [[3000, 17], [900, 18], [40, 19]] as const) {
      const fromPlan = (sts: Statement[]) => {
        const m = Matcher.build(sts, decodePlan(encodePlan(Matcher.build(sts).plan())))
        expect(m.planned).toBe(true)
        return m
      }
      expect(differential(count, seed, fromPlan)).toEqual({ wrong: [], matched: expect.any(Number) })
    }
  })

  it('answers every line as a fresh build does when loaded from a stored index: statement, values, ties, explain (large random catalog)', () => {
    let seed = 91
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32)
    const pick = <T,>(a: T[]): T => a[Math.floor(rnd() * a.length)]!
    const words = ['failed', 'connect', 'timeout', 'user', 'job', 'retry', 'disk', 'full', 'korumi', 'vexa', 'émile', 'ß']
    const sts: Statement[] = []
    for (let i = 0; sts.length < 20000; i++) {
      let t = rnd() < 0.1 ? 'ERROR: ' : ''
      for (let k = 1 + Math.floor(rnd() * 5); k > 0; k--) t += `${pick(words)}${rnd() < 0.4 ? pick([' %s', ' {}', '=%d', ' and this middle literal is certainly longer than thirty-two characters %s']) : ''} `
      // Some messages logged from several places (ties broken by the hint, or reported ambiguous).
      const n = rnd() < 0.05 ? 3 : 1
      for (let j = 0; j < n; j++) sts.push(st(rnd() < 0.01 ? null : t.trim(), { id: `x${i}-${j}`, file: `src/m${i % 50}/f${j}.c`, line: i }))
    }
    const fresh = Matcher.build(sts)
    const loaded = Matcher.build(sts, decodePlan(encodePlan(fresh.plan())))
    expect(loaded.planned).toBe(true)
    expect(loaded.size).toEqual(fresh.size)
    let matched = 0
    for (let i = 0; i < 5000; i++) {
      const s = pick(sts)
      if (s.template === null) continue
      const line = s.template.replace(/^ERROR: /, rnd() < 0.5 ? '' : 'ERROR: ').replace(/%s|\{\}|%d/g, () => String(Math.floor(rnd() * 99)))
      const hint = rnd() < 0.5 ? { file: s.file, line: s.line } : undefined
      const a = fresh.match(line, hint)
      const b = loaded.match(line, hint)
      expect({ line, r: plain(b), amb: b?.ambiguous }).toEqual({ line, r: plain(a), amb: a?.ambiguous })
      if (a !== null) matched++
      if (i % 50 === 0) expect(loaded.explain(line, hint)).toEqual(fresh.explain(line, hint))
    }
    expect(matched).toBeGreaterThan(4000)
  })

  it('matches with the ids, files and lines of the catalog it loads a stored index for (templates unchanged, statements renamed and moved)', () => {
    const sts = ['disk {} full on {}', 'user %s logged in', 'user %s logged in'].map((t, i) => st(t, { id: `a${i}`, file: `src/a${i}.c`, line: 10 }))
    const plan = Matcher.build(sts).plan()
    const moved = sts.map((s, i) => ({ ...s, id: `b${i}`, file: `lib/b${i}.c`, line: 20 + i }))
    const m = Matcher.build(moved, plan)
    expect(m.planned).toBe(true)
    expect(m.match('disk sda full on web-1')?.statementId).toBe('b0')
    expect(m.match('user bob logged in', { file: 'lib/b2.c' })?.statementId).toBe('b2')
  })

  it('ignores a stored index made for another catalog or damaged, and still answers right', () => {
    const sts = ['disk {} full on {}', 'user %s logged in', 'retry %d of %d failed', 'cache miss for {}'].map((t, i) => st(t, { id: `p${i}` }))
    const plan = Matcher.build(sts).plan()
    expect(Matcher.build(sts, plan).planned).toBe(true)
    // Another catalog: one template more, one changed, another order, one no longer matchable.
    expect(Matcher.build([...sts, st('new one {}')], plan).planned).toBe(false)
    expect(Matcher.build([st('disk {} full on {} now'), ...sts.slice(1)], plan).planned).toBe(false)
    expect(Matcher.build([...sts].reverse(), plan).planned).toBe(false)
    expect(Matcher.build([{ ...sts[0]!, matchable: false }, ...sts.slice(1)], plan).planned).toBe(false)
    // The same catalog's id on damaged bytes: cut short, another layout, a key its template does not offer.
    const damaged = [plan.bytes.slice(0, plan.bytes.length - 3), Uint8Array.from(plan.bytes, (b, i) => (i === 0 ? b ^ 1 : b))]
    for (const bytes of damaged) {
      const m = Matcher.build(sts, { id: plan.id, bytes })
      expect(m.planned).toBe(false)
      expect(m.match('disk sda full on web-1')?.statementId).toBe('p0')
    }
    expect(decodePlan('nonsense')).toBeNull()
    expect(decodePlan(`${plan.id}:AAA`)).toBeNull()
    expect(Matcher.build(sts, decodePlan(`${plan.id}:AAAAAAAAAAAA`)).planned).toBe(false)
  })

  it('ignores a stored index filing a template under a key it does not offer (a sample is re-derived on load)', () => {
    const sts = ['disk {} full on {}', 'user %s logged in', 'retry %d of %d failed', 'cache miss for {}'].map((t, i) => st(t, { id: `p${i}` }))
    const m0 = Matcher.build(sts)
    const keys = m0.index.templates.keys
    keys[0] = keys[0]! ^ 0x55
    const m = Matcher.build(sts, m0.plan())
    expect(m.planned).toBe(false)
    expect(m.match('disk sda full on web-1')?.statementId).toBe('p0')
  })

  it('breaks ties by hint the same way for many look-alike statements of one template', () => {
    const files = ['src/billing/Invoice.java', 'src/billing/invoice_test.go', 'lib/a/b/c.py', 'src/shipping/Invoice.kt']
    const m = Matcher.build(files.map((file, i) => st('invoice %s rejected', { id: `i${i}`, file, line: 10 * (i + 1) })))
    expect(m.match('invoice 7 rejected', { logger: 'a.b.c' })?.statementId).toBe('i2')
    expect(m.match('invoice 7 rejected', { logger: 'com.acme.Invoice' })?.statementId).toBe('i0')
    expect(m.match('invoice 7 rejected', { file: 'shipping\\Invoice.kt' })?.statementId).toBe('i3')
    expect(m.match('invoice 7 rejected', { file: 'Invoice.kt', line: 1 })?.statementId).toBe('i3')
    expect(m.match('invoice 7 rejected', { file: 'other/Invoice.java', line: 11 })?.statementId).toBe('i0')
    expect(m.match('invoice 7 rejected', { logger: 'nobody' })?.statementId).toBe('i0')
  })
})

describe('lines whose text differs from the template', () => {
  it('matches a line with a leading level word its template lacks (a logger that writes `error: `), and not other prefixes', () => {
    const m = Matcher.build([st('connection to %s refused', { id: 'refused' }), st('disk %s full', { id: 'disk' })])
    expect(m.match('error: connection to db refused')?.statementId).toBe('refused')
    expect(m.match('[WARN] disk sda full')?.statementId).toBe('disk')
    expect(m.match('WARNING disk sda full')?.statementId).toBe('disk')
    expect(plain(m.match('fatal: disk sda full'))).toEqual({ statementId: 'disk', literalChars: 10, values: ['sda'] })
    // Not a level word: a word that only starts like one, a lower-case word without a colon, any other prefix.
    expect(m.match('errors: disk sda full')).toBeNull()
    expect(m.match('error disk sda full')).toBeNull()
    expect(m.match('retry: disk sda full')).toBeNull()
  })

  it('matches a template that starts with a level word when the format lifted the word into the level (Go log.Printf("ERROR: …"))', () => {
    const m = Matcher.build([st('ERROR: shard %s rebalance failed', { id: 'shard' }), st('[WARN] queue %d slow', { id: 'queue' })])
    expect(m.match('shard s-7 rebalance failed')?.statementId).toBe('shard')
    expect(m.match('ERROR: shard s-7 rebalance failed')?.statementId).toBe('shard')
    expect(plain(m.match('queue 4 slow'))).toEqual({ statementId: 'queue', literalChars: 11, values: ['4'] })
  })

  it('prefers the template written with the level word over one a level word was taken from, and reports no tie between them', () => {
    const m = Matcher.build([st('ERROR: disk %s full', { id: 'with' }), st('disk %s full', { id: 'without' })])
    const r = m.match('disk sda full')
    expect(r?.statementId).toBe('without')
    expect(r?.ambiguous).toBeUndefined()
  })

  it('matches a template of several lines by its first line, and a message holding all of them by its first', () => {
    const m = Matcher.build([st('Loaded HTML Templates (%d): \n%s\n', { id: 'loaded' }), st('Started:\n  pid %d\n  port %d', { id: 'started' })])
    expect(m.match('Loaded HTML Templates (2): ')?.statementId).toBe('loaded')
    expect(m.match('Started:')?.statementId).toBe('started')
    expect(m.match('Started:\n  pid 4\n  port 80')?.statementId).toBe('started')
    expect(m.match('Started: pid 4')).toBeNull()
  })
})

describe('ties nothing in the line decides', () => {
  const copies = () => Matcher.build([
    st('retrying request %s', { id: 'a', file: 'src/app/db/pool.py', line: 10 }),
    st('retrying request %s', { id: 'b', file: 'src/app/http/__init__.py', line: 20 }),
    st('retrying request %s', { id: 'c', file: 'src/main/java/org/ex/Outer.java', line: 30 }),
    st('retrying request %s', { id: 'd', file: 'pkg/shard/move.go', line: 40 }),
  ])

  it('reports every tied statement as ambiguous, the catalog\'s first as the statement', () => {
    const r = copies().match('retrying request 7')
    expect(r?.statementId).toBe('a')
    expect(r?.ambiguous).toEqual(['a', 'b', 'c', 'd'])
    expect(JSON.parse(JSON.stringify(r))).toEqual({ statementId: 'a', literalChars: 17, values: ['7'], ambiguous: ['a', 'b', 'c', 'd'] })
  })

  it('lets the line\'s logger decide: a Python module (package __init__ too), a Java inner class, a Go package', () => {
    const m = copies()
    for (const [logger, id] of [['app.db.pool', 'a'], ['app.http', 'b'], ['org.ex.Outer$Inner', 'c'], ['shard', 'd']] as const) {
      const r = m.match('retrying request 7', { logger })
      expect([logger, r?.statementId, r?.ambiguous]).toEqual([logger, id, undefined])
    }
  })

  it('lets the line\'s file and line decide, and reports the tie again when two copies in one file are as near', () => {
    const m = Matcher.build([st('x %s', { id: 'p', file: 'a.c', line: 10 }), st('x %s', { id: 'q', file: 'a.c', line: 30 })])
    expect(m.match('x 1', { file: 'a.c', line: 28 })?.statementId).toBe('q')
    expect(m.match('x 1', { file: 'a.c', line: 28 })?.ambiguous).toBeUndefined()
    expect(m.match('x 1', { file: 'a.c', line: 20 })?.ambiguous).toEqual(['p', 'q'])
    expect(m.match('x 1', { file: 'a.c' })?.ambiguous).toEqual(['p', 'q'])
  })
})

describe('results', () => {
  it('keeps each result’s own placeholder values when they are read after later matches', () => {
    const m = Matcher.build([st('user %s logged in from %s', { id: 'login' }), st('disk %s full', { id: 'disk' })])
    const a = m.match('user ann logged in from 10.0.0.1')!
    const b = m.match('disk /var full')!
    m.match('user bob logged in from 10.0.0.2')
    expect(b.values).toEqual(['/var'])
    expect(a.values).toEqual(['ann', '10.0.0.1'])
    expect(a.values).toBe(a.values) // cut once
  })

  it('serialises a result with its values (dice match --json prints it)', () => {
    const r = Matcher.build([st('disk %s full', { id: 'disk' })]).match('disk /var full')
    expect(JSON.parse(JSON.stringify(r))).toEqual({ statementId: 'disk', literalChars: 10, values: ['/var'] })
  })
})
