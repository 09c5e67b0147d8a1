import { afterEach, beforeEach } from 'vitest'
import type { Store } from '../../store/store.js'
import type { Delivery } from '../delivery.js'
import { startSlackStandin, type SlackStandin } from './slack-standin.js'

/**
 * A fresh Slack stand-in for each test (Pig, in UTC, is its one user), and the deliveries and stores the test
 * opens: push them into `deliveries` and `stores`, and they are stopped and closed after it.
 */
export function slackBed(): { readonly slack: SlackStandin; deliveries: Delivery[]; stores: Store[] } {
  let slack: SlackStandin | null = null
  const bed = {
    get slack(): SlackStandin {
      return slack!
    },
    deliveries: [] as Delivery[],
    stores: [] as Store[],
  }
  beforeEach(async () => {
    slack = await startSlackStandin({ users: [{ id: 'UPIG00001', email: 'pig@pen.mssn', tz: 'UTC' }] })
  })
  afterEach(async () => {
    for (const d of bed.deliveries.splice(0)) d.stop()
    await slack!.close()
    for (const s of bed.stores.splice(0)) await s.close()
  })
  return bed
}
