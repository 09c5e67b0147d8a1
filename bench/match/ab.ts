/**
 * Old vs new matcher in ONE process, on a noisy shared machine: the same decoded lines, in 5,000-line chunks
 * alternating old/new (order flipped every chunk), so both see the same machine; CPU time per line. Answers
 * (statement and values) are compared line by line first.
 *
 *   node --import tsx bench/match/ab.ts --old b297193 --sizes 1000,10000,100000 --lines 300000
 *
 * Needs bench/match/run.ts's generated files (run it once; --dir as there).
 */
import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { Matcher } from '../../src/match/matcher.js'
import { importAt } from '../old-tree.js'
import type { Statement } from '../../src/core/types.js'

const { values } = parseArgs({
  options: {
    old: { type: 'string', default: 'HEAD' },
    sizes: { type: 'string', default: '1000,10000,100000' },
    lines: { type: 'string', default: '300000' },
    rounds: { type: 'string', default: '3' },
    seed: { type: 'string', default: '42' },
    dir: { type: 'string', default: join(tmpdir(), 'dice-bench-match') },
  },
})
const Old = (await importAt<{ Matcher: typeof Matcher }>(values.old!, 'src/match/matcher.ts')).Matcher

const limit = Number(values.lines)
const rounds = Number(values.rounds)
const CH = 5000
console.log(`old = ${values.old}, new = working tree; ${rounds} rounds; CPU ns per line (decoding included)`)
console.log('| templates | lines | answers differing | decode only | old | new | new ÷ old |')
console.log('|---:|---:|---:|---:|---:|---:|---:|')
for (const size of values.sizes!.split(',').map(Number)) {
  const templates = JSON.parse(readFileSync(join(values.dir!, `templates-${size}.json`), 'utf8')) as string[]
  const st: Statement[] = templates.map((template, i) => ({ id: `s${i}`, file: `src/mod${i % 997}/file${i % 5003}.c`, line: 1 + (i % 4000), endLine: 1 + (i % 4000), language: 'c', level: 'error', template, matchable: true, channels: [], mentions: [], blame: null, callee: 'log_error' }))
  const buf = readFileSync(join(values.dir!, `lines-${size}-1000000-${values.seed}.txt`))
  const offs: number[] = []
  for (let s = 0; offs.length / 2 < limit; ) {
    const nl = buf.indexOf(10, s)
    if (nl < 0) break
    offs.push(s, nl)
    s = nl + 1
  }
  const n = offs.length / 2
  const line = (i: number) => buf.toString('utf8', offs[2 * i]!, offs[2 * i + 1]!)
  const m: Record<string, { match(l: string): { statementId: string; values: string[] } | null } | undefined> = { old: Old.build(st), new: Matcher.build(st), decode: undefined }
  let differ = 0
  for (let i = 0; i < n; i++) {
    const l = line(i)
    const a = m.old!.match(l)
    const b = m.new!.match(l)
    if ((a?.statementId ?? null) !== (b?.statementId ?? null) || JSON.stringify(a?.values) !== JSON.stringify(b?.values)) differ++
  }
  const cpu: Record<string, number> = { old: 0, new: 0, decode: 0 }
  for (let r = 0; r < rounds; r++) {
    for (let from = 0; from < n; from += CH) {
      const to = Math.min(n, from + CH)
      const order = (from / CH + r) % 2 === 0 ? ['old', 'new', 'decode'] : ['new', 'old', 'decode']
      for (const k of order) {
        const x = m[k]
        const c0 = process.cpuUsage()
        let hit = 0
        for (let i = from; i < to; i++) {
          const l = line(i)
          if (x === undefined) hit += l.length & 1
          else if (x.match(l) !== null) hit++
        }
        const c = process.cpuUsage(c0)
        cpu[k]! += (c.user + c.system) * 1000
      }
    }
  }
  const per = (k: string) => cpu[k]! / (n * rounds)
  console.log(`| ${size.toLocaleString('en')} | ${n.toLocaleString('en')} | ${differ} | ${per('decode').toFixed(0)} | ${per('old').toFixed(0)} | ${per('new').toFixed(0)} | ${(per('new') / per('old')).toFixed(2)} |`)
}
