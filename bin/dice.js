#!/usr/bin/env node
// The compiled CLI lives in dist/ (built by `npm ci` through the `prepare` script): dist/dice.cjs, the whole CLI in
// one file started with V8's code cache (src/cli/code-cache.ts), or, without it, dist/cli/main.js and its modules.
import { existsSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { dirname, join } from 'node:path'

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist')
const entry = join(dist, 'cli', 'main.js')
if (!existsSync(entry)) {
  process.stderr.write(`dice: ${entry} is missing; run \`npm run build\` first\n`)
  process.exit(1)
}
const argv = process.argv.slice(2)
const { bundleIn, loadBundle } = await import(pathToFileURL(join(dist, 'cli', 'code-cache.js')).href)
const bundle = bundleIn(dist)
let main
if (bundle) {
  const loaded = loadBundle(bundle, argv)
  if (process.env.DICE_DEBUG_START) process.stderr.write(`dice: start: bundle ${bundle}, code cache ${loaded.cache}, loaded in ${loaded.ms.toFixed(1)} ms\n`)
  main = loaded.entry.main
} else {
  if (process.env.DICE_DEBUG_START) process.stderr.write(`dice: start: modules ${entry}\n`)
  main = (await import(pathToFileURL(entry).href)).main
}
process.exitCode = await main(argv)
