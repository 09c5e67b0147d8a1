import { join } from 'node:path'
import { writeFileSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startSlackStandin, type SlackStandin } from '../../deliver/testutil/slack-standin.js'
import { statement } from '../../deliver/testutil/fixtures.js'
import { openStore } from '../../store/registry.js'
import { tempDir } from '../../testutil/tmp.js'
import { runDice } from '../testutil.js'

const MONDAY_10 = '2026-11-23T10:00:00Z'

/** A catalog of two statements pig@pen.mssn owns (by blame), each with occurrences two hours before MONDAY_10. */
async function seed(db: string): Promise<void> {
  const store = await openStore({ dbFile: db })
  const sky = statement({ id: 'sky', template: 'the sky is crying', file: 'src/sky.c', line: 20 })
  const rain = statement({ id: 'rain', template: 'rain on %s', file: 'src/sky.c', line: 30 })
  await store.replaceFiles([{ file: 'src/sky.c', hash: 'a' }], [sky, rain], [])
  const at = Date.parse(MONDAY_10) - 2 * 3_600_000
  const bucket = Math.floor(at / 300_000) * 300_000
  await store.applyCounts({
    occurrences: [
      { statementId: 'sky', host: 'web-1', bucket, count: 4, firstSeen: at, lastSeen: at, level: 'warn', samples: ['WARN the sky is crying'] },
      { statementId: 'rain', host: 'web-1', bucket, count: 2, firstSeen: at, lastSeen: at, level: 'warn', samples: ['WARN rain on me'] },
    ],
    unowned: [], checkpoints: [],
  })
  await store.close()
}

async function silences(db: string) {
  const store = await openStore({ dbFile: db })
  try {
    const snoozes = (await store.activeSnoozes(Date.parse(MONDAY_10))).map((z) => [z.statementId, z.scope, z.scopeId])
    const mutes = (await store.listMutes()).map((m) => [m.statementId, m.scope, m.scopeId])
    return { snoozes, mutes }
  } finally {
    await store.close()
  }
}

/** `target:statementId` of every item the digests due at MONDAY_10 would carry (`dice digest --preview --json`). */
async function previewItems(dice: (...args: string[]) => ReturnType<typeof runDice>): Promise<string[]> {
  const r = await dice('digest', '--preview', '--json', '--at', MONDAY_10)
  expect(r.code, r.stderr).toBe(0)
  return JSON.parse(r.stdout).flatMap((d: any) => d.items.map((i: any) => `${d.target}:${i.statementId}`)).sort()
}

describe('dice snooze, mute and unmute read their scope one way (no flag: everyone)', () => {
  let dir: string
  let db: string
  const dice = (...args: string[]) => runDice(['--db', db, ...args], { cwd: dir, env: { USER: 'alice', SLACK_BOT_TOKEN: '', DICE_NOW: MONDAY_10 } })
  const digestItems = () => previewItems(dice)

  beforeEach(async () => {
    dir = tempDir('scopes')
    db = join(dir, 'dice.db')
    await seed(db)
  })

  it('snooze with no flag snoozes for everyone: the owner\'s digest loses the statement, and the output says so', async () => {
    expect(await digestItems()).toEqual(['pig@pen.mssn:rain', 'pig@pen.mssn:sky'])
    const r = await dice('snooze', 'sky', '--for', '1d')
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toBe('snoozed sky for everyone until 2026-11-24 10:00 UTC: the sky is crying (src/sky.c:20)\n')
    expect((await silences(db)).snoozes).toEqual([['sky', 'all', '*']])
    // $USER (alice) owns nothing here: a personal snooze would have changed nobody's delivery.
    expect(await digestItems()).toEqual(['pig@pen.mssn:rain'])
  })

  it('mute with no flag is for everyone too, and unmute with no flag lifts every mute and snooze', async () => {
    expect((await dice('mute', 'sky')).stdout).toBe('muted sky for everyone: the sky is crying (src/sky.c:20)\n')
    expect((await dice('snooze', 'sky', '--count', '5', '--channel', '#ops')).stdout).toBe('snoozed sky for #ops for the next 5 occurrences: the sky is crying (src/sky.c:20)\n')
    expect(await digestItems()).toEqual(['pig@pen.mssn:rain'])
    const u = await dice('unmute', 'sky')
    expect(u.stdout).toBe('unmuted sky for everyone (1 mute(s), 1 snooze(s) lifted): the sky is crying (src/sky.c:20)\n')
    expect(await silences(db)).toEqual({ snoozes: [], mutes: [] })
    expect(await digestItems()).toEqual(['pig@pen.mssn:rain', 'pig@pen.mssn:sky'])
  })

  it('--user and --channel (and snooze\'s older --everyone) cannot be combined: exit 2, nothing stored', async () => {
    for (const args of [['snooze', 'sky', '--for', '1h', '--user', 'pig@pen.mssn', '--channel', 'ops'], ['snooze', 'sky', '--for', '1h', '--everyone', '--user', 'x'],
      ['mute', 'sky', '--user', 'x', '--channel', 'ops'], ['unmute', 'sky', '--channel', 'ops', '--user', 'x']]) {
      const r = await dice(...args)
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.stderr).toMatch(/--(user|channel) and --(channel|everyone) cannot be combined/)
    }
    expect(await silences(db)).toEqual({ snoozes: [], mutes: [] })
  })

  it('snooze --everyone still works as before, as the default', async () => {
    const r = await dice('snooze', 'sky', '--for', '1h', '--everyone', '--json')
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ statementId: 'sky', scope: 'all', scopeId: '*', by: 'alice' })
  })
})

describe('dice snooze/mute/unmute --user WHO resolves WHO as reassign --to does', () => {
  let dir: string
  let db: string
  let cfg: string
  let slack: SlackStandin
  const dice = (...args: string[]) => runDice(['--db', db, '--config', cfg, ...args], {
    cwd: dir, env: { USER: 'alice', SLACK_BOT_TOKEN: 'xoxb-test', DICE_SLACK_API_URL: slack.url, DICE_NOW: MONDAY_10 },
  })
  const digestItems = () => previewItems(dice)

  beforeEach(async () => {
    dir = tempDir('scopes-slack')
    db = join(dir, 'dice.db')
    cfg = join(dir, 'dice.yml')
    writeFileSync(cfg, 'people:\n  netops: { slack: U0NETOPS01 }\n')
    await seed(db)
    slack = await startSlackStandin({
      users: [
        { id: 'UPIG000001', name: 'pig', real_name: 'Pig Pen', email: 'pig@pen.mssn' },
        { id: 'U0NETOPS01', name: 'netops-oncall' },
        { id: 'USAM000001', name: 'sam.a', display_name: 'sam' },
        { id: 'USAM000002', name: 'sam.b', display_name: 'sam' },
      ],
    })
  })
  afterEach(async () => slack.close())

  it('snoozes for the person a handle names, stored under their Slack id; their digest loses it, the output names them', async () => {
    expect(await digestItems()).toEqual(['pig@pen.mssn:rain', 'pig@pen.mssn:sky'])
    const r = await dice('snooze', 'sky', '--for', '2h', '--user', '@pig')
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toBe('snoozed sky for Pig Pen (UPIG000001) until 2026-11-23 12:00 UTC: the sky is crying (src/sky.c:20)\n')
    expect((await silences(db)).snoozes).toEqual([['sky', 'user', 'UPIG000001']])
    expect(await digestItems()).toEqual(['pig@pen.mssn:rain'])
  })

  it('mutes for a people key under that key', async () => {
    const r = await dice('mute', 'sky', '--user', 'netops', '--json')
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ scope: 'user', scopeId: 'netops' })
  })

  it('refuses an email, a handle or an ambiguous name Slack has nobody for: exit 1, the name in the message, nothing stored', async () => {
    for (const args of [['snooze', 'sky', '--for', '1d', '--user', 'carol@example.org'], ['snooze', 'sky', '--for', '1d', '--user', 'nobody-at-all'],
      ['mute', 'sky', '--user', '@sam'], ['unmute', 'sky', '--user', 'carol@example.org']]) {
      const r = await dice(...args)
      expect(r.code, args.join(' ')).toBe(1)
      expect(r.stderr).toMatch(/--user (carol@example\.org: no Slack user has the email|nobody-at-all: no Slack user is called|@sam: .*matches 2 Slack users)/)
      expect(r.stderr).toContain('nothing was changed')
      expect(r.stdout).toBe('')
    }
    expect(await silences(db)).toEqual({ snoozes: [], mutes: [] })
    expect(await digestItems()).toEqual(['pig@pen.mssn:rain', 'pig@pen.mssn:sky'])
  })

  it('unmute --user lifts what was set for that person under any of their names, and nobody else\'s', async () => {
    expect((await dice('snooze', 'sky', '--for', '1d', '--user', 'UPIG000001')).code).toBe(0)
    expect((await dice('mute', 'sky', '--user', 'pig')).code).toBe(0)
    expect((await dice('mute', 'sky', '--user', 'netops')).code).toBe(0)
    const r = await dice('unmute', 'sky', '--user', 'pig@pen.mssn')
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toBe('unmuted sky for Pig Pen (UPIG000001) (1 mute(s), 1 snooze(s) lifted): the sky is crying (src/sky.c:20)\n')
    expect(await silences(db)).toEqual({ snoozes: [], mutes: [['sky', 'user', 'netops']] })
  })
})
