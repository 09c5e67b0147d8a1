import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { ReplayGuard, SlackSignatureError, slackSignature, verifySlack } from './verify.js'

const SECRET = '8f742231b10e8888abcd99yyyzzz85a5'
const NOW = 1_531_420_618_000

describe('verifySlack', () => {
  // The worked example from Slack's "Verifying requests from Slack" page.
  const body = 'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c'
  const sig = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503'

  it("accepts Slack's documented example signature", () => {
    expect(slackSignature(SECRET, '1531420618', body)).toBe(sig)
    expect(() => verifySlack(SECRET, { timestamp: '1531420618', signature: sig, body }, NOW)).not.toThrow()
    expect(() => verifySlack(SECRET, { timestamp: '1531420618', signature: sig, body: Buffer.from(body) }, NOW + 299_000)).not.toThrow()
  })

  it('refuses a stale or future timestamp, a bad or missing signature, and a tampered body', () => {
    const bad = (o: Partial<{ timestamp: string; signature: string; body: string }>, now = NOW) =>
      () => verifySlack(SECRET, { timestamp: '1531420618', signature: sig, body, ...o }, now)
    expect(bad({}, NOW + 301_000)).toThrow(/stale/)
    expect(bad({}, NOW - 301_000)).toThrow(/stale/)
    expect(bad({ timestamp: undefined as unknown as string })).toThrow(SlackSignatureError)
    expect(bad({ signature: '' })).toThrow(/bad signature/)
    expect(bad({ signature: sig.slice(0, -1) })).toThrow(/bad signature/)
    expect(bad({ signature: 'v0=' + createHmac('sha256', 'other').update(`v0:1531420618:${body}`).digest('hex') })).toThrow(/bad signature/)
    expect(bad({ body: body + '&x=1' })).toThrow(/bad signature/)
    expect(() => verifySlack('', { timestamp: '1531420618', signature: sig, body }, NOW)).toThrow(SlackSignatureError)
  })
})

describe('ReplayGuard', () => {
  it('refuses a signature seen within the window and forgets it after', () => {
    const g = new ReplayGuard(100, 600_000)
    expect(g.firstSeen('v0=a', 0)).toBe(true)
    expect(g.firstSeen('v0=a', 599_000)).toBe(false)
    expect(g.firstSeen('v0=a', 601_000)).toBe(true)
  })

  it('stays bounded', () => {
    const g = new ReplayGuard(1000)
    for (let i = 0; i < 5000; i++) g.firstSeen(`v0=${i}`, 1)
    expect(g.size).toBe(1000)
  })
})
