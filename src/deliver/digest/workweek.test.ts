import { join } from 'node:path'
import { writeFileSync } from 'node:fs'
import { beforeEach, describe, expect, it } from 'vitest'
import { openStore } from '../../store/registry.js'
import { runDice } from '../../cli/testutil.js'
import { statement } from '../testutil/fixtures.js'
import { tempDir } from '../../testutil/tmp.js'
import { workWeek, workingTime } from './schedule.js'
import { config } from '../testutil/fixtures.js'

const SATURDAY = Date.parse('2026-11-21T12:00:00Z')
const SUNDAY_10 = '2026-11-22T10:00:00Z'
const MONDAY_10 = '2026-11-23T10:00:00Z'
const TUESDAY_10 = '2026-11-24T10:00:00Z'

const YAML = `people:
  sun@pen.mssn: { workdays: [7, 1, 2, 3, 4] }
  mon@pen.mssn: { holidays: ['2026-11-23'] }
  late@pen.mssn: { startHour: 14, endHour: 20 }
`

describe('per-person working weeks (dice digest --at)', () => {
  let dir: string
  let db: string
  let cfg: string
  const digest = async (at: string) => {
    const r = await runDice(['--db', db, '--config', cfg, 'digest', '--json', '--mark-sent', '--at', at], { cwd: dir, env: { SLACK_BOT_TOKEN: '' } })
    expect(r.code, r.stderr).toBe(0)
    return new Map((JSON.parse(r.stdout) as any[]).map((d) => [d.target, d]))
  }
  const count = async (statementId: string, at: number, n: number) => {
    const store = await openStore({ dbFile: db })
    const bucket = Math.floor(at / 300_000) * 300_000
    await store.applyCounts({ occurrences: [{ statementId, host: 'web-1', bucket, count: n, firstSeen: at, lastSeen: at, level: 'warn', samples: ['WARN x'] }], unowned: [], checkpoints: [] })
    await store.close()
  }

  beforeEach(async () => {
    dir = tempDir('workweek')
    db = join(dir, 'dice.db')
    cfg = join(dir, 'dice.yml')
    writeFileSync(cfg, YAML)
    const store = await openStore({ dbFile: db })
    const by = (id: string, email: string, line: number) => statement({ id, template: `${id} happened`, line, blame: { email, name: id, commit: 'a'.repeat(40), time: '2026-01-01T00:00:00Z' } })
    await store.replaceFiles([{ file: 'src/hello.c', hash: 'h' }], [by('desert', 'sun@pen.mssn', 10), by('rain', 'mon@pen.mssn', 20), by('owl', 'late@pen.mssn', 30), by('plain', 'plain@pen.mssn', 40)], [])
    await store.close()
    for (const id of ['desert', 'rain', 'owl', 'plain']) await count(id, SATURDAY, 3)
  })

  it('sends a Sunday–Thursday person their digest on Sunday, and nobody on the Monday–Friday week', async () => {
    const sunday = await digest(SUNDAY_10)
    expect(sunday.get('sun@pen.mssn')).toMatchObject({ status: 'enqueued', items: [expect.objectContaining({ statementId: 'desert', count: 3 })] })
    for (const who of ['mon@pen.mssn', 'plain@pen.mssn', 'late@pen.mssn']) expect(sunday.get(who), who).toMatchObject({ status: 'not-due', reason: 'Sunday is not a workday in UTC' })
    // Monday at 10: plain's week (digest's defaults) starts; late's hours (14-20) have not.
    const monday = await digest(MONDAY_10)
    expect(monday.get('plain@pen.mssn')).toMatchObject({ status: 'enqueued' })
    expect(monday.get('late@pen.mssn')).toMatchObject({ status: 'not-due', reason: '10:00 UTC is before 14:00' })
    expect(monday.has('sun@pen.mssn')).toBe(false)
    expect((await digest('2026-11-23T15:00:00Z')).get('late@pen.mssn')).toMatchObject({ status: 'enqueued' })
  })

  it('skips a holiday: the items wait for the next working day, with what came on the holiday, nothing lost', async () => {
    await count('rain', Date.parse('2026-11-23T08:00:00Z'), 2)
    const monday = await digest(MONDAY_10)
    expect(monday.get('mon@pen.mssn')).toMatchObject({ status: 'not-due', reason: 'Monday 2026-11-23 is a holiday in UTC' })
    const later = await digest('2026-11-23T17:00:00Z')
    expect(later.get('mon@pen.mssn')).toMatchObject({ status: 'not-due' })
    const tuesday = await digest(TUESDAY_10)
    expect(tuesday.get('mon@pen.mssn')).toMatchObject({ status: 'enqueued', localDate: '2026-11-24', items: [expect.objectContaining({ statementId: 'rain', count: 5 })] })
    expect((await digest('2026-11-25T10:00:00Z')).has('mon@pen.mssn')).toBe(false)
  })

  it('refuses a person whose hours are empty once digest\'s fill in, and a date that is not one, naming the field', async () => {
    writeFileSync(cfg, 'digest: { startHour: 9 }\npeople:\n  early@x.org: { endHour: 8 }\n')
    const r = await runDice(['--config', cfg, 'config', 'check'], { cwd: dir })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('people.early@x.org.endHour: working hours 9-8 are empty')
    writeFileSync(cfg, 'people:\n  x@x.org: { holidays: ["2026-02-30"] }\n')
    const d = await runDice(['--config', cfg, 'config', 'check'], { cwd: dir })
    expect(d.code).toBe(2)
    expect(d.stderr).toContain('people.x@x.org.holidays.0: not a calendar date: "2026-02-30"')
  })
})

describe('workWeek', () => {
  it('takes each field from the person, else from digest; digest.holidays for everyone without their own', () => {
    const c = config({ digest: { holidays: ['2026-12-25'] }, people: { 'a@x': { workdays: [7, 1, 2, 3, 4], startHour: 7 }, 'b@x': { holidays: [] } } })
    expect(workWeek(c, 'a@x')).toEqual({ workdays: [7, 1, 2, 3, 4], startHour: 7, endHour: 18, holidays: ['2026-12-25'] })
    expect(workWeek(c, 'b@x').holidays).toEqual([])
    expect(workWeek(c, null)).toMatchObject({ workdays: [1, 2, 3, 4, 5], holidays: ['2026-12-25'] })
    expect(workingTime(Date.parse('2026-12-25T10:00:00Z'), 'UTC', workWeek(c, 'nobody')).reason).toBe('Friday 2026-12-25 is a holiday in UTC')
    expect(workingTime(Date.parse('2026-12-25T10:00:00Z'), 'UTC', workWeek(c, 'b@x')).ok).toBe(true)
  })
})
