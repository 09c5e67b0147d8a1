import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { actionsBlock, itemControls } from '../src/deliver/digest/blocks.js'
import { homeView } from '../src/server/slack/views.js'
import { Actions, type Notifier } from '../src/route/actions.js'
import { defaultConfig } from '../src/config/load.js'
import { openStore } from '../src/store/registry.js'
import { statement } from '../src/deliver/testutil/fixtures.js'
import { tempDir } from '../src/testutil/tmp.js'

const ROOT = join(import.meta.dirname, '..')

/** Every label a user can click or pick in `blocks`: button texts, select placeholders and their options. */
function labels(blocks: unknown): { controls: Set<string>; all: Set<string> } {
  const controls = new Set<string>()
  const all = new Set<string>()
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) return x.forEach(walk)
    if (!x || typeof x !== 'object') return
    const o = x as Record<string, any>
    if (o.type === 'button' && o.action_id) (controls.add(o.text.text), all.add(o.text.text))
    if (o.type === 'static_select' && o.action_id) {
      controls.add(o.placeholder.text)
      all.add(o.placeholder.text)
      for (const opt of o.options ?? []) all.add(opt.text.text)
    }
    Object.values(o).forEach(walk)
  }
  walk(blocks)
  return { controls, all }
}

/** What the UI really has: the Block Kit builders of channel messages, digests, alert DMs, App Home and the hand-over DM. */
async function uiLabels() {
  const sent: unknown[] = []
  const dir = tempDir('buttons-doc')
  const store = await openStore({ dbFile: join(dir, 'dice.db') })
  try {
    const config = defaultConfig()
    config.people = { elmore: { slack: 'UELM00001', aliases: [] } }
    await store.replaceFiles([{ file: 'src/hello.c', hash: 'h' }], [statement({ id: 's1' })], [])
    const notifier: Notifier = { send: async (m) => (sent.push(m.blocks), { ok: true }) }
    await new Actions({ store, config, clock: () => 0, notifier }).reassign({ statementId: 's1', actor: { id: 'UBOB00001' }, to: 'elmore' })
  } finally {
    await store.close()
  }
  const s = statement({ id: 's1' })
  const home = homeView({
    user: 'U1', now: 0, statements: new Map([['s1', s]]),
    snoozes: [{ id: 1, statementId: 's1', scope: 'user', scopeId: 'U1', until: 1, remaining: null, by: 'U1', createdAt: 0 }],
    mutes: [{ statementId: 's1', scope: 'user', scopeId: 'U1', by: 'U1', createdAt: 0 }],
    overrides: [{ statementId: 's1', to: 'U2', by: 'U1', reason: null, createdAt: 0 }],
  })
  return labels([actionsBlock('s1', 'channel'), actionsBlock('s1', null), itemControls('s1'), home, sent])
}

/** The labels a doc names in *italics* inside `section` (from its heading line to the next blank line after a table). */
function docLabels(file: string, startsWith: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8')
  const at = text.indexOf(startsWith)
  if (at < 0) throw new Error(`${file}: no "${startsWith}"`)
  const rest = text.slice(at)
  const table = rest.slice(0, rest.search(/\|\n\n/) + 1)
  return [...table.matchAll(/(?<![*\w])\*([^*\n]+)\*(?!\*)/g)].map((m) => m[1]!)
}

describe('docs name only the buttons the UI has', () => {
  it("OPERATIONS.md's button table names only labels the Block Kit builders make, and every button and menu", async () => {
    const ui = await uiLabels()
    const named = docLabels('docs/OPERATIONS.md', "What people can do from a message's buttons")
    expect(named.filter((l) => !ui.all.has(l))).toEqual([])
    expect([...ui.controls].filter((l) => !named.includes(l))).toEqual([])
  })

  it("SLACK.md's interactive elements table names only labels the builders make", async () => {
    const ui = await uiLabels()
    const named = docLabels('docs/SLACK.md', '| action_id | element |')
    expect(named.length).toBeGreaterThan(0)
    expect(named.filter((l) => !ui.all.has(l))).toEqual([])
  })

  it('App Home names only buttons it has', async () => {
    const s = statement({ id: 's1' })
    const home = homeView({ user: 'U1', now: 0, statements: new Map([['s1', s]]), snoozes: [], mutes: [], overrides: [] })
    const text = JSON.stringify(home)
    // The UI's hand-over control is "Not mine"; App Home must not call it something else.
    expect(text).not.toMatch(/it wasn.t me|Mute for everyone|next 10/i)
  })
})
