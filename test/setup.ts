import { afterAll } from 'vitest'
import { removeTempDirs } from '../src/testutil/tmp.js'

// Registered before the file's own hooks, so it runs after them (vitest runs after-hooks as a stack):
// stores and servers a file opened are closed before their directories go.
afterAll(() => removeTempDirs())
