/**
 * Reading a loghub checkout (https://github.com/logpai/loghub: 16 systems × 2,000 labelled real lines, free for
 * research use, never copied into this repository): its CSV files, its templates in Dice's syntax, its raw lines.
 * Shared by the accuracy check (bench/loghub/run.ts) and the whole-process bench's real-log mix (bench/process).
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/** The 16 systems of loghub's 2k samples. */
export const SYSTEMS = ['Android', 'Apache', 'BGL', 'HDFS', 'HPC', 'Hadoop', 'HealthApp', 'Linux', 'Mac', 'OpenSSH', 'OpenStack', 'Proxifier', 'Spark', 'Thunderbird', 'Windows', 'Zookeeper']

/** RFC 4180 rows (quoted fields may hold commas, doubled quotes and newlines). */
export function csv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let f = ''
  let q = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (q) {
      if (c === '"') {
        if (text[i + 1] === '"') (f += '"'), i++
        else q = false
      } else f += c
    } else if (c === '"') q = true
    else if (c === ',') row.push(f), (f = '')
    else if (c === '\n') row.push(f), rows.push(row), (row = []), (f = '')
    else if (c !== '\r') f += c
  }
  if (f !== '' || row.length > 0) row.push(f), rows.push(row)
  return rows
}

/** A loghub template in Dice's template syntax: `<*>` is a placeholder, everything else literal. */
export function toTemplate(t: string): string {
  return t.split('<*>').map((lit) => lit.replace(/%/g, '%%').replace(/\{/g, '{{').replace(/\}/g, '}}')).join('{}')
}

/**
 * What a logging framework adds before the code's message and loghub's Content keeps (oslo.log's `[instance: uuid] `,
 * httpd's `[client ip] `): Dice drops it, so the comparison and the catalog drop it too.
 */
export function withoutFrameworkPrefix(system: string, t: string): string {
  return system === 'OpenStack' ? t.replace(/^\[instance: [^\]]*\] /, '') : system === 'Apache' ? t.replace(/^\[client [^\]]*\] /, '') : t
}

/** `[id, template in Dice syntax]` of one system's labelled templates; none when the checkout lacks the system. */
export function templatesOf(dir: string, system: string): Array<[string, string]> {
  const file = join(dir, system, `${system}_2k.log_templates.csv`)
  if (!existsSync(file)) return []
  return csv(readFileSync(file, 'utf8')).slice(1).filter((r) => r.length >= 2).map(([id, t]) => [id!, toTemplate(withoutFrameworkPrefix(system, t!))])
}

/**
 * One system's raw lines as a log file holds them. OpenStack's start with the name of the file loghub took them
 * from, which is not part of the log line: dropped.
 */
export function rawLinesOf(dir: string, system: string): string[] {
  const file = join(dir, system, `${system}_2k.log`)
  if (!existsSync(file)) return []
  const lines = readFileSync(file, 'utf8').split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l !== '')
  return system === 'OpenStack' ? lines.map((l) => l.slice(l.indexOf(' ') + 1)) : lines
}
