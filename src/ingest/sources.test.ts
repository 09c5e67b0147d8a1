import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { tempSqliteStore } from '../store/testutil/stores.js'
import { FileSource } from './file/file-source.js'
import { ReplaySource } from './file/replay-source.js'
import { runSourceContract } from './source.contract.js'
import { StreamSource } from './stdin/stream-source.js'

const fileWith = (content: Buffer, name = 'app.log') => {
  const p = join(mkdtempSync(join(tmpdir(), 'dice-src-')), name)
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
