import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { statements, summary } from '../testutil/extract.js'

const fixture = (name: string) => readFileSync(new URL(`../../../testdata/catalog/${name}`, import.meta.url), 'utf8')

describe('Ruby extraction', () => {
  it('finds Logger and Rails.logger calls in a realistic job and nothing else', async () => {
    const list = await statements('app/jobs/sync_job.rb', fixture('sync_job.rb'))
    expect(summary(list)).toEqual([
      '3 warn logger.warn "account {} is over quota" #billing',
      '4 error Rails.logger.error "sync failed: {}"',
      '5 info logger.info "lazy block message {}"',
      '6 debug logger.debug "single quoted #{not_interpolated}"',
      '7 fatal logger.fatal "disk %s at %d%%" @zoe',
      '8 warn Rails.logger.warn "percent form %s"',
      '9 error logger.error <null> !m',
    ])
  })

  it('reads a # comment above as annotations and keeps # inside strings out', async () => {
    const src = '# #billing @zoe\nlogger.error "charge #{id} failed # not a comment"\n'
    const [s] = await statements('a.rb', src)
    expect(s).toMatchObject({ template: 'charge {} failed # not a comment', channels: ['billing'], mentions: ['zoe'] })
  })

  it('records a heredoc or variable message as non-literal', async () => {
    const src = 'logger.warn(<<~MSG)\n  long #{x}\nMSG\nlogger.info(msg)\n'
    expect(summary(await statements('a.rb', src))).toEqual(['1 warn logger.warn <null> !m', '4 info logger.info <null> !m'])
  })
})
