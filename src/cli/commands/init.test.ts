import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { ALICE, BOB, TempRepo } from '../../catalog/testutil/repo.js'
import { FEATURES, slackManifest } from '../../init/manifest.js'
import { ROOT, runDice } from '../testutil.js'
import { tempDir } from '../../testutil/tmp.js'

/** A small service: C with syslog and a home-grown tr_warn(fmt, …), Python with logging, one formatting helper. */
function service(): TempRepo {
  const repo = TempRepo.create()
  const tr = Array.from({ length: 4 }, (_, i) => `  tr_warn("peer %s: retry ${i} after %d ms", peer, ms);`).join('\n')
  repo.write('src/net/peer.c', `#include <syslog.h>\nvoid f(const char *peer, int ms) {\n  syslog(LOG_ERR, "peer %s unreachable", peer);\n${tr}\n  char b[64];\n  snprintf(b, sizeof b, "%s:%d", peer, ms);\n  snprintf(b, sizeof b, "%s:%d", peer, ms);\n  snprintf(b, sizeof b, "%s:%d", peer, ms);\n  rare_log("only %d", 1);\n}\n`)
  repo.write('tools/sync.py', 'import logging\nlog = logging.getLogger(__name__)\ndef sync(n):\n    log.warning("sync slow: %d items", n)\n    log.error("sync failed")\n')
  repo.commit(ALICE, 'peer')
  repo.write('tools/more.py', 'import logging\nlogging.info("more %s", 1)\n')
  repo.commit(BOB, 'more')
  repo.git('remote', 'add', 'origin', 'git@github.com:acme/widget.git')
  return repo
}

describe('dice init', () => {
  it('writes a commented dice.yml from what it sees (languages, logger calls, repo.url from origin, authors) that config check accepts', async () => {
    const repo = service()
    const r = await runDice(['init', repo.dir])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toContain(`wrote ${repo.dir}/dice.yml`)
    const text = readFileSync(join(repo.dir, 'dice.yml'), 'utf8')
    expect(text).toMatch(/^# +languages: python \(2 files\), c \(1 file\)$/m)
    expect(text).toMatch(/^# +syslog \(c\): 1 call, error$/m)
    expect(text).toMatch(/^# +log\.warning \(python\): 1 call, warn$/m)
    expect(text).toMatch(/^ {2}url: https:\/\/github\.com\/acme\/widget$/m)
    expect(text).toMatch(/^ {2}# alice@example\.com: \{ slack: U0123ABCD, name: "Alice Anders", tz: Europe\/Berlin \} +# 1 commit$/m)
    const check = await runDice(['config', 'check', '--json'], { cwd: repo.dir })
    expect(check.code, check.stderr).toBe(0)
    expect(JSON.parse(check.stdout).config.repo.url).toBe('https://github.com/acme/widget')
  })

  it('suggests functions called often with a format string as commented catalog.loggers rules; uncommented, dice index catalogs their calls', async () => {
    const repo = service()
    expect((await runDice(['init', repo.dir])).code).toBe(0)
    const text = readFileSync(join(repo.dir, 'dice.yml'), 'utf8')
    const rule = /^ {2}# {5}- (\{ call: "tr_warn", level: warn \}) +# 4 calls, e\.g\. src\/net\/peer\.c:4$/m.exec(text)
    expect(rule, text).not.toBeNull()
    // Formatting calls and functions called twice are not loggers.
    expect(text).not.toMatch(/snprintf|rare_log/)
    const db = join(tempDir('init'), 'dice.db')
    await runDice(['--db', db, 'index', '--quiet'], { cwd: repo.dir })
    const before = JSON.parse((await runDice(['--db', db, 'catalog', '--json'], { cwd: repo.dir })).stdout)
    expect(before.filter((s: any) => s.template?.startsWith('peer %s: retry'))).toEqual([])
    writeFileSync(join(repo.dir, 'dice.yml'), text.replace('  # loggers:\n  #   c:\n', '  loggers:\n    c:\n').replace(`  #     - ${rule![1]}`, `      - ${rule![1]}`))
    expect((await runDice(['config', 'check'], { cwd: repo.dir })).code).toBe(0)
    await runDice(['--db', db, 'index', '--quiet'], { cwd: repo.dir })
    const after = JSON.parse((await runDice(['--db', db, 'catalog', '--json'], { cwd: repo.dir })).stdout)
    expect(after.filter((s: any) => s.template?.startsWith('peer %s: retry')).map((s: any) => s.level)).toEqual(['warn', 'warn', 'warn', 'warn'])
  })

  it('never replaces an existing dice.yml without --force (exit 2), even a broken one, which --force replaces', async () => {
    const repo = service()
    writeFileSync(join(repo.dir, 'dice.yml'), 'digest: { startHour: [broken\n')
    const r = await runDice(['init'], { cwd: repo.dir })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`init: ${repo.dir}/dice.yml exists; \`dice init --force\` replaces it`)
    expect(readFileSync(join(repo.dir, 'dice.yml'), 'utf8')).toBe('digest: { startHour: [broken\n')
    const f = await runDice(['init', '--force'], { cwd: repo.dir })
    expect(f.code, f.stderr).toBe(0)
    expect((await runDice(['config', 'check'], { cwd: repo.dir })).code).toBe(0)
    const plain = tempDir('init')
    const no = await runDice(['init', plain])
    expect(no.code).toBe(2)
    expect(no.stderr).toContain(`init: ${plain} is not inside a git work tree`)
  })

  it('prints a Slack manifest with only the scopes the chosen features need; Socket Mode has no request URLs', async () => {
    const repo = service()
    const all = parseYaml((await runDice(['init', repo.dir, '--url', 'https://dice.acme.io'])).stdout)
    expect(all.oauth_config.scopes.bot).toEqual(['chat:write', 'chat:write.public', 'im:write', 'users:read', 'users:read.email', 'channels:read', 'groups:read'])
    expect(all.settings.interactivity.request_url).toBe('https://dice.acme.io/slack/actions')
    expect(all.settings.event_subscriptions).toEqual({ request_url: 'https://dice.acme.io/slack/events', bot_events: ['app_home_opened'] })
    const channels = parseYaml((await runDice(['init', repo.dir, '--force', '--features', 'channels'])).stdout)
    expect(channels.oauth_config.scopes.bot).toEqual(['chat:write', 'chat:write.public', 'channels:read', 'groups:read'])
    expect(channels.settings.interactivity).toBeUndefined()
    expect(channels.features.app_home).toBeUndefined()
    const socket = parseYaml((await runDice(['init', repo.dir, '--force', '--features', 'actions,home', '--socket-mode'])).stdout)
    expect(socket.settings).toMatchObject({ socket_mode_enabled: true, interactivity: { is_enabled: true }, event_subscriptions: { bot_events: ['app_home_opened'] } })
    expect(JSON.stringify(socket)).not.toContain('request_url')
    expect(socket.oauth_config.scopes.bot).not.toContain('users:read.email')
    const bad = await runDice(['init', repo.dir, '--force', '--features', 'channels,pager'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--features: unknown feature "pager"; expected some of channels, digests, actions, home')
  })

  it('is what docs/SLACK.md shows for every feature', () => {
    const doc = readFileSync(join(ROOT, 'docs/SLACK.md'), 'utf8')
    const block = /```yaml\n(display_information:[\s\S]*?)```/.exec(doc)![1]
    expect(block).toBe(slackManifest({ features: FEATURES, url: 'https://dice.example.com', socketMode: false }))
  })
})
