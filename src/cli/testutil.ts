import { spawn, type ChildProcess } from 'node:child_process'
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

/**
 * Read a running dice's stdout up to its first line, then close the pipe as `| head -1` does; resolves with its exit
 * status and everything it wrote to stderr (collected from the start).
 */
export async function readFirstLineThenClose(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
  let stderr = ''
  child.stderr!.on('data', (d) => (stderr += d))
  await new Promise<void>((resolve) => {
    let out = ''
    child.stdout!.on('data', (d) => {
      out += d
      if (out.includes('\n')) (child.stdout!.destroy(), resolve())
    })
  })
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  return { code, stderr }
}
