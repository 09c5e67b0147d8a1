import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { tempSqliteStore } from '../store/testutil/stores.js'
import { FileSource } from './file/file-source.js'
import { ReplaySource } from './file/replay-source.js'
import { runSourceContract } from './source.contract.js'
import { StreamSource } from './stdin/stream-source.js'
import type { RawLine } from './source.js'
import { tempDir } from '../testutil/tmp.js'

const fileWith = (content: Buffer, name = 'app.log') => {
  const p = join(tempDir('src'), name)
  writeFileSync(p, content)
  return p
}

runSourceContract('FileSource', async (content) => {
  const { store } = await tempSqliteStore()
  const source = new FileSource({ name: 'f', path: fileWith(content), store, fromStart: true, maxLineBytes: 1024, pollMs: 20 })
  return { source, follow: true, cleanup: () => store.close() }
})

runSourceContract('ReplaySource (plain)', async (content) => {
  const { store } = await tempSqliteStore()
  return { source: new ReplaySource({ path: fileWith(content), store, maxLineBytes: 1024 }), follow: false, cleanup: () => store.close() }
})

runSourceContract('ReplaySource (gzip)', async (content) => {
  const { store } = await tempSqliteStore()
  return { source: new ReplaySource({ path: fileWith(gzipSync(content), 'x.gz'), store, maxLineBytes: 1024, chunkBytes: 7 }), follow: false, cleanup: () => store.close() }
})

runSourceContract('StreamSource', async (content) => ({
  // Two-byte chunks: lines and characters cut at every position.
  source: new StreamSource({ name: 'stdin', input: Readable.from(Array.from({ length: Math.ceil(content.length / 2) }, (_, i) => content.subarray(i * 2, i * 2 + 2))), maxLineBytes: 1024 }),
  follow: false,
}))

describe('file sources of Kubernetes container logs', () => {
  const id = 'c'.repeat(64)
  const k8sFile = (content: string) => {
    const dir = join(tempDir('k8s'), 'containers')
    mkdirSync(dir)
    const p = join(dir, `payments-7d9f8b6c5-x2k4q_shop_api-${id}.log`)
    writeFileSync(p, content)
    return p
  }
  const lines = '2026-11-25T10:00:01Z stderr F ERROR payment 7 failed\n2026-11-25T10:00:02Z stdout F INFO ok\n'

  it('count lines under the pod the path names, unless the source sets a host', async () => {
    const { store } = await tempSqliteStore()
    try {
      const hosts = async (src: { batches?: (s: AbortSignal) => AsyncIterable<RawLine[]> }) => {
        const out: Array<string | undefined> = []
        for await (const b of src.batches!(new AbortController().signal)) for (const l of b) out.push(l.host)
        return out
      }
      expect(await hosts(new ReplaySource({ path: k8sFile(lines), store, maxLineBytes: 1024 }))).toEqual(['payments-7d9f8b6c5-x2k4q', 'payments-7d9f8b6c5-x2k4q'])
      expect(await hosts(new ReplaySource({ path: k8sFile(lines), store, maxLineBytes: 1024, host: 'node-3' }))).toEqual(['node-3', 'node-3'])
      expect(await hosts(new ReplaySource({ path: fileWith(Buffer.from(lines)), store, maxLineBytes: 1024 }))).toEqual([undefined, undefined])

      const ac = new AbortController()
      const tail = new FileSource({ name: 'k', path: k8sFile(lines), store, fromStart: true, maxLineBytes: 1024, pollMs: 20 })
      const seen: Array<string | undefined> = []
      for await (const l of tail.lines(ac.signal)) {
        seen.push(l.host)
        if (seen.length === 2) ac.abort()
      }
      expect(seen).toEqual(['payments-7d9f8b6c5-x2k4q', 'payments-7d9f8b6c5-x2k4q'])
    } finally {
      await store.close()
    }
  })
})
