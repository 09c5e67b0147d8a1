import { join } from 'node:path'
import { writeFileSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Statement } from '../../core/types.js'
import { startSlackStandin, type SlackStandin } from '../../deliver/testutil/slack-standin.js'
import { openStore } from '../../store/registry.js'
import { tempDir } from '../../testutil/tmp.js'
import { runDice } from '../testutil.js'

const stmt = (id: string, line: number): Statement => ({
  id, file: 'src/a.c', line, endLine: line, language: 'c', level: 'error', template: `boom ${id} %s`, matchable: true,
  channels: [], mentions: [], blame: { email: 'pig@pen.mssn', name: 'Pig', commit: 'b'.repeat(40), time: '2026-01-01T00:00:00Z' }, callee: 'ERROR_LOG',
})

describe('dice reassign ID --to WHO resolves WHO the one way Dice resolves people', () => {
  let dir: string
  let db: string
  let cfg: string
  let slack: SlackStandin
  const dice = (...args: string[]) => runDice(['--db', db, '--config', cfg, ...args], {
    cwd: dir, env: { USER: 'alice', SLACK_BOT_TOKEN: 'xoxb-test', DICE_SLACK_API_URL: slack.url, DICE_NOW: '2026-01-05T10:00:00Z' },
  })
  const overrides = async () => {
    const store = await openStore({ dbFile: db })
    try {
      return (await store.listOverrides()).map((o) => [o.statementId, o.to]).sort((a, b) => a[0]!.localeCompare(b[0]!))
    } finally {
      await store.close()
    }
  }

  beforeEach(async () => {
    dir = tempDir('reassign')
    db = join(dir, 'dice.db')
    cfg = join(dir, 'dice.yml')
    writeFileSync(cfg, 'people:\n  netops: { slack: U0NETOPS01 }\n')
    const store = await openStore({ dbFile: db })
    await store.replaceFiles([{ file: 'src/a.c', hash: 'h' }], [stmt('s1', 10), stmt('s2', 20)], [])
    await store.close()
    slack = await startSlackStandin({
      users: [
        { id: 'URILEY0001', name: 'riley', real_name: 'Riley Jones', email: 'riley@pen.mssn' },
        { id: 'U0NETOPS01', name: 'netops-oncall' },
        { id: 'USAM000001', name: 'sam.a', display_name: 'sam' },
        { id: 'USAM000002', name: 'sam.b', display_name: 'sam' },
      ],
    })
  })
  afterEach(async () => slack.close())

  it('refuses an email Slack does not know: exit 1, a message naming it, nothing stored, nobody told', async () => {
    const r = await dice('reassign', 's1', '--to', 'carol@example.org')
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('--to carol@example.org: no Slack user has the email carol@example.org')
    expect(r.stderr).toContain('nothing was changed')
    expect(await overrides()).toEqual([])
    expect(slack.ok('chat.postMessage')).toEqual([])
  })

  it('refuses an ambiguous handle and an unknown one the same way', async () => {
    for (const who of ['@sam', 'nobody-at-all']) {
      const r = await dice('reassign', 's1', '--to', who)
      expect(r.code, who).toBe(1)
      expect(r.stderr).toMatch(who === '@sam' ? /matches 2 Slack users/ : /no Slack user is called @nobody-at-all/)
    }
    expect(await overrides()).toEqual([])
  })

  it('accepts a Slack id, an @handle, a bare handle, an email and a people key, and tells that person in a DM', async () => {
    for (const who of ['URILEY0001', '@riley', 'riley', 'riley@pen.mssn', 'Riley Jones']) {
      const r = await dice('reassign', 's1', '--to', who)
      expect(r.code, `${who}: ${r.stderr}`).toBe(0)
      expect(await overrides()).toEqual([['s1', 'URILEY0001']])
    }
    const key = await dice('reassign', 's2', '--to', 'netops')
    expect(key.code, key.stderr).toBe(0)
    expect(await overrides()).toEqual([['s1', 'URILEY0001'], ['s2', 'netops']])
    const told = slack.ok('chat.postMessage').map((c) => c.body.channel)
    expect(told).toContain(slack.channelId('dm-URILEY0001'))
    expect(told).toContain(slack.channelId('dm-U0NETOPS01'))
    expect(told.every((c: string) => c.startsWith('D'))).toBe(true)
  })
})
