import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openStore } from '../../store/registry.js'
import { DICE_BIN, readFirstLineThenClose } from '../testutil.js'
import { statement } from '../../deliver/testutil/fixtures.js'
import { tempDir } from '../../testutil/tmp.js'

const MONDAY_10 = '2026-11-23T10:00:00Z'

describe('dice digest | head', () => {
  it('stops quietly with exit 0 when the reader closes the pipe early', async () => {
    const dir = tempDir('digest-epipe')
    const db = join(dir, 'dice.db')
    const store = await openStore({ dbFile: db })
    // 600 statements: about 150 kB of digest text, far more than a pipe holds.
    const ss = Array.from({ length: 600 }, (_, i) => statement({ id: `s${i}`, template: `disk ${i} is full on volume %s, and that is a long line of text`, file: `src/f${i}.c`, line: 1 + i }))
    await store.replaceFiles(ss.map((s, i) => ({ file: s.file, hash: String(i) })), ss, [])
    const at = Date.parse(MONDAY_10) - 2 * 3_600_000
    const bucket = Math.floor(at / 300_000) * 300_000
    await store.applyCounts({
      occurrences: ss.map((s) => ({ statementId: s.id, host: 'web-1', bucket, count: 3, firstSeen: at, lastSeen: at, level: 'warn' as const, samples: [`WARN ${s.template}`] })),
      unowned: [], checkpoints: [],
    })
    await store.close()
    const child = spawn(process.execPath, [DICE_BIN, '--db', db, 'digest', '--preview', '--at', MONDAY_10], { cwd: dir, env: { ...process.env, SLACK_BOT_TOKEN: '' } })
    const { code, stderr } = await readFirstLineThenClose(child)
    expect(stderr).not.toMatch(/EPIPE|Error/)
    expect(code).toBe(0)
  })
})
