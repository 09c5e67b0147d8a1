import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runDice } from './testutil.js'
import { tempDir } from '../testutil/tmp.js'

/** Write `yaml` as a dice.yml in a fresh directory and run `dice --config FILE config check` on it. */
async function configCheck(yaml: string) {
  const dir = tempDir('cfg')
  const file = join(dir, 'dice.yml')
  writeFileSync(file, yaml)
  return { dir, file, r: await runDice(['--config', file, 'config', 'check']) }
}

describe('dice command line', () => {
  it('rejects an unknown command with exit 2', async () => {
    const r = await runDice(['frobnicate'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/unknown command 'frobnicate'/)
  })

  it('rejects an unknown flag with exit 2 and names it', async () => {
    const r = await runDice(['config', 'check', '--bogus'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/--bogus/)
  })

  it('names the file and every bad field of an invalid dice.yml, exit 2', async () => {
    const { file, r } = await configCheck('digest:\n  startHour: 30\n  workdays: [1, 9]\nroute:\n  minLevel: loud\nsurprise: true\n')
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(file)
    expect(r.stderr).toMatch(/digest\.startHour/)
    expect(r.stderr).toMatch(/digest\.workdays\.1/)
    expect(r.stderr).toMatch(/route\.minLevel/)
    expect(r.stderr).toMatch(/surprise: unknown field/)
  })

  it('reports a YAML syntax error with file and line, exit 2', async () => {
    const { file, r } = await configCheck('digest:\n  startHour: [9\n')
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(new RegExp(`${file}:\\d+`))
  })

  it('uses ./dice.yml when present and prints effective defaults', async () => {
    const dir = tempDir('cfg')
    writeFileSync(join(dir, 'dice.yml'), 'digest:\n  startHour: 8\n')
    const r = await runDice(['config', 'check', '--json'], { cwd: dir })
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out.config.digest).toMatchObject({ startHour: 8, endHour: 18, workdays: [1, 2, 3, 4, 5] })
  })

  it('fails with exit 2 when --config names a missing file', async () => {
    const r = await runDice(['--config', '/nonexistent/dice.yml', 'config', 'check'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/\/nonexistent\/dice\.yml: cannot read/)
  })
})

describe('configuration values that would silently misbehave', () => {
  it('rejects an unknown time zone, a repo.url that is not a URL and an empty working day, naming each field', async () => {
    const { r } = await configCheck('people:\n  x:\n    tz: Mars/Olympus\nrepo:\n  url: notaurl\ndigest:\n  startHour: 18\n  endHour: 9\n')
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/people\.x\.tz: not a known IANA time zone: "Mars\/Olympus"/)
    expect(r.stderr).toMatch(/repo\.url: expected an absolute URL/)
    expect(r.stderr).toMatch(/digest\.endHour: must be after startHour \(18\)/)
  })

  it('accepts real time zones and a working day that ends at midnight', async () => {
    const { r } = await configCheck('people:\n  x:\n    tz: Asia/Kathmandu\nrepo:\n  url: https://gitlab.example.com/g/r\ndigest:\n  startHour: 0\n  endHour: 24\n  defaultTimezone: America/Los_Angeles\n')
    expect(r.code, r.stderr).toBe(0)
  })

  it('config check refuses what dice run would: a source format and a preset that build no parser, naming file and field, exit 2', async () => {
    const { dir, file, r } = await configCheck("formats:\n  nginx: 'regex:^(?<msg>.*)$'\n  loop: loop\nsources:\n  - { type: file, path: app.log, format: nginxx }\n  - { type: stdin, format: 'regex:(' }\n")
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`${file}: invalid configuration`)
    expect(r.stderr).toMatch(/formats\.nginx: regex:\^\(\?<msg>\.\*\)\$ has no named group \(\?<message>…\)/)
    expect(r.stderr).toMatch(/formats\.loop: preset "loop" refers to itself/)
    expect(r.stderr).toMatch(/sources\.0\.format: unknown format "nginxx"/)
    expect(r.stderr).toMatch(/sources\.1\.format: invalid regular expression/)
    expect(r.stderr).not.toContain('--format')
    const run = await runDice(['--config', file, '--db', join(dir, 'dice.db'), 'run', '--port', '0'])
    expect(run.code).toBe(2)
    expect(run.stderr).toBe(r.stderr)
  })

  it('config check passes a configuration whose sources use presets and built-in formats', async () => {
    const { file, r } = await configCheck("formats:\n  app: 'regex:^(?<level>\\w+) (?<message>.*)$'\n  alias: app\nsources:\n  - { type: file, path: app.log, format: alias }\n  - { type: stdin, format: logfmt }\n")
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toBe(`${file}: ok\n`)
  })
})
