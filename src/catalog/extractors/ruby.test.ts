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
})
