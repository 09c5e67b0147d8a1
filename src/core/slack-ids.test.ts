import { describe, expect, it } from 'vitest'
import { isConversationId, isSlackUserId, mentionOrText } from './slack-ids.js'

describe('Slack ids', () => {
  it('takes U/W plus 8-10 uppercase letters or digits as a user id, as Slack issues them', () => {
    for (const id of ['U024BE7LH', 'W0G9QF9C6A', 'U0123456789']) expect(isSlackUserId(id)).toBe(true)
  })

  it('does not take words, short names, lower case or channel ids for a user id', () => {
    for (const x of ['UPDATE', 'URILEY', 'U0RILEY', 'u024be7lh', 'U024BE7LH1234', 'C024BE7LH', 'elmore', '', null, undefined]) {
      expect(isSlackUserId(x)).toBe(false)
    }
  })

  it('tells conversation ids from channel names', () => {
    expect(isConversationId('C00000001')).toBe(true)
    expect(isConversationId('D0123ABCD')).toBe(true)
    expect(isConversationId('hello-worlders')).toBe(false)
    expect(isConversationId('CHANNELS')).toBe(false)
  })

  it('mentions a user id and escapes anything else', () => {
    expect(mentionOrText('U024BE7LH')).toBe('<@U024BE7LH>')
    expect(mentionOrText('<!channel> & co')).toBe('&lt;!channel&gt; &amp; co')
  })
})
