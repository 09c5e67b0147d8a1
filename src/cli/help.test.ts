import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { commands } from './commands/index.js'
import type { OptionSpec } from './command.js'
import { parseFlags } from './args.js'
import { commandHelp, flagLabel, GLOBAL_OPTIONS } from './help.js'
import { VALUES } from './values.js'
import { ROOT, runDice } from './testutil.js'

const DOC = 'docs/CLI.md'
const SPECS = 'src/cli/commands/specs.ts'
const doc = readFileSync(join(ROOT, DOC), 'utf8')
const reference = doc.slice(doc.indexOf('## Command reference'))

/** The `### heading` sections of the command reference: heading → its lines. */
function sections(): Map<string, string[]> {
  const out = new Map<string, string[]>()
  let cur: string[] | null = null
  for (const line of reference.split('\n')) {
    const h = /^### (.*)$/.exec(line)
    if (h) out.set(h[1]!.replace(/^`|`$/g, ''), (cur = []))
    else if (cur && line.trim()) cur.push(line)
  }
  return out
}

const label = (name: string, o: OptionSpec) => `${o.short ? `-${o.short}, ` : ''}${flagLabel(name, o)}`

/** Differences between a spec's flags and a doc section's `- \`--flag V\`: sentence` lines, in words that say where to fix. */
function compareFlags(where: string, options: Record<string, OptionSpec>, lines: string[]): string[] {
  const documented = new Map(lines.flatMap((l) => {
    const m = /^- `([^`]+)`: (.*)$/.exec(l)
    return m ? [[m[1]!, m[2]!] as const] : []
  }))
  const problems: string[] = []
  const defined = new Set<string>()
  for (const [name, o] of Object.entries(options)) {
    const l = label(name, o)
    defined.add(l)
    const said = documented.get(l)
    if (said === undefined) problems.push(`${DOC} ${where}: no line for ${l}; ${SPECS} defines it. Add: - \`${l}\`: ${o.help}`)
    else if (said !== o.help) problems.push(`${DOC} ${where}: ${l} says "${said}" but ${SPECS} says "${o.help}"`)
  }
  for (const l of documented.keys()) if (!defined.has(l)) problems.push(`${DOC} ${where}: documents ${l}, which ${SPECS} does not define for this command`)
  return problems
}

/** A shell-like split of an example (double or single quotes group words). */
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!)
}

describe('--help and docs/CLI.md', () => {
  it('docs/CLI.md documents every command with the same usage, summary, flags and sentences as --help', () => {
    const secs = sections()
    const problems: string[] = []
    for (const c of commands) {
      const heading = [...secs.keys()].find((h) => h === `dice ${c.name}` || h.startsWith(`dice ${c.name} `))
      if (!heading) {
        problems.push(`${DOC}: no "### \`dice ${c.usage}\`" section for the command ${c.name} in ${SPECS}`)
        continue
      }
      const lines = secs.get(heading)!
      if (heading !== `dice ${c.usage}`) problems.push(`${DOC}: the heading "dice ${heading.slice(5)}" should be the usage in ${SPECS}: "dice ${c.usage}"`)
      if (lines[0] !== `${c.summary}.`) problems.push(`${DOC} dice ${c.name}: the line under the heading should be the summary in ${SPECS}: "${c.summary}."`)
      problems.push(...compareFlags(`dice ${c.name}`, c.options, lines))
    }
    for (const h of secs.keys()) {
      if (h.startsWith('dice ') && !commands.some((c) => h === `dice ${c.name}` || h.startsWith(`dice ${c.name} `))) problems.push(`${DOC}: documents "${h}", which is not a command in ${SPECS}`)
    }
    problems.push(...compareFlags('global options', GLOBAL_OPTIONS, secs.get('Global options') ?? []))
    expect(problems, problems.join('\n')).toEqual([])
  })

  it('explains every value placeholder a flag uses, in --help and with the same words in the docs Values table', () => {
    const table = new Map([...reference.matchAll(/^\| `([A-Z-]+)` \| (.*) \|$/gm)].map((m) => [m[1]!, m[2]!.replace(/\\\|/g, '|')]))
    const problems: string[] = []
    for (const [k, v] of Object.entries(VALUES)) if (table.get(k) !== v) problems.push(`${DOC} Values: \`${k}\` should read "${v}" (src/cli/values.ts), found ${JSON.stringify(table.get(k) ?? null)}`)
    for (const c of commands) {
      const help = commandHelp(c)
      for (const [name, o] of Object.entries(c.options)) {
        expect(help).toContain(`${label(name, o)}  `)
        expect(help).toContain(o.help)
        // A placeholder that is neither self-explanatory text nor in VALUES would leave the reader guessing.
        if (o.value && !['FILE', 'DIR', 'URL', 'TEXT', 'H', 'LIST'].includes(o.value) && !(o.value in VALUES)) problems.push(`${SPECS} ${c.name} --${name}: value ${o.value} is not explained in src/cli/values.ts`)
        if (o.value && o.value in VALUES) expect(help).toContain(VALUES[o.value])
      }
    }
    expect(problems, problems.join('\n')).toEqual([])
  })

  it('gives every command at least one example, and each example parses with the flags the command has', () => {
    for (const c of commands) {
      expect(c.examples.length, `${SPECS} ${c.name}: add an example`).toBeGreaterThan(0)
      for (const e of c.examples) {
        const w = words(e)
        // Global flags may come first; the command's own words follow.
        const at = w.findIndex((x, i) => c.name.split(' ')[0] === x && !(i > 0 && w[i - 1]!.startsWith('--') && !w[i - 1]!.includes('=') && GLOBAL_OPTIONS[w[i - 1]!.slice(2) as keyof typeof GLOBAL_OPTIONS]?.type === 'string'))
        expect(at, `${SPECS} ${c.name}: example "${e}" does not run dice ${c.name}`).toBeGreaterThanOrEqual(0)
        const rest = [...w.slice(0, at), ...w.slice(at + c.name.split(' ').length)]
        expect(() => parseFlags(rest, { ...GLOBAL_OPTIONS, ...c.options }, c.name, 'x'), `${SPECS} ${c.name}: example "${e}"`).not.toThrow()
      }
    }
  })

  it('prints a command\'s help for --help, -h and dice help, for a command group too, exit 0', async () => {
    const a = await runDice(['snooze', '--help'])
    expect(a.code).toBe(0)
    expect(a.stdout).toContain('--for DURATION')
    expect(a.stdout).toMatch(/DURATION +a number and a unit/)
    expect(a.stdout).toContain('dice snooze 3f9a1c2b7d10 --for 1d')
    expect((await runDice(['help', 'snooze'])).stdout).toBe(a.stdout)
    const g = await runDice(['config', '--help'])
    expect(g.code, g.stderr).toBe(0)
    expect(g.stdout).toMatch(/config check +validate the configuration/)
    const h = await runDice(['config', 'check', '-h'])
    expect(h.stdout).toMatch(/^usage: dice config check \[--json\]/)
    const top = await runDice(['--help'])
    for (const c of commands) expect(top.stdout).toContain(`  ${c.name} `)
  })
})

describe('usage errors in Dice\'s words', () => {
  it('answers an unknown top-level option with "unknown option", naming it, exit 2', async () => {
    const r = await runDice(['--bogus'])
    expect(r.code).toBe(2)
    expect(r.stderr).toBe('dice: unknown option --bogus; see `dice --help`\n')
  })

  it('names the command, the flag and its --help for an unknown flag, a missing value and a value on a switch', async () => {
    const unknown = await runDice(['snooze', 'abc', '--bogus'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toBe('dice: snooze: unknown option --bogus; see `dice snooze --help`\n')
    const missing = await runDice(['snooze', 'abc', '--for'])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('snooze: --for DURATION needs a value')
    const swallowed = await runDice(['snooze', 'abc', '--for', '--json'])
    expect(swallowed.stderr).toContain('--for DURATION needs a value (got the flag --json')
    const valued = await runDice(['catalog', '--json=yes'])
    expect(valued.code).toBe(2)
    expect(valued.stderr).toContain('catalog: --json takes no value')
    // Node's own wording talks about positionals after `--`: not what a mistyped flag needs.
    expect(unknown.stderr + missing.stderr + valued.stderr).not.toMatch(/positional|argument is ambiguous|<value>/)
  })

  it('tells a bare command group to pick a subcommand, and rejects an unknown one, exit 2', async () => {
    const bare = await runDice(['config'])
    expect(bare.code).toBe(2)
    expect(bare.stderr).toContain('config: give a subcommand (config check)')
    const wrong = await runDice(['config', 'frob'])
    expect(wrong.code).toBe(2)
    expect(wrong.stderr).toContain("unknown command 'config frob'")
  })

  it('prints the package version for --version', async () => {
    const r = await runDice(['--version'])
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(`${JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version}\n`)
  })
})
