import { describe, expect, it } from 'vitest'
import { finish, hasLiteralText, printfCount, unescapeC, unescapeSingle } from './template.js'

describe('templates', () => {
  it('unescape C-family escapes, including hex, octal, unicode and line continuations', () => {
    expect(unescapeC('a\\nb\\t\\"c\\" \\x41\\101\\u00e9\\u{1F600} \\\\')).toBe('a\nb\t"c" AAé😀 \\')
    expect(unescapeC('one \\\n  two')).toBe('one   two')
    expect(unescapeC('one \\\n  two', { rustContinuation: true })).toBe('one two')
    expect(unescapeC('\\d', { keepUnknown: true })).toBe('\\d')
  })

  it('unescape only \\\\ and \\\' in single-quoted strings', () => {
    expect(unescapeSingle("it\\'s \\\\ \\n")).toBe("it's \\ \\n")
  })

  it('count a message as matchable only when it has letters or digits outside placeholders', () => {
    expect(hasLiteralText('%s')).toBe(false)
    expect(hasLiteralText('{}')).toBe(false)
    expect(hasLiteralText('%s: %d')).toBe(false)
    expect(hasLiteralText('${err}')).toBe(false)
    expect(hasLiteralText('%(name)s')).toBe(false)
    expect(hasLiteralText('x=%d')).toBe(true)
    expect(hasLiteralText('{user} logged in')).toBe(true)
  })

  it('give a non-literal message template null and matchable false', () => {
    expect(finish({ text: '{}', literal: false })).toMatchObject({ template: null, matchable: false })
    expect(finish({ text: '%s', literal: true })).toMatchObject({ template: '%s', matchable: false })
  })

  it('count printf conversions, not %%', () => {
    expect(printfCount('%d%% of %s at %.2f')).toBe(3)
  })
})
