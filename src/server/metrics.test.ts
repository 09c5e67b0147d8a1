import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ALICE, TempRepo } from '../catalog/testutil/repo.js'
import { ROOT, runDice } from '../cli/testutil.js'
import { startDiceRun, until, type DiceRun } from '../cli/commands/testutil/dice-run.js'
import { tempDir } from '../testutil/tmp.js'

const DOC = 'docs/OPERATIONS.md'

/** One row of the doc's metrics table: names (`<name>` = any suffix), labels, type. */
interface DocMetric { name: string; pattern: RegExp; labels: string[]; type: string }

/** The "## Metrics" table: `dice_x{a,b}`, `dice_delivery_{posts,updates}` (alternatives), `dice_pipeline_<name>{source}`. */
function documented(): DocMetric[] {
  const text = readFileSync(join(ROOT, DOC), 'utf8')
  const section = text.slice(text.indexOf('## Metrics'), text.indexOf('\n## ', text.indexOf('## Metrics') + 1))
  const out: DocMetric[] = []
  for (const row of section.split('\n').filter((l) => l.startsWith('| `dice_'))) {
    const [names, type] = row.split('|').slice(1, 3).map((c) => c.trim())
    for (const [, spec] of names!.matchAll(/`([^`]+)`/g)) {
      const m = /^([a-z0-9_]+)(?:\{([a-z,_]+)\})?((?:<name>|[a-z0-9_])*)(?:\{([a-z,_]+)\})?$/.exec(spec!)
      // `dice_delivery_{posts,updates}`: braces right after `_` are name alternatives, elsewhere labels.
      const alts = m && m[1]!.endsWith('_') && m[2] ? m[2].split(',') : ['']
      const labels = (m && m[1]!.endsWith('_') && m[2] ? m[4] : m?.[2] ?? m?.[4])?.split(',') ?? []
      for (const alt of alts) {
        const name = `${m?.[1] ?? spec}${alt}${m?.[3] ?? ''}`
        out.push({ name, pattern: new RegExp(`^${name.replace(/<name>/g, '[a-z0-9_]+')}$`), labels, type: type! })
      }
    }
  }
  return out
}

/** Families in a Prometheus text exposition: name → type and the label names its samples carry. */
function families(text: string): Map<string, { type: string; labels: Set<string> }> {
  const out = new Map<string, { type: string; labels: Set<string> }>()
  for (const line of text.split('\n')) {
    const t = /^# TYPE (\S+) (\S+)$/.exec(line)
    if (t) out.set(t[1]!, { type: t[2]!, labels: new Set() })
    const s = /^([a-z0-9_]+)\{([^}]*)\} /.exec(line)
    if (s) for (const [, k] of s[2]!.matchAll(/([a-z_]+)="/g)) out.get(s[1]!)?.labels.add(k!)
  }
  return out
}

describe('/metrics and docs/OPERATIONS.md', () => {
  let run: DiceRun
  let metrics: string
  beforeAll(async () => {
    const repo = TempRepo.create()
    repo.write('src/tunnel.c', 'void up(int p) {\n  ERROR_LOG("tunnel %d down", p); // #ipsec-debug\n  WARN_LOG("slow handshake %d", p);\n}\n')
    repo.commit(ALICE)
    const dir = tempDir('metrics')
    const db = join(dir, 'dice.db')
    writeFileSync(join(dir, 'dice.yml'), 'digest: { workdays: [1, 2, 3, 4, 5, 6, 7], startHour: 0, endHour: 24 }\n')
    expect((await runDice(['--db', db, 'index', repo.dir, '--quiet'], { cwd: dir })).code).toBe(0)
    run = await startDiceRun(['--db', db, 'run', '--port', '0'], { cwd: dir, env: { SLACK_BOT_TOKEN: '' } })
    const body = 'ERROR tunnel 7 down\nWARN slow handshake 3\nERROR nothing like it\nINFO chatter\n'
    expect((await fetch(`${run.url}/ingest?format=${encodeURIComponent('regex:^(?<level>\\w+) (?<message>.*)$')}`, { method: 'POST', body })).status).toBe(200)
    // The channel post goes through the outbox: wait until it is sent, so outbox metrics have rows.
    metrics = await until(async () => {
      const m = await (await fetch(`${run.url}/metrics`)).text()
      return /dice_outbox_items\{kind="[^"]+",status="sent"\} [1-9]/.test(m) ? m : ''
    }, 'a sent outbox item in /metrics')
  })
  afterAll(async () => {
    run?.child.kill('SIGTERM')
    await run?.exited
  })

  it('emits every metric the doc lists, with its type and labels, and nothing the doc leaves out', () => {
    const doc = documented()
    const got = families(metrics)
    const problems: string[] = []
    for (const d of doc.filter((x) => !x.name.includes('<name>'))) {
      const f = got.get(d.name)
      if (!f) problems.push(`${DOC} lists ${d.name}, but /metrics does not emit it`)
      else {
        if (f.type !== d.type) problems.push(`${d.name}: ${DOC} says ${d.type}, /metrics says ${f.type}`)
        for (const l of d.labels) if (!f.labels.has(l)) problems.push(`${d.name}: ${DOC} lists label ${l}, /metrics has ${[...f.labels].join(', ') || 'none'}`)
      }
    }
    for (const [name, f] of got) {
      const d = doc.find((x) => x.name === name) ?? doc.find((x) => x.pattern.test(name))
      if (!d) problems.push(`/metrics emits ${name} (${f.type}), which the metrics table in ${DOC} does not list`)
    }
    expect(problems, problems.join('\n')).toEqual([])
  })

  it('gives the catalog size and the age of the last index, so a stale catalog can be alerted on', () => {
    expect(metrics).toMatch(/^dice_catalog_statements 2$/m)
    const age = Number(/^dice_index_age_seconds (\S+)$/m.exec(metrics)?.[1])
    expect(age).toBeGreaterThanOrEqual(0)
    expect(age).toBeLessThan(600)
  })
})
