import { afterEach, describe, expect, it } from 'vitest'
import { config as makeConfig, statement } from '../../deliver/testutil/fixtures.js'
import { startSlackStandin, type SlackStandin } from '../../deliver/testutil/slack-standin.js'
import { Actions } from '../../route/actions.js'
import { Router } from '../../route/router.js'
import { openStore } from '../../store/registry.js'
import type { Store } from '../../store/store.js'
import { tempPostgresStore, tempSqliteStore } from '../../store/testutil/stores.js'
import { startServer, type RunningServer } from '../http.js'
import { blockAction, signed } from '../testutil/slack-requests.js'

const SECRET = 'shh-signing-secret'

/** Two stores on one database, as two `dice run` instances have. */
const SHARED = [
  { name: 'sqlite', open: async () => { const a = await tempSqliteStore(); return [a.store, await openStore({ dbFile: a.file })] } },
  { name: 'postgres', open: async () => { const a = await tempPostgresStore(); return [a.store, await openStore({ databaseUrl: a.url })] } },
] as const

for (const kind of SHARED) {
  describe(`a Slack request replayed to another instance (${kind.name})`, () => {
    let stores: Store[] = []
    let servers: RunningServer[] = []
    let slack: SlackStandin
    afterEach(async () => {
      for (const s of servers) await s.close()
      await slack.close()
      for (const s of stores) await s.close()
      servers = []
    })

    it('is refused there with 401 and changes nothing, though that instance never saw it', async () => {
      stores = await kind.open()
      const config = makeConfig()
      const tun = statement({ id: 'tun', file: 'src/net/ipsec.c', template: 'tunnel %s down', level: 'error', callee: 'ERROR_LOG' })
      await stores[0]!.replaceFiles([{ file: 'src/net/ipsec.c', hash: 'h' }], [tun], [])
      slack = await startSlackStandin({ users: [{ id: 'UADMIN001' }] })
      config.slack.admins = ['UADMIN001']
      const env = { SLACK_BOT_TOKEN: 'xoxb-test', DICE_SLACK_API_URL: slack.url, SLACK_SIGNING_SECRET: SECRET }
      for (const store of stores) {
        const clock = () => Date.now()
        const router = new Router({ store, config, clock })
        await router.refresh()
        const actions = new Actions({ store, config, clock, router })
        servers.push(await startServer({ store, config, clock, actions, host: '127.0.0.1', port: 0, env, socketMode: false, log: () => {} }))
      }
      // One captured request: a mute for everyone, clicked by an admin.
      const payload = blockAction({ user: 'UADMIN001', actionId: 'dice_mute', value: { statementId: 'tun' }, channel: { id: 'D0ADMIN' } })
      const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString()
      const req = signed(SECRET, body)
      const send = (s: RunningServer) => fetch(`${s.url}/slack/actions`, { method: 'POST', headers: { ...req.headers, 'content-type': 'application/x-www-form-urlencoded' }, body })
      expect((await send(servers[0]!)).status).toBe(200)
      for (let i = 0; i < 100 && (await stores[0]!.listMutes()).length === 0; i++) await new Promise((r) => setTimeout(r, 20))
      expect(await stores[0]!.listMutes()).toHaveLength(1)
      // The mute is stored before its audit row: let the first instance finish, or that row lands after the count.
      await servers[0]!.settled()
      const auditBefore = (await stores[1]!.listAudit(100)).length
      // The same bytes to the other instance.
      expect((await send(servers[1]!)).status).toBe(401)
      await new Promise((r) => setTimeout(r, 200))
      expect((await stores[1]!.listAudit(100)).length).toBe(auditBefore)
    })
  })
}
