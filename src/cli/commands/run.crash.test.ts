import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { Statement } from '../../core/types.js'
import { startSlackStandin, type SlackStandin } from '../../deliver/testutil/slack-standin.js'
import { openStore } from '../../store/registry.js'
import type { Store } from '../../store/store.js'
import { freshSchema, TEST_PG_URL } from '../../store/testutil/stores.js'
import { tempDir } from '../../testutil/tmp.js'
import { startDiceRun, until, type DiceRun } from './testutil/dice-run.js'

const FORMAT = encodeURIComponent('regex:^(?<level>\\w+) (?<message>.*)$')
const CHANNELS = 6
const stmt = (i: number): Statement => ({
  id: `chan${i}`, file: `src/net/tunnel${i}.c`, line: 10 + i, endLine: 10 + i, language: 'c', level: 'warn', template: `tunnel ${i} peer %s mismatch`,
  matchable: true, channels: [`net-${i}`], mentions: [], blame: null, callee: 'WARN_LOG',
})
const STATEMENTS = Array.from({ length: CHANNELS }, (_, i) => stmt(i))
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The count a real-time message shows: `×N` after the level, or 1 when it has none. */
const shown = (text: string) => Number(/^\[\w+\] ×(\d+)/.exec(text)?.[1] ?? 1)

describe('two dice run instances, one killed with SIGKILL while lines arrive', () => {
  let store: Store
  let slack: SlackStandin
  const runs: DiceRun[] = []
  afterAll(async () => {
    for (const r of runs) r.child.kill('SIGKILL')
    await store?.close()
    await slack?.close()
  })

  it('ends every channel message at exactly the stored count of its statement: acknowledged lines are counted in real time too', async () => {
    const dir = tempDir('crash')
    writeFileSync(join(dir, 'dice.yml'), 'realtime: { updateWindowSeconds: 86400, maxPostsPerSecond: 50 }\n')
    const url = `${TEST_PG_URL}?schema=${freshSchema()}`
    store = await openStore({ databaseUrl: url })
    await store.replaceFiles(STATEMENTS.map((s) => ({ file: s.file, hash: 'h' })), STATEMENTS, [])
    slack = await startSlackStandin()
    const env = { SLACK_BOT_TOKEN: 'xoxb-test', DICE_SLACK_API_URL: slack.url }
    const start = () => startDiceRun(['--database-url', url, 'run', '--port', '0'], { cwd: dir, env })
    let [a, b] = await Promise.all([start(), start()])
    runs.push(a!, b!)

    // 3,000 lines in 60 requests of 50, every request spread over the six statements, six requests in
    // flight at a time, alternating between the instances. A is killed right after its 8th answer, with more
    // of its requests in flight, and started again; what it never acknowledged may or may not be stored.
    let acked = 0
    let unacked = 0
    let answeredByA = 0
    let killed: Promise<void> | null = null
    const post = async (n: number) => {
      const lines = Array.from({ length: 50 }, (_, j) => `WARN tunnel ${(n + j) % CHANNELS} peer 203.0.113.${j % 7} mismatch`)
      const target = n % 2 ? a! : b!
      try {
        const r = await fetch(`${target.url}/ingest?format=${FORMAT}`, { method: 'POST', body: lines.join('\n') + '\n' })
        if (r.status !== 200) throw new Error(`status ${r.status}`)
        acked += 50
        if (target === a && ++answeredByA === 8 && !killed) {
          a!.child.kill('SIGKILL')
          killed = (async () => {
            expect(await a!.exited).toBe('SIGKILL')
            a = await start()
            runs.push(a)
          })()
        }
      } catch {
        unacked += 50
      }
    }
    for (let n = 0; n < 60; n += 6) {
      await Promise.all([0, 1, 2, 3, 4, 5].map((k) => post(n + k)))
      if (killed) await killed
    }
    await killed
    expect(acked + unacked).toBe(3000)

    const totals = async () => new Map((await store.totals()).map((t) => [t.statementId, t.count]))
    const stored = await totals()
    const sum = [...stored.values()].reduce((x, y) => x + y, 0)
    expect(sum).toBeGreaterThanOrEqual(acked)
    expect(sum).toBeLessThanOrEqual(acked + unacked)

    // Each channel's message (its newest: a post whose Slack call was in flight at the kill can be posted
    // again by the instance that takes it over — Slack has no idempotency key — and the second one is the
    // one kept up to date), once nothing changes any more.
    const inSlack = () => {
      const newest = new Map<string, { ts: string; count: number; messages: number }>()
      for (const m of slack.messages.values()) {
        const s = STATEMENTS.find((x) => m.channel === slack.channelId(x.channels[0]!))
        if (!s) continue
        const seen = newest.get(s.id)
        const n = (seen?.messages ?? 0) + 1
        if (!seen || Number(m.ts) > Number(seen.ts)) newest.set(s.id, { ts: m.ts, count: shown(m.text), messages: n })
        else seen.messages = n
      }
      return newest
    }
    const same = () => STATEMENTS.every((s) => inSlack().get(s.id)?.count === stored.get(s.id))
    await until(async () => same(), 'the channel messages to reach the stored counts', 30_000).catch(() => undefined)
    await sleep(2000)
    const final = inSlack()
    expect(Object.fromEntries(STATEMENTS.map((s) => [s.id, final.get(s.id)?.count ?? 0]))).toEqual(Object.fromEntries(STATEMENTS.map((s) => [s.id, stored.get(s.id)])))
    for (const s of STATEMENTS) expect(final.get(s.id)!.messages).toBeLessThanOrEqual(2)
    expect(await totals()).toEqual(stored)
  })
})
