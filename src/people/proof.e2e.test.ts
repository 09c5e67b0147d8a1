import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runDice } from '../cli/testutil.js'
import { startDiceRun, type DiceRun } from '../cli/commands/testutil/dice-run.js'
import { TempRepo, type Author } from '../catalog/testutil/repo.js'
import { startSlackStandin, type SlackStandin, type StandinUser } from '../deliver/testutil/slack-standin.js'
import { tempDir } from '../testutil/tmp.js'
import type { DoctorReport } from '../doctor/check.js'

// Slack ids as Slack issues them; no `people` map at all.
const ELMORE_ID = 'U0ELM67890'
const RILEY_ID = 'U0RIL12345'
const PIG_ID = 'U0PIG12345'
const RILEY: Author = { name: 'Riley Jones', email: 'riley@pen.mssn' }
// A personal address Slack does not know.
const MO: Author = { name: 'Mo', email: 'mo@home.example' }
// GitHub's dependency bot: it touches a log line riley wrote; riley stays its owner.
const DEPENDABOT: Author = { name: 'dependabot[bot]', email: '49699333+dependabot[bot]@users.noreply.github.com' }

/** A workspace of 260 people (two users.list pages), a leaver and a bot besides the three who matter. */
function users(): StandinUser[] {
  return [
    ...Array.from({ length: 260 }, (_, i) => ({ id: `U0X${String(i).padStart(7, '0')}`, name: `person${i}`, email: `person${i}@pen.mssn` })),
    { id: ELMORE_ID, name: 'elmore', real_name: 'Elmore James', email: 'ej@pen.mssn', tz: 'UTC' },
    { id: RILEY_ID, name: 'riley', real_name: 'Riley Jones', email: RILEY.email, tz: 'UTC' },
    { id: PIG_ID, name: 'pig', real_name: 'Pig Pen', email: 'pig@pen.mssn', tz: 'UTC' },
    { id: 'U0GONE1234', name: 'mo', real_name: 'Mo (left)', email: 'mo@pen.mssn', deleted: true },
    { id: 'U0BOT12345', name: 'dependabot', is_bot: true },
  ]
}

const MONDAY = '2026-11-23'
const AT = `${MONDAY}T10:00:00Z`
const FORMAT = 'regex:^(?<time>\\S+) (?<host>\\S+) (?<level>[A-Z]+) (?<message>.*)$'
const CONFIG = 'route:\n  teams:\n    acme/platform: { person: pig }\n'

describe('proof: from annotations to one digest each, and nothing lost silently (real git, SQLite, the CLI, the Slack stand-in)', () => {
  const dir = tempDir('proof')
  const db = join(dir, 'dice.db')
  let slack: SlackStandin
  let run: DiceRun | null = null
  afterAll(async () => {
    if (run) {
      run.child.kill('SIGTERM')
      await run.exited
    }
    await slack?.close()
  })
  const env = () => ({ SLACK_BOT_TOKEN: 'xoxb-test', DICE_SLACK_API_URL: slack.url })
  const dice = (args: string[], o: { slackOn?: boolean } = {}) => runDice(['--db', db, ...args], { cwd: dir, env: o.slackOn === false ? { SLACK_BOT_TOKEN: '' } : env() })
  const dms = (userId: string) => slack.ok('chat.postMessage').filter((c) => slack.channelId(String(c.body.channel)) === slack.channelId(`dm-${userId}`))

  it('dice doctor reports exactly the broken annotation and the unknown author (not the line a bot touched); after replay and a digest run each Slack user has one digest, and the rest is on the page and in /metrics', async () => {
    slack = await startSlackStandin({ users: users() })
    slack.setChannels([...Array.from({ length: 210 }, (_, i) => ({ name: `team-${i}` })), { name: 'ipsec-debug' }])
    writeFileSync(join(dir, 'dice.yml'), CONFIG)

    const repo = TempRepo.create()
    repo.write('src/sky.c', [
      'void sky(void) {',
      '  WARN_LOG("the sky is crying"); // @elmore',
      '}',
    ].join('\n') + '\n')
    repo.write('src/net/ipsec.c', [
      'void tunnel(const char *t, int phase) {',
      '  ERROR_LOG("tunnel %s: phase %d failed", t, phase); // #ipsec-debug',
      '  INFO_LOG("sa %s rekeyed", t); // #ipsec-debgu',
      '  WARN_LOG("peer %s unreachable", t);',
      '}',
    ].join('\n') + '\n')
    repo.write('src/platform/boot.c', 'void boot(void) {\n  ERROR_LOG("boot disk %s missing", d);\n}\n')
    repo.write('.github/CODEOWNERS', '/src/platform/ @acme/platform\n')
    repo.write('src/deps.c', 'void deps(const char *path) {\n  WARN_LOG("lockfile %s drifted", path);\n}\n')
    repo.commit(RILEY, 'ipsec, sky, platform, deps')
    repo.write('src/deps.c', 'void deps(const char *lockfile) {\n  WARN_LOG("lockfile %s drifted", lockfile);\n}\n')
    repo.commit(DEPENDABOT, 'Bump lockfile handling')
    repo.write('src/home.c', 'void home(void) {\n  WARN_LOG("home dir %s not writable", p);\n}\n')
    repo.commit(MO, 'home dir check')

    const idx = await dice(['index', repo.dir, '--quiet'])
    expect(idx.code, idx.stderr).toBe(0)
    // The bot's commit is looked past: riley, who wrote the line, owns it.
    const catalog = JSON.parse((await dice(['catalog', '--json'])).stdout) as Array<{ template: string; owner: { who: string }; blame: { email: string; skipped?: Array<{ email: string; why: string }> } }>
    const deps = catalog.find((s) => s.template === 'lockfile %s drifted')!
    expect(deps, JSON.stringify(deps)).toMatchObject({ owner: { who: RILEY.email } })
    expect(deps.blame.skipped).toEqual([expect.objectContaining({ email: DEPENDABOT.email, why: 'bot' })])

    // dice doctor: the typo'd channel and the author Slack does not know — and nothing that works.
    const doc = await dice(['doctor', '--json'])
    expect(doc.code, doc.stderr).toBe(1)
    const report = JSON.parse(doc.stdout) as DoctorReport
    expect(report.problems.map((p) => [p.kind, p.subject, p.where.map((w) => `${w.file}:${w.line} ${w.via}`)])).toEqual([
      ['unknown_email', 'mo@home.example', ['src/home.c:2 blame']],
      ['missing_channel', '#ipsec-debgu', ['src/net/ipsec.c:3 annotation']],
    ])
    expect(report.problems[1]!.suggestion).toBe('#ipsec-debug')
    expect(report.notes).toEqual([])
    expect(report.slack).toMatchObject({ checked: true, users: 265, channels: 211 })
    const human = await dice(['doctor'])
    expect(human.stdout).toContain('Missing channels (1)\n  #ipsec-debgu: ')
    expect(human.stdout).toContain('did you mean #ipsec-debug?\n    src/net/ipsec.c:3 (annotation)\n')

    // A Monday morning of logs, replayed as of 10:00 UTC; then the digest run.
    const log = join(dir, 'app.log')
    writeFileSync(log, [
      `${MONDAY}T09:00:00Z web-1 WARN the sky is crying`,
      `${MONDAY}T09:01:00Z web-1 ERROR tunnel vpn-1: phase 2 failed`,
      `${MONDAY}T09:02:00Z web-1 INFO sa vpn-1 rekeyed`,
      `${MONDAY}T09:03:00Z web-2 WARN peer 10.0.0.7 unreachable`,
      `${MONDAY}T09:04:00Z web-2 ERROR boot disk sda missing`,
      `${MONDAY}T09:05:00Z web-2 WARN home dir /home/mo not writable`,
      `${MONDAY}T09:06:00Z web-1 WARN home dir /home/mo not writable`,
      `${MONDAY}T09:07:00Z web-1 WARN the sky is crying`,
      `${MONDAY}T09:08:00Z web-1 WARN lockfile package-lock.json drifted`,
    ].join('\n') + '\n')
    const rep = await dice(['replay', log, '--format', FORMAT, '--at', AT])
    expect(rep.code, rep.stderr).toBe(0)
    const dig = await dice(['digest', '--at', AT])
    expect(dig.code, dig.stderr).toBe(0)

    // Every person with a Slack account: exactly one digest, with what is theirs.
    const elmore = dms(ELMORE_ID)
    const riley = dms(RILEY_ID)
    const pig = dms(PIG_ID)
    expect([elmore.length, riley.length, pig.length]).toEqual([1, 1, 1])
    expect(elmore[0]!.body.text).toContain('the sky is crying')
    expect(riley[0]!.body.text).toContain('peer %s unreachable')
    expect(riley[0]!.body.text).toContain('lockfile %s drifted')
    expect(pig[0]!.body.text).toContain('boot disk %s missing')
    // The channel that exists got its post; nobody else was written to but these three and #ipsec-debug.
    expect(slack.ok('chat.postMessage').filter((c) => c.body.channel === '#ipsec-debug')).toHaveLength(1)
    const dmChannels = new Set([ELMORE_ID, RILEY_ID, PIG_ID].map((u) => slack.channelId(`dm-${u}`)))
    expect(slack.ok('chat.postMessage').filter((c) => c.body.channel !== '#ipsec-debug' && !dmChannels.has(slack.channelId(String(c.body.channel))))).toEqual([])

    // Every undeliverable item — mo's statement (Slack does not know the author), the typo'd channel — is on the
    // web page and in /metrics of dice run on the same store.
    run = await startDiceRun(['--db', db, 'run', '--port', '0', '--at', AT], { cwd: dir, env: env() })
    const page = await (await fetch(`${run.url}/`)).text()
    const lost = page.slice(page.indexOf('<section id="undeliverable">'), page.indexOf('</section>', page.indexOf('<section id="undeliverable">')))
    expect(lost).toContain('mo@home.example')
    expect(lost).toContain('home dir %s not writable')
    expect(lost).toContain('#ipsec-debgu')
    expect(lost).toContain('channel_not_found')
    // The bot's line is not lost: it went to riley.
    expect(lost).not.toContain('lockfile')
    const metrics = await (await fetch(`${run.url}/metrics`)).text()
    expect(metrics).toMatch(/^dice_undeliverable_total\{reason="unknown"\} 2$/m)
    expect(metrics).toMatch(/^dice_undeliverable_total\{reason="channel_not_found"\} [1-9]\d*$/m)
    // dice run on the same day sends nobody a second digest.
    await new Promise((r) => setTimeout(r, 1500))
    expect([dms(ELMORE_ID).length, dms(RILEY_ID).length, dms(PIG_ID).length]).toEqual([1, 1, 1])
  }, 120_000)
})
