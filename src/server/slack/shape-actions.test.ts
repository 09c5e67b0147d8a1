import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Config } from '../../config/schema.js'
import { buildDigests } from '../../deliver/digest/build.js'
import { config as makeConfig } from '../../deliver/testutil/fixtures.js'
import { startSlackStandin, type SlackStandin } from '../../deliver/testutil/slack-standin.js'
import { Actions } from '../../route/actions.js'
import { SlackWebApi } from '../../deliver/slack/api.js'
import type { Store } from '../../store/store.js'
import { tempSqliteStore } from '../../store/testutil/stores.js'
import { startServer, type RunningServer } from '../http.js'
import { blockAction, postAction } from '../testutil/slack-requests.js'

const SECRET = 'shh-signing-secret'
const NOW = Date.parse('2026-11-23T10:00:00Z')
const NOISY = 'a1b2c3d4e5f6'
const OTHER = '0123456789ab'

describe('the fallback digest has the same controls for unowned shapes as for statements, and Slack clicks on them work', () => {
  let store: Store
  let config: Config
  let slack: SlackStandin
  let server: RunningServer
  let logs: string[]
  const clock = () => NOW

  beforeEach(async () => {
    store = (await tempSqliteStore()).store
    config = makeConfig({ route: { fallbackChannel: '#dice-fallback' } })
    const at = NOW - 2 * 3_600_000
    await store.applyCounts({
      occurrences: [],
      unowned: [NOISY, OTHER].map((h) => ({ shapeHash: h, shape: `libfoo ${h} <NUM>`, host: 'web-1', bucket: Math.floor(at / 300_000) * 300_000, count: 9, firstSeen: at, lastSeen: at, level: 'warn' as const, samples: ['x'] })),
      checkpoints: [],
    })
    slack = await startSlackStandin({ users: [{ id: 'UBOB00001' }] })
    logs = []
    const env = { SLACK_BOT_TOKEN: 'xoxb-test', DICE_SLACK_API_URL: slack.url, SLACK_SIGNING_SECRET: SECRET }
    server = await startServer({ store, config, clock, actions: new Actions({ store, config, clock }), host: '127.0.0.1', port: 0, env, log: (l) => logs.push(l) })
  })
  afterEach(async () => {
    await server.close()
    await slack.close()
    await store.close()
  })

  const fallback = async () => (await buildDigests({ store, config, clock, preview: true })).find((d) => d.target === '#dice-fallback')
  /** The value of the option labelled `label` in the select beside a shape's item. */
  const option = (blocks: unknown[], hash: string, label: string) => {
    const block = (blocks as any[]).find((b) => b.type === 'section' && b.accessory && JSON.stringify(b.accessory).includes(`shape:${hash}`))
    expect(block, `no controls beside shape:${hash}`).toBeDefined()
    const o = block.accessory.options.find((x: any) => x.text.text === label)
    return JSON.parse(o.value) as Record<string, unknown>
  }
  /** Post the digest to the stand-in as Dice would, so a click can update it in place. */
  const post = async (blocks: unknown[]) => {
    const r = await new SlackWebApi({ token: 'xoxb-test', url: slack.url }).call('chat.postMessage', { channel: '#dice-fallback', text: 'digest', blocks })
    return { id: r.channel as string, ts: r.ts as string }
  }
  let at: { id: string; ts: string }
  const click = (value: Record<string, unknown>) => postAction(server.url, SECRET, blockAction({
    user: 'UBOB00001', actionId: 'dice_item', select: true, value, channel: { id: at.id, name: 'dice-fallback' }, ts: at.ts,
  }))

  it('Mute and Snooze on a shape in #dice-fallback quiet that channel\'s digest', async () => {
    const d = await fallback()
    expect(d!.items.map((i) => i.statementId).sort()).toEqual([`shape:${OTHER}`, `shape:${NOISY}`])
    const mute = option(d!.blocks, NOISY, 'Mute')
    expect(mute).toEqual({ statementId: `shape:${NOISY}`, op: 'mute', scope: 'channel' })
    at = await post(d!.blocks)
    expect((await click(mute)).status).toBe(200)
    expect((await click(option(d!.blocks, OTHER, 'Snooze for 1 day'))).status).toBe(200)
    await server.settled()
    expect(logs).toEqual([])
    expect(slack.ok('chat.postEphemeral')).toEqual([])
    expect(await store.listMutes()).toMatchObject([{ statementId: `shape:${NOISY}`, scope: 'channel', scopeId: 'dice-fallback', by: 'UBOB00001' }])
    expect(await store.activeSnoozes(NOW)).toMatchObject([{ statementId: `shape:${OTHER}`, scope: 'channel', scopeId: 'dice-fallback', until: NOW + 86_400_000 }])
    expect((await fallback())?.items ?? []).toEqual([])
  })
})
