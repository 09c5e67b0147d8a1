import { describe, expect, it } from 'vitest'
import { commands } from './index.js'

describe('command registry', () => {
  it('loads, for every command help lists, the module whose command has that name and those flags', async () => {
    const names = new Set<string>()
    for (const spec of commands) {
      const cmd = await spec.load()
      expect(cmd.name).toBe(spec.name)
      expect(cmd.usage).toBe(spec.usage)
      expect(cmd.options).toEqual(spec.options)
      expect(typeof cmd.run).toBe('function')
      names.add(spec.name)
    }
    expect(names.size).toBe(commands.length)
  })
})
