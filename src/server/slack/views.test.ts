import { describe, expect, it } from 'vitest'
import { annotateMessage, homeView } from './views.js'
import { actionsBlock, itemControls } from '../../deliver/digest/blocks.js'

describe('App Home view', () => {
  it('lists a stored snooze whose end is past what a date can hold instead of failing to publish', () => {
    const view = homeView({
      user: 'U1', now: 0, statements: new Map(), mutes: [], overrides: [],
      snoozes: [{ id: 1, statementId: 'x', scope: 'user', scopeId: 'U1', until: 6e16, remaining: null, by: 'U1', createdAt: 0 }],
    })
    expect(JSON.stringify(view)).toContain('dice_unsnooze')
  })
})

describe('annotateMessage', () => {
  it("puts the note in place of a digest item's controls, in the same block, so a full digest keeps its header", () => {
    const items = Array.from({ length: 47 }, (_, i) => ({ type: 'section', text: { type: 'mrkdwn', text: `item ${i}` }, accessory: itemControls(`s${i}`) }))
    const blocks = [{ type: 'header', text: { type: 'plain_text', text: 'Dice digest' } }, { type: 'context', elements: [] }, ...items, { type: 'context', elements: [] }]
    const out = annotateMessage(blocks, 'digest', 's7', ':zzz: snoozed for you') as any[]
    expect(out).toHaveLength(50)
    expect(out[0].type).toBe('header')
    expect(out[9]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: 'item 7\n:zzz: snoozed for you' } })
    expect(out[10].accessory).toBeDefined()
  })

  it("replaces a channel message's action buttons with the note", () => {
    const out = annotateMessage([{ type: 'section', text: { type: 'mrkdwn', text: 'x' } }, actionsBlock('tun', 'channel')], 'x', 'tun', 'muted here') as any[]
    expect(out.map((b) => b.type)).toEqual(['section', 'context'])
  })
})
