import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openStore } from '../../store/registry.js'
import { runDice } from '../testutil.js'
import { statement } from '../../deliver/testutil/fixtures.js'
import { startSlackStandin } from '../../deliver/testutil/slack-standin.js'
import { tempDir } from '../../testutil/tmp.js'

const MONDAY_10 = '2026-11-23T10:00:00Z'
const SATURDAY_10 = '2026-11-28T10:00:00Z'

async function seeded(): Promise<{ dir: string; db: string }> {
  const dir = tempDir('digest-cli')
  const db = join(dir, 'dice.db')
  const store = await openStore({ dbFile: db })
  const s = statement({ id: 'sky', template: 'the sky is crying', file: 'src/sky.c', line: 20 })
  const e = statement({ id: 'evil', template: 'user said %s', file: 'src/evil.c', line: 3, level: 'error' })
  await store.replaceFiles([{ file: 'src/sky.c', hash: 'a' }, { file: 'src/evil.c', hash: 'b' }], [s, e], [])
  const at = Date.parse(MONDAY_10) - 2 * 3_600_000
  const bucket = Math.floor(at / 300_000) * 300_000
  await store.applyCounts({
    occurrences: [
      { statementId: 'sky', host: 'web-1', bucket, count: 4, firstSeen: at, lastSeen: at, level: 'warn', samples: ['WARN the sky is crying'] },
      { statementId: 'sky', host: 'web-2', bucket, count: 3, firstSeen: at, lastSeen: at, level: 'warn', samples: ['WARN the sky is crying'] },
      { statementId: 'evil', host: 'web-1', bucket, count: 1, firstSeen: at, lastSeen: at, level: 'error', samples: ['ERROR user said \u001b[2J<!channel>'] },
    ],
    unowned: [], checkpoints: [],
  })
  await store.close()
  return { dir, db }
}

describe('dice digest', () => {
  it('--preview prints the digest without sending it or moving marks', async () => {
    const { dir, db } = await seeded()
    const r = await runDice(['--db', db, 'digest', '--preview', '--user', 'pig@pen.mssn', '--at', MONDAY_10], { cwd: dir, env: { SLACK_BOT_TOKEN: '' } })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('pig@pen.mssn')
    expect(r.stdout).toContain('due now')
    expect(r.stdout).toContain('×7')
    expect(r.stdout).toContain('web-1, web-2')
    expect(r.stdout).not.toContain('\u001b')
    const again = await runDice(['--db', db, 'digest', '--preview', '--json', '--at', MONDAY_10], { cwd: dir, env: { SLACK_BOT_TOKEN: '' } })
    const json = JSON.parse(again.stdout)
    expect(json[0]).toMatchObject({ target: 'pig@pen.mssn', status: 'preview', due: true })
    // Both new to pig: the ERROR first, though the WARN came 7 times.
    expect(json[0].items.map((i: any) => [i.level, i.count])).toEqual([['error', 1], ['warn', 7]])
    expect(json[0]).toMatchObject({ hidden: 0, messages: 1 })
  })

  it('--preview --user says that person has no statements when none goes to them, and "nothing new" when some do', async () => {
    const { dir, db } = await seeded()
    const nobody = await runDice(['--db', db, 'digest', '--preview', '--user', 'nobody', '--at', MONDAY_10], { cwd: dir, env: { SLACK_BOT_TOKEN: '' } })
    expect(nobody.code).toBe(0)
    expect(nobody.stdout).toMatch(/^nobody has no statements: none of the 2 in the catalog goes to their digest/)
    // pig owns both; once their digest is sent there is nothing new, which is a different message.
    await runDice(['--db', db, 'digest', '--mark-sent', '--user', 'pig@pen.mssn', '--at', MONDAY_10], { cwd: dir, env: { SLACK_BOT_TOKEN: '' } })
    const pig = await runDice(['--db', db, 'digest', '--user', 'pig@pen.mssn', '--at', MONDAY_10], { cwd: dir, env: { SLACK_BOT_TOKEN: '' } })
    expect(pig.stdout).toBe('no digest for pig@pen.mssn: nothing new in their 2 statements since their last digest\n')
  })

  it('leaves out what happened during a snooze that has ended (dice snooze --at, dice digest --at later)', async () => {
    const { dir, db } = await seeded()
    const friday = '2026-11-20T11:00:00Z'
    const z = await runDice(['--db', db, 'snooze', 'sky', '--for', '2d', '--as', 'pig@pen.mssn', '--at', friday], { cwd: dir, env: { SLACK_BOT_TOKEN: '' } })
    expect(z.code).toBe(0)
    // 200 on Saturday, while it was snoozed; the seeded 7 on Monday morning, after.
    const store = await openStore({ dbFile: db })
    const sat = Date.parse('2026-11-21T15:00:00Z')
    await store.applyCounts({
      occurrences: [{ statementId: 'sky', host: 'web-3', bucket: sat, count: 200, firstSeen: sat, lastSeen: sat, level: 'warn', samples: ['WARN the sky is crying'] }],
      unowned: [], checkpoints: [],
    })
    await store.close()
    const r = await runDice(['--db', db, 'digest', '--preview', '--at', MONDAY_10], { cwd: dir, env: { SLACK_BOT_TOKEN: '' } })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('×7')
    expect(r.stdout).toContain('also 200 while snoozed')
    expect(r.stdout).not.toContain('web-3')
  })

  it('--preview on a Saturday says why it is not due; sending then does nothing', async () => {
    const { dir, db } = await seeded()
    const r = await runDice(['--db', db, 'digest', '--preview', '--at', SATURDAY_10], { cwd: dir, env: { SLACK_BOT_TOKEN: '' } })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('not due: Saturday is not a workday in UTC')
    const send = await runDice(['--db', db, 'digest', '--at', SATURDAY_10], { cwd: dir, env: { SLACK_BOT_TOKEN: '' } })
    expect(send.code).toBe(0)
    expect(send.stdout).not.toContain('×7')
    // Sending does not build what is not due, so it must not claim "0 statements" are waiting.
    expect(send.stdout).toContain('not due: Saturday is not a workday in UTC')
    expect(send.stdout).not.toContain('0 statements')
  })

  it('without a Slack token prints the due digests as a preview and marks nothing sent: the service still sends that day\'s digest', async () => {
    const { dir, db } = await seeded()
    const none = await runDice(['--db', db, 'digest', '--at', MONDAY_10], { cwd: dir, env: { SLACK_BOT_TOKEN: '' } })
    expect(none.code).toBe(0)
    expect(none.stdout).toContain('Dice digest for pig@pen.mssn')
    expect(none.stdout).toContain('×7')
    expect(none.stdout).toContain('not sent (no Slack token: a preview; --mark-sent counts it as sent)')
    // Run again: the same digest, nothing was marked.
    expect((await runDice(['--db', db, 'digest', '--at', MONDAY_10], { cwd: dir, env: { SLACK_BOT_TOKEN: '' } })).stdout).toContain('×7')
    const slack = await startSlackStandin({ users: [{ id: 'UPIG00001', email: 'pig@pen.mssn', tz: 'UTC', presence: 'active' }] })
    try {
      const sent = await runDice(['--db', db, 'digest', '--at', MONDAY_10], { cwd: dir, env: { SLACK_BOT_TOKEN: 'xoxb-test', DICE_SLACK_API_URL: slack.url } })
      expect(sent.code).toBe(0)
      const posts = slack.ok('chat.postMessage')
      expect(posts).toHaveLength(1)
      expect(JSON.stringify(posts[0]!.body)).toContain('×7')
    } finally {
      await slack.close()
    }
  })

  it('without a Slack token, --mark-sent sends the due digest to the console once', async () => {
    const { dir, db } = await seeded()
    const first = await runDice(['--db', db, 'digest', '--mark-sent', '--at', MONDAY_10], { cwd: dir, env: { SLACK_BOT_TOKEN: '' } })
    expect(first.code).toBe(0)
    expect(first.stdout).toContain('Dice digest for pig@pen.mssn')
    expect(first.stdout).toContain('×7')
    expect(first.stdout).toContain('sent')
    const second = await runDice(['--db', db, 'digest', '--at', MONDAY_10], { cwd: dir, env: { SLACK_BOT_TOKEN: '' } })
    expect(second.code).toBe(0)
    expect(second.stdout).not.toContain('×7')
  })

  it('with SLACK_BOT_TOKEN sends to Slack (DICE_SLACK_API_URL): only when the person is active, once', async () => {
    const { dir, db } = await seeded()
    const slack = await startSlackStandin({ users: [{ id: 'UPIG00001', email: 'pig@pen.mssn', tz: 'UTC', presence: 'away' }] })
    try {
      const env = { SLACK_BOT_TOKEN: 'xoxb-test', DICE_SLACK_API_URL: slack.url }
      const away = await runDice(['--db', db, 'digest', '--at', MONDAY_10], { cwd: dir, env })
      expect(away.code).toBe(0)
      expect(away.stdout).toContain('away in Slack')
      expect(slack.ok('chat.postMessage')).toHaveLength(0)
      slack.setPresence('UPIG00001', 'active')
      for (let i = 0; i < 2; i++) expect((await runDice(['--db', db, 'digest', '--at', MONDAY_10], { cwd: dir, env })).code).toBe(0)
      const sent = slack.ok('chat.postMessage')
      expect(sent).toHaveLength(1)
      expect(sent[0]!.body.channel).toMatch(/^D/)
      expect(JSON.stringify(sent[0]!.body.blocks)).toContain('&lt;!channel&gt;')
      expect(JSON.stringify(sent[0]!.body)).not.toContain('<!channel>')
    } finally {
      await slack.close()
    }
  })
})
