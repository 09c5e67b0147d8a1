import { defaultConfig, loadConfig } from '../config/load.js'
import type { Config } from '../config/schema.js'
import { clockFrom, type Clock } from '../core/clock.js'
import { openStore, DEFAULT_DB_FILE, type StoreOptions } from '../store/registry.js'
import type { Store } from '../store/store.js'

/** What every command gets: validated config, store options, a clock, and its output streams. */
export interface CliContext {
  config: Config
  configFile: string | null
  storeOptions: StoreOptions
  clock: Clock
  cwd: string
  env: NodeJS.ProcessEnv
  stdout: NodeJS.WritableStream
  stderr: NodeJS.WritableStream
  stdin: NodeJS.ReadableStream
  /** Open the store; the caller closes it. */
  openStore(): Promise<Store>
}

export interface GlobalOptions {
  config?: string
  db?: string
  databaseUrl?: string
  at?: string
  /** Skip ./dice.yml and --config: built-in defaults (for `dice init`, which writes the file). */
  noConfig?: boolean
}

export function makeContext(g: GlobalOptions, io: Partial<Pick<CliContext, 'stdout' | 'stderr' | 'stdin' | 'env' | 'cwd'>> = {}): CliContext {
  const env = io.env ?? process.env
  const cwd = io.cwd ?? process.cwd()
  const { config, file } = g.noConfig ? { config: defaultConfig(), file: null } : loadConfig(g.config, cwd)
  const storeOptions: StoreOptions = {
    dbFile: g.db ?? DEFAULT_DB_FILE,
    databaseUrl: g.databaseUrl ?? env.DICE_DATABASE_URL ?? undefined,
  }
  return {
    config,
    configFile: file,
    storeOptions,
    clock: g.at ? clockFrom(g.at, '--at') : clockFrom(env.DICE_NOW, 'DICE_NOW'),
    cwd,
    env,
    stdout: io.stdout ?? process.stdout,
    stderr: io.stderr ?? process.stderr,
    stdin: io.stdin ?? process.stdin,
    openStore: () => openStore(storeOptions),
  }
}

/** Write one line of JSON (NDJSON) or a whole document. */
export function writeJson(out: NodeJS.WritableStream, value: unknown, pretty = false): void {
  out.write(JSON.stringify(value, null, pretty ? 2 : undefined) + '\n')
}
