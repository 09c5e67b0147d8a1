import { describe, expect, it } from 'vitest'
import { blockAction } from '../testutil/slack-requests.js'
import { MODAL, parseSlackRequest, SlackPayloadError } from './action.js'
import { itemControls } from '../../deliver/digest/blocks.js'

const form = (p: unknown) => new URLSearchParams({ payload: JSON.stringify(p) }).toString()

describe('parseSlackRequest', () => {
  it('turns a snooze select into a typed snooze with the duration in ms', () => {
    const a = parseSlackRequest('/slack/actions', form(blockAction({ user: 'U1', actionId: 'dice_snooze', select: true, value: { statementId: 's', for: '1w' }, channel: { id: 'C1', name: 'ops' }, ts: '1.2' })))
    expect(a).toMatchObject({ kind: 'snooze', user: 'U1', statementId: 's', forMs: 7 * 86_400_000, count: null, scope: null, channel: { id: 'C1', name: 'ops' }, message: { channel: 'C1', ts: '1.2' } })
    expect(parseSlackRequest('/slack/actions', form(blockAction({ user: 'U1', actionId: 'dice_snooze', select: true, value: { statementId: 's', count: 10 } })))).toMatchObject({ kind: 'snooze', count: 10, forMs: null })
    expect(parseSlackRequest('/slack/actions', form(blockAction({ user: 'U1', actionId: 'dice_snooze', select: true, value: { statementId: 's', for: 'custom' } })))).toMatchObject({ kind: 'snooze_custom' })
  })

  it("reads a digest item's select: each option is the action it names (snooze, mute, not mine)", () => {
    const options = (itemControls('s1') as { options: Array<{ value: string }> }).options
    const pick = (i: number) => parseSlackRequest('/slack/actions', form(blockAction({ user: 'U1', actionId: 'dice_item', select: true, value: JSON.parse(options[i]!.value), channel: { id: 'D1' }, ts: '1.2' })))
    expect(pick(1)).toMatchObject({ kind: 'snooze', statementId: 's1', forMs: 86_400_000, count: null })
    expect(pick(3)).toMatchObject({ kind: 'snooze', statementId: 's1', count: 100, forMs: null })
    expect(pick(4)).toMatchObject({ kind: 'snooze_custom', statementId: 's1' })
    expect(pick(5)).toMatchObject({ kind: 'mute', statementId: 's1', scope: 'user' })
    expect(pick(6)).toMatchObject({ kind: 'reassign_open', statementId: 's1' })
    expect(parseSlackRequest('/slack/actions', form(blockAction({ user: 'U1', actionId: 'dice_item', select: true, value: { statementId: 's1', op: 'explode' } })))).toMatchObject({ kind: 'ignore' })
  })

  it('reads buttons: mute scope, reassign, undo, and App Home origin', () => {
    expect(parseSlackRequest('/slack/actions', form(blockAction({ user: 'U1', actionId: 'dice_mute', value: { statementId: 's', scope: 'all' } })))).toMatchObject({ kind: 'mute', scope: 'all' })
    expect(parseSlackRequest('/slack/actions', form(blockAction({ user: 'U1', actionId: 'dice_reassign', value: { statementId: 's' } })))).toMatchObject({ kind: 'reassign_open', triggerId: expect.stringMatching(/^trig\./) })
    expect(parseSlackRequest('/slack/actions', form(blockAction({ user: 'U1', actionId: 'dice_undo_override', value: { statementId: 's' }, home: true })))).toMatchObject({ kind: 'undo_override', fromHome: true, message: null })
    expect(parseSlackRequest('/slack/actions', form(blockAction({ user: 'U1', actionId: 'other_app', value: { statementId: 's' } })))).toMatchObject({ kind: 'ignore' })
  })

  it('reads the custom snooze modal: durations and counts, field errors otherwise', () => {
    const submit = (text: string) => parseSlackRequest('/slack/actions', form({
      type: 'view_submission', user: { id: 'U1' },
      view: { callback_id: MODAL.snooze, private_metadata: JSON.stringify({ statementId: 's', channel: null, message: null, scope: 'channel' }), state: { values: { [MODAL.durationBlock]: { [MODAL.durationAction]: { value: text } } } } },
    }))
    expect(submit('1h30m')).toMatchObject({ kind: 'snooze', forMs: 5_400_000, scope: 'channel' })
    expect(submit('10 times')).toMatchObject({ kind: 'snooze', count: 10, forMs: null })
    expect(submit('whenever')).toEqual({ kind: 'invalid_submission', errors: { [MODAL.durationBlock]: expect.any(String) } })
  })

  it('reads events and rejects what is not Dice', () => {
    expect(parseSlackRequest('/slack/events', JSON.stringify({ type: 'url_verification', challenge: 'abc' }))).toEqual({ kind: 'url_verification', challenge: 'abc' })
    expect(parseSlackRequest('/slack/events', JSON.stringify({ type: 'event_callback', event: { type: 'app_home_opened', user: 'U7', tab: 'home' } }))).toEqual({ kind: 'home', user: 'U7' })
    expect(parseSlackRequest('/slack/events', JSON.stringify({ type: 'event_callback', event: { type: 'app_home_opened', user: 'U7', tab: 'messages' } }))).toMatchObject({ kind: 'ignore' })
    expect(() => parseSlackRequest('/slack/actions', 'payload=%7Bnot-json')).toThrow(SlackPayloadError)
    expect(() => parseSlackRequest('/slack/actions', form(blockAction({ user: 'U1', actionId: 'dice_mute', value: {} })))).toThrow(SlackPayloadError)
    expect(() => parseSlackRequest('/slack/events', '{')).toThrow(SlackPayloadError)
  })
})
