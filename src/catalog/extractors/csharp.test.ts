import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { statements, summary } from '../testutil/extract.js'

const fixture = (name: string) => readFileSync(new URL(`../../../testdata/catalog/${name}`, import.meta.url), 'utf8')

describe('C# extraction', () => {
  it('finds ILogger, Serilog, NLog and log4net calls in a realistic class and nothing else', async () => {
    const list = await statements('src/Checkout.cs', fixture('Checkout.cs'))
    expect(summary(list)).toEqual([
      '10 warn _logger.LogWarning "Order {OrderId} has no items" #payments',
      '11 error _logger.LogError "Payment for {OrderId} failed after {Attempts} attempts"',
      '12 info _logger.LogInformation "Interpolated {order.Id} done"',
      '13 fatal _logger.Log "Vault down"',
      '14 error Log.Error "Serilog static {Code}" @mo',
      '15 info Log.Information "verbatim \\"quoted\\" path C:\\\\temp"',
      '16 warn logger.Warn "NLog {}"',
      '17 warn log.WarnFormat "log4net {0}"',
      '19 debug _logger.LogDebug <null> !m',
    ])
  })

  it('reads a message passed by name', async () => {
    const [s] = await statements('A.cs', 'class A { void F() { _logger.LogError(ex, message: "named {X}", x); } }')
    expect(s.template).toBe('named {X}')
  })

  it('reads source-generated [LoggerMessage] attributes and LoggerMessage.Define', async () => {
    const src = [
      'static partial class Trace {',
      '    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Order {OrderId} stuck in {Status}")] // #orders',
      '    public static partial void Stuck(ILogger logger, int orderId, string status);',
      '    [LoggerMessage(2, LogLevel.Error, "Payment {Id} failed")]',
      '    static partial void Failed(ILogger logger, int id);',
      '    [LoggerMessage(EventId = 3, Message = "Level given at call time")]',
      '    static partial void Dynamic(ILogger logger, LogLevel level);',
      '    private static readonly Action<ILogger, int, Exception?> _gone = LoggerMessage.Define<int>(LogLevel.Critical, new EventId(4), "Item {Id} vanished");',
      '    [Obsolete("not a log")] static void Old() {}',
      '}',
    ].join('\n')
    expect(summary(await statements('Trace.cs', src))).toEqual([
      '2 warn LoggerMessage "Order {OrderId} stuck in {Status}" #orders',
      '4 error LoggerMessage "Payment {Id} failed"',
      '6 - LoggerMessage "Level given at call time"',
      '8 fatal LoggerMessage.Define "Item {Id} vanished"',
    ])
  })
})
