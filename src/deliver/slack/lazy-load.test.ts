import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../../cli/testutil.js'

/**
 * In a fresh Node process running the compiled code: import what `dice run` imports at start, then make a Slack
 * client from `env`; which `@slack/*` packages were loaded after each step.
 */
function slackLoaded(env: Record<string, string>): { atStart: string[]; withClient: string[]; client: boolean } {
  const dist = (...p: string[]) => JSON.stringify(join(ROOT, 'dist', ...p))
  const script = `
    import { createRequire } from 'node:module'
    const loaded = () => [...new Set(Object.keys(createRequire(import.meta.url).cache).map((k) => /node_modules\\/(@slack\\/[^/]+)\\//.exec(k)?.[1]).filter(Boolean))].sort()
    await import(${dist('cli', 'commands', 'run.js')})
    await import(${dist('server', 'http.js')})
    const { slackFromEnv } = await import(${dist('deliver', 'slack', 'api.js')})
    const atStart = loaded()
    const client = slackFromEnv(${JSON.stringify(env)})
    process.stdout.write(JSON.stringify({ atStart, withClient: loaded(), client: client !== null && typeof client.web.apiCall === 'function' }))`
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }))
}

describe('the Slack packages at start-up', () => {
  it('dice run without Slack tokens loads no @slack package; a bot token loads @slack/web-api for its client (not Socket Mode)', () => {
    expect(slackLoaded({})).toEqual({ atStart: [], withClient: [], client: false })
    expect(slackLoaded({ SLACK_BOT_TOKEN: 'xoxb-test' })).toEqual({ atStart: [], withClient: ['@slack/logger', '@slack/types', '@slack/web-api'], client: true })
  })
})
