import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Config } from '../../config/schema.js'
import type { Statement } from '../../core/types.js'
import { Delivery } from '../../deliver/delivery.js'
import { SlackWebApi } from '../../deliver/slack/api.js'
import { SlackNotifier } from '../../deliver/slack/notifier.js'
import { config as makeConfig, hit, statement } from '../../deliver/testutil/fixtures.js'
import { startSlackStandin, type SlackStandin } from '../../deliver/testutil/slack-standin.js'
import { Actions } from '../../route/actions.js'
import { routing, type Routing } from '../../deliver/testutil/routing.js'
import type { Store } from '../../store/store.js'
import { STORE_KINDS } from '../../store/testutil/stores.js'
import { startServer, type RunningServer } from '../http.js'
import { blockAction, postAction } from '../testutil/slack-requests.js'

const SECRET = 'shh-signing-secret'

for (const kind of STORE_KINDS) {
  describe(`channel snooze and mute from a real-time message whose Slack channel is named otherwise (${kind.name})`, () => {
    let store: Store
    let config: Config
    let slack: SlackStandin
    let router: Routing
    let server: RunningServer
    let delivery: Delivery
    let logs: string[]
    const tunnel = statement({ id: 'tun', file: 'src/net/ipsec.c', template: 'tunnel %s down', level: 'error', channels: ['ipsec-debug'], callee: 'ERROR_LOG' })
    const rekey = statement({ id: 'rekey', file: 'src/net/ipsec.c', line: 20, template: 'rekey of %s late', level: 'error', callee: 'ERROR_LOG' })

    beforeEach(async () => {
      store = await kind.open()
      config = makeConfig({ route: { rules: [{ path: 'src/net/**', channel: 'net-alerts' }] } })
      await store.replaceFiles([{ file: 'src/net/ipsec.c', hash: 'h' }], [tunnel, rekey], [])
      slack = await startSlackStandin({ users: [{ id: 'UBOB00001' }] })
      const clock = () => Date.now()
      router = await routing({ store, config, clock })
      const api = new SlackWebApi({ token: 'xoxb-test', url: slack.url })
      delivery = new Delivery({ store, config, clock, notifier: new SlackNotifier(api), slack: api, router: router.router, silences: router.silences, updateEveryMs: 100, log: () => {} })
      const actions = new Actions({ store, config, clock, router })
      logs = []
      const env = { SLACK_BOT_TOKEN: 'xoxb-test', DICE_SLACK_API_URL: slack.url, SLACK_SIGNING_SECRET: SECRET }
      server = await startServer({ store, config, clock, actions, host: '127.0.0.1', port: 0, env, log: (l) => logs.push(l) })
    })
    afterEach(async () => {
      delivery.stop()
      await server.close()
      await slack.close()
      await store.close()
    })

    /** Let Delivery post the real-time message of `s` to `channel`, as `dice run` does; its Slack id and ts. */
    const posted = async (s: Statement, channel: string) => {
      delivery.onHit(hit(s, { time: Date.now(), host: 'gw-1' }))
      await delivery.idle()
      const post = slack.ok('chat.postMessage').find((c) => c.body.channel === `#${channel}` && JSON.stringify(c.body.blocks).includes(`"statementId\\":\\"${s.id}`))
      expect(post, `no real-time post of ${s.id} to #${channel}`).toBeDefined()
      const ts = [...slack.messages.values()].find((m) => m.channel === slack.channelId(channel) && JSON.stringify(m.blocks).includes(s.id))!.ts
      return { id: slack.channelId(channel), ts }
    }

    const click = (actionId: 'dice_snooze' | 'dice_mute', s: Statement, channel: { id: string; name?: string }, ts: string) =>
      postAction(server.url, SECRET, blockAction({
        user: 'UBOB00001', actionId, select: actionId === 'dice_snooze', channel, ts,
        value: actionId === 'dice_snooze' ? { statementId: s.id, scope: 'channel', for: '1h' } : { statementId: s.id, scope: 'channel' },
      }))

    it('stores a snooze clicked in a channel Slack calls ipsec-debug-prod under #ipsec-debug, and the route stops posting there', async () => {
      const m = await posted(tunnel, 'ipsec-debug')
      expect(router.route(hit(tunnel, { time: Date.now() })).channels).toContain('ipsec-debug')
      const res = await click('dice_snooze', tunnel, { id: m.id, name: 'ipsec-debug-prod' }, m.ts)
      expect(res.status).toBe(200)
      await server.settled()
      expect(logs).toEqual([])
      expect(slack.ok('chat.postEphemeral')).toEqual([])
      expect(await store.activeSnoozes(Date.now())).toMatchObject([{ statementId: 'tun', scope: 'channel', scopeId: 'ipsec-debug', by: 'UBOB00001' }])
      // A router that never saw the post (another instance, a restart) applies it too.
      const fresh = await routing({ store, config, clock: () => Date.now() })
      for (const r of [router, fresh]) {
        const d = r.route(hit(tunnel, { time: Date.now() }))
        expect(d.channels).not.toContain('ipsec-debug')
        expect(d.suppressed).toContainEqual({ target: '#ipsec-debug', reason: 'snoozed' })
        // Only that channel: the rule channel still gets it.
        expect(d.channels).toContain('net-alerts')
      }
      expect(JSON.stringify(slack.ok('chat.update').at(-1)!.body.blocks)).toMatch(/snoozed for #ipsec-debug for 1 hour by <@UBOB00001>/)
    })

    it('stores a mute clicked where the payload carries only the channel id under the annotated channel', async () => {
      const m = await posted(tunnel, 'ipsec-debug')
      await click('dice_mute', tunnel, { id: m.id }, m.ts)
      await server.settled()
      expect(logs).toEqual([])
      expect(await store.listMutes()).toMatchObject([{ statementId: 'tun', scope: 'channel', scopeId: 'ipsec-debug', by: 'UBOB00001' }])
      const fresh = await routing({ store, config, clock: () => Date.now() })
      const d = fresh.route(hit(tunnel, { time: Date.now() }))
      expect(d.suppressed).toContainEqual({ target: '#ipsec-debug', reason: 'muted' })
      expect(d.channels).toEqual(['net-alerts'])
    })

    it('maps a route rule channel the same way: the snooze applies to the rule channel the message came from', async () => {
      const m = await posted(rekey, 'net-alerts')
      await click('dice_snooze', rekey, { id: m.id, name: 'net-alerts-renamed' }, m.ts)
      await server.settled()
      expect(await store.activeSnoozes(Date.now())).toMatchObject([{ statementId: 'rekey', scope: 'channel', scopeId: 'net-alerts' }])
      const fresh = await routing({ store, config, clock: () => Date.now() })
      expect(fresh.route(hit(rekey, { time: Date.now() })).suppressed).toContainEqual({ target: '#net-alerts', reason: 'snoozed' })
    })
  })
}
