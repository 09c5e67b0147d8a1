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

  it('takes the first argument as the message, PSR-3 context after it', async () => {
    const src = "<?php\n$logger->error($e->getMessage(), ['trace' => 'x']);\n$logger->info('{user} logged in', ['user' => $u]);\n"
    expect(summary(await statements('a.php', src))).toEqual(['2 error $logger->error <null> !m', '3 info $logger->info "{user} logged in"'])
  })

  it('maps syslog priorities and reads # and /* */ annotations', async () => {
    const src = "<?php\nsyslog(LOG_WARNING, 'disk low'); # #ops\nsyslog(LOG_CRIT, \"raid {$n} degraded\"); /* @max */\n"
    expect(summary(await statements('a.php', src))).toEqual(['2 warn syslog "disk low" #ops', '3 fatal syslog "raid {} degraded" @max'])
  })
})
