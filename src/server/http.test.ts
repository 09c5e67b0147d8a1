import { WebClient } from '@slack/web-api'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { defaultConfig } from '../config/load.js'
import type { Config } from '../config/schema.js'
import type { Hit, Statement } from '../core/types.js'
import { createNotifier } from '../deliver/registry.js'
import { SlackWebApi } from '../deliver/slack/api.js'
import { startSlackStandin, type SlackStandin } from '../deliver/testutil/slack-standin.js'
import { Actions } from '../route/actions.js'
import { routing, type Routing } from '../deliver/testutil/routing.js'
import type { Store } from '../store/store.js'
import { STORE_KINDS } from '../store/testutil/stores.js'
import { startServer, type RunningServer } from './http.js'
import { actionsBlock } from '../deliver/digest/blocks.js'
import { blockAction, postAction, postEvent, signed } from './testutil/slack-requests.js'

const SECRET = 'shh-signing-secret'
const stmt = (id: string, extra: Partial<Statement> = {}): Statement => ({
  id, file: 'src/net/ipsec.c', line: 120, endLine: 120, language: 'c', level: 'error', template: 'tunnel %s: phase %d failed',
  matchable: true, channels: [], mentions: [], blame: { email: 'pig@pen.mssn', name: 'Pig', commit: 'a'.repeat(40), time: '2026-01-01T00:00:00Z' },
  callee: 'ERROR_LOG', ...extra,
})
const hit = (s: Statement, time: number): Hit => ({
  entry: { n: 1, raw: 'x', message: 'x', level: 'error', time, host: 'h1', file: null, line: null, logger: null },
  statement: s, values: [], host: 'h1', time, source: 'test',
})

for (const kind of STORE_KINDS) {
  describe(`Slack actions over HTTP (${kind.name})`, () => {
    let store: Store
    let config: Config
    let slack: SlackStandin
    let router: Routing
    let server: RunningServer
    let logs: string[]
    const S1 = stmt('s1')
    const S2 = stmt('s2', { line: 130, channels: ['ipsec-debug'], blame: null, template: 'phase 2 mismatch on <%s>' })

    /** Post a Dice-looking message with action buttons to the stand-in, as Delivery would. */
    const postMessage = async (channel: string, statementId: string) => {
      const web = new WebClient('xoxb-test', { slackApiUrl: slack.url, retryConfig: { retries: 0 } })
      const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: 'tunnel x: phase 2 failed' } }, actionsBlock(statementId, null)]
      const r = await web.chat.postMessage({ channel, text: 'tunnel x: phase 2 failed', blocks: blocks as any })
      return { channel: r.channel!, ts: r.ts!, blocks }
    }

    beforeEach(async () => {
      store = await kind.open()
      config = defaultConfig()
      config.people = { 'pig@pen.mssn': { slack: 'UPIG00001', aliases: [] }, elmore: { slack: 'UELM00001', email: 'elmore@pen.mssn', aliases: [] } }
      config.slack.admins = ['UADMIN001']
      config.repo.url = 'https://github.com/org/repo'
      await store.replaceFiles([{ file: 'src/net/ipsec.c', hash: 'h' }], [S1, S2], [])
      slack = await startSlackStandin({ users: [{ id: 'UPIG00001', email: 'pig@pen.mssn' }, { id: 'UELM00001', email: 'elmore@pen.mssn' }, { id: 'UBOB00001' }] })
      const env = { SLACK_BOT_TOKEN: 'xoxb-test', DICE_SLACK_API_URL: slack.url, SLACK_SIGNING_SECRET: SECRET }
      const clock = () => Date.now()
      router = await routing({ store, config, clock })
      const actions = new Actions({ store, config, clock, router, notifier: createNotifier({ config, env }) })
      logs = []
      server = await startServer({ store, config, clock, actions, host: '127.0.0.1', port: 0, env, log: (l) => logs.push(l) })
    })
    afterEach(async () => {
      await server.close()
      await slack.close()
      await store.close()
    })

    it('mutes for the clicker only, acks with 200, audits, and the next occurrence still reaches its owner', async () => {
      const m = await postMessage(slack.channelId('dm-UBOB00001'), 's1')
      const res = await postAction(server.url, SECRET, blockAction({ user: 'UBOB00001', actionId: 'dice_mute', value: { statementId: 's1', scope: 'user' }, channel: { id: m.channel }, ts: m.ts, blocks: m.blocks }))
      expect(res.status).toBe(200)
      await server.settled()
      expect(await store.listMutes()).toMatchObject([{ statementId: 's1', scope: 'user', scopeId: 'UBOB00001', by: 'UBOB00001' }])
      expect((await store.listAudit())[0]).toMatchObject({ actor: 'UBOB00001', action: 'mute' })
      expect(router.route(hit(S1, Date.now())).person).toBe('pig@pen.mssn')
      // In a DM the message itself changes to say so.
      expect(logs).toEqual([])
      expect(slack.ok('chat.update').at(-1)!.body.blocks.at(-1).elements[0].text).toMatch(/muted for you by <@UBOB00001>/)
    })

    it('lets the owner mute for everyone: the next occurrence is routed nowhere', async () => {
      const m = await postMessage(slack.channelId('dm-UPIG00001'), 's1')
      await postAction(server.url, SECRET, blockAction({ user: 'UPIG00001', actionId: 'dice_mute', value: { statementId: 's1', scope: 'all' }, channel: { id: m.channel }, ts: m.ts, blocks: m.blocks }))
      await server.settled()
      const d = router.route(hit(S1, Date.now()))
      expect(d.person).toBeNull()
      expect(d.suppressed).toEqual([{ target: 'pig@pen.mssn', reason: 'muted' }])
    })

    it('lets a blamed owner whom Dice knows only by email (no people entry, never looked up) mute for everyone', async () => {
      const S3 = stmt('s3', { line: 140, template: 'riley wrote %s', blame: { email: 'riley@pen.mssn', name: 'Riley', commit: 'b'.repeat(40), time: '2026-01-01T00:00:00Z' } })
      await store.replaceFiles([{ file: 'src/net/ipsec.c', hash: 'h2' }], [S1, S2, S3], [])
      slack.setUsers([{ id: 'URILEY001', email: 'riley@pen.mssn' }])
      const m = await postMessage(slack.channelId('dm-URILEY001'), 's3')
      await postAction(server.url, SECRET, blockAction({ user: 'URILEY001', actionId: 'dice_mute', value: { statementId: 's3', scope: 'all' }, channel: { id: m.channel }, ts: m.ts, blocks: m.blocks }))
      await server.settled()
      expect(slack.ok('chat.postEphemeral')).toEqual([])
      expect(await store.listMutes()).toMatchObject([{ statementId: 's3', scope: 'all', by: 'URILEY001' }])
    })

    it('refuses mute-for-everyone from a stranger with an ephemeral explanation and changes nothing', async () => {
      const m = await postMessage('general', 's1')
      await postAction(server.url, SECRET, blockAction({ user: 'UBOB00001', actionId: 'dice_mute', value: { statementId: 's1', scope: 'all' }, channel: { id: m.channel, name: 'general' }, ts: m.ts }))
      await server.settled()
      expect(await store.listMutes()).toEqual([])
      expect(await store.listAudit()).toEqual([])
      const eph = slack.ok('chat.postEphemeral')
      expect(eph).toHaveLength(1)
      expect(eph[0]!.body).toMatchObject({ channel: m.channel, user: 'UBOB00001' })
      expect(eph[0]!.body.text).toMatch(/only the statement's owner.* or a Dice admin may mute it for everyone/)
    })

    it("lets a member of the statement's channel mute for everyone from elsewhere (conversations.members), not a non-member", async () => {
      await store.putRealtime({ statementId: 's2', channel: 'ipsec-debug', ts: '1.000001', windowStart: Date.now(), state: { channelId: 'C0IPSEC01' } })
      slack.setMembers('C0IPSEC01', ['UBOB00001'])
      const click = (user: string) => blockAction({ user, actionId: 'dice_mute', value: { statementId: 's2', scope: 'all' }, channel: { id: slack.channelId(`dm-${user}`) } })
      await postAction(server.url, SECRET, click('UELM00001'))
      await server.settled()
      expect(await store.listMutes()).toEqual([])
      expect(slack.ok('chat.postEphemeral').at(-1)!.body.text).toMatch(/a member of #ipsec-debug/)
      await postAction(server.url, SECRET, click('UBOB00001'))
      await server.settled()
      expect(await store.listMutes()).toMatchObject([{ statementId: 's2', scope: 'all', by: 'UBOB00001' }])
      expect(slack.ok('conversations.members').length).toBeGreaterThanOrEqual(2)
    })

    it('snoozes a channel from its channel message (static select): the channel stops getting it', async () => {
      const m = await postMessage('ipsec-debug', 's2')
      expect(router.route(hit(S2, Date.now())).channels).toEqual(['ipsec-debug'])
      await postAction(server.url, SECRET, blockAction({ user: 'UBOB00001', actionId: 'dice_snooze', select: true, value: { statementId: 's2', for: '1h' }, channel: { id: m.channel, name: 'ipsec-debug' }, ts: m.ts, blocks: m.blocks }))
      await server.settled()
      const [z] = await store.activeSnoozes(Date.now())
      expect(z).toMatchObject({ statementId: 's2', scope: 'channel', scopeId: 'ipsec-debug', by: 'UBOB00001' })
      expect(z!.until! - z!.createdAt).toBe(3_600_000)
      const d = router.route(hit(S2, Date.now()))
      expect(d.channels).toEqual([])
      expect(d.suppressed).toContainEqual({ target: '#ipsec-debug', reason: 'snoozed' })
      const upd = slack.ok('chat.update').at(-1)!
      expect(upd.body).toMatchObject({ channel: m.channel, ts: m.ts })
      expect(JSON.stringify(upd.body.blocks)).toMatch(/snoozed for #ipsec-debug for 1 hour by <@UBOB00001>/)
    })

    it("hands over with the modal: views.open, then the submission sets the override, tells the new owner, updates the message", async () => {
      const m = await postMessage(slack.channelId('dm-UPIG00001'), 's1')
      const click = blockAction({ user: 'UPIG00001', actionId: 'dice_reassign', value: { statementId: 's1' }, channel: { id: m.channel }, ts: m.ts, blocks: m.blocks })
      expect((await postAction(server.url, SECRET, click)).status).toBe(200)
      await server.settled()
      const open = slack.ok('views.open')
      expect(open).toHaveLength(1)
      expect(open[0]!.body.trigger_id).toBe(click.trigger_id)
      const view = open[0]!.body.view
      expect(view.callback_id).toBe('dice_reassign_modal')
      const submit = {
        type: 'view_submission', user: { id: 'UPIG00001' }, trigger_id: 't2',
        view: { ...view, id: 'V9', state: { values: { dice_to: { dice_to_user: { type: 'users_select', selected_user: 'UELM00001' } }, dice_reason: { dice_reason_text: { type: 'plain_text_input', value: 'Elmore wrote the IPsec code' } } } } },
      }
      const res = await postAction(server.url, SECRET, submit)
      expect(res.status).toBe(200)
      expect(await res.text()).toBe('')
      await server.settled()
      expect(await store.listOverrides()).toMatchObject([{ statementId: 's1', to: 'elmore', by: 'UPIG00001', reason: 'Elmore wrote the IPsec code' }])
      expect(router.route(hit(S1, Date.now())).person).toBe('elmore')
      // The new owner hears why, with who handed it over and the code link.
      const dm = slack.ok('chat.postMessage').find((c) => JSON.stringify(c.body).includes('handed you'))!
      expect(dm).toBeTruthy()
      expect(JSON.stringify(dm.body)).toContain('<@UPIG00001> handed you')
      expect(JSON.stringify(dm.body)).toContain('https://github.com/org/repo/blob/HEAD/src/net/ipsec.c#L120')
      // The original message shows the hand-over in place, the buttons for s1 replaced by a note.
      const msg = slack.messages.get(`${m.channel} ${m.ts}`)!
      expect(msg.updates).toBe(1)
      expect(JSON.stringify(msg.blocks)).toMatch(/handed over to <@UELM00001> by <@UPIG00001>/)
      expect(JSON.stringify(msg.blocks)).not.toContain('dice_reassign')
      // Its text (the notification fallback) is still the message's own, not the note.
      expect(msg.text).toBe('dice message')
      // Undo from the new owner's DM button.
      await postAction(server.url, SECRET, blockAction({ user: 'UELM00001', actionId: 'dice_undo_override', value: { statementId: 's1' }, channel: { id: 'D0000001' } }))
      await server.settled()
      expect(await store.listOverrides()).toEqual([])
      expect(router.route(hit(S1, Date.now())).person).toBe('pig@pen.mssn')
    })

    it('answers a modal with no user picked with field errors', async () => {
      const res = await postAction(server.url, SECRET, {
        type: 'view_submission', user: { id: 'UPIG00001' },
        view: { callback_id: 'dice_reassign_modal', private_metadata: JSON.stringify({ statementId: 's1', channel: null, message: null }), state: { values: {} } },
      })
      expect(await res.json()).toEqual({ response_action: 'errors', errors: { dice_to: expect.any(String) } })
      expect(await store.listOverrides()).toEqual([])
    })

    it('refuses forged, stale and replayed requests with 401 and changes nothing', async () => {
      const payload = blockAction({ user: 'UPIG00001', actionId: 'dice_mute', value: { statementId: 's1', scope: 'user' }, channel: { id: 'D1' } })
      expect((await postAction(server.url, SECRET, payload, { forge: true })).status).toBe(401)
      expect((await postAction(server.url, SECRET, payload, { ts: Math.floor(Date.now() / 1000) - 301 })).status).toBe(401)
      const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString()
      const s = signed(SECRET, body)
      const send = () => fetch(`${server.url}/slack/actions`, { method: 'POST', headers: { ...s.headers, 'content-type': 'application/x-www-form-urlencoded' }, body })
      expect((await send()).status).toBe(200)
      const replay = await send()
      expect(replay.status).toBe(401)
      expect(await replay.text()).not.toMatch(/replay|stack|Error/)
      // Unsigned and tampered bodies too.
      expect((await fetch(`${server.url}/slack/actions`, { method: 'POST', body })).status).toBe(401)
      expect((await fetch(`${server.url}/slack/actions`, { method: 'POST', headers: s.headers, body: body.replace('user', 'all') })).status).toBe(401)
      await server.settled()
      expect(await store.listMutes()).toHaveLength(1)
      expect(await store.listAudit()).toHaveLength(1)
    })

    it('snoozes for the clicker only from a Snooze click in a DM (the CLI\'s no-flag everyone is not the button\'s)', async () => {
      const m = await postMessage(slack.channelId('dm-UBOB00001'), 's1')
      await postAction(server.url, SECRET, blockAction({ user: 'UBOB00001', actionId: 'dice_snooze', select: true, value: { statementId: 's1', for: '1h' }, channel: { id: m.channel }, ts: m.ts, blocks: m.blocks }))
      await server.settled()
      expect((await store.activeSnoozes(Date.now())).map((z) => [z.statementId, z.scope, z.scopeId, z.by])).toEqual([['s1', 'user', 'UBOB00001', 'UBOB00001']])
      await router.refresh()
      expect(router.route(hit(S1, Date.now())).person).toBe('pig@pen.mssn')
      expect(slack.ok('chat.update').at(-1)!.body.blocks.at(-1).elements[0].text).toMatch(/snoozed for you for 1 hour by <@UBOB00001>/)
    })

    it('answers url_verification and publishes an App Home of my snoozes, mutes and overrides with undo buttons', async () => {
      const v = await postEvent(server.url, SECRET, { type: 'url_verification', challenge: 'c-123', token: 't' })
      expect(await v.json()).toEqual({ challenge: 'c-123' })
      await postAction(server.url, SECRET, blockAction({ user: 'UBOB00001', actionId: 'dice_snooze', select: true, value: { statementId: 's1', count: 10 }, channel: { id: 'D2' } }))
      await server.settled()
      await postEvent(server.url, SECRET, { type: 'event_callback', event: { type: 'app_home_opened', user: 'UBOB00001', tab: 'home' } })
      await server.settled()
      const pub = slack.ok('views.publish').at(-1)!
      expect(pub.body.user_id).toBe('UBOB00001')
      const text = JSON.stringify(pub.body.view.blocks)
      expect(text).toContain('for 10 more')
      expect(text).toContain('dice_unsnooze')
      // Undo from the App Home: the snooze goes and the tab is republished.
      const home = blockAction({ user: 'UBOB00001', actionId: 'dice_unsnooze', value: { statementId: 's1', scope: 'user', scopeId: 'UBOB00001' }, home: true })
      await postAction(server.url, SECRET, home)
      await server.settled()
      expect(await store.activeSnoozes(Date.now())).toEqual([])
      expect(slack.ok('views.publish')).toHaveLength(2)
    })
  })
}

describe('Slack acknowledgement', () => {
  it('answers 200 at once even when Slack is slow, and finishes the work afterwards', async () => {
    const store = await STORE_KINDS[0].open()
    await store.replaceFiles([{ file: 'src/net/ipsec.c', hash: 'h' }], [stmt('s1')], [])
    const slack = await startSlackStandin({ delayMs: 1500 })
    const config = defaultConfig()
    const actions = new Actions({ store, config, clock: Date.now })
    const server = await startServer({ store, config, clock: Date.now, actions, host: '127.0.0.1', port: 0, env: { SLACK_SIGNING_SECRET: SECRET }, slack: new SlackWebApi({ token: 'xoxb-test', url: slack.url }), log: () => {} })
    try {
      const res = await postAction(server.url, SECRET, blockAction({ user: 'UBOB00001', actionId: 'dice_reassign', value: { statementId: 's1' }, channel: { id: 'D1' }, ts: '1.1' }))
      expect(res.status).toBe(200)
      // Answered before Slack's answer: the stand-in records a call only once it has waited its 1.5 s to answer.
      expect(slack.calls.filter((c) => c.method === 'views.open')).toHaveLength(0)
      await server.settled()
      expect(slack.ok('views.open')).toHaveLength(1)
    } finally {
      await server.close()
      await slack.close()
      await store.close()
    }
  })
})

describe('Slack verification under --at', () => {
  it("checks request freshness against the wall clock, not the shifted service clock", async () => {
    const store = await STORE_KINDS[0].open()
    const config = defaultConfig()
    const shifted = () => Date.now() - 365 * 86_400_000
    const actions = new Actions({ store, config, clock: shifted })
    const server = await startServer({ store, config, clock: shifted, actions, host: '127.0.0.1', port: 0, env: { SLACK_SIGNING_SECRET: SECRET }, slack: null, log: () => {} })
    try {
      const ok = await postEvent(server.url, SECRET, { type: 'url_verification', challenge: 'now' })
      expect(ok.status).toBe(200)
      const body = JSON.stringify({ type: 'url_verification', challenge: 'then' })
      const s = signed(SECRET, body, Math.floor(shifted() / 1000))
      expect((await fetch(`${server.url}/slack/events`, { method: 'POST', headers: s.headers, body })).status).toBe(401)
    } finally {
      await server.close()
      await store.close()
    }
  })
})

describe('HTTP server basics', () => {
  let store: Store
  let server: RunningServer
  beforeEach(async () => {
    store = await STORE_KINDS[0].open()
    const config = defaultConfig()
    const actions = new Actions({ store, config, clock: Date.now })
    server = await startServer({ store, config, clock: Date.now, actions, host: '127.0.0.1', port: 0, env: {}, log: () => {} })
  })
  afterEach(async () => {
    await server.close()
    await store.close().catch(() => {})
  })

  it('answers /healthz, /metrics in Prometheus format, 404s and 405s without internals', async () => {
    await store.applyCounts({ occurrences: [], unowned: [], checkpoints: [], counters: [{ source: 'app', name: 'lines', value: 7 }, { source: 'app', name: 'matched', value: 5 }] })
    await store.enqueue({ dedupKey: 'd1', kind: 'digest', recipient: 'U1', payload: {}, notBefore: 0, createdAt: 0 })
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ ok: true })
    const m = await fetch(`${server.url}/metrics`)
    expect(m.headers.get('content-type')).toMatch(/^text\/plain; version=0.0.4/)
    const text = await m.text()
    expect(text).toContain('# TYPE dice_lines_total counter')
    expect(text).toContain('dice_lines_total{source="app",result="read"} 7')
    expect(text).toContain('dice_lines_total{source="app",result="matched"} 5')
    expect(text).toContain('dice_digest_outbox_pending 1')
    expect(text).toMatch(/^dice_outbox_items\{kind="digest",status="pending"\} 1$/m)
    for (const line of text.trim().split('\n')) expect(line).toMatch(/^(# (HELP|TYPE) \w+ .+|\w+(\{[^}]*\})? -?[\d.e+]+)$/)
    expect((await fetch(`${server.url}/nope`)).status).toBe(404)
    expect((await fetch(`${server.url}/metrics`, { method: 'POST' })).status).toBe(405)
    expect((await fetch(`${server.url}/slack/actions`, { method: 'POST', body: 'x' })).status).toBe(503)
  })

  it('answers 500 with no stack trace or SQL when the store fails', async () => {
    await store.close()
    const r = await fetch(`${server.url}/`)
    expect(r.status).toBe(500)
    expect(await r.text()).toBe('internal error\n')
  })
})
