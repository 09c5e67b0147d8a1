import { describe, expect, it } from 'vitest'
import { ConfigError } from '../core/errors.js'
import { validateConfig } from './load.js'

describe('alerts configuration', () => {
  it('leaves every alert off by default', () => {
    const c = validateConfig({}, 'dice.yml')
    expect([c.alerts.firstSeen.enabled, c.alerts.spikes.enabled, c.alerts.silence.enabled]).toEqual([false, false, false])
  })

  it('names the rule whose expectation is not N/PERIOD', () => {
    const bad = () => validateConfig({ alerts: { silence: { rules: [{ template: 'backup finished', expect: 'daily' }] } } }, 'dice.yml')
    expect(bad).toThrow(ConfigError)
    expect(bad).toThrow(/alerts\.silence\.rules\.0\.expect: expected N\/PERIOD like 1\/h/)
  })

  it('refuses a silence rule that picks no statement', () => {
    expect(() => validateConfig({ alerts: { silence: { rules: [{ expect: '1/h' }] } } }, 'dice.yml')).toThrow(/alerts\.silence\.rules\.0: give statement, template or path/)
  })

  it('refuses a spike factor that would call ordinary noise a spike', () => {
    expect(() => validateConfig({ alerts: { spikes: { factor: 1.2 } } }, 'dice.yml')).toThrow(/alerts\.spikes\.factor/)
  })
})
