import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { statements, summary } from '../testutil/extract.js'

const fixture = (name: string) => readFileSync(new URL(`../../../testdata/catalog/${name}`, import.meta.url), 'utf8')

describe('Python extraction', () => {
  it('finds logging-module calls in a realistic module and nothing else', async () => {
    const list = await statements('app/worker.py', fixture('worker.py'))
    expect(summary(list)).toEqual([
      '8 warn logger.warning "job %s failed on attempt %d" #jobs @kim',
      '9 error log.exception "unhandled error in %(name)s"',
      '10 error logging.error "job {job.id!r} timed out after {elapsed:.1f}s"',
      '11 fatal logger.critical "queue %s is full"',
      '12 warn log.log "slow job {}"',
      '13-14 info logger.info "starting worker %s"',
      '15 debug logger.debug <null> !m',
      '16 error logger.log "numeric level"',
      '18 warn log.warn "raw \\\\d string" #jobs',
      '19 error self.logger.error "self logger: %s"',
      '22 info logger.info "hash # in string"',
      '23-26 error logger.error "multi line %s" @kim',
    ])
  })

  it('maps Python numeric levels, which differ from pino numbers', async () => {
    const src = 'log.log(10, "a")\nlog.log(20, "b")\nlog.log(30, "c")\nlog.log(40, "d")\nlog.log(50, "e")\nlog.log(logging.CRITICAL, "f")'
    expect((await statements('a.py', src)).map((s) => s.level)).toEqual(['debug', 'info', 'warn', 'error', 'fatal', 'fatal'])
  })

  it('unescapes normal strings, keeps unknown escapes and f-string {{ }} as written', async () => {
    const [a, b] = await statements('a.py', 'log.warning("tab\\there \\"q\\" \\d")\nlog.warning(f"{{literal}} {x}\\n")')
    expect(a.template).toBe('tab\there "q" \\d')
    expect(b.template).toBe('{{literal}} {x}\n')
  })

  it('does not take methods of non-logger objects for logs', async () => {
    expect(await statements('a.py', 'errors.error("x")\nself.dialog.warning("y")\nresult.info("z")')).toEqual([])
  })

  it('takes the first argument as the message even when a later one is a string', async () => {
    const [s] = await statements('a.py', 'logger.error(msg, "detail")')
    expect(s).toMatchObject({ template: null, matchable: false, level: 'error' })
  })

  it('does not take rich console.print for a log', async () => {
    expect(await statements('a.py', 'console.print("[bold]hello[/bold]")\nself.console.print(table)')).toEqual([])
  })
})
