import { describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { blockAction } from '../server/testutil/slack-requests.js'
import { parseSlackRequest } from '../server/slack/action.js'
import { actionsBlock } from '../deliver/digest/blocks.js'
import { runDice } from '../cli/testutil.js'
import { openStore } from '../store/registry.js'
import { statement } from '../deliver/testutil/fixtures.js'
import { tempDir } from '../testutil/tmp.js'

const form = (p: unknown) => new URLSearchParams({ payload: JSON.stringify(p) }).toString()

describe('snooze until it gets worse', () => {
  it('is offered in every message\'s Snooze menu and read back from a click', () => {
    const menu = (actionsBlock('s', null) as any).elements[0]
    const option = menu.options.find((o: any) => o.text.text === 'until it gets worse')
    expect(option).toBeDefined()
    const a = parseSlackRequest('/slack/actions', form(blockAction({ user: 'U0PIG12345', actionId: 'dice_snooze', select: true, value: JSON.parse(option.value) })))
    expect(a).toMatchObject({ kind: 'snooze', statementId: 's', untilWorse: true, forMs: null, count: null })
  })

  it('is a dice snooze flag that needs no --for or --count, stored as waiting for a spike', async () => {
    const db = join(tempDir('until-worse'), 'dice.db')
    const store = await openStore({ dbFile: db })
    await store.replaceFiles([{ file: 'src/hello.c', hash: 'h' }], [statement({ id: 'tun' })], [])
    await store.close()
    const r = await runDice(['--db', db, 'snooze', 'tun', '--until-worse', '--as', 'pig@pen.mssn'])
    expect(r.stderr).toBe('')
    expect(r.stdout).toBe('snoozed tun for everyone until it gets worse (its next spike): the sky is crying (src/hello.c:10)\n')
    const again = await openStore({ dbFile: db })
    expect((await again.activeSnoozes(Date.now())).map((z) => [z.statementId, z.until, z.remaining, z.wakeOn])).toEqual([['tun', null, null, 'worse']])
    await again.close()
  })
})
