import { spawn } from 'node:child_process'
import { join } from 'node:path'

/** Repository root (for spawning bin/dice.js). */
export const ROOT = join(import.meta.dirname, '..', '..')
export const DICE_BIN = join(ROOT, 'bin', 'dice.js')

/** Run `node bin/dice.js …` as a real child process; resolves with its exit status and output. */
export function runDice(args: string[], o: { cwd?: string; input?: string | Buffer; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DICE_BIN, ...args], { cwd: o.cwd ?? ROOT, env: { ...process.env, ...o.env } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 60_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
    child.stdin.end(o.input ?? '')
  })
}
