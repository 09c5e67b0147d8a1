import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { defaultConfig } from '../config/load.js'
import type { Config } from '../config/schema.js'
import type { Statement } from '../core/types.js'
import type { Store } from '../store/store.js'
import { STORE_KINDS } from '../store/testutil/stores.js'
import { Actions, PermissionError, type Notifier } from './actions.js'
import { codeLink } from '../core/links.js'

const T0 = Date.UTC(2026, 0, 5, 10, 0, 0)
const stmt = (id: string, extra: Partial<Statement> = {}): Statement => ({
  id, file: 'src/net/ipsec.c', line: 120, endLine: 120, language: 'c', level: 'error', template: 'tunnel %s: phase %d failed',
  matchable: true, channels: [], mentions: [], blame: { email: 'pig@pen.mssn', name: 'Pig', commit: 'a'.repeat(40), time: '2026-01-01T00:00:00Z' },
  callee: 'ERROR_LOG', ...extra,
})

for (const kind of STORE_KINDS) {
  describe(`Actions on ${kind.name}`, () => {
    let store: Store
    let config: Config
    let now: number
    let refreshed: number
    let sent: Array<Parameters<Notifier['send']>[0]>
    let actions: Actions
    const notifier: Notifier = { send: async (m) => (sent.push(m), { ok: true }) }

    beforeEach(async () => {
      store = await kind.open()
      config = defaultConfig()
      config.people = { 'pig@pen.mssn': { slack: 'UPIG00001', aliases: [] }, elmore: { slack: 'UELM00001', email: 'elmore@pen.mssn', aliases: [] } }
      config.slack.admins = ['UADMIN001']
      config.repo.url = 'https://github.com/org/repo'
      now = T0
      refreshed = 0
      sent = []
      await store.replaceFiles([{ file: 'src/net/ipsec.c', hash: 'h' }], [stmt('s1'), stmt('s2', { line: 130, channels: ['ipsec-debug'], blame: null })], [])
      actions = new Actions({ store, config, clock: () => now, router: { refresh: async () => void refreshed++ }, notifier })
    })
    afterEach(async () => {
      await store.close()
    })

    it('snoozes for the actor for a duration, audits it and refreshes the router', async () => {
      const row = await actions.snooze({ statementId: 's1', actor: { id: 'UBOB00001' }, for: '1h' })
      expect(row).toMatchObject({ scope: 'user', scopeId: 'UBOB00001', until: T0 + 3_600_000, remaining: null, by: 'UBOB00001' })
      expect(await store.activeSnoozes(now)).toHaveLength(1)
      expect(await store.activeSnoozes(now + 3_600_001)).toHaveLength(0)
      const [audit] = await store.listAudit()
      expect(audit).toMatchObject({ actor: 'UBOB00001', action: 'snooze', statementId: 's1', before: null, after: { scopeId: 'UBOB00001' } })
      expect(refreshed).toBe(1)
    })

    it('snoozes a channel for the next N occurrences', async () => {
      await expect(actions.snooze({ statementId: 's2', actor: { id: 'UBOB00001' }, count: 3, channel: '#ipsec-debug' })).rejects.toBeInstanceOf(PermissionError)
      const row = await actions.snooze({ statementId: 's2', actor: { id: 'UBOB00001', channel: { id: 'C9', name: 'ipsec-debug' } }, count: 3, channel: '#ipsec-debug' })
      expect(row).toMatchObject({ scope: 'channel', scopeId: 'ipsec-debug', until: null, remaining: 3 })
      await store.decrementSnooze(row.id, 3)
      expect(await store.activeSnoozes(now)).toHaveLength(0)
    })

    it('accepts 1d, 1w and custom durations and rejects nonsense', async () => {
      expect((await actions.snooze({ statementId: 's1', actor: { id: 'U1' }, for: '1d' })).until).toBe(T0 + 86_400_000)
      expect((await actions.snooze({ statementId: 's1', actor: { id: 'U1' }, for: '1w' })).until).toBe(T0 + 7 * 86_400_000)
      expect((await actions.snooze({ statementId: 's1', actor: { id: 'U1' }, for: '2h30m' })).until).toBe(T0 + 9_000_000)
      await expect(actions.snooze({ statementId: 's1', actor: { id: 'U1' }, for: 'soon' })).rejects.toThrow(/--for/)
      await expect(actions.snooze({ statementId: 's1', actor: { id: 'U1' }, count: 0 })).rejects.toThrow(/--count/)
    })

    it('rejects a snooze longer than a year (99999999w would end past any date) and stores nothing', async () => {
      await expect(actions.snooze({ statementId: 's1', actor: { id: 'U1' }, for: '99999999w' })).rejects.toThrow(/--for: .*at most 365d.*mute/)
      await expect(actions.snooze({ statementId: 's1', actor: { id: 'U1' }, for: 1e300 })).rejects.toThrow(/--for/)
      expect(await store.activeSnoozes(now)).toEqual([])
      expect((await actions.snooze({ statementId: 's1', actor: { id: 'U1' }, for: '365d' })).until).toBe(T0 + 365 * 86_400_000)
    })

    it('rejects unknown statement ids with a clear message and changes nothing', async () => {
      await expect(actions.mute({ statementId: 'nope', actor: { id: 'UADMIN001' }, scope: 'all' })).rejects.toThrow(/no log statement with id "nope"/)
      expect(await store.listMutes()).toEqual([])
      expect(await store.listAudit()).toEqual([])
    })

    it('lets the blamed owner, a channel member and an admin mute for everyone, and nobody else', async () => {
      await expect(actions.mute({ statementId: 's1', actor: { id: 'USTRANGER' }, scope: 'all' })).rejects.toBeInstanceOf(PermissionError)
      expect(await store.listMutes()).toEqual([])
      await actions.mute({ statementId: 's1', actor: { id: 'UPIG00001' }, scope: 'all' })
      await actions.mute({ statementId: 's2', actor: { id: 'UX', channel: { id: 'C1', name: 'ipsec-debug' } }, scope: 'all' })
      await expect(actions.unmute({ statementId: 's1', actor: { id: 'USTRANGER' }, scope: 'all' })).rejects.toBeInstanceOf(PermissionError)
      expect((await store.listMutes()).map((m) => [m.statementId, m.scope])).toEqual([['s1', 'all'], ['s2', 'all']])
      expect(await actions.unmute({ statementId: 's1', actor: { id: 'UADMIN001' } })).toBe(1)
      expect((await store.listMutes()).map((m) => m.statementId)).toEqual(['s2'])
    })

    it('lets whoever set a mute or snooze lift it, and nobody else without permission', async () => {
      await actions.mute({ statementId: 's2', actor: { id: 'UBOB00001', channel: { name: 'ipsec-debug' } }, scope: 'all' })
      await actions.snooze({ statementId: 's2', actor: { id: 'UBOB00001', channel: { name: 'ipsec-debug' } }, for: '1h', channel: 'ipsec-debug' })
      await expect(actions.unmute({ statementId: 's2', actor: { id: 'UEVE00001' }, scope: 'all' })).rejects.toBeInstanceOf(PermissionError)
      await expect(actions.unsnooze({ statementId: 's2', actor: { id: 'UEVE00001' } })).rejects.toBeInstanceOf(PermissionError)
      expect(await actions.unmute({ statementId: 's2', actor: { id: 'UBOB00001' }, scope: 'all' })).toBe(1)
      expect(await actions.unsnooze({ statementId: 's2', actor: { id: 'UBOB00001' } })).toBe(1)
    })

    it('lets anyone mute for themselves and unmute only their own mute', async () => {
      await actions.mute({ statementId: 's1', actor: { id: 'UBOB00001' } })
      await actions.mute({ statementId: 's1', actor: { id: 'UPIG00001' }, scope: 'all' })
      expect(await actions.unmute({ statementId: 's1', actor: { id: 'UBOB00001' } })).toBe(1)
      expect((await store.listMutes()).map((m) => m.scope)).toEqual(['all'])
    })

    it('hands a statement over, tells the new owner with a code link, and undoes it', async () => {
      const r = await actions.reassign({ statementId: 's1', actor: { id: 'UPIG00001' }, to: 'UELM00001' })
      expect(r.after).toMatchObject({ statementId: 's1', to: 'elmore', by: 'UPIG00001' })
      expect((await store.listOverrides())[0]).toMatchObject({ to: 'elmore' })
      expect(sent).toHaveLength(1)
      expect(sent[0]!.to).toBe('UELM00001')
      expect(sent[0]!.text).toContain('<@UPIG00001> handed you')
      expect(sent[0]!.text).toContain('https://github.com/org/repo/blob/HEAD/src/net/ipsec.c#L120')
      // The new owner may now mute it for everyone: ownership moved.
      await actions.mute({ statementId: 's1', actor: { id: 'UELM00001' }, scope: 'all' })
      expect(await actions.undo({ statementId: 's1', actor: { id: 'UELM00001' } })).toMatchObject({ to: 'elmore' })
      expect(await store.listOverrides()).toEqual([])
      const audit = await store.listAudit()
      expect(audit.map((a) => a.action)).toEqual(['undo_override', 'mute', 'reassign'])
      expect(audit[0]).toMatchObject({ before: { to: 'elmore' }, after: null })
      expect(refreshed).toBe(3)
    })

    it('refuses to hand over a statement whose @person annotation decides its owner, storing and telling nothing', async () => {
      await store.replaceFiles([{ file: 'src/b.c', hash: 'h2' }], [stmt('s3', { file: 'src/b.c', mentions: ['bob'] })], [])
      await expect(actions.reassign({ statementId: 's3', actor: { id: 'UPIG00001' }, to: 'UELM00001' })).rejects.toThrow(/annotated @bob at src\/b\.c:120/)
      expect(await store.listOverrides()).toEqual([])
      expect(sent).toEqual([])
      expect(await store.listAudit()).toEqual([])
    })

    it('escapes attacker-controlled text in the hand-over message', async () => {
      await store.replaceFiles([{ file: 'x.c', hash: 'h' }], [stmt('s3', { file: 'x.c', template: '<!channel> & <http://evil|x>' })], [])
      await actions.reassign({ statementId: 's3', actor: { id: 'UPIG00001' }, to: 'elmore' })
      expect(sent[0]!.text).toContain('&lt;!channel&gt; &amp; &lt;http://evil|x&gt;')
      expect(sent[0]!.text).not.toContain('<!channel>')
    })
  })
}

describe('codeLink', () => {
  it('builds GitHub and GitLab line links', () => {
    const c = defaultConfig()
    expect(codeLink(c.repo, stmt('s'))).toBeNull()
    c.repo.url = 'https://gitlab.example.com/g/p/'
    expect(codeLink(c.repo, stmt('s'))).toBe('https://gitlab.example.com/g/p/-/blob/HEAD/src/net/ipsec.c#L120')
  })
})
