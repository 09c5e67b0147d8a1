import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { Statement } from '../../core/types.js'
import { startSlackStandin, type SlackStandin } from '../../deliver/testutil/slack-standin.js'
import { openStore } from '../../store/registry.js'
import type { Store } from '../../store/store.js'
import { freshSchema, TEST_PG_URL } from '../../store/testutil/stores.js'
import { startDiceRun, until, type DiceRun } from './testutil/dice-run.js'
import { tempDir } from '../../testutil/tmp.js'

const FORMAT = encodeURIComponent('regex:^(?<level>\\w+) (?<message>.*)$')
const stmt = (id: string, template: string, extra: Partial<Statement> = {}): Statement => ({
  id, file: `src/${id}.c`, line: 10, endLine: 10, language: 'c', level: 'error', template, matchable: true, channels: [], mentions: [],
  blame: { email: 'pig@pen.mssn', name: 'Pig', commit: 'e'.repeat(40), time: '2026-01-01T00:00:00Z' }, callee: 'ERROR_LOG', ...extra,
})
const STATEMENTS = [
  stmt('hurts', 'it hurts me too %d'),
  stmt('hello', 'hello cruel world', { level: 'info', channels: ['hello-worlders'], blame: null, callee: 'INFO_LOG' }),
  stmt('sky', 'the sky is crying', { level: 'warn', mentions: ['elmore'], callee: 'WARN_LOG' }),
  stmt('ike', 'IKE SA negotiation failed with peer %s: NO_PROPOSAL_CHOSEN', { level: 'warn', callee: 'WARN_LOG' }),
]
const CONFIG = `people:
  pig@pen.mssn: { slack: U0000PIG1, tz: UTC }
  elmore: { slack: U0000ELM1, email: elmore@pen.mssn, tz: UTC }
digest: { workdays: [1, 2, 3, 4, 5, 6, 7], startHour: 0, endHour: 24, checkEveryMinutes: 60 }
`
const ingest = async (url: string, lines: string[]) => {
  const r = await fetch(`${url}/ingest?format=${FORMAT}`, { method: 'POST', body: lines.join('\n') + '\n' })
  if (r.status !== 200) throw new Error(`ingest answered ${r.status}: ${await r.text()}`)
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('two dice run instances on one PostgreSQL schema', () => {
  let store: Store
  let slack: SlackStandin
  const runs: DiceRun[] = []
  afterAll(async () => {
    for (const r of runs) r.child.kill('SIGKILL')
    await store?.close()
    await slack?.close()
  })

  it('count every line once and every placeholder value once (either instance shows both instances\' values), post each channel message and digest once, and the survivor of a kill -9 finishes the outbox, the digests\' staged marks moved', async () => {
    const dir = tempDir('multi')
    writeFileSync(join(dir, 'dice.yml'), CONFIG)
    const url = `${TEST_PG_URL}?schema=${freshSchema()}`
    store = await openStore({ databaseUrl: url })
    await store.replaceFiles(STATEMENTS.map((s) => ({ file: s.file, hash: 'h' })), STATEMENTS, [])
    // Yesterday's occurrences (closed buckets): a digest is due for pig (hurts) and elmore (sky) at start-up.
    const t = Math.floor((Date.now() - 2 * 3_600_000) / 300_000) * 300_000
    await store.applyCounts({ checkpoints: [], unowned: [], occurrences: [
      { statementId: 'hurts', host: 'h1', bucket: t, count: 4, firstSeen: t, lastSeen: t + 1000, level: 'error', samples: ['it hurts me too 1'] },
      { statementId: 'sky', host: 'h2', bucket: t, count: 2, firstSeen: t, lastSeen: t + 1000, level: 'warn', samples: ['the sky is crying'] },
    ] })
    slack = await startSlackStandin({ users: [{ id: 'U0000PIG1', email: 'pig@pen.mssn', tz: 'UTC' }, { id: 'U0000ELM1', email: 'elmore@pen.mssn', tz: 'UTC' }] })
    const env = { SLACK_BOT_TOKEN: 'xoxb-test', DICE_SLACK_API_URL: slack.url }
    const [a, b] = await Promise.all([0, 1].map(() => startDiceRun(['--database-url', url, 'run', '--port', '0'], { cwd: dir, env })))
    runs.push(a!, b!)

    // 300 channel lines and 200 error lines, in 20 requests spread over both instances at once.
    const requests: Promise<void>[] = []
    for (let i = 0; i < 10; i++) {
      requests.push(ingest((i % 2 ? a : b)!.url, Array.from({ length: 30 }, () => 'INFO hello cruel world')))
      requests.push(ingest((i % 2 ? b : a)!.url, Array.from({ length: 20 }, (_, j) => `ERROR it hurts me too ${i * 20 + j}`)))
    }
    // The IPsec flood, split over both instances: each peer's count is the two instances' sum, whoever is asked.
    const ike = (peer: string, n: number) => Array.from({ length: n }, () => `WARN IKE SA negotiation failed with peer ${peer}: NO_PROPOSAL_CHOSEN`)
    requests.push(ingest(a!.url, [...ike('203.0.113.9', 120), ...ike('198.51.100.4', 10)]), ingest(b!.url, [...ike('203.0.113.9', 80), ...ike('198.51.100.4', 20), ...ike('192.0.2.7', 1)]))
    await Promise.all(requests)
    const count = async (id: string) => (await store.totals()).find((x) => x.statementId === id)?.count
    expect(await count('hello')).toBe(300)
    expect(await count('hurts')).toBe(204)
    expect(await count('ike')).toBe(231)
    const counters = Object.fromEntries((await store.counters()).filter((c) => c.source === 'http').map((c) => [c.name, c.value]))
    expect(counters.lines).toBe(731)
    for (const r of [a!, b!]) {
      const detail = (await (await fetch(`${r.url}/api/statements/ike`)).json()) as { values: Array<{ label: string; top: Array<{ value: string; count: number }>; more: number; inexact: boolean }> }
      expect(detail.values).toEqual([{ placeholder: 0, label: expect.any(String), top: [{ value: '203.0.113.9', count: 200 }, { value: '198.51.100.4', count: 30 }, { value: '192.0.2.7', count: 1 }], more: 0, inexact: false }])
    }

    // One channel message for the flood (then edited in place), one digest per person.
    const channel = slack.channelId('hello-worlders')
    const posts = () => slack.ok('chat.postMessage')
    const toChannel = () => posts().filter((c) => slack.channelId(String(c.body.channel)) === channel)
    await until(async () => toChannel().length >= 1, 'the channel message')
    const digestsTo = (user: string) => posts().filter((c) => c.body.channel === user || slack.channelId(String(c.body.channel)) === slack.channelId(`dm-${user}`))
    await until(async () => digestsTo('U0000PIG1').length >= 1 && digestsTo('U0000ELM1').length >= 1, 'both digests').catch((e) => {
      throw new Error(`${e.message}\ncalls: ${JSON.stringify(slack.calls.map((c) => [c.method, c.body.channel ?? c.body.user ?? c.body.email, c.ok]))}\nA: ${a!.stderr()}\nB: ${b!.stderr()}`)
    })
    await sleep(3000)
    expect(toChannel()).toHaveLength(1)
    expect(digestsTo('U0000PIG1')).toHaveLength(1)
    expect(digestsTo('U0000ELM1')).toHaveLength(1)
    expect(JSON.stringify(digestsTo('U0000PIG1')[0]!.body)).toContain('it hurts me too')

    // kill -9 one instance. Work it left behind — items it had claimed (lease running) and items not yet
    // due — is finished by the survivor, once each.
    a!.child.kill('SIGKILL')
    expect(await a!.exited).toBe('SIGKILL')
    const now = Date.now()
    for (let i = 0; i < 3; i++) {
      await store.enqueue({ dedupKey: `test:left-behind:${i}`, kind: 'digest', recipient: 'U0000ELM1', createdAt: now, notBefore: i === 2 ? now + 1500 : now,
        payload: { target: 'elmore', to: 'U0000ELM1', text: `left behind ${i}`, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `left behind ${i}` } }] } },
        // What each covers, staged with it: moved by whoever sends it, once it is posted.
        Array.from({ length: 7000 }, (_, k) => ({ person: 'left-behind', statementId: `s${i}-${k}`, through: now + k })))
    }
    const crashed = await store.claim({ kinds: ['digest'], limit: 2, holder: 'crashed-instance', now, leaseMs: 2000 })
    expect(crashed).toHaveLength(2)
    const leftBehind = (i: number) => posts().filter((c) => c.body.text === `left behind ${i}`)
    await until(async () => [0, 1, 2].every((i) => leftBehind(i).length >= 1), 'the survivor to send what was left', 30_000)
    await sleep(1000)
    for (const i of [0, 1, 2]) expect(leftBehind(i)).toHaveLength(1)
    expect((await store.listOutbox({ status: 'pending' })).length + (await store.listOutbox({ status: 'claimed' })).length).toBe(0)
    const marks = await store.digestMarks('left-behind')
    expect(marks.size).toBe(21_000)
    expect([marks.get('s0-0'), marks.get('s1-6999'), marks.get('s2-4999')]).toEqual([now, now + 6999, now + 4999])
    for (const item of (await store.listOutbox({ kind: 'digest', limit: 10_000 })).filter((x) => x.dedupKey.startsWith('test:left-behind:'))) {
      expect(await store.outboxMarks(item.id)).toEqual([])
    }

    // The survivor still counts exactly, and shuts down cleanly.
    await ingest(b!.url, Array.from({ length: 7 }, () => 'INFO hello cruel world'))
    expect(await count('hello')).toBe(307)
    b!.child.kill('SIGTERM')
    expect(await b!.exited).toBe(0)
  })
})
