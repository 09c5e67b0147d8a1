import { describe, expect, it } from 'vitest'
import { config, statement } from '../deliver/testutil/fixtures.js'
import { Ownership } from './owner.js'
import { parseCodeOwners } from './codeowners.js'

const CODEOWNERS = `# owners
*                 @org/platform
src/net/          @elmore riley@pen.mssn
src/net/vpn/      @org/unmapped @org/vpn
src/gen/          @org/unmapped
`

describe('Ownership.ownerOf: annotation → override → rules → CODEOWNERS → blame → nobody', () => {
  const cfg = config({
    route: {
      rules: [{ path: 'src/net/ipsec.c', person: 'rule@pen.mssn' }],
      teams: { '@org/platform': { channel: '#platform' }, 'org/vpn': { person: 'vpn-lead' } },
    },
  })
  const own = new Ownership(cfg, CODEOWNERS)
  const none = new Map<string, string>()

  it('takes each source in order, each one only when the ones before it name nobody', () => {
    const s = statement({ id: 's', file: 'src/net/ipsec.c', mentions: ['pig'] })
    expect(own.ownerOf(s, new Map([['s', 'UOVERRIDE1']]))).toEqual({ kind: 'annotation', who: 'pig', via: 'annotation' })
    const noMention = { ...s, mentions: [] }
    expect(own.ownerOf(noMention, new Map([['s', 'UOVERRIDE1']]))).toEqual({ kind: 'override', who: 'UOVERRIDE1', via: 'override' })
    expect(own.ownerOf(noMention, none)).toEqual({ kind: 'override', who: 'rule@pen.mssn', via: 'rule' })
    expect(own.ownerOf({ ...noMention, file: 'src/net/tcp.c' }, none)).toEqual({ kind: 'override', who: 'elmore', via: 'codeowners' })
    expect(new Ownership({ ...cfg, route: { ...cfg.route, codeowners: false } }, CODEOWNERS).ownerOf({ ...noMention, file: 'src/net/tcp.c' }, none))
      .toEqual({ kind: 'blame', who: 'pig@pen.mssn', via: 'blame' })
    expect(new Ownership(config(), null).ownerOf({ ...noMention, blame: null }, none)).toEqual({ kind: 'none', who: null, via: 'none' })
  })

  it('delivers a CODEOWNERS team through route.teams: a channel, or a person; an unmapped team is skipped', () => {
    expect(own.ownerOf(statement({ id: 'a', file: 'README.c' }), none)).toEqual({ kind: 'override', who: '#platform', via: 'codeowners' })
    expect(own.ownerOf(statement({ id: 'b', file: 'src/net/vpn/x.c' }), none)).toEqual({ kind: 'override', who: 'vpn-lead', via: 'codeowners' })
    // The last matching line names only a team nobody mapped: blame decides.
    expect(own.ownerOf(statement({ id: 'c', file: 'src/gen/x.c' }), none)).toEqual({ kind: 'blame', who: 'pig@pen.mssn', via: 'blame' })
  })

  it('never makes a bot the owner: a bot-only blame means nobody', () => {
    const s = statement({ id: 'd', blame: { email: 'dependabot[bot]@users.noreply.github.com', name: 'dependabot[bot]', commit: 'b'.repeat(40), time: '2026-01-01T00:00:00Z', bot: true } })
    expect(new Ownership(config(), null).ownerOf(s, none)).toEqual({ kind: 'none', who: null, via: 'none' })
  })

  it('adds rule channels only for occurrences at the rule level', () => {
    const o = new Ownership(config({ route: { rules: [{ path: 'src/**', channel: '#net', minLevel: 'error' }] } }))
    const s = statement({ id: 'e', file: 'src/a.c' })
    expect(o.ruleChannels(s, 'warn')).toEqual([])
    expect(o.ruleChannels(s, 'error')).toEqual(['net'])
  })
})

describe('parseCodeOwners', () => {
  it('follows GitHub: last matching line wins, dir/ covers everything below, dir/* only its own files, an ownerless line unowns', () => {
    const c = parseCodeOwners('*  @all\n*.js @js # trailing comment\n/build/logs/ @doctocat\ndocs/* docs@example.com\napps/ @octocat\n/scripts/\n')
    expect(c.ownersOf('a.c')).toEqual([{ kind: 'user', name: 'all' }])
    expect(c.ownersOf('src/x.js')).toEqual([{ kind: 'user', name: 'js' }])
    expect(c.ownersOf('build/logs/deep/a.c')).toEqual([{ kind: 'user', name: 'doctocat' }])
    expect(c.ownersOf('docs/a.md')).toEqual([{ kind: 'email', name: 'docs@example.com' }])
    expect(c.ownersOf('docs/sub/a.md')).toEqual([{ kind: 'user', name: 'all' }])
    expect(c.ownersOf('x/apps/y.c')).toEqual([{ kind: 'user', name: 'octocat' }])
    expect(c.ownersOf('scripts/a.sh')).toEqual([])
  })
})
