import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { until } from '../cli/commands/testutil/dice-run.js'
import { AlertWorld, PIG, PIG_ID, plus, sleep } from './testutil/world.js'

const T1 = '2026-03-10T14:00:00.000Z'
const CONFIG = `alerts:
  checkSeconds: 1
  silence: { enabled: true }
`
const REGEX = 'regex:^(?<time>\\S+) (?<host>\\S+) (?<level>[A-Z]+) (?<message>.*)$'

describe('expected silence, end to end (two dice run on one PostgreSQL schema, Slack stand-in, --at)', () => {
  const w = new AlertWorld()
  afterAll(() => w.close())

  it('tells the author once that an INFO heartbeat annotated !expect 1/h went quiet, once that it is back; nothing about a muted one', async () => {
    await w.open(CONFIG)
    w.repo.write('src/cron.c', 'void f(){\n  INFO_LOG("heartbeat %d", n); // !expect 1/h\n  INFO_LOG("backup finished"); // !expect 1/h\n}\n')
    w.repo.commit(PIG, 'A')
    await w.index(plus(T1, -24 * 3_600_000))
    // Both logged every 10 minutes until two hours ago (INFO: counted because they are expected).
    const lines: string[] = []
    for (let m = 6 * 60; m >= 120; m -= 10) lines.push(`${plus(T1, -m * 60_000)} cron-1 INFO heartbeat ${m}`, `${plus(T1, -m * 60_000)} cron-1 INFO backup finished`)
    writeFileSync(join(w.dir, 'cron.log'), lines.join('\n') + '\n')
    await w.dice(['replay', 'cron.log', '--no-deliver', '--format', REGEX], T1)
    await w.dice(['mute', await w.id('backup finished'), '--as', PIG.email], T1)

    const t0 = Date.now()
    const [a] = await w.start(2, T1)
    await until(async () => w.dms(PIG_ID).length > 0, 'the silence DM').catch((e) => {
      throw new Error(`${e.message}\n${w.logs()}`)
    })
    expect(Date.now() - t0).toBeLessThan(15_000)
    await sleep(3000)
    expect(w.dms(PIG_ID).map((c) => c.body.text)).toEqual(['expected at least 1/h: `heartbeat %d` — not seen since 12:00 (2 h)\nsrc/cron.c:2'])

    await w.ingest(a!, [`${plus(T1, 30_000)} cron-1 INFO heartbeat 1`])
    await until(async () => w.dms(PIG_ID).length > 1, 'the back DM')
    await sleep(3000)
    expect(w.dms(PIG_ID).map((c) => c.body.text.split('\n')[0])).toEqual([
      'expected at least 1/h: `heartbeat %d` — not seen since 12:00 (2 h)',
      'back after 2 h: `heartbeat %d` (expected at least 1/h) — seen again at 14:00',
    ])
    expect(w.slack.ok('chat.postMessage')).toHaveLength(2)
  })
})
