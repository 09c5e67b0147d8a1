import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openStore } from '../../store/registry.js'
import { runDice } from '../testutil.js'
import { tempDir } from '../../testutil/tmp.js'

const MONDAY_10 = '2026-11-23T10:00:00Z'
const SHAPES = { mute: 'a1b2c3d4e5f6', snooze: '0123456789ab', reassign: 'fedcba987654', kept: '00000000beef' }

/** A catalog with no statement and four unowned shapes (third-party warnings), a fallback channel. */
async function seeded(): Promise<{ dir: string; args: string[] }> {
  const dir = tempDir('shapes-cli')
  const db = join(dir, 'dice.db')
  writeFileSync(join(dir, 'dice.yml'), "route:\n  fallbackChannel: '#dice-fallback'\n")
  const store = await openStore({ dbFile: db })
  const at = Date.parse(MONDAY_10) - 2 * 3_600_000
  const bucket = Math.floor(at / 300_000) * 300_000
  await store.applyCounts({
    occurrences: [],
    unowned: Object.entries(SHAPES).map(([what, hash], i) => ({
      shapeHash: hash, shape: `libfoo: ${what} warning <NUM>`, host: 'web-1', bucket, count: 5 + i, firstSeen: at, lastSeen: at, level: 'warn' as const, samples: [`WARN libfoo: ${what} warning 7`],
    })),
    checkpoints: [],
  })
  await store.close()
  return { dir, args: ['--db', db, '--config', join(dir, 'dice.yml')] }
}

describe('unowned shapes can be muted, snoozed and handed over from the CLI', () => {
  it('dice mute / snooze / reassign take a shape id; the fallback digest leaves them out and the new owner gets the handed-over one', async () => {
    const { dir, args } = await seeded()
    const env = { SLACK_BOT_TOKEN: '' }
    const dice = (a: string[]) => runDice([...args, ...a], { cwd: dir, env })
    const before = await dice(['digest', '--preview', '--at', MONDAY_10])
    expect(before.code).toBe(0)
    for (const h of Object.values(SHAPES)) expect(before.stdout).toContain(`shape:${h}`)

    const mute = await dice(['mute', `shape:${SHAPES.mute}`])
    expect(mute.stderr).toBe('')
    expect(mute.code).toBe(0)
    // The bare hash works too.
    const snooze = await dice(['snooze', SHAPES.snooze, '--for', '1d', '--at', MONDAY_10])
    expect(snooze.stderr).toBe('')
    expect(snooze.code).toBe(0)
    const reassign = await dice(['reassign', `shape:${SHAPES.reassign}`, '--to', 'pig@pen.mssn'])
    expect(reassign.code).toBe(0)
    expect(reassign.stdout).toContain(`shape:${SHAPES.reassign} now goes to pig@pen.mssn`)

    const after = JSON.parse((await dice(['digest', '--preview', '--json', '--at', MONDAY_10])).stdout) as Array<{ target: string; items: Array<{ statementId: string }> }>
    const ids = (t: string) => after.find((d) => d.target === t)?.items.map((i) => i.statementId)
    expect(ids('#dice-fallback')).toEqual([`shape:${SHAPES.kept}`])
    expect(ids('pig@pen.mssn')).toEqual([`shape:${SHAPES.reassign}`])
    // A day later the snooze has ended: its occurrences from before it (never in a digest) come back; the mute stays.
    const later = JSON.parse((await dice(['digest', '--preview', '--json', '--at', '2026-11-24T11:00:00Z'])).stdout) as typeof after
    expect(later.find((d) => d.target === '#dice-fallback')?.items.map((i) => i.statementId)).toEqual([`shape:${SHAPES.kept}`, `shape:${SHAPES.snooze}`])
  })

  it('an id that is neither a statement nor a shape is still refused, exit 1', async () => {
    const { dir, args } = await seeded()
    const r = await runDice([...args, 'mute', 'shape:ffffffffffff'], { cwd: dir, env: { SLACK_BOT_TOKEN: '' } })
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/no log statement with id "shape:ffffffffffff"/)
  })
})
