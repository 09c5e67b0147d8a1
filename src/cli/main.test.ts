import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runDice } from './testutil.js'

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
    const dir = mkdtempSync(join(tmpdir(), 'dice-cfg-'))
    const file = join(dir, 'dice.yml')
    writeFileSync(file, 'digest:\n  startHour: 30\n  workdays: [1, 9]\nroute:\n  minLevel: loud\nsurprise: true\n')
    const r = await runDice(['--config', file, 'config', 'check'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(file)
    expect(r.stderr).toMatch(/digest\.startHour/)
    expect(r.stderr).toMatch(/digest\.workdays\.1/)
    expect(r.stderr).toMatch(/route\.minLevel/)
    expect(r.stderr).toMatch(/surprise: unknown field/)
  })

  it('reports a YAML syntax error with file and line, exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dice-cfg-'))
    const file = join(dir, 'dice.yml')
    writeFileSync(file, 'digest:\n  startHour: [9\n')
    const r = await runDice(['--config', file, 'config', 'check'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(new RegExp(`${file}:\\d+`))
  })

  it('uses ./dice.yml when present and prints effective defaults', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dice-cfg-'))
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
