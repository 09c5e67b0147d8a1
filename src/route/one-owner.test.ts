import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../config/load.js'
import { ALICE, BOB, TempRepo } from '../catalog/testutil/repo.js'
import { runDice } from '../cli/testutil.js'
import { buildDigests } from '../deliver/digest/build.js'
import { loadPageData, renderPage } from '../server/web/page.js'
import { openStore } from '../store/registry.js'
import { tempDir } from '../testutil/tmp.js'
import { Actions } from './actions.js'

/**
 * The bug this guards against: routing applied `route.rules` while `dice catalog`, the web page and the Slack
 * permission check did not, so a rule-assigned owner got the digest but was not shown as owner and could not
 * mute for everyone. Every consumer now asks the one `ownerOf`.
 */
describe('one owner everywhere', () => {
  it('shows the rule and CODEOWNERS owner in dice catalog, on the web page, in digests and in Slack permissions', async () => {
    const repo = TempRepo.create()
    repo.write('src/net/ipsec.c', 'void f(void) {\n  syslog(LOG_ERR, "tunnel %s: phase %d failed", t, p);\n}\n')
    repo.write('src/web/app.js', 'function g(u) {\n  console.error("slow request %s", u)\n}\n')
    repo.write('.github/CODEOWNERS', '*  @org/web\nsrc/web/  @riley\n')
    repo.commit(ALICE)
    repo.write('lib/x.py', 'log.error("disk %s full", d)\n')
    repo.commit(BOB)
    const dir = tempDir('owner')
    const db = join(dir, 'dice.db')
    const cfgFile = join(dir, 'dice.yml')
    writeFileSync(cfgFile, [
      'people:',
      '  netops: { slack: U0NETOPS01, tz: UTC }',
      'route:',
      '  rules:',
      "    - { path: 'src/net/**', person: netops }",
      '  teams:',
      "    '@org/web': { channel: '#web-team' }",
    ].join('\n') + '\n')
    expect((await runDice(['--db', db, '--config', cfgFile, 'index', repo.dir, '--quiet'])).code).toBe(0)

    const cat = JSON.parse((await runDice(['--db', db, '--config', cfgFile, 'catalog', '--json'])).stdout) as Array<Record<string, any>>
    const byFile = Object.fromEntries(cat.map((e) => [e.file, e]))
    expect(byFile['src/net/ipsec.c'].owner).toEqual({ kind: 'override', who: 'netops', via: 'rule' })
    expect(byFile['src/web/app.js'].owner).toEqual({ kind: 'override', who: 'riley', via: 'codeowners' })
    expect(byFile['lib/x.py'].owner).toEqual({ kind: 'override', who: '#web-team', via: 'codeowners' })

    const { config } = loadConfig(cfgFile)
    const store = await openStore({ dbFile: db })
    try {
      const now = Date.parse('2026-03-02T10:00:00Z')
      const html = renderPage(await loadPageData(store, now, '', config), config)
      const ownerCell = (file: string) => new RegExp(`${file.replace(/\./g, '\\.')}:\\d+</td>\\s*<td class="owner">([^<]*)`).exec(html)?.[1]?.trim()
      expect(ownerCell('src/net/ipsec.c')).toBe('netops')
      expect(ownerCell('src/web/app.js')).toBe('riley')

      // The rule's person may mute for everyone from Slack; someone else may not.
      const actions = new Actions({ store, config, clock: () => now })
      const ipsec = (await store.listStatements()).find((s) => s.file === 'src/net/ipsec.c')!
      expect(await actions.allowedForEveryone(ipsec, { id: 'U0NETOPS01' })).toBe(true)
      expect(await actions.allowedForEveryone(ipsec, { id: 'U0STRANGE1' })).toBe(false)

      // And the digest goes where the catalog says: netops, riley, and the team channel.
      const occ = (id: string) => ({ statementId: id, host: 'h', bucket: now - 3_600_000, count: 2, firstSeen: now - 3_600_000, lastSeen: now - 3_500_000, level: 'error' as const, samples: ['x'] })
      await store.applyCounts({ occurrences: cat.map((e) => occ(e.id)), unowned: [], checkpoints: [] })
      const built = await buildDigests({ store, config, clock: () => now, preview: true })
      expect(built.map((d) => d.target).sort()).toEqual(['#web-team', 'netops', 'riley'])
    } finally {
      await store.close()
    }
  })
})
