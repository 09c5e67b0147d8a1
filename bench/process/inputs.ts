/**
 * Inputs of the whole-process bench, generated once and cached under bench/out/process/: per mix and catalog
 * size, a catalog (a SQLite file written as `dice index` writes it, matcher plan included), a log file, and the
 * `grep -F -f` pattern file (each template's longest literal part).
 *
 * Mixes:
 *   typical  syslog layout, 85% INFO/DEBUG, 15% WARN/ERROR; 70% of messages from the catalog, 15% near misses,
 *            15% free text; 1% of statements #channel-annotated (bench/replay's typical mix)
 *   warn     the same layout, every line WARN or ERROR and rendered from a catalog template: every line goes
 *            through the full catalog, is matched and counted (the heaviest mix)
 *   real     loghub's 16 systems (real lines, their own layouts, read by `--format auto`), the 2,000 lines of each
 *            system one after the other, repeated up to the line count; the catalog is loghub's labelled
 *            templates (what their programs print) filled up to the size with generated templates
 */
import { createWriteStream, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { once } from 'node:events'
import { join } from 'node:path'
import { makeCatalog, makeLines, render, rng, type Vocabulary } from '../match/generate.js'
import { statementsOf, writeCatalogDb } from '../replay/catalog.js'
import { parseTemplate } from '../../src/match/template.js'
import { rawLinesOf, SYSTEMS, templatesOf } from '../loghub/data.js'
import type { Statement } from '../../src/core/types.js'

/** A log mix of the bench. */
export type Mix = 'typical' | 'warn' | 'real'
export const MIXES: Mix[] = ['typical', 'warn', 'real']

/** Files of one mix × catalog size. */
export interface Inputs {
  mix: Mix
  statements: number
  /** The catalog: copy it before a run that writes (replay, run). */
  db: string
  log: string
  lines: number
  /** `grep -F -f` patterns: each template's longest literal part (≥ 3 characters; shorter ones hit nearly every line). */
  patterns: string
  /** One log line that a catalog statement prints (for time to first match). */
  firstLine: string
}

/** The syslog-layout line the synthetic mixes use (what bench/replay writes). */
export function syslogLine(i: number, level: string, msg: string): string {
  const sec = Math.floor(i / 1000)
  const t = `Mar  2 ${String(10 + Math.floor(sec / 3600) % 14).padStart(2, '0')}:${String(Math.floor(sec / 60) % 60).padStart(2, '0')}:${String(sec % 60).padStart(2, '0')}`
  return `${t} web-${i % 12} app[${1000 + (i % 7)}]: ${level} ${msg}`
}

/** Write `lines` to `file` in 1 MB writes; via a temporary name, so an interrupted run leaves no half file behind. */
export async function writeLog(file: string, lines: Iterable<string>): Promise<number> {
  const tmp = `${file}.part`
  const w = createWriteStream(tmp)
  let buf = ''
  let n = 0
  for (const l of lines) {
    buf += l + '\n'
    n++
    if (buf.length > 1 << 20) {
      if (!w.write(buf)) await once(w, 'drain')
      buf = ''
    }
  }
  w.end(buf)
  await once(w, 'finish')
  renameSync(tmp, file)
  return n
}

function* synthetic(mix: 'typical' | 'warn', templates: string[], v: Vocabulary, n: number): Generator<string> {
  const r = rng(7)
  let i = 0
  for (const msg of makeLines(11, templates, v, n, mix === 'warn' ? 1 : 0.7)) {
    i++
    const x = r()
    const level = mix === 'warn' ? (x < 0.6 ? 'ERROR' : 'WARNING') : x < 0.05 ? 'ERROR' : x < 0.15 ? 'WARNING' : x < 0.85 ? 'INFO' : 'DEBUG'
    yield syslogLine(i, level, msg)
  }
}

function* repeated(lines: string[], n: number): Generator<string> {
  for (let i = 0; i < n; i++) yield lines[i % lines.length]!
}

function longestLiterals(templates: string[]): string[] {
  const longest = templates.map((t) => parseTemplate(t).literals.map((l) => l.trim()).reduce((a, b) => (b.length > a.length ? b : a), ''))
  return [...new Set(longest)].filter((p) => p.length >= 3)
}

/** The inputs of `mix` at `size` statements and `lines` lines (generated on first use). */
export async function inputsFor(dir: string, mix: Mix, size: number, lines: number, loghub: string | null): Promise<Inputs> {
  const out = join(dir, `${mix}-${size}s-${lines}l`)
  mkdirSync(out, { recursive: true })
  const db = join(out, 'catalog.db')
  const log = join(out, 'app.log')
  const patterns = join(out, 'patterns.txt')
  let statements: Statement[]
  let firstLine: string
  let logLines: () => Iterable<string>
  if (mix === 'real') {
    if (loghub === null || !existsSync(join(loghub, 'HDFS'))) throw new Error('the real mix needs --loghub DIR (a loghub checkout: git archive of github.com/logpai/loghub)')
    const real: Statement[] = []
    const raw: string[] = []
    for (const sys of SYSTEMS) {
      for (const [id, template] of templatesOf(loghub, sys)) {
        real.push({ id: `${sys}-${id}`, file: `${sys}/main.c`, line: real.length + 1, endLine: real.length + 1, language: 'c', level: 'error',
          template, matchable: true, channels: [], mentions: [], blame: null, callee: 'log' })
      }
      raw.push(...rawLinesOf(loghub, sys))
    }
    const fill = size > real.length ? statementsOf(makeCatalog(3, size - real.length).templates) : []
    statements = [...real, ...fill].slice(0, size)
    firstLine = raw.find((l) => l.includes('PacketResponder'))!
    logLines = () => repeated(raw, lines)
  } else {
    const { templates, vocabulary } = makeCatalog(3, size)
    statements = statementsOf(templates)
    firstLine = syslogLine(1, 'ERROR', render(rng(5), vocabulary, templates[0]!))
    logLines = () => synthetic(mix, templates, vocabulary, lines)
  }
  if (!existsSync(db)) {
    await writeCatalogDb(`${db}.part`, statements)
    renameSync(`${db}.part`, db)
  }
  if (!existsSync(patterns)) writeFileSync(patterns, longestLiterals(statements.map((s) => s.template ?? '')).join('\n') + '\n')
  if (!existsSync(log)) await writeLog(log, logLines())
  return { mix, statements: size, db, log, lines, patterns, firstLine }
}
