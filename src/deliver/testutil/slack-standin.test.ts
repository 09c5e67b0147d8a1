import { afterEach, describe, expect, it } from 'vitest'
import { WebClient } from '@slack/web-api'
import { SlackWebApi } from '../slack/api.js'
import { startSlackStandin, type SlackStandin } from './slack-standin.js'

let slack: SlackStandin
afterEach(async () => slack?.close())

const client = (s: SlackStandin) => new WebClient('xoxb-test', { slackApiUrl: s.url, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true })

describe('Slack stand-in', () => {
  it('answers WebClient calls in the Slack wire format and records them with decoded blocks', async () => {
    slack = await startSlackStandin()
    const web = client(slack)
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: 'hi &lt;' } }]
    const r = await web.chat.postMessage({ channel: 'hello-worlders', text: 'hi', blocks })
    expect(r.ok).toBe(true)
    expect(r.channel).toMatch(/^C/)
    expect(slack.calls[0]).toMatchObject({ method: 'chat.postMessage', token: 'xoxb-test', ok: true })
    expect(slack.calls[0]!.body.blocks).toEqual(blocks)
    await web.chat.update({ channel: r.channel!, ts: r.ts!, text: 'hi x2' })
    expect(slack.messages.get(`${r.channel} ${r.ts}`)).toMatchObject({ text: 'hi x2', updates: 1 })
    await expect(web.chat.update({ channel: r.channel!, ts: '1.000000', text: 'x' })).rejects.toMatchObject({ data: { error: 'message_not_found' } })
  })

  it('scripts users, presence over time, and DMs', async () => {
    slack = await startSlackStandin({ users: [{ id: 'U1', email: 'pig@pen.mssn', tz: 'Asia/Tokyo' }] })
    const web = client(slack)
    const u = await web.users.lookupByEmail({ email: 'PIG@pen.mssn' })
    expect(u.user?.id).toBe('U1')
    const info = await web.users.info({ user: 'U1' })
    expect(info.user?.tz).toBe('Asia/Tokyo')
    expect(info.user?.tz_offset).toBe(9 * 3600)
    expect((await web.users.getPresence({ user: 'U1' })).presence).toBe('active')
    slack.setPresence('U1', 'away')
    expect((await web.users.getPresence({ user: 'U1' })).presence).toBe('away')
    const dm = await web.conversations.open({ users: 'U1' })
    expect(dm.channel?.id).toMatch(/^D/)
    await expect(web.users.lookupByEmail({ email: 'nobody@x' })).rejects.toMatchObject({ data: { error: 'users_not_found' } })
  })

  it('fails the next N calls with 429 + Retry-After or ok:false, then recovers', async () => {
    slack = await startSlackStandin()
    const web = client(slack)
    slack.failNext('chat.postMessage', { status: 429, retryAfter: 2 })
    slack.failNext('chat.postMessage', { error: 'channel_not_found' })
    await expect(web.chat.postMessage({ channel: 'x', text: 'a' })).rejects.toMatchObject({ retryAfter: 2 })
    await expect(web.chat.postMessage({ channel: 'x', text: 'a' })).rejects.toMatchObject({ data: { error: 'channel_not_found' } })
    expect((await web.chat.postMessage({ channel: 'x', text: 'a' })).ok).toBe(true)
    expect(slack.calls.map((c) => c.status)).toEqual([429, 200, 200])
    expect(slack.ok('chat.postMessage')).toHaveLength(1)
  })

  it('rejects a wrong token when one is required', async () => {
    slack = await startSlackStandin({ token: 'xoxb-right' })
    await expect(client(slack).auth.test()).rejects.toMatchObject({ data: { error: 'invalid_auth' } })
  })

  it('holds a call unanswered until released, recording it at once', async () => {
    slack = await startSlackStandin()
    const release = slack.hold('chat.postMessage')
    let done = false
    const p = client(slack).chat.postMessage({ channel: 'ops', text: 'held' }).then(() => (done = true))
    while (!slack.calls.length) await new Promise((r) => setTimeout(r, 5))
    await new Promise((r) => setTimeout(r, 50))
    expect(done).toBe(false)
    release()
    await p
    expect(slack.ok('chat.postMessage')).toHaveLength(1)
    // Only the next call was held.
    await client(slack).chat.postMessage({ channel: 'ops', text: 'free' })
    expect(slack.ok('chat.postMessage')).toHaveLength(2)
  })

  it('pages users.list like Slack (hundreds of users, deleted users and bots included) through Dice\'s client', async () => {
    const many = Array.from({ length: 430 }, (_, i) => ({ id: `U${String(i).padStart(9, '0')}`, name: `user${i}` }))
    slack = await startSlackStandin({ users: [...many, { id: 'U0GONE0001', name: 'gone', deleted: true }, { id: 'B0BOT00001', name: 'ci-bot', is_bot: true }] })
    const api = new SlackWebApi({ token: 'xoxb-test', url: slack.url })
    const seen: string[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const r: Awaited<ReturnType<SlackWebApi['usersList']>> = await api.usersList(cursor)
      seen.push(...r.users.map((u) => u.id))
      cursor = r.next
      pages++
    } while (cursor)
    expect(pages).toBe(3)
    expect(new Set(seen).size).toBe(432)
    const all = (await api.usersList()).users
    expect(all.find((u) => u.id === 'U000000007')).toMatchObject({ handle: 'user7', displayName: 'user7', deleted: false, bot: false })
    const last = (await api.usersList(Buffer.from('offset:400').toString('base64'))).users
    expect(last.find((u) => u.id === 'U0GONE0001')).toMatchObject({ deleted: true })
    expect(last.find((u) => u.id === 'B0BOT00001')).toMatchObject({ bot: true })
  })

  it('lists channels and refuses posts the way Slack does once channels are set: unknown, private without the bot, archived', async () => {
    slack = await startSlackStandin({ scopes: ['chat:write', 'users:read', 'channels:read', 'groups:read'] })
    const api = new SlackWebApi({ token: 'xoxb-test', url: slack.url })
    expect(await api.postMessage({ channel: '#anything', text: 'x' })).toMatchObject({ channel: expect.stringMatching(/^C/) })
    slack.setChannels([{ name: 'ops' }, { name: 'quiet', is_member: false }, { name: 'secret', is_private: true, is_member: false }, { name: 'old', is_archived: true }])
    expect((await api.conversationsList()).channels.map((c) => c.name).sort()).toEqual(['old', 'ops', 'quiet'])
    await expect(api.postMessage({ channel: '#opps', text: 'x' })).rejects.toMatchObject({ error: 'channel_not_found' })
    await expect(api.postMessage({ channel: '#secret', text: 'x' })).rejects.toMatchObject({ error: 'channel_not_found' })
    await expect(api.postMessage({ channel: '#quiet', text: 'x' })).rejects.toMatchObject({ error: 'not_in_channel' })
    await expect(api.postMessage({ channel: '#old', text: 'x' })).rejects.toMatchObject({ error: 'is_archived' })
    expect(await api.postMessage({ channel: '#ops', text: 'x' })).toMatchObject({ channel: expect.stringMatching(/^C/) })
    expect(await api.grantedScopes()).toEqual(['chat:write', 'users:read', 'channels:read', 'groups:read'])
  })

  it('answers missing_scope, naming the scope needed, for a call the token\'s scopes do not cover', async () => {
    slack = await startSlackStandin({ users: [{ id: 'U1', email: 'pig@pen.mssn' }], scopes: ['chat:write', 'users:read', 'channels:read'] })
    slack.setChannels([{ name: 'ops' }, { name: 'inner', is_private: true }])
    const web = client(slack)
    await expect(web.users.lookupByEmail({ email: 'pig@pen.mssn' })).rejects.toMatchObject({ data: { error: 'missing_scope', needed: 'users:read.email' } })
    await expect(web.conversations.list({ types: 'public_channel,private_channel' })).rejects.toMatchObject({ data: { error: 'missing_scope', needed: 'groups:read' } })
    expect((await web.conversations.list({ types: 'public_channel' })).channels!.map((c) => c.name)).toEqual(['ops'])
    expect((await web.users.list({})).members!.map((u) => u.id)).toEqual(['U1'])
  })
})
