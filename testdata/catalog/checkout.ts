import pino from 'pino'
import winston from 'winston'

const logger = pino()
const log = winston.createLogger({ level: 'info' })

export async function checkout(order: Order, user: User): Promise<void> {
  console.warn(`checkout slow for order ${order.id}`) // #checkout-alerts @dana
  logger.error({ err, orderId: order.id }, 'payment declined: %s', reason)
  logger.info('cart loaded')
  log.warn('inventory low for sku ' + sku + ' in ' + region)
  log.log('error', 'fallback warehouse used')
  this.logger?.debug('cache miss')
  console.error(err)
  console.log('retrying', attempt, 'of', max)
  console.error(
    'multi-line call for %s',
    user.email,
  ) // @sam
  // #payments
  logger.fatal(`card vault unreachable`)
  items.error('not a logger')
  dialog.warn('not a logger either')
  const msg = util.format('queued %d jobs', n)
  logger.warn(util.format('format %s wrapped', x) as string)
  console.table(rows)
  logger.info("escapes \"q\"\ttab \u00e9")
  logger.warn('url with #anchor http://x.io/#frag') // see docs
}
