import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { WebClient } from '@slack/web-api'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../../config/load.js'
import type { Hit, Statement } from '../../core/types.js'
import { startSlackStandin, type SlackStandin } from '../../deliver/testutil/slack-standin.js'
import { checkpointKeyOfPath } from '../../ingest/file/identity.js'
import { routing } from '../../deliver/testutil/routing.js'
import { actionsBlock } from '../../deliver/digest/blocks.js'
import { blockAction, postAction } from '../../server/testutil/slack-requests.js'
import { openStore } from '../../store/registry.js'
import type { Store } from '../../store/store.js'
import { startDiceRun, until, type DiceRun } from './testutil/dice-run.js'
import { tempDir } from '../../testutil/tmp.js'

const SECRET = 'run-test-secret'
const FORMAT = encodeURIComponent('regex:^(?<level>\\w+) (?<message>.*)$')
const stmt = (id: string, template: string, extra: Partial<Statement> = {}): Statement => ({
  id, file: 'src/app.c', line: 10, endLine: 10, language: 'c', level: 'error', template, matchable: true, channels: [], mentions: [],
  blame: { email: 'pig@pen.mssn', name: 'Pig', commit: 'd'.repeat(40), time: '2026-01-01T00:00:00Z' }, callee: 'ERROR_LOG', ...extra,
})
const HURTS = stmt('hurts', 'it hurts me too %d')
const HELLO = stmt('hello', 'hello cruel world', { line: 20, level: 'info', channels: ['hello-worlders'], blame: null, callee: 'INFO_LOG' })
const CONFIG = `people:
  pig@pen.mssn: { slack: UPIG00001, tz: UTC }
  elmore: { slack: UELM00001, email: elmore@pen.mssn, tz: UTC }
digest: { workdays: [1, 2, 3, 4, 5, 6, 7], startHour: 0, endHour: 24 }
`
const ingest = (url: string, lines: string[]) =>
  fetch(`${url}/ingest?format=${FORMAT}`, { method: 'POST', body: lines.join('\n') + '\n' })

describe('dice run (a real child process on SQLite)', () => {
  let dir: string
  let db: string
  let slack: SlackStandin
  let run: DiceRun | null
  let store: Store

  beforeEach(async () => {
    dir = tempDir('run')
    db = join(dir, 'dice.db')
    writeFileSync(join(dir, 'dice.yml'), CONFIG)
    store = await openStore({ dbFile: db })
    await store.replaceFiles([{ file: 'src/app.c', hash: 'h' }], [HURTS, HELLO], [])
    slack = await startSlackStandin({ users: [{ id: 'UPIG00001', email: 'pig@pen.mssn' }, { id: 'UELM00001', email: 'elmore@pen.mssn' }, { id: 'UBOB00001' }] })
    run = await startDiceRun(['--db', db, 'run', '--port', '0'], {
      cwd: dir, env: { SLACK_BOT_TOKEN: 'xoxb-test', DICE_SLACK_API_URL: slack.url, SLACK_SIGNING_SECRET: SECRET },
    })
  })
  afterEach(async () => {
    run?.child.kill('SIGKILL')
    await store.close()
    await slack.close()
  })

  it('counts ingested lines, applies a signed Slack mute at once, refuses a forged one, and exits 0 on SIGTERM', async () => {
    const r = run!
    expect(r.stderr()).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+ \(2 statements/)
    const res = await ingest(r.url, Array.from({ length: 10 }, (_, i) => `ERROR it hurts me too ${i}`))
    expect(res.status, await res.text()).toBe(200)
    expect((await store.totals()).find((t) => t.statementId === 'hurts')?.count).toBe(10)

    // A forged click changes nothing; the owner's signed click mutes for everyone.
    const web = new WebClient('xoxb-test', { slackApiUrl: slack.url, retryConfig: { retries: 0 } })
    const dm = slack.channelId('dm-UPIG00001')
    const msg = await web.chat.postMessage({ channel: dm, text: 'it hurts me too 3', blocks: [actionsBlock('hurts', null)] as any })
    const click = blockAction({ user: 'UPIG00001', actionId: 'dice_mute', value: { statementId: 'hurts', scope: 'all' }, channel: { id: dm }, ts: msg.ts!, blocks: [actionsBlock('hurts', null)] })
    expect((await postAction(r.url, SECRET, click, { forge: true })).status).toBe(401)
    expect((await postAction(r.url, SECRET, click)).status).toBe(200)
    await until(async () => (await store.listMutes()).length === 1 && (await store.listAudit()).length === 1, 'the mute and its audit row')
    expect((await store.listMutes())[0]).toMatchObject({ statementId: 'hurts', scope: 'all', by: 'UPIG00001' })
    expect((await store.listAudit())[0]).toMatchObject({ actor: 'UPIG00001', action: 'mute' })
    const config = loadConfig(undefined, dir).config
    const router = await routing({ store, config, clock: Date.now })
    const hit: Hit = { entry: { n: 1, raw: '', message: 'it hurts me too 1', level: 'error', time: null, host: null, file: null, line: null, logger: null }, statement: HURTS, values: ['1'], host: '-', time: Date.now(), source: 'http' }
    expect(router.route(hit).suppressed).toEqual([{ target: 'pig@pen.mssn', reason: 'muted' }])
    await until(async () => slack.ok('chat.update').length === 1, 'chat.update of the message')
    expect(JSON.stringify(slack.messages.get(`${dm} ${msg.ts}`)!.blocks)).toMatch(/muted for everyone by <@UPIG00001>/)

    // Metrics reflect the ingest; then a clean shutdown.
    const metrics = await (await fetch(`${r.url}/metrics`)).text()
    expect(metrics).toContain('dice_lines_total{source="http",result="read"} 10')
    expect(metrics).toContain('dice_pipeline_lines{source="http"} 10')
    expect(metrics).toContain('dice_pipeline_matched{source="http"} 10')
    expect(metrics).toMatch(/^dice_pipeline_queued_lines 0$/m)
    expect(metrics).toMatch(/^dice_delivery_posts \d+$/m)
    r.child.kill('SIGTERM')
    expect(await r.exited).toBe(0)
    expect(r.stderr()).toContain('shutting down')
    run = null
  })

  it('reloads the catalog when it is re-indexed', async () => {
    const r = run!
    const before = await ingest(r.url, ['ERROR the sky is crying'])
    expect(before.status).toBe(200)
    expect((await store.totals()).length).toBe(0)
    await store.replaceFiles([{ file: 'src/sky.c', hash: 'x' }], [stmt('sky', 'the sky is crying', { file: 'src/sky.c' })], [])
    await store.setMeta('catalog.statements', '3')
    await until(async () => r.stderr().includes('catalog reloaded: 3 statements'), 'the reload')
    expect((await ingest(r.url, ['ERROR the sky is crying'])).status).toBe(200)
    expect((await store.totals()).find((t) => t.statementId === 'sky')?.count).toBe(1)
  })

  it('tails a configured file, stores its checkpoint on SIGTERM, and resumes after it on restart without counting twice', async () => {
    run!.child.kill('SIGKILL')
    await run!.exited
    const log = join(dir, 'app.log')
    writeFileSync(log, Array.from({ length: 300 }, (_, i) => `ERROR it hurts me too ${i}\n`).join(''))
    writeFileSync(join(dir, 'dice.yml'), CONFIG + `sources:\n  - { type: file, path: app.log, fromStart: true, format: 'regex:^(?<level>\\w+) (?<message>.*)$' }\n`)
    const count = async () => (await store.totals()).find((t) => t.statementId === 'hurts')?.count ?? 0
    const first = await startDiceRun(['--db', db, 'run', '--port', '0'], { cwd: dir })
    await until(async () => (await count()) === 300, '300 counted').catch((e) => {
      throw new Error(`${e.message}\n${first.stderr()}`)
    })
    first.child.kill('SIGTERM')
    expect(await first.exited, first.stderr()).toBe(0)
    const cp = await store.getCheckpoint(await checkpointKeyOfPath(log))
    expect(cp, first.stderr()).toMatchObject({ lines: 300 })
    expect(cp!.offset).toBe((await import('node:fs')).statSync(log).size)
    writeFileSync(log, Array.from({ length: 200 }, (_, i) => `ERROR it hurts me too ${i}\n`).join(''), { flag: 'a' })
    run = await startDiceRun(['--db', db, 'run', '--port', '0'], { cwd: dir })
    await until(async () => (await count()) >= 500, '500 counted').catch((e) => {
      throw new Error(`${e.message}\n${run!.stderr()}`)
    })
    await new Promise((r) => setTimeout(r, 1500))
    expect(await count()).toBe(500)
  })

  it('exits 2 naming --port for a bad port', async () => {
    const bad = await startDiceRun(['--db', db, 'run', '--port', 'eighty'], { cwd: dir }).catch((e: Error) => e.message)
    expect(bad).toMatch(/exited 2[\s\S]*--port/)
  })
})
