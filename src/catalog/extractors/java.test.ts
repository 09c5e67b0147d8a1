import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { statements, summary } from '../testutil/extract.js'

const fixture = (name: string) => readFileSync(new URL(`../../../testdata/catalog/${name}`, import.meta.url), 'utf8')

describe('Java extraction', () => {
  it('finds slf4j, JUL, fluent and Android calls in a realistic class and nothing else', async () => {
    const list = await statements('src/main/java/shop/OrderService.java', fixture('OrderService.java'))
    expect(summary(list)).toEqual([
      '13 warn log.warn "order {} has no items" #orders',
      '14 error LOGGER.error "payment failed for {}: {}"',
      '15 error julLogger.severe "inventory service unreachable"',
      '16 warn julLogger.log "retrying order {0} ({1} left)"',
      '17 info log.info "placed order %s in %d ms"',
      '18-20 debug log.debug "multi line {}" @ana',
      '22 warn log.atWarn().setCause(…).log "fluent warn {}" #orders @ana',
      '23 error Log.e "android error {}"',
      '24 error log.error <null> !m',
      '26 warn julLogger.warning "supplier message {}"',
      '27-30 info LOGGER.info "text block\\n  indented\\n"',
    ])
  })

  it('reads the level argument of logger.log', async () => {
    const src = 'class A { void f() { logger.log(Level.SEVERE, "a"); logger.log(Level.FINE, "b"); logger.log(lvl, "c"); } }'
    expect((await statements('A.java', src)).map((s) => s.level)).toEqual(['error', 'debug', null])
  })

  it('takes the message, not the tag, from Android Log calls', async () => {
    const [s] = await statements('A.java', 'class A { void f() { Log.w("MyTag", "low battery " + pct); } }')
    expect(s).toMatchObject({ level: 'warn', template: 'low battery {}' })
  })

  it('reads JUL fine/finer/config levels', async () => {
    const src = 'class A { void f() { logger.fine("a1"); logger.finer("b1"); logger.config("c1"); logger.finest("d1"); } }'
    expect((await statements('A.java', src)).map((s) => s.level)).toEqual(['debug', 'trace', 'debug', 'trace'])
  })
})
