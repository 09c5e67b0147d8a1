import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Removes what tempDir() made once each file's tests are done.
    setupFiles: ['test/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Store suites share one PostgreSQL database; each uses its own schema, so files may run in parallel.
    pool: 'forks',
  },
})
