import { closeSync, openSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../../testutil/tmp.js'
import { AUTO_MAX_STATEMENTS, AUTO_MAX_WORKERS, AUTO_MIN_BYTES, autoWorkers } from './auto.js'

describe('threads dice match starts when nobody said how many', () => {
  it('one per core, at most a few, for a large file on stdin; none for a small file, a large catalog, one core, a directory or no stdin of its own', async () => {
    const dir = tempDir('match-auto')
    const big = join(dir, 'big.log')
    writeFileSync(big, '')
    truncateSync(big, AUTO_MIN_BYTES)
    const small = join(dir, 'small.log')
    writeFileSync(small, 'x\n'.repeat(1000))
    const fdBig = openSync(big, 'r')
    const fdSmall = openSync(small, 'r')
    try {
      expect(autoWorkers(fdBig, 10_000, 2)).toBe(2)
      expect(autoWorkers(fdBig, 10_000, 64)).toBe(AUTO_MAX_WORKERS)
      expect(autoWorkers(fdBig, 10_000, 1)).toBe(0)
      expect(autoWorkers(fdBig, AUTO_MAX_STATEMENTS, 8)).toBe(0)
      expect(autoWorkers(fdSmall, 10_000, 8)).toBe(0)
      expect(autoWorkers(null, 10_000, 8)).toBe(0)
    } finally {
      closeSync(fdBig)
      closeSync(fdSmall)
    }
    // A directory (not a file) and a closed descriptor: none, no error.
    const fdDir = openSync(dir, 'r')
    expect(autoWorkers(fdDir, 10_000, 8)).toBe(0)
    closeSync(fdDir)
    expect(autoWorkers(fdDir, 10_000, 8)).toBe(0)
  })
})
