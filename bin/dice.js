#!/usr/bin/env node
// The compiled CLI lives in dist/ (built by `npm ci` through the `prepare` script).
import { existsSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { dirname, join } from 'node:path'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const entry = join(root, 'dist', 'cli', 'main.js')
if (!existsSync(entry)) {
  process.stderr.write(`dice: ${entry} is missing; run \`npm run build\` first\n`)
  process.exit(1)
}
const { main } = await import(pathToFileURL(entry).href)
process.exitCode = await main(process.argv.slice(2))
