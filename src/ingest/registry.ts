import type { SourceConfig } from '../config/schema.js'
import type { Store } from '../store/store.js'
import { FileSource } from './file/file-source.js'
import type { LogSource } from './source.js'
import { StreamSource } from './stdin/stream-source.js'

/** What a source may need beyond its own configuration. */
export interface SourceDeps {
  store: Pick<Store, 'getCheckpoint'>
  /** `match.maxLineBytes`; default 64 KiB. */
  maxLineBytes?: number
  /** The stream a `stdin` source reads; default process.stdin. */
  stdin?: AsyncIterable<Buffer | string>
  /** Base directory for relative file patterns. */
  cwd?: string
  /** File source tuning (tests shorten these). */
  pollMs?: number
  rescanMs?: number
}

/** Display name of a configured source; also the key of its counters. */
export function sourceName(cfg: SourceConfig): string {
  return cfg.type === 'file' ? `file:${cfg.path}` : 'stdin'
}

/** The one place a configured source becomes a LogSource: types `file` (glob, tail, rotation) and `stdin`. */
export function createSource(cfg: SourceConfig, deps: SourceDeps): LogSource {
  const maxLineBytes = deps.maxLineBytes ?? 65_536
  switch (cfg.type) {
    case 'file':
      return new FileSource({
        name: sourceName(cfg), path: cfg.path, store: deps.store, host: cfg.host, fromStart: cfg.fromStart, maxLineBytes,
        pollMs: deps.pollMs, rescanMs: deps.rescanMs, cwd: deps.cwd,
      })
    case 'stdin':
      return new StreamSource({ name: 'stdin', input: deps.stdin ?? (process.stdin as AsyncIterable<Buffer>), host: cfg.host, maxLineBytes })
  }
}
