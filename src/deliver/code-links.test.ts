import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { defaultConfig } from '../config/load.js'
import type { Config } from '../config/schema.js'
import type { Statement } from '../core/types.js'
import type { Store } from '../store/store.js'
import { tempSqliteStore } from '../store/testutil/stores.js'
import { indexRepository } from '../catalog/indexer.js'
import { ALICE, BOB, TempRepo } from '../catalog/testutil/repo.js'
import { buildDigests } from './digest/build.js'
import { realtimeMessage } from './realtime/message.js'
import { where } from '../alerts/messages.js'
import { homeView } from '../server/slack/views.js'
import { loadPageData, renderPage } from '../server/web/page.js'
import { Actions } from '../route/actions.js'

const NOW = Date.parse('2026-11-23T10:00:00Z')
const CODE = 'void f(int p) {\n  syslog(LOG_ERR, "tunnel phase %d failed", p);\n}\n'
const MORE = '/* five lines\n * added\n * above\n * the call\n */\n'

let store: Store
let repo: TempRepo
let config: Config
let blameCommit: string
let indexed: string
let s: Statement
let link: string

beforeEach(async () => {
  store = (await tempSqliteStore()).store
  repo = TempRepo.create()
  repo.write('src/net/ipsec.c', CODE)
  blameCommit = repo.commit(ALICE, 'the call')
  // Bob moves the call five lines down: its blame stays Alice's commit, where it is on line 2.
  repo.write('src/net/ipsec.c', MORE + CODE)
  indexed = repo.commit(BOB, 'a comment above')
  config = defaultConfig()
  config.repo.url = 'https://github.com/pen/farm'
  await indexRepository({ dir: repo.dir, store, config })
  s = (await store.listStatements())[0]!
  link = `https://github.com/pen/farm/blob/${indexed}/src/net/ipsec.c#L7`
})
afterEach(async () => store.close())

describe('code links point at the indexed commit, not the blame commit with the line of today', () => {
  it('the statement: blamed on the older commit, line 7 at the indexed one', () => {
    expect(s).toMatchObject({ line: 7, blame: { commit: blameCommit }, commit: indexed })
  })

  it('in digests, channel messages, alerts, hand-over notices, App Home and the web page', async () => {
    const bucket = Math.floor((NOW - 3_600_000) / 300_000) * 300_000
    await store.applyCounts({
      occurrences: [{ statementId: s.id, host: 'h', bucket, count: 2, firstSeen: bucket, lastSeen: bucket, level: 'error', samples: ['tunnel phase 2 failed'] }],
      unowned: [], checkpoints: [],
    })
    const [d] = await buildDigests({ store, config, clock: () => NOW, preview: true })
    expect(d!.items[0]!.link).toBe(link)
    expect(JSON.stringify(d!.blocks)).toContain(link)
    const state = { statementId: s.id, channel: 'ipsec', channelId: null, count: 2, hosts: ['h'], hostsMore: 0, firstSeen: NOW, lastSeen: NOW, sample: 'x', level: 'error' as const }
    expect(JSON.stringify(realtimeMessage(state, s, config).blocks)).toContain(link)
    expect(where(s, config)).toContain(link)
    expect(new Actions({ store, config, clock: () => NOW }).codeLink(s)).toBe(link)
    const home = homeView({ user: 'U1', now: NOW, statements: new Map([[s.id, s]]), snoozes: [], mutes: [{ statementId: s.id, scope: 'user', scopeId: 'U1', by: 'U1', createdAt: NOW }], overrides: [], link: (x) => new Actions({ store, config, clock: () => NOW }).codeLink(x) })
    expect(JSON.stringify(home)).toContain(link)
    const page = renderPage(await loadPageData(store, NOW, '', config), config)
    expect(page).toContain(link)
    expect(page).not.toContain(`blob/${blameCommit}`)
  })
})
