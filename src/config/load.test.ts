import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../cli/testutil.js'
import { tempDir } from '../testutil/tmp.js'

/** In a fresh Node process running the compiled code: loadConfig in `dir`, then whether the YAML parser was loaded. */
function yamlLoadedAfterLoading(dir: string): { yaml: boolean; port: number } {
  const script = `
    import { createRequire } from 'node:module'
    const { loadConfig } = await import(${JSON.stringify(join(ROOT, 'dist', 'config', 'load.js'))})
    const { config } = loadConfig(undefined, ${JSON.stringify(dir)})
    const loaded = Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('/node_modules/yaml/'))
    process.stdout.write(JSON.stringify({ yaml: loaded, port: config.server.port }))`
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }))
}

describe('loadConfig', () => {
  it('does not load the YAML parser when there is no dice.yml (start-up), and reads one when there is', () => {
    const dir = tempDir('config')
    expect(yamlLoadedAfterLoading(dir)).toEqual({ yaml: false, port: 7878 })
    writeFileSync(join(dir, 'dice.yml'), 'server:\n  port: 9999\n')
    expect(yamlLoadedAfterLoading(dir)).toEqual({ yaml: true, port: 9999 })
  })
})
