import { Worker } from 'node:worker_threads'

/**
 * Start the worker thread whose script is `name` (without extension) beside the module at `base`
 * (`import.meta.url`). Compiled code runs dist/…/NAME.js; tests run the TypeScript sources, whose worker
 * registers tsx first (with tsx's on-disk cache off: tests leave nothing in the temp dir).
 */
export function startWorker(base: string, name: string, workerData: unknown, youngGenerationMb: number): Worker {
  const ts = base.endsWith('.ts')
  const url = new URL(`./${name}${ts ? '.ts' : '.js'}`, base)
  const entry = ts ? `import('tsx/esm/api').then((t) => { t.register(); return import(${JSON.stringify(url.href)}) })` : url
  // A small young generation: a worker's garbage is per line and dies young; V8's default semi-spaces (up to
  // 16 MB each, three per isolate) cost every worker tens of MB of RSS for no gain here.
  return new Worker(entry, { eval: ts, workerData, resourceLimits: { maxYoungGenerationSizeMb: youngGenerationMb }, env: ts ? { ...process.env, TSX_DISABLE_CACHE: '1' } : process.env })
}
