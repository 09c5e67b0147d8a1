import { describe, expect, it } from 'vitest'
import { placeholderLabels } from './labels.js'

describe('placeholder labels', () => {
  it('names a placeholder by its own name, else by the word before it, skipping small words', () => {
    expect(placeholderLabels('IKE SA negotiation failed with peer %s: no proposal chosen (%d)')).toEqual(['peer', 'chosen'])
    expect(placeholderLabels('connection from %s to {port}')).toEqual(['connection', 'port'])
    expect(placeholderLabels('user=%(user)s ${req.ip}')).toEqual(['user', 'ip'])
    expect(placeholderLabels('%s %s')).toEqual(['value 1', 'value 2'])
    expect(placeholderLabels('peer %s, peer %s')).toEqual(['peer', 'peer 2'])
  })
})
