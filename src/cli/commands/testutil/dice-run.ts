import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'

const BIN = join(import.meta.dirname, '../../../../bin/dice.js')

/** A `node bin/dice.js … run` child process, with its URL once it listens and everything it printed. */
export interface DiceRun {
  child: ChildProcess
  url: string
  stderr: () => string
  stdout: () => string
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>
}

/** Spawn `dice <args>` (args should include `run --port 0`) and wait until it prints its listening URL. */
export async function startDiceRun(args: string[], o: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<DiceRun> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: o.cwd, env: { ...process.env, ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let err = ''
  let out = ''
  child.stdout!.on('data', (d) => (out += d))
  // 'close', not 'exit': it fires once stdout/stderr are drained, so an early exit's message is complete.
  const exited = new Promise<number | string>((r) => child.on('close', (code, sig) => r(code ?? sig ?? -1)))
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`dice run did not start:\n${err}`)), o.timeoutMs ?? 20_000)
    child.stderr!.on('data', (d) => {
      err += d
      const m = /listening on (http:\/\/\S+)/.exec(err)
      if (m) (clearTimeout(t), resolve(m[1]!))
    })
    void exited.then((c) => (clearTimeout(t), reject(new Error(`dice run exited ${c}:\n${err}`))))
  })
  return { child, url, stderr: () => err, stdout: () => out, exited }
}

/** Poll `f` until it returns a truthy value (or time out with the last value in the message). */
export async function until<T>(f: () => Promise<T>, what: string, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs
  let last: T | undefined
  for (;;) {
    last = await f()
    if (last) return last
    if (Date.now() > end) throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`)
    await new Promise((r) => setTimeout(r, 100))
  }
}
