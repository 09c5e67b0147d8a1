import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Config } from '../../config/schema.js'
import { buildDigests } from '../../deliver/digest/build.js'
import { config as makeConfig } from '../../deliver/testutil/fixtures.js'
import { startSlackStandin, type SlackStandin } from '../../deliver/testutil/slack-standin.js'
import { Actions } from '../../route/actions.js'
import { createNotifier } from '../../deliver/registry.js'
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
    slack = await startSlackStandin({ users: [{ id: 'UBOB00001' }, { id: 'UELM00001', name: 'elmore', tz: 'UTC' }] })
    logs = []
    const env = { SLACK_BOT_TOKEN: 'xoxb-test', DICE_SLACK_API_URL: slack.url, SLACK_SIGNING_SECRET: SECRET }
    server = await startServer({ store, config, clock, actions: new Actions({ store, config, clock, notifier: createNotifier({ config, env }) }), host: '127.0.0.1', port: 0, env, log: (l) => logs.push(l) })
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
  it('Not mine on a shape in #dice-fallback opens the hand-over modal; its submission gives the shape to that person, out of the fallback digest and into theirs', async () => {
    const d = await fallback()
    const notMine = option(d!.blocks, NOISY, 'Not mine')
    expect(notMine).toEqual({ statementId: `shape:${NOISY}`, op: 'reassign', scope: 'channel' })
    at = await post(d!.blocks)
    expect((await click(notMine)).status).toBe(200)
    await server.settled()
    const open = slack.ok('views.open')
    expect(open).toHaveLength(1)
    const view = open[0]!.body.view
    expect(view.callback_id).toBe('dice_reassign_modal')
    expect(JSON.parse(view.private_metadata).statementId).toBe(`shape:${NOISY}`)
    const submit = {
      type: 'view_submission', user: { id: 'UBOB00001' }, trigger_id: 't2',
      view: { ...view, id: 'V9', state: { values: { dice_to: { dice_to_user: { type: 'users_select', selected_user: 'UELM00001' } }, dice_reason: { dice_reason_text: { type: 'plain_text_input', value: 'libfoo is the IPsec team\'s' } } } } },
    }
    const res = await postAction(server.url, SECRET, submit)
    expect(res.status).toBe(200)
    await server.settled()
    expect(logs).toEqual([])
    expect(await store.listOverrides()).toMatchObject([{ statementId: `shape:${NOISY}`, by: 'UBOB00001', reason: "libfoo is the IPsec team's" }])
    // The new owner is told, and the shape leaves the fallback digest for theirs.
    expect(slack.ok('chat.postMessage').some((c) => JSON.stringify(c.body).includes('handed you'))).toBe(true)
    const digests = await buildDigests({ store, config, clock, preview: true })
    expect(digests.find((x) => x.target === '#dice-fallback')!.items.map((i) => i.statementId)).toEqual([`shape:${OTHER}`])
    const theirs = digests.filter((x) => x.items.some((i) => i.statementId === `shape:${NOISY}`))
    expect(theirs).toHaveLength(1)
    expect(theirs[0]!.target).not.toBe('#dice-fallback')
  })
})
