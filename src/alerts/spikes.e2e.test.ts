import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { until } from '../cli/commands/testutil/dice-run.js'
import { AlertWorld, PIG, PIG_ID, plus, sleep } from './testutil/world.js'

const T1 = '2026-03-10T14:00:00.000Z'
const CONFIG = `alerts:
  checkSeconds: 1
  spikes: { enabled: true }
`
const REGEX = 'regex:^(?<time>\\S+) (?<host>\\S+) (?<level>[A-Z]+) (?<message>.*)$'

describe('more than usual, end to end (two dice run on one PostgreSQL schema, Slack stand-in, --at)', () => {
  const w = new AlertWorld()
  afterAll(() => w.close())

  it('posts once to the owner and the #channel when a statement logs ×24 its usual, edits both as it grows; nothing for one the owner snoozed', async () => {
    await w.open(CONFIG)
    w.repo.write('src/net.c', 'void f(){\n  WARN_LOG("tunnel %s: phase %d failed", t, p); // #net-ops\n  WARN_LOG("queue %s is full", q);\n}\n')
    w.repo.commit(PIG, 'A')
    await w.index(plus(T1, -48 * 3_600_000))
    // A day of usual traffic, five of each per 5-minute bucket, replayed through the real pipeline.
    const day: string[] = []
    for (let i = 288; i >= 1; i--) {
      const t = Date.parse(T1) - i * 300_000
      for (let k = 0; k < 5; k++) day.push(`${new Date(t + k * 1000).toISOString()} gw-1 WARN tunnel t${k}: phase 2 failed`, `${new Date(t + k * 1000).toISOString()} gw-1 WARN queue q${k} is full`)
    }
    writeFileSync(join(w.dir, 'day.log'), day.join('\n') + '\n')
    await w.dice(['replay', 'day.log', '--no-deliver', '--format', REGEX], T1)
    await w.dice(['snooze', await w.id('queue %s is full'), '--for', '1d', '--as', PIG.email], T1)

    const [a, b] = await w.start(2, T1)
    await sleep(2500)
    expect(w.slack.ok('chat.postMessage')).toHaveLength(0)
    const at = plus(T1, 60_000)
    const burst = (host: string, n: number) => Array.from({ length: n }, (_, i) => [`${at} ${host} WARN tunnel t${i}: phase 2 failed`, `${at} ${host} WARN queue q${i} is full`]).flat()
    const t0 = Date.now()
    await Promise.all([w.ingest(a!, burst('gw-1', 60)), w.ingest(b!, burst('gw-2', 60))])
    // The #channel also has its usual real-time message about the statement; the spike posts are apart from it.
    const spikePosts = () => w.slack.ok('chat.postMessage').filter((c) => String(c.body.text).includes('over usual'))
    await until(async () => spikePosts().length >= 2, 'the spike posts').catch((e) => {
      throw new Error(`${e.message}\n${w.logs()}`)
    })
    expect(Date.now() - t0).toBeLessThan(10_000)
    expect(w.dms(PIG_ID).map((c) => c.body.text)).toEqual(['`tunnel %s: phase %d failed` — ×24 over usual: 120 in 5 min at Tuesday 14:00 (usually ~5.0)\nsrc/net.c:2'])
    const channel = w.slack.channelId('net-ops')
    expect(spikePosts().filter((c) => w.slack.channelId(String(c.body.channel)) === channel)).toHaveLength(1)

    // It grows: both messages are edited in place; nothing new is posted by either instance.
    await Promise.all([w.ingest(a!, burst('gw-3', 60)), w.ingest(b!, burst('gw-4', 60))])
    const spikeMessages = () => [...w.slack.messages.values()].filter((m) => m.text.includes('over usual')).map((m) => m.text.split('\n')[0])
    await until(async () => spikeMessages().every((t) => t.includes('×48')), 'the edits')
    await sleep(3000)
    expect(spikePosts()).toHaveLength(2)
    expect(spikeMessages()).toEqual([
      '`tunnel %s: phase %d failed` — ×48 over usual: 240 in 5 min at Tuesday 14:00 (usually ~5.0)',
      '`tunnel %s: phase %d failed` — ×48 over usual: 240 in 5 min at Tuesday 14:00 (usually ~5.0)',
    ])
  })
})
