import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { statements, summary } from '../testutil/extract.js'

const fixture = (name: string) => readFileSync(new URL(`../../../testdata/catalog/${name}`, import.meta.url), 'utf8')

describe('PHP extraction', () => {
  it('finds PSR-3, Laravel and error_log calls in a realistic class and nothing else', async () => {
    const list = await statements('app/Billing.php', fixture('Billing.php'))
    expect(summary(list)).toEqual([
      '10 error $this->logger->error "Charge failed for {}: {}" #billing',
      '11 warn $logger->warning "User {id} over limit"',
      '12 warn Log::warning "Laravel facade warning" @max',
      '13 info \\Log::info "charged %s %d"',
      '14 error error_log "plain error_log: {}"',
      '15 debug $this->log->debug "escaped $dollar and \\"quotes\\""',
      '18 notice $this->logger?->notice "nullsafe notice"',
      '19 fatal $logger->critical <null> !m',
    ])
  })
})
