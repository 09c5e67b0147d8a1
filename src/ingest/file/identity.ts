import { createHash } from 'node:crypto'
import { open, type FileHandle } from 'node:fs/promises'
import type { Checkpoint } from '../../core/types.js'
import type { Store } from '../../store/store.js'

/**
 * How many leading bytes of a file make its fingerprint. dev:ino alone is not enough: after a delete the
 * filesystem hands the inode to the next new file, which must start at 0, not at the old file's offset.
 */
export const FINGERPRINT_BYTES = 1024

/** dev:ino of an open file or a path; identifies a file across renames and symlinks. */
export function identityOf(st: { dev: bigint | number; ino: bigint | number }): string {
  return `${st.dev}:${st.ino}`
}

/**
 * Checkpoint key of a file: its identity, not its path, so that `dice run` and `dice replay` resume a file
 * renamed by rotation (or reached through a symlink or hard link) where it was left, under any name.
 */
export function fileCheckpointKey(st: { dev: bigint | number; ino: bigint | number }): string {
  return `file-id:${identityOf(st)}`
}

/** Checkpoint key of files before identity keys: `file:<absolute path>` (read once, for stores written by older versions). */
export function legacyCheckpointKey(absPath: string): string {
  return `file:${absPath}`
}

/** The checkpoint key of the file now at `path` (tests and tools; follows symlinks). */
export async function checkpointKeyOfPath(path: string): Promise<string> {
  const fh = await open(path, 'r')
  try {
    return fileCheckpointKey(await fh.stat({ bigint: true }))
  } finally {
    await fh.close()
  }
}

/** Fingerprint `<length>:<hash>` of the first `len` bytes of an open file (len ≤ FINGERPRINT_BYTES). */
export async function fingerprintOf(fh: FileHandle, len: number): Promise<string> {
  const n = Math.min(len, FINGERPRINT_BYTES)
  const buf = Buffer.alloc(n)
  let got = 0
  while (got < n) {
    const { bytesRead } = await fh.read(buf, got, n - got, got)
    if (bytesRead === 0) break
    got += bytesRead
  }
  return `${got}:${createHash('sha1').update(buf.subarray(0, got)).digest('hex').slice(0, 16)}`
}

/** A stored checkpoint identity: `dev:ino:<fingerprint length>:<hash>`, or the older `dev:ino` alone. */
export function checkpointIdentity(devIno: string, fingerprint: string): string {
  return `${devIno}:${fingerprint}`
}

/**
 * Whether the stored identity `cpIdentity` names the file open as `fh` (dev:ino `devIno`): same dev:ino and,
 * when the checkpoint carries a fingerprint, the same leading bytes. An older checkpoint without a
 * fingerprint is trusted on dev:ino alone.
 */
export async function sameFile(cpIdentity: string, devIno: string, fh: FileHandle): Promise<boolean> {
  const parts = cpIdentity.split(':')
  if (`${parts[0]}:${parts[1]}` !== devIno) return false
  if (parts.length < 4) return true
  const len = Number(parts[2])
  if (!Number.isSafeInteger(len) || len < 0 || len > FINGERPRINT_BYTES) return false
  return (await fingerprintOf(fh, len)) === `${parts[2]}:${parts[3]}`
}

/**
 * Where to resume the file open as `fh` at `absPath`, from the store: `cp` null when this file has never
 * been read; `stale` when a checkpoint of a deleted file with the same dev:ino was found (a reused inode).
 */
export async function resumePoint(store: Pick<Store, 'getCheckpoint'>, absPath: string, fh: FileHandle, st: { dev: bigint; ino: bigint }): Promise<{ cp: Checkpoint | null; stale: boolean }> {
  const devIno = identityOf(st)
  const cp = await store.getCheckpoint(fileCheckpointKey(st))
  if (cp) return (await sameFile(cp.identity, devIno, fh)) ? { cp, stale: false } : { cp: null, stale: true }
  // A store written before identity keys: the path's checkpoint still counts if it is this very file.
  const old = await store.getCheckpoint(legacyCheckpointKey(absPath))
  return { cp: old && old.identity === devIno ? old : null, stale: false }
}
