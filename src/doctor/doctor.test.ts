import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { tempSqliteStore } from '../store/testutil/stores.js'
import type { Store } from '../store/store.js'
import { SlackWebApi } from '../deliver/slack/api.js'
import { startSlackStandin, type SlackStandin, type StandinChannel, type StandinUser } from '../deliver/testutil/slack-standin.js'
import { config, statement } from '../deliver/testutil/fixtures.js'
import { META_CODEOWNERS } from '../catalog/codeowners-file.js'
import type { Statement } from '../core/types.js'
import { runDice } from '../cli/testutil.js'
import { tempDir } from '../testutil/tmp.js'
import { runDoctor, type DoctorReport, type Finding } from './check.js'
import { renderDoctor } from './render.js'

/** A grown team's workspace: 480 people before and after the ones that matter (three users.list pages), leavers, bots, namesakes. */
function workspace(): StandinUser[] {
  const crowd = Array.from({ length: 480 }, (_, i) => ({ id: `U${String(100000 + i).padStart(9, '0')}`, name: `person${i}`, real_name: `Person ${i}`, email: `person${i}@pen.mssn` }))
  return [
    ...crowd.slice(0, 250),
    { id: 'UELM000001', name: 'elmore.james', display_name: 'Elmore', real_name: 'Elmore James', email: 'ej@pen.mssn' },
    ...crowd.slice(250),
    { id: 'UPIG000001', name: 'pig', real_name: 'Pig Pen', email: 'pig@pen.mssn' },
    { id: 'URILEY0001', name: 'riley', real_name: 'Riley Jones', email: 'riley@pen.mssn' },
    { id: 'USAM000001', name: 'sam.a', display_name: 'sam', real_name: 'Sam Adams', email: 'sam.a@pen.mssn' },
    { id: 'USAM000002', name: 'sam.b', display_name: 'Sam', real_name: 'Sam Brown', email: 'sam.b@pen.mssn' },
    { id: 'UGONE00001', name: 'gone', real_name: 'Gone Away', email: 'gone@pen.mssn', deleted: true },
    { id: 'UBOT000001', name: 'deploybot', display_name: 'deploy', is_bot: true },
  ]
}

/** 240 channels of other teams before the ones that matter: two conversations.list pages. */
function channels(): StandinChannel[] {
  return [
    ...Array.from({ length: 240 }, (_, i) => ({ name: `team-${i}` })),
    { name: 'channel' }, { name: 'ops' }, { name: 'quiet', is_member: false }, { name: 'old', is_archived: true },
    { name: 'secret', is_private: true, is_member: false }, { name: 'inner', is_private: true },
  ]
}

const blame = (email: string, bot = false) => ({ email, name: email.split('@')[0]!, commit: 'a'.repeat(40), time: '2026-01-01T00:00:00Z', ...(bot ? { bot: true } : {}) })
const st = (id: string, line: number, over: Partial<Statement> = {}) => statement({ id, line, endLine: line, template: `message ${id}`, blame: blame('pig@pen.mssn'), ...over })

const CATALOG: Statement[] = [
  st('elmore', 1, { mentions: ['elmore'] }),
  st('elmre', 2, { mentions: ['elmre'] }),
  st('sam', 3, { mentions: ['sam'] }),
  st('gone', 4, { mentions: ['gone'] }),
  st('personal1', 5, { blame: blame('riley.j@gmail.com') }),
  st('personal2', 6, { blame: blame('riley.j@gmail.com') }),
  st('pig', 7),
  st('bump', 8, { blame: blame('49699333+dependabot[bot]@users.noreply.github.com', true) }),
  st('chan', 9, { channels: ['channel'] }),
  st('typo', 10, { channels: ['chanel'] }),
  st('old', 11, { channels: ['old'] }),
  st('quiet', 12, { channels: ['quiet'] }),
  st('inner', 13, { channels: ['inner'] }),
  st('team', 1, { file: 'src/ops/run.c', blame: blame('riley.j@gmail.com') }),
  st('unmapped', 1, { file: 'src/web/page.c' }),
  st('reviewer', 1, { file: 'src/docs/gen.c' }),
]

const CODEOWNERS = ['# owners', '/src/ops/ @acme/ops', '/src/web/ @acme/web', '/src/docs/ @octo-reviewer'].join('\n') + '\n'

const CONFIG = {
  people: {
    riley: { slack: 'URILEY0001', aliases: ['rj'] },
    elmore: { slack: 'elmore' },
    ghost: { email: 'ghost@pen.mssn' },
    gone2: { email: 'gone@pen.mssn', aliases: ['rj'] },
  },
  route: { teams: { 'acme/ops': { channel: '#ops' }, 'acme/opz': { person: 'riley' } } },
}

let slack: SlackStandin
let store: Store
let dbFile: string
beforeEach(async () => {
  slack = await startSlackStandin({ users: workspace() })
  slack.setChannels(channels())
  const t = await tempSqliteStore()
  store = t.store
  dbFile = t.file
  await store.replaceFiles([...new Set(CATALOG.map((s) => s.file))].map((file) => ({ file, hash: 'h' })), CATALOG, [])
  await store.setMeta(META_CODEOWNERS, JSON.stringify({ path: '.github/CODEOWNERS', text: CODEOWNERS }))
})
afterEach(async () => {
  await slack.close()
  await store.close().catch(() => undefined)
})

const api = () => new SlackWebApi({ token: 'xoxb-test', url: slack.url })
const doctor = (raw: Record<string, unknown> = CONFIG, slackOn = true) =>
  runDoctor({ store, config: config(raw), configFile: 'dice.yml', clock: () => Date.parse('2026-11-23T10:00:00Z'), slack: slackOn ? api() : null })
const brief = (fs: Finding[]) => fs.map((f) => `${f.kind} ${f.subject}`).sort()
const places = (f: Finding | undefined) => f!.where.map((w) => (w.via === 'config' ? `${w.file}: ${w.field}` : `${w.file}:${w.line} ${w.via}`))
const get = (r: DoctorReport, kind: string, subject: string) => [...r.problems, ...r.notes].find((f) => f.kind === kind && f.subject === subject)

describe('dice doctor against Slack', () => {
  it('reports exactly what cannot be delivered — unknown, ambiguous and deactivated names, unknown blame emails, missing and archived channels — each with the statements it affects', async () => {
    const r = await doctor()
    expect(brief(r.problems)).toEqual([
      'ambiguous_handle @sam',
      'archived_channel #old',
      'bad_people_entry people.elmore',
      'bad_people_entry people.gone2',
      'deactivated_user @gone',
      'deactivated_user @gone2',
      'missing_channel #chanel',
      'unknown_email @ghost',
      'unknown_email riley.j@gmail.com',
      'unknown_handle @elmre',
      'unknown_handle @octo-reviewer',
    ])
    expect(r).toMatchObject({ ok: false, exit: 1, slack: { checked: true, users: 487, channels: 245 } })

    const sam = get(r, 'ambiguous_handle', '@sam')!
    expect(sam.candidates!.map((c) => c.id)).toEqual(['USAM000001', 'USAM000002'])
    expect(places(sam)).toEqual(['src/hello.c:3 annotation'])
    expect(get(r, 'unknown_handle', '@elmre')!.suggestion).toBe('@Elmore')
    expect(places(get(r, 'unknown_email', 'riley.j@gmail.com'))).toEqual(['src/hello.c:5 blame', 'src/hello.c:6 blame'])
    expect(places(get(r, 'unknown_handle', '@octo-reviewer'))).toEqual(['.github/CODEOWNERS:4 codeowners', 'src/docs/gen.c:1 codeowners'])
    expect(places(get(r, 'unknown_email', '@ghost'))).toEqual(['dice.yml: people.ghost'])
    // people.elmore's slack is not an id: reported once, as malformed, and the @elmore annotation is not blamed on Slack.
    expect(get(r, 'bad_people_entry', 'people.elmore')!.detail).toContain('"elmore", not a Slack user id')
    expect(places(get(r, 'bad_people_entry', 'people.gone2'))).toEqual(['dice.yml: people.riley', 'dice.yml: people.gone2'])
    const typo = get(r, 'missing_channel', '#chanel')!
    expect(typo).toMatchObject({ suggestion: '#channel', where: [{ file: 'src/hello.c', line: 10, statement: 'typo', via: 'annotation' }] })

    // Notes: a public channel the bot is not in (posts go through chat:write.public), an unmapped CODEOWNERS team,
    // a mapping CODEOWNERS never names, and the bot-only line nobody owns.
    expect(brief(r.notes)).toEqual(['no_owner 1 statement', 'not_in_channel #quiet', 'unmapped_team @acme/web', 'unused_team_mapping route.teams.acme/opz'])
    expect(places(get(r, 'unmapped_team', '@acme/web'))).toEqual(['.github/CODEOWNERS:3 codeowners', 'src/web/page.c:1 codeowners'])
    expect(get(r, 'unused_team_mapping', 'route.teams.acme/opz')!.suggestion).toBe('acme/ops')
    expect(places(get(r, 'no_owner', '1 statement'))).toEqual(['src/hello.c:8 blame'])

    // users.list: every page (487 users, 200 a page); conversations.list: every page (public and private).
    expect(slack.ok('users.list')).toHaveLength(3)
    expect(slack.ok('conversations.list').length).toBe(2)
    expect(slack.ok('conversations.list')[0]!.body.types).toBe('public_channel,private_channel')
  })

  it('prints the problems grouped by kind with file:line, then the notes', async () => {
    const text = renderDoctor(await doctor())
    expect(text).toMatch(/^dice doctor: 11 problems \(checked 16 statements/)
    expect(text).toContain('Slack: 487 users, 245 channels')
    expect(text).toContain('\nAmbiguous handles (several Slack users; Dice does not guess) (1)\n  @sam: @sam matches 2 Slack users')
    expect(text).toContain('      USAM000002  @sam.b  "Sam"  Sam Brown\n    src/hello.c:3 (annotation)')
    expect(text).toContain('\nMissing channels (1)\n  #chanel: Slack has no channel #chanel the bot can see (conversations.list); a private channel shows only once the bot is invited (/invite @dice) — did you mean #channel?\n    src/hello.c:10 (annotation)\n')
    expect(text).toContain('  riley.j@gmail.com: no Slack user has the email riley.j@gmail.com (users.lookupByEmail)\n    src/hello.c:5 (blame)\n    src/hello.c:6 (blame)\n')
    expect(text.indexOf('-- notes')).toBeGreaterThan(text.indexOf('Missing channels'))
    expect(text).toContain('.github/CODEOWNERS:3 (CODEOWNERS)')
  })

  it('a bot that is not in a public channel is a problem when the token lacks chat:write.public; a token without channels:read is a configuration error (exit 2), never a silent pass', async () => {
    await slack.close()
    slack = await startSlackStandin({ users: workspace(), scopes: ['chat:write', 'users:read', 'users:read.email', 'channels:read'] })
    slack.setChannels(channels())
    const r = await doctor({})
    expect(get(r, 'not_in_channel', '#quiet')).toMatchObject({ severity: 'problem', detail: expect.stringContaining('not_in_channel') })
    // Without groups:read only public channels are asked for: #inner (private, bot inside) cannot be seen.
    expect(slack.ok('conversations.list').every((c) => c.body.types === 'public_channel')).toBe(true)
    expect(get(r, 'missing_channel', '#inner')!.detail).toContain('lacks groups:read')
    expect(r.exit).toBe(1)

    await slack.close()
    slack = await startSlackStandin({ users: workspace(), scopes: ['chat:write', 'users:read', 'users:read.email'] })
    const n = await doctor({})
    expect(n.exit).toBe(2)
    expect(get(n, 'missing_scope', 'channels:read')!.where.map((w) => w.statement)).toEqual(['chan', 'typo', 'old', 'quiet', 'inner'])
    expect(slack.calls.filter((c) => c.method === 'conversations.list')).toEqual([])
  })

  it('with a workspace that fits (every name known, every channel there), finds no problem and exits 0', async () => {
    await store.replaceFiles([{ file: 'src/hello.c', hash: 'h2' }], [st('elmore', 1, { mentions: ['Elmore James'] }), st('pig', 2), st('chan', 3, { channels: ['#Channel'] })], [...new Set(CATALOG.map((s) => s.file))].filter((f) => f !== 'src/hello.c'))
    await store.setMeta(META_CODEOWNERS, '')
    const r = await doctor({ people: { riley: { slack: 'URILEY0001' } }, route: { fallbackChannel: '#ops' } })
    expect(r.problems).toEqual([])
    expect(r.notes).toEqual([])
    expect(r).toMatchObject({ ok: true, exit: 0, checked: { statements: 3, names: 3, channels: 2, people: 1 } })
  })
})

describe('dice doctor on the command line', () => {
  async function cli(args: string[], env: NodeJS.ProcessEnv, raw?: string) {
    await store.close()
    const dir = tempDir('doctor')
    const cfg = join(dir, 'dice.yml')
    writeFileSync(cfg, raw ?? JSON.stringify(CONFIG))
    return runDice(['--config', cfg, '--db', dbFile, 'doctor', ...args], { cwd: dir, env: { SLACK_BOT_TOKEN: '', DICE_SLACK_API_URL: slack.url, ...env } })
  }

  it('--json prints one object, exit 1 when problems are found', async () => {
    const r = await cli(['--json'], { SLACK_BOT_TOKEN: 'xoxb-test' })
    expect(r.code, r.stderr).toBe(1)
    const j = JSON.parse(r.stdout) as DoctorReport
    expect(j.exit).toBe(1)
    expect(brief(j.problems)).toContain('missing_channel #chanel')
    expect(j.problems.find((p) => p.subject === '#chanel')!.where[0]).toEqual({ file: 'src/hello.c', line: 10, statement: 'typo', via: 'annotation' })
  })

  it('with no Slack token says the Slack checks were skipped and still checks people entries and annotation names against them', async () => {
    const r = await cli([], {})
    expect(r.code, r.stderr).toBe(1)
    expect(r.stdout).toContain('Slack checks SKIPPED: SLACK_BOT_TOKEN is not set')
    expect(r.stdout).toContain('people.elmore: slack is "elmore", not a Slack user id')
    // @elmre, @sam, @gone are not people keys; @elmore is (even though its entry is malformed, that is reported once).
    expect(r.stdout).toContain('Names no people entry has (3)')
    expect(r.stdout).toMatch(/ {2}@elmre: no people entry in .*dice\.yml has the key or alias "elmre".* — did you mean @elmore\?\n {4}src\/hello\.c:2 \(annotation\)/)
    expect(slack.calls).toEqual([])
  })

  it('with no Slack token and no people map, exits 0 and says what was not checked', async () => {
    const r = await cli([], {}, '{}')
    expect(r.code, r.stdout + r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^dice doctor: no problems/)
    expect(r.stdout).toContain('Slack checks SKIPPED: SLACK_BOT_TOKEN is not set: no name or channel was checked against Slack')
  })

  it('exits 2 for a configuration error: an invalid file, a token Slack refuses, an empty store', async () => {
    const bad = await cli([], {}, 'people: { riley: { slak: U0123 } }')
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('people.riley')
    await slack.close()
    slack = await startSlackStandin({ token: 'xoxb-right' })
    const refused = await runDice(['--db', dbFile, 'doctor'], { cwd: tempDir('doctor'), env: { SLACK_BOT_TOKEN: 'xoxb-wrong', DICE_SLACK_API_URL: slack.url } })
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain('SLACK_BOT_TOKEN is not usable: Slack answered invalid_auth')
    const empty = await runDice(['--db', join(tempDir('doctor'), 'empty.db'), 'doctor'], { cwd: tempDir('doctor'), env: { SLACK_BOT_TOKEN: '' } })
    expect(empty.code).toBe(2)
    expect(empty.stderr).toContain('run `dice index`')
  })
})
