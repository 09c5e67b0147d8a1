import { describe, expect, it } from 'vitest'
import { runDice } from '../testutil.js'
import { tempDir } from '../../testutil/tmp.js'

describe('dice demo', () => {
  it('--no-serve: indexes the sample, prints real-time channel messages and per-person digests, exits 0', async () => {
    const cwd = tempDir('demo-test')
    const r = await runDice(['demo', '--no-serve'], { cwd, env: { SLACK_BOT_TOKEN: '' }, timeoutMs: 120_000 })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    // Channel messages for the `// #hello-worlders` and `// #ipsec-debug` lines.
    expect(r.stdout).toMatch(/── #hello-worlders ──\n\[INFO\] ×6 hello cruel world/)
    expect(r.stdout).toContain('── #ipsec-debug ──')
    // Owners from annotation and blame, each with one digest.
    expect(r.stdout).toMatch(/src\/hello\.c:8 +WARN +"the sky is crying" +→ elmore \(annotation\)/)
    expect(r.stdout).toMatch(/src\/hello\.c:17 +ERROR +"it hurts me too: code %d" +→ pig@pen\.mssn \(blame\)/)
    expect(r.stdout).toContain('Dice digest for Pig')
    expect(r.stdout).toMatch(/ERROR ×12 +it hurts me too: code %d/)
    expect(r.stdout.match(/Dice digest for Elmore James/g)).toHaveLength(1)
    expect(r.stdout).toContain('Dice digest for #dice-unowned')
  })

  it('without a terminal it does not serve: exits 0 after printing', async () => {
    const cwd = tempDir('demo-test')
    const r = await runDice(['demo'], { cwd, env: { SLACK_BOT_TOKEN: '' }, timeoutMs: 120_000 })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('Done.')
  })
})
