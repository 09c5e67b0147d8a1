import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Statement } from '../../core/types.js'
import { startSlackStandin, type SlackStandin } from '../../deliver/testutil/slack-standin.js'
import { openStore } from '../../store/registry.js'
import { tempDir } from '../../testutil/tmp.js'

const BIN = join(import.meta.dirname, '../../../bin/dice.js')
const run = promisify(execFile)
const stmt = (id: string, line: number): Statement => ({
  id, file: 'src/a.c', line, endLine: line, language: 'c', level: 'error', template: `boom ${id} %s`, matchable: true,
  channels: [], mentions: [], blame: { email: 'pig@pen.mssn', name: 'Pig', commit: 'b'.repeat(40), time: '2026-01-01T00:00:00Z' }, callee: 'ERROR_LOG',
})

describe('dice overrides and dice catalog name a hand-over target known only by Slack id', () => {
  let dir: string
  let db: string
  let slack: SlackStandin
  // Async, not spawnSync: the Slack stand-in answers from this process while the CLI runs.
  const dice = async (env: Record<string, string>, ...args: string[]) => {
    const r = await run(process.execPath, [BIN, '--db', db, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, USER: 'alice', SLACK_BOT_TOKEN: '', ...env } })
    return r.stdout
  }
  const withSlack = () => ({ SLACK_BOT_TOKEN: 'xoxb-test', DICE_SLACK_API_URL: slack.url })

  beforeEach(async () => {
    dir = tempDir('names')
    db = join(dir, 'dice.db')
    const store = await openStore({ dbFile: db })
    await store.replaceFiles([{ file: 'src/a.c', hash: 'h' }], [stmt('s1', 10), stmt('s2', 20)], [])
    await store.close()
    slack = await startSlackStandin({ users: [{ id: 'U0RILEY01', email: 'riley@pen.mssn', real_name: 'Riley Jones' }] })
  })
  afterEach(async () => {
    await slack.close()
  })

  it('shows the Slack name (users.list, then the stored directory) and keeps the id in --json', async () => {
    await dice({}, 'reassign', 's1', '--to', 'U0RILEY01', '--reason', 'wrote it')
    const text = await dice(withSlack(), 'overrides')
    expect(text).toMatch(/^s1 {2}src\/a\.c:10 {2}→ Riley Jones \(U0RILEY01\) {2}\(by alice, /)
    const json = JSON.parse(await dice(withSlack(), 'overrides', '--json'))
    expect(json).toEqual([expect.objectContaining({ statementId: 's1', to: 'U0RILEY01', toName: 'Riley Jones', by: 'alice', byName: null })])
    expect(slack.ok('users.list').length).toBeGreaterThan(0)
    // Looked up once, then cached in the store: without a token the name is still known.
    const lookups = slack.ok('users.list').length + slack.ok('users.info').length
    expect(await dice({}, 'overrides')).toMatch(/→ Riley Jones \(U0RILEY01\)/)
    const table = await dice(withSlack(), 'catalog')
    expect(table).toMatch(/^s1 .* Riley Jones \(override\) /m)
    expect(slack.ok('users.list').length + slack.ok('users.info').length).toBe(lookups)
    const catalogJson = JSON.parse(await dice({}, 'catalog', '--json'))
    expect(catalogJson.find((e: { id: string }) => e.id === 's1').owner).toEqual({ kind: 'override', who: 'U0RILEY01', via: 'override' })
  })

  it('shows an id Slack does not know as it is', async () => {
    await dice({}, 'reassign', 's2', '--to', 'U0GHOST01')
    expect(await dice(withSlack(), 'overrides')).toMatch(/→ U0GHOST01 {2}\(by alice/)
    expect(JSON.parse(await dice(withSlack(), 'overrides', '--json'))[0]).toMatchObject({ to: 'U0GHOST01', toName: null })
  })
})
