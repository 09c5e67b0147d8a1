import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { defaultConfig } from '../../config/load.js'
import type { Config } from '../../config/schema.js'
import type { Statement } from '../../core/types.js'
import { createNotifier } from '../../deliver/registry.js'
import { startSlackStandin, type SlackStandin } from '../../deliver/testutil/slack-standin.js'
import { Actions } from '../../route/actions.js'
import { Router } from '../../route/router.js'
import type { Store } from '../../store/store.js'
import { tempSqliteStore } from '../../store/testutil/stores.js'
import { startServer, type RunningServer } from '../http.js'
import { blockAction, postAction } from '../testutil/slack-requests.js'
import { loadPageData, renderPage } from './page.js'

const SECRET = 'shh-signing-secret'
const S1: Statement = {
  id: 's1', file: 'src/net/ipsec.c', line: 120, endLine: 120, language: 'c', level: 'error', template: 'tunnel %s: phase %d failed',
  matchable: true, channels: [], mentions: [], blame: { email: 'pig@pen.mssn', name: 'Pig', commit: 'a'.repeat(40), time: '2026-01-01T00:00:00Z' },
  callee: 'ERROR_LOG',
}

/** The rows of the page's overrides table, tags stripped, one string per row. */
const overrideRows = (page: string) => {
  const section = /<section id="overrides">([\s\S]*?)<\/section>/.exec(page)![1]!
  return [...section.matchAll(/<tr><td>([\s\S]*?)<\/tr>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim())
}

describe('names of people Dice knows only by a Slack user id', () => {
  let store: Store
  let config: Config
  let slack: SlackStandin
  let server: RunningServer
  let logs: string[]

  beforeEach(async () => {
    store = (await tempSqliteStore()).store
    config = defaultConfig()
    config.people = { 'pig@pen.mssn': { slack: 'UPIG00001', aliases: [] } }
    await store.replaceFiles([{ file: 'src/net/ipsec.c', hash: 'h' }], [S1], [])
    slack = await startSlackStandin({ users: [{ id: 'UPIG00001', email: 'pig@pen.mssn', real_name: 'Pig' }, { id: 'U0RILEY01', email: 'riley@pen.mssn', real_name: 'Riley Jones' }] })
    const env = { SLACK_BOT_TOKEN: 'xoxb-test', DICE_SLACK_API_URL: slack.url, SLACK_SIGNING_SECRET: SECRET }
    const clock = () => Date.now()
    const router = new Router({ store, config, clock })
    await router.refresh()
    const actions = new Actions({ store, config, clock, router, notifier: createNotifier({ config, env }) })
    logs = []
    server = await startServer({ store, config, clock, actions, host: '127.0.0.1', port: 0, env, log: (l) => logs.push(l) })
  })
  afterEach(async () => {
    await server.close()
    await slack.close()
    await store.close()
  })

  it('shows the Slack name of a hand-over target picked in Slack who is not in people, on the web page', async () => {
    await postAction(server.url, SECRET, blockAction({ user: 'UPIG00001', actionId: 'dice_reassign', value: { statementId: 's1' }, channel: { id: 'D0PIG01' } }))
    await server.settled()
    const view = slack.ok('views.open')[0]!.body.view
    await postAction(server.url, SECRET, {
      type: 'view_submission', user: { id: 'UPIG00001' }, trigger_id: 't2',
      view: { ...view, id: 'V9', state: { values: { dice_to: { dice_to_user: { type: 'users_select', selected_user: 'U0RILEY01' } }, dice_reason: { dice_reason_text: { type: 'plain_text_input', value: 'Riley wrote it' } } } } },
    })
    await server.settled()
    expect(logs).toEqual([])
    // Stored as the id: the router and `dice reassign --undo` work with it.
    expect(await store.listOverrides()).toMatchObject([{ statementId: 's1', to: 'U0RILEY01', by: 'UPIG00001' }])
    const page = await (await fetch(server.url + '/')).text()
    expect(overrideRows(page)).toEqual([expect.stringMatching(/^tunnel %s: phase %d failed src\/net\/ipsec\.c:120 Riley Jones pig@pen\.mssn Riley wrote it /)])
    expect(page).toContain('<span title="U0RILEY01">Riley Jones</span>')
    // The catalog's owner column names them too, and the search finds them by name.
    expect(page).toMatch(/<td class="owner"><span title="U0RILEY01">Riley Jones<\/span> <span class="muted small">override<\/span><\/td>/)
    const found = await (await fetch(server.url + '/?q=riley%20jones')).text()
    expect(found).toContain('data-id="s1"')
  })

  it('prefers the configured name for a Slack id people names, and shows an unknown id as it is', async () => {
    const now = Date.now()
    await store.setOverride({ statementId: 's1', to: 'U0NOBODY1', by: 'U0KIM0001', reason: null, createdAt: now })
    await store.putUser({ key: 'U0KIM0001', slackId: 'U0KIM0001', name: 'Kim from the cache', email: null, tz: null, fetchedAt: now })
    const cfg = defaultConfig()
    let rows = overrideRows(renderPage(await loadPageData(store, now, '', cfg), cfg))
    expect(rows[0]).toMatch(/ U0NOBODY1 Kim from the cache /)
    cfg.people = { kim: { slack: 'U0KIM0001', name: 'Kim Park', aliases: [] } }
    rows = overrideRows(renderPage(await loadPageData(store, now, '', cfg), cfg))
    expect(rows[0]).toMatch(/ U0NOBODY1 Kim Park /)
  })
})
