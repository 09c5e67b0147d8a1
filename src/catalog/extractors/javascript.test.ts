import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { find, statements, summary } from '../testutil/extract.js'

const fixture = (name: string) => readFileSync(new URL(`../../../testdata/catalog/${name}`, import.meta.url), 'utf8')

describe('JavaScript / TypeScript extraction', () => {
  it('finds console, pino and winston calls in a realistic TypeScript file and nothing else', async () => {
    const list = await statements('src/checkout.ts', fixture('checkout.ts'))
    expect(summary(list)).toEqual([
      '8 warn console.warn "checkout slow for order ${order.id}" #checkout-alerts @dana',
      '9 error logger.error "payment declined: %s"',
      '10 info logger.info "cart loaded"',
      '11 warn log.warn "inventory low for sku {} in {}"',
      '12 error log.log "fallback warehouse used"',
      '13 debug this.logger?.debug "cache miss"',
      '14 error console.error <null> !m',
      '15 info console.log "retrying {} of {}"',
      '16-19 error console.error "multi-line call for %s" @sam',
      '21 fatal logger.fatal "card vault unreachable" #payments',
      '25 warn logger.warn "format %s wrapped"',
      '27 info logger.info "escapes \\"q\\"\\ttab é"',
      '28 warn logger.warn "url with #anchor http://x.io/#frag"',
    ])
  })

  it('keeps ${expr} of template literals as written', async () => {
    const [s] = await statements('a.js', 'logger.warn(`user ${user.id} over quota ${used / limit}%`)')
    expect(s.template).toBe('user ${user.id} over quota ${used / limit}%')
  })

  it('takes the message after a leading object argument (pino)', async () => {
    const [a, b] = await statements('a.js', 'logger.error({ err }, "db down")\nlogger.warn(err, `retry ${n}`)')
    expect(a.template).toBe('db down')
    expect(b.template).toBe('retry ${n}')
  })

  it('appends console arguments the format string does not consume', async () => {
    const list = await statements('a.js', 'console.log("a %s b", x, y)\nconsole.info("done:", n)\nconsole.debug("%d%%", p)')
    expect(list.map((s) => s.template)).toEqual(['a %s b {}', 'done: {}', '%d%%'])
    expect(list[2].matchable).toBe(false)
  })

  it('does not take a # inside a string for an annotation', async () => {
    const [s] = await statements('a.js', 'log.warn("ticket #4711 for @ops") // plain prose')
    expect(s.channels).toEqual([])
    expect(s.mentions).toEqual([])
  })

  it('parses TSX with the TSX grammar', async () => {
    const src = 'export const A = () => {\n  console.error("render failed") // #ui\n  return <div className="a">{x}</div>\n}\n'
    const r = await import('../extract-file.js').then((m) => m.extractFile('a.tsx', src))
    expect(r.syntaxErrors).toBe(false)
    expect(find(r.statements, 'render failed').channels).toEqual(['ui'])
  })

  it('reads winston levels passed as the first argument', async () => {
    const list = await statements('a.mjs', "logger.log('warn', 'disk %d%% full', pct)\nlogger.log({ level: 'info', message: 'obj' })")
    expect(list[0]).toMatchObject({ level: 'warn', template: 'disk %d%% full' })
  })

  it('takes the msg/message and level properties of a lone object argument', async () => {
    const src = "logger.info({ msg: 'user signed in', user })\nlog.log({ level: 'warn', 'message': `disk ${d} full` })\nlogger.error({ err })"
    expect(summary(await statements('a.js', src))).toEqual([
      '1 info logger.info "user signed in"',
      '2 warn log.log "disk ${d} full"',
      '3 error logger.error <null> !m',
    ])
  })
})
