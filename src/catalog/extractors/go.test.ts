import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { statements, summary } from '../testutil/extract.js'

const fixture = (name: string) => readFileSync(new URL(`../../../testdata/catalog/${name}`, import.meta.url), 'utf8')

describe('Go extraction', () => {
  it('finds log, zap, logrus, slog and zerolog calls in a realistic file and nothing else', async () => {
    const list = await statements('server/server.go', fixture('server.go'))
    expect(summary(list)).toEqual([
      '13 info log.Printf "listening on %s" #infra',
      '14 fatal log.Fatalf "cannot bind %s: %v"',
      '15 fatal log.Panicf "impossible state %d"',
      '16 info log.Println "shutdown requested by {}"',
      '17 error s.logger.Error "request failed" @lee',
      '18 error sugar.Errorw "upstream timeout"',
      '19 warn sugar.Warnf "retry %d of %d"',
      '20 warn logrus.WithField(…).Warn "quota exceeded"',
      '21 error logrus.WithFields(…).Errorf "db error: %v"',
      '22 warn slog.Warn "cache miss"',
      '23 error s.log.ErrorContext "handler panicked"',
      '24 warn slog.Log "via slog.Log"',
      '25 error log.Error().Err(…).Msg "zerolog error"',
      '26 info log.Info().Msgf "zerolog info %d"',
      '27 info logger.Info "formatted %s"',
      '28 warn logger.Warn "raw string %d"',
    ])
  })

  it('joins log.Print operands the way fmt.Sprint does', async () => {
    const src = 'package m\nfunc f() {\n\tlog.Print("count=", n)\n\tlog.Print(a, b)\n\tlog.Println("a", b, "c")\n}\n'
    expect((await statements('m.go', src)).map((s) => s.template)).toEqual(['count={}', null, 'a {} c'])
  })

  it('reads go-kit calls: level from the chain, message after the "msg" key', async () => {
    const src = 'package m\nfunc f() {\n\tlevel.Warn(logger).Log("msg", "disk almost full", "path", p)\n\tlevel.Error(l).Log("err", err, "msg", "flush failed")\n}\n'
    expect(summary(await statements('m.go', src))).toEqual(['3 warn level.Warn(…).Log "disk almost full"', '4 error level.Error(…).Log "flush failed"'])
  })

  it('takes a derived logger named l for a logger', async () => {
    const src = 'package m\nfunc f() {\n\tl := logger.With("peer", p)\n\tl.Warn("peer unreachable")\n}\n'
    expect(summary(await statements('m.go', src))).toEqual(['4 warn l.Warn "peer unreachable"'])
  })

  it('reads klog structured and verbose calls', async () => {
    const src = 'package m\nfunc f() {\n\tklog.ErrorS(err, "sync failed", "pod", p)\n\tklog.V(4).InfoS("cache refreshed", "n", n)\n\tklog.Warningf("slow %s", x)\n}\n'
    expect(summary(await statements('m.go', src))).toEqual(['3 error klog.ErrorS "sync failed"', '4 debug klog.V(…).InfoS "cache refreshed"', '5 warn klog.Warningf "slow %s"'])
  })
})
