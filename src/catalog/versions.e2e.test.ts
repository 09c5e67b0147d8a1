import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { runDice } from '../cli/testutil.js'
import { openStore } from '../store/registry.js'
import type { Store } from '../store/store.js'
import { freshSchema, TEST_PG_URL } from '../store/testutil/stores.js'
import { tempDir } from '../testutil/tmp.js'
import { twoTags } from './testutil/two-tags.js'
import { defaultConfig } from '../config/load.js'
import { loadPageData, renderPage } from '../server/web/page.js'

const REGEX = 'regex:^(?<time>\\S+) (?<host>\\S+) (?<level>[A-Z]+) (?<message>.*)$'
/** The lines are logged a minute after the deploys; the digest is built ten minutes after them. */
const LOGGED = '2026-03-10T14:01:00Z'
const LATER = '2026-03-10T14:10:00Z'
const AT = '2026-03-10T14:00:00Z'

const KINDS = [
  { name: 'SQLite', db: (dir: string) => ['--db', join(dir, 'dice.db')], open: (dir: string) => openStore({ dbFile: join(dir, 'dice.db') }) },
  { name: 'PostgreSQL', db: () => ['--database-url', `${TEST_PG_URL}?schema=${SCHEMA}`], open: () => openStore({ databaseUrl: `${TEST_PG_URL}?schema=${SCHEMA}` }) },
]
let SCHEMA = freshSchema()

describe.each(KINDS)('deployed versions, end to end ($name)', (kind) => {
  let store: Store | null = null
  afterEach(async () => {
    await store?.close()
    store = null
    SCHEMA = freshSchema()
  })

  it('matches each line against the revision its host runs: an old host lands on the old message and on a statement removed on main, a new host on main', async () => {
    const repo = twoTags()
    const dir = tempDir('versions')
    const dice = async (args: string[], at = AT) => {
      const r = await runDice([...kind.db(dir), ...args], { cwd: dir, env: { DICE_NOW: at } })
      if (r.code !== 0) throw new Error(`dice ${args.join(' ')} exited ${r.code}: ${r.stderr}`)
      return r
    }
    const indexed = JSON.parse((await dice(['index', repo.dir, '--rev', 'v1', '--rev', 'v2', '--json', '--quiet'])).stdout)
    expect(indexed.revisions.map((r: any) => [r.rev, r.statements])).toEqual([['v1', 5], ['v2', 4]])
    // The old hosts still run v1; the new ones v2 (which is what main is).
    expect(JSON.parse((await dice(['deploy', 'v1', '--host', 'old-*', '--json'])).stdout)).toMatchObject({ rev: 'v1', hostPattern: 'old-*', at: expect.stringMatching(/^2026-03-10T14:00:/) })
    await dice(['deploy', 'v2', '--host', 'new-*'])
    writeFileSync(join(dir, 'app.log'), [
      'old-1 WARN cache entry k1 evicted',
      'new-1 WARN cache entry k2 evicted twice',
      'old-2 ERROR disk sda failing',
      'old-1 WARN peer p1 lost',
      'new-1 ERROR peer p2 lost',
      'new-2 ERROR link eth0 down',
      'old-2 ERROR link eth1 down',
    ].map((l) => `${LOGGED} ${l}`).join('\n') + '\n')
    const r = JSON.parse((await dice(['replay', 'app.log', '--no-deliver', '--format', REGEX, '--json'])).stdout.trim().split('\n').at(-1)!)
    expect(r).toMatchObject({ lines: 7, matched: 7, counted: 7 })
    store = await kind.open(dir)
    const s = store
    const main = Object.fromEntries((await s.listStatements()).map((x) => [x.template, x.id]))
    const { statements, members } = await s.revisionCatalog(['v1'])
    const v1 = Object.fromEntries(statements.filter((x) => members.get('v1')!.includes(x.id)).map((x) => [x.template, x.id]))
    const hostsOf = async (id: string | undefined) => (await s.listOccurrences({ statementId: id })).map((o) => o.host).sort()
    expect(await hostsOf(v1['cache entry %s evicted'])).toEqual(['old-1'])
    expect(await hostsOf(main['cache entry %s evicted twice'])).toEqual(['new-1'])
    // Removed on main, still logged by a host that runs v1: it lands on v1's statement.
    expect(main['disk %s failing']).toBeUndefined()
    expect(await hostsOf(v1['disk %s failing'])).toEqual(['old-2'])
    // The same message at another level in each revision: each host's own revision wins the tie.
    expect(v1['peer %s lost']).not.toBe(main['peer %s lost'])
    expect(await hostsOf(v1['peer %s lost'])).toEqual(['old-1'])
    expect(await hostsOf(main['peer %s lost'])).toEqual(['new-1'])
    // Unchanged: one statement for both.
    expect(v1['link %s down']).toBe(main['link %s down'])
    expect(await hostsOf(main['link %s down'])).toEqual(['new-2', 'old-2'])

    // Digests say which revision the occurrences came from; the statement removed on main is in them.
    const digests = JSON.parse((await dice(['digest', '--preview', '--json'], LATER)).stdout) as Array<{ items: Array<{ template: string; revisions?: string[]; hosts: string[] }>; text: string }>
    const items = Object.fromEntries(digests.flatMap((d) => d.items).map((i) => [i.template, i]))
    expect(items['disk %s failing']).toMatchObject({ hosts: ['old-2'], revisions: ['v1'] })
    expect(items['link %s down']).toMatchObject({ revisions: ['v1', 'v2'] })
    expect(items['cache entry %s evicted twice']).toMatchObject({ revisions: ['v2'] })
    expect(digests.map((d) => d.text).join('\n')).toContain('hosts: new-2, old-2 · on v1, v2')
    // So does the web page, which lists the statement only an old revision has.
    const html = renderPage(await loadPageData(s, Date.parse(LATER), '', defaultConfig()), defaultConfig())
    const row = (template: string) => html.split('<tr class="stmt"').find((r) => r.includes(`<code>${template}</code>`)) ?? ''
    expect(row('disk %s failing')).toContain('only in deployed revisions')
    expect(row('disk %s failing')).toContain('on v1</div>')
    expect(row('link %s down')).toContain('on v1, v2</div>')
    expect(row('queue %s is full')).not.toContain('only in deployed revisions')
  })
})
