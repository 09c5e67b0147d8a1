import { describe, expect, it } from 'vitest'
import { homeView } from './views.js'

describe('App Home view', () => {
  it('lists a stored snooze whose end is past what a date can hold instead of failing to publish', () => {
    const view = homeView({
      user: 'U1', now: 0, statements: new Map(), mutes: [], overrides: [],
      snoozes: [{ id: 1, statementId: 'x', scope: 'user', scopeId: 'U1', until: 6e16, remaining: null, by: 'U1', createdAt: 0 }],
    })
    expect(JSON.stringify(view)).toContain('dice_unsnooze')
  })
})
