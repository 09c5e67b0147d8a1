import { describe, expect, it } from 'vitest'
import { compileRules, isLoggerReceiver, mayLog, methodLevel, rulesFor } from './engine.js'

describe('logger receivers', () => {
  it('accept logger-looking names and reject look-alikes', () => {
    for (const r of [['log'], ['logger'], ['this', 'logger'], ['_logger'], ['logger_'], ['LOGGER'], ['auditLog'], ['REQ_LOG'], ['Rails', 'logger'], ['console'], ['slog'], ['logrus', 'WithField'], ['Log'], ['spdlog', 'get'], ['l']]) {
      expect([r, isLoggerReceiver(r)]).toEqual([r, true])
    }
    for (const r of [['catalog'], ['dialog'], ['blog'], ['login'], ['logic'], ['list'], ['errors'], ['this', 'status']]) {
      expect([r, isLoggerReceiver(r)]).toEqual([r, false])
    }
  })
})

describe('methodLevel', () => {
  it('reads level methods with their decorations', () => {
    const cases: Record<string, string | null> = {
      warn: 'warn', Warning: 'warn', Errorf: 'error', Errorw: 'error', Infoln: 'info', ErrorContext: 'error', ErrorS: 'error',
      LogWarning: 'warn', LogInformation: 'info', LogCritical: 'fatal', WarnFormat: 'warn', atWarn: 'warn', severe: 'error',
      exception: 'error', critical: 'fatal', fine: 'debug', config: 'debug', Panicf: 'fatal', DPanic: 'fatal',
      e: null, print: null, Printf: null, table: null, isDebugEnabled: null, setLevel: null, child: null,
    }
    for (const [name, level] of Object.entries(cases)) expect([name, methodLevel(name)]).toEqual([name, level])
    expect(methodLevel('e', true)).toBe('error')
    expect(methodLevel('Printf', false, true)).toBe('info')
  })
})

describe('rule globs and the name pre-filter', () => {
  it('let a whole-segment * span a dotted receiver and keep an in-name * inside the name', () => {
    const [any, inName] = compileRules([{ call: '*.track' }, { call: 'ROS_WARN*' }])
    expect(any.glob!.test('this.bus.track')).toBe(true)
    expect(any.glob!.test('track')).toBe(false)
    expect(inName.glob!.test('ROS_WARN_STREAM')).toBe(true)
    expect(inName.glob!.test('ROS_WARN.x')).toBe(false)
  })

  it('rule out calls by name alone unless a rule could match any name', () => {
    const rules = rulesFor('cpp')
    expect(mayLog('helper_12', 'cpp', rules)).toBe(false)
    expect(mayLog('ROS_WARN_ONCE', 'cpp', rules)).toBe(true)
    expect(mayLog('LOG', 'cpp', rules)).toBe(true)
    expect(mayLog('warn', 'cpp', rules)).toBe(true)
    expect(mayLog('helper_12', 'cpp', rulesFor('cpp', { cpp: [{ call: 'audit.*' }] }))).toBe(true)
  })
})
