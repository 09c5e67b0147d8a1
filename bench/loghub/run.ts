/**
 * Held-out check on real logs: the 16 systems of loghub (https://github.com/logpai/loghub, 2,000 labelled lines
 * each, free for research use — not copied into this repository). Each system's labelled templates become a
 * catalog (`<*>` → `{}`), its raw lines are parsed by `--format auto` and matched, and the answers are compared
 * with loghub's labels:
 *   - parse: the message Dice reads from the raw line equals loghub's `Content` column (whitespace-trimmed);
 *   - match (Content): Dice's matcher on loghub's own message finds the labelled template;
 *   - match (end to end): the same on the message Dice parsed from the raw line;
 *   - level: the level Dice reads equals loghub's `Level` column (where it has one that names a level);
 *   - unowned shapes: how many shapes (`shapeOf`, what groups lines no statement owns) loghub's messages make, and
 *     their purity (the share of lines whose shape's most common labelled template is their own).
 * Where loghub's Content keeps what a logging framework added, not what the code wrote, Dice drops it and the
 * comparison does too: oslo.log's `[instance: uuid] ` (OpenStack) and httpd's `[client ip] ` (Apache) prefixes are
 * removed from Content and templates. OpenStack's raw lines also start with the name of the file loghub took them
 * from (not part of the log line): dropped before parsing.
 *
 * Five systems print layouts of their own (supercomputer RAS records, an app's pipe-separated fields, a proxy's
 * log): `auto` takes their whole line as the message. With `--presets` they are read with the one-line `regex:`
 * format a team would put in `formats:` of its config (REGEX below), the rest with `auto`.
 *
 * With `--old COMMIT` the matcher of that commit runs on the same catalog and parsed lines in the same process,
 * and a second table compares them: statements matchable, lines landing on a statement, lines landing on the
 * labelled one (end to end).
 *
 *   node --import tsx bench/loghub/run.ts --dir /path/to/loghub [--only HDFS,Apache] [--show 5] [--presets] [--old 54988f1]
 */
import { readFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { Matcher } from '../../src/match/matcher.js'
import { createParser } from '../../src/ingest/formats/index.js'
import { defaultConfig } from '../../src/config/load.js'
import type { Statement } from '../../src/core/types.js'
import { normalizeLevel } from '../../src/core/levels.js'
import { shapeOf } from '../../src/match/shape.js'
import { csv, SYSTEMS, toTemplate, withoutFrameworkPrefix } from './data.js'
import { importAt } from '../old-tree.js'

const { values } = parseArgs({ options: { dir: { type: 'string' }, only: { type: 'string' }, show: { type: 'string', default: '3' }, presets: { type: 'boolean', default: false }, old: { type: 'string' } } })
if (!values.dir) throw new Error('--dir: path of a loghub checkout (git clone https://github.com/logpai/loghub)')
const only = values.only ? values.only.split(',') : SYSTEMS
const show = Number(values.show)

/** `regex:` formats for the layouts no mainstream framework prints (named groups as in docs/FORMATS.md). */
const REGEX: Record<string, string> = {
  BGL: String.raw`^\S+ \d+ \S+ (?<host>\S+) \S+ \S+ \S+ (?<logger>\S+) (?<level>[A-Z]+) (?<message>.*)$`,
  HPC: String.raw`^\d+ (?<host>\S+) (?<logger>\S+) \S+ \d+ \d+ (?<message>.*)$`,
  HealthApp: String.raw`^[^|]*\|(?<logger>[^|]*)\|\d+\|(?<message>.*)$`,
  Proxifier: String.raw`^\[[^\]]*\] (?<logger>.+?) - (?<message>.*)$`,
  Thunderbird: String.raw`^\S+ \d+ \S+ (?<host>\S+) \w{3} +\d+ [\d:]+ \S+ (?:(?<logger>[^:\[ ]+)(?:\[\d+\])?: )?(?<message>.*)$`,
}

const config = defaultConfig()
const Old = values.old ? (await importAt<{ Matcher: typeof Matcher }>(values.old, 'src/match/matcher.ts')).Matcher : null
const compared: string[] = []
const sum = { statements: 0, oldMatchable: 0, newMatchable: 0, oldOn: 0, newOn: 0, oldRight: 0, newRight: 0 }
const totals = { lines: 0, parsed: 0, content: 0, e2e: 0, shapes: 0, pure: 0 }
console.log('| system | templates | lines | parse = Content | match on Content | match end to end | level (lines with one) | unowned shapes (purity) |')
console.log('|---|---:|---:|---:|---:|---:|---:|---:|')
const notes: string[] = []
for (const sys of only) {
  const base = join(values.dir, sys, `${sys}_2k.log`)
  if (!existsSync(base)) continue
  const withoutAddedPrefix = (t: string) => withoutFrameworkPrefix(sys, t)
  const tpl = csv(readFileSync(`${base}_templates.csv`, 'utf8')).slice(1).filter((r) => r.length >= 2).map(([id, t]) => [id!, withoutAddedPrefix(t!)])
  const statements: Statement[] = tpl.map(([id, t]) => ({ id: id!, file: `${sys}.log`, line: 1, endLine: 1, language: 'c', level: 'error', template: toTemplate(t!), matchable: true, channels: [], mentions: [], blame: null, callee: 'log' }))
  const matcher = Matcher.build(statements)
  const old = Old ? Old.build(statements) : null
  const cmp = { oldOn: 0, newOn: 0, oldRight: 0, newRight: 0 }
  const structured = csv(readFileSync(`${base}_structured.csv`, 'utf8'))
  const head = structured[0]!
  const ci = head.indexOf('Content')
  const ei = head.indexOf('EventId')
  const li = head.indexOf('Level')
  const labelled = structured.slice(1).filter((r) => r.length === head.length)
  const raw = readFileSync(base, 'utf8').split('\n')
  const parse = createParser(values.presets && REGEX[sys] ? `regex:${REGEX[sys]}` : 'auto', config)
  let parsed = 0
  let onContent = 0
  let e2e = 0
  let levels = 0
  let levelled = 0
  const shapes = new Map<string, Map<string, number>>()
  const misses: string[] = []
  for (let i = 0; i < labelled.length; i++) {
    const r = labelled[i]!
    const content = withoutAddedPrefix(r[ci]!.trim())
    const want = r[ei]!
    const line = raw[i]!.replace(/\r$/, '')
    const entry = parse(sys === 'OpenStack' ? line.slice(line.indexOf(' ') + 1) : line, i + 1)
    const wantLevel = li >= 0 ? normalizeLevel(r[li]!.length === 1 ? r[li]! : r[li]!.toLowerCase()) : null
    if (wantLevel !== null) {
      levelled++
      if (entry?.level === wantLevel) levels++
    }
    const msg = entry?.message.trim() ?? ''
    if (msg === content) parsed++
    else if (misses.length < show) misses.push(`  parse  ${JSON.stringify(raw[i])}\n    got  ${JSON.stringify(msg)}\n    want ${JSON.stringify(content)}`)
    const shape = shapeOf(content).shape
    let byEvent = shapes.get(shape)
    if (byEvent === undefined) shapes.set(shape, (byEvent = new Map()))
    byEvent.set(want, (byEvent.get(want) ?? 0) + 1)
    const a = matcher.match(content)?.statementId ?? null
    if (a === want) onContent++
    else if (misses.length < show * 2) misses.push(`  match  ${JSON.stringify(content)}: got ${a}, want ${want} (${JSON.stringify(tpl.find((x) => x[0] === want)?.[1])}${a ? `; got ${JSON.stringify(tpl.find((x) => x[0] === a)?.[1])}` : ''})`)
    const b = entry ? (matcher.match(entry.message, entry)?.statementId ?? null) : null
    if (b === want) e2e++
    if (old !== null) {
      const o = entry ? (old.match(entry.message, entry)?.statementId ?? null) : null
      if (o !== null) cmp.oldOn++
      if (o === want) cmp.oldRight++
      if (b !== null) cmp.newOn++
      if (b === want) cmp.newRight++
    }
  }
  if (old !== null) {
    const n = labelled.length
    compared.push(`| ${sys} | ${statements.length} | ${statements.length - old.size.skipped} → ${statements.length - matcher.size.skipped} | ${cmp.oldOn} → ${cmp.newOn} of ${n} | ${cmp.oldRight} → ${cmp.newRight} |`)
    sum.statements += statements.length
    sum.oldMatchable += statements.length - old.size.skipped
    sum.newMatchable += statements.length - matcher.size.skipped
    for (const k of ['oldOn', 'newOn', 'oldRight', 'newRight'] as const) sum[k] += cmp[k]
  }
  const n = labelled.length
  const pct = (x: number) => `${((100 * x) / n).toFixed(1)}%`
  const lv = levelled === 0 ? '–' : `${((100 * levels) / levelled).toFixed(1)}% (${levelled})`
  let pure = 0
  for (const byEvent of shapes.values()) pure += Math.max(...byEvent.values())
  console.log(`| ${sys} | ${tpl.length} | ${n} | ${pct(parsed)} | ${pct(onContent)} | ${pct(e2e)} | ${lv} | ${shapes.size} (${pct(pure)}) |`)
  totals.shapes += shapes.size
  totals.pure += pure
  totals.lines += n
  totals.parsed += parsed
  totals.content += onContent
  totals.e2e += e2e
  if (misses.length > 0) notes.push(`${sys}:\n${misses.join('\n')}`)
}
const p = (x: number) => `${((100 * x) / totals.lines).toFixed(1)}%`
console.log(`| all | | ${totals.lines} | ${p(totals.parsed)} | ${p(totals.content)} | ${p(totals.e2e)} | | ${totals.shapes} (${p(totals.pure)}) |`)
if (Old) {
  console.log(`\nOld (${values.old}) → new matcher, same catalog and parsed lines, end to end:\n`)
  console.log('| system | statements | matchable statements | lines on a statement | lines on the labelled statement |')
  console.log('|---|---:|---:|---:|---:|')
  for (const row of compared) console.log(row)
  console.log(`| all | ${sum.statements} | ${sum.oldMatchable} → ${sum.newMatchable} | ${sum.oldOn} → ${sum.newOn} of ${totals.lines} | ${sum.oldRight} → ${sum.newRight} |`)
}
if (show > 0) console.log(`\n${notes.join('\n\n')}`)
