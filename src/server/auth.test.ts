import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { defaultConfig } from '../config/load.js'
import { Actions } from '../route/actions.js'
import type { Store } from '../store/store.js'
import { tempSqliteStore } from '../store/testutil/stores.js'
import { runDice } from '../cli/testutil.js'
import { startDiceRun, type DiceRun } from '../cli/commands/testutil/dice-run.js'
import { tempDir } from '../testutil/tmp.js'
import { startServer, type RunningServer } from './http.js'
import { isLoopback } from './auth.js'

const local = (url: string) => url.replace('://0.0.0.0:', '://127.0.0.1:').replace('://[::]:', '://127.0.0.1:')

describe('who can read the web page and /api', () => {
  let run: DiceRun | null = null
  let server: RunningServer | null = null
  let store: Store | null = null
  afterEach(async () => {
    run?.child.kill('SIGKILL')
    await run?.exited
    await server?.close()
    await store?.close()
    run = server = store = null
  })

  it('refuses to start dice run on 0.0.0.0 when no way to authenticate was chosen, naming --host and the choices (exit 2)', async () => {
    const dir = tempDir('auth')
    const r = await runDice(['--db', join(dir, 'dice.db'), 'run', '--host', '0.0.0.0', '--port', '0'], { cwd: dir, env: { DICE_WEB_TOKEN: '' } })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/--host 0\.0\.0\.0 \(server\.host\): the web page and \/api show production log lines to anyone/)
    for (const way of ['DICE_WEB_TOKEN', 'server.auth.proxyHeader', 'server.auth.allowAnonymous: true']) expect(r.stderr).toContain(way)
    // `dice config check` says the same about a dice.yml that binds to every address.
    writeFileSync(join(dir, 'dice.yml'), 'server: { host: 0.0.0.0 }\n')
    const check = await runDice(['config', 'check'], { cwd: dir, env: { DICE_WEB_TOKEN: '' } })
    expect(check.code).toBe(2)
    expect(check.stderr).toContain(`server.host in ${join(dir, 'dice.yml')}`)
  })

  it('on 0.0.0.0 with DICE_WEB_TOKEN: page and API need the token (Bearer, or ?token= once, then a cookie); health, metrics and ingest do not', async () => {
    const dir = tempDir('auth')
    run = await startDiceRun(['--db', join(dir, 'dice.db'), 'run', '--host', '0.0.0.0', '--port', '0'], { cwd: dir, env: { DICE_WEB_TOKEN: 's3cret-token' } })
    const url = local(run.url)
    const page = await fetch(`${url}/`)
    expect(page.status).toBe(401)
    expect(page.headers.get('www-authenticate')).toBe('Bearer realm="dice"')
    expect(await page.text()).toContain('?token=')
    expect((await fetch(`${url}/api/statements`)).status).toBe(401)
    expect((await fetch(`${url}/api/statements`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401)
    expect((await fetch(`${url}/api/statements`, { headers: { authorization: 'Bearer s3cret-token' } })).status).toBe(200)
    // A browser opens the link with the token once: a cookie replaces it and the address bar loses it.
    const first = await fetch(`${url}/?q=tunnel&token=s3cret-token`, { redirect: 'manual' })
    expect(first.status).toBe(303)
    expect(first.headers.get('location')).toBe('/?q=tunnel')
    const cookie = first.headers.get('set-cookie')!
    expect(cookie).toMatch(/^dice_token=s3cret-token; HttpOnly; SameSite=Strict; Path=\//)
    expect((await fetch(`${url}/?q=tunnel`, { headers: { cookie: cookie.split(';')[0]! } })).status).toBe(200)
    expect((await fetch(`${url}/healthz`)).status).toBe(200)
    expect((await fetch(`${url}/metrics`)).status).toBe(200)
    expect((await fetch(`${url}/ingest`, { method: 'POST', body: 'ERROR x\n' })).status).toBe(200)
  })

  it('behind a proxy: the signed-in user comes from the configured header and must be allowed', async () => {
    store = (await tempSqliteStore()).store
    const config = defaultConfig()
    config.server.auth.proxyHeader = 'X-Forwarded-Email'
    config.server.auth.allowedUsers = ['*@pen.mssn', 'auditor@example.com']
    server = await startServer({ store, config, clock: Date.now, actions: new Actions({ store, config, clock: Date.now }), host: '0.0.0.0', port: 0, env: {}, log: () => {} })
    const url = local(server.url)
    const as = (who?: string) => fetch(`${url}/api/statements`, { headers: who ? { 'x-forwarded-email': who } : {} })
    expect((await as()).status).toBe(401)
    expect((await as('ana@pen.mssn')).status).toBe(200)
    expect((await as('Auditor@Example.com')).status).toBe(200)
    const eve = await as('eve@evil.example')
    expect(eve.status).toBe(403)
    expect(await eve.text()).toContain('eve@evil.example may not read this page')
    // A domain rule is a suffix after "@", not a substring: "pen.mssn.evil" is not pen.mssn.
    expect((await as('x@pen.mssn.evil')).status).toBe(403)
  })

  it('serves anyone on 0.0.0.0 only with an explicit server.auth.allowAnonymous, and anyone on loopback', async () => {
    store = (await tempSqliteStore()).store
    const config = defaultConfig()
    const actions = new Actions({ store, config, clock: Date.now })
    await expect(startServer({ store, config, clock: Date.now, actions, host: '0.0.0.0', port: 0, env: {}, log: () => {} })).rejects.toThrow(/server\.auth\.allowAnonymous/)
    config.server.auth.allowAnonymous = true
    server = await startServer({ store, config, clock: Date.now, actions, host: '0.0.0.0', port: 0, env: {}, log: () => {} })
    expect((await fetch(`${local(server.url)}/api/statements`)).status).toBe(200)
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1']) expect(isLoopback(h), h).toBe(true)
    for (const h of ['0.0.0.0', '::', '10.0.0.5', 'dice.internal', '128.0.0.1']) expect(isLoopback(h), h).toBe(false)
  })
})
