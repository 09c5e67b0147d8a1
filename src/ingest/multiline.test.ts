import { describe, expect, it } from 'vitest'
import { configSchema } from '../config/schema.js'
import { createParser } from './formats/index.js'
import { isContinuation, MultilineAssembler, startsEntry } from './multiline.js'
import type { LogEntry } from '../core/types.js'

const auto = createParser('auto', configSchema.parse({}))

function assemble(lines: string[], o: { maxLines?: number; maxBytes?: number; enabled?: boolean } = {}) {
  const asm = new MultilineAssembler(auto, o)
  return lines.map((l, i) => asm.push(l, i + 1))
}

describe('isContinuation', () => {
  it.each([
    '\tat com.example.Foo.bar(Foo.java:42)',
    '    at Object.<anonymous> (/srv/app.js:3:9)',
    'Caused by: java.io.IOException: closed',
    '\t... 12 more',
    '... 3 common frames omitted',
    'Traceback (most recent call last):',
    '  File "app.py", line 3, in <module>',
    'goroutine 1 [running]:',
    'java.lang.IllegalStateException: boom',
    '  indented text',
  ])('%s is a continuation', (line) => expect(isContinuation(line)).toBe(true))

  it.each(['2026-11-25 10:00:01 ERROR boom', 'Caused trouble', 'ERROR: x', '', '   ', 'java is fun', 'goroutine leak detected'])(
    '%j is not', (line) => expect(isContinuation(line)).toBe(false))
})

describe('MultilineAssembler', () => {
  it('folds a Java stack trace into the entry before it', () => {
    const r = assemble([
      '2026-11-25 10:00:01 ERROR [h] request failed',
      'java.lang.IllegalStateException: boom',
      '\tat com.example.Foo.bar(Foo.java:42)',
      'Caused by: java.io.IOException: closed',
      '\t... 12 more',
      '2026-11-25 10:00:02 INFO [h] next',
    ])
    expect(r.map((x) => x.kind)).toEqual(['entry', 'continuation', 'continuation', 'continuation', 'continuation', 'entry'])
    const first = (r[0] as { entry: { continuation?: string[]; n: number } }).entry
    expect(first.continuation).toHaveLength(4)
    expect((r[4] as { entry: unknown }).entry).toBe(first)
  })

  it('folds a Python traceback including its unindented last line', () => {
    const r = assemble([
      'ERROR:root:job failed',
      'Traceback (most recent call last):',
      '  File "job.py", line 3, in run',
      '    raise ValueError("bad")',
      'ValueError: bad',
      'WARNING:root:next',
    ])
    expect(r.map((x) => x.kind)).toEqual(['entry', 'continuation', 'continuation', 'continuation', 'continuation', 'entry'])
  })

  it('folds a Go panic goroutine dump, frames included', () => {
    const r = assemble(['panic: runtime error: index out of range', '', 'goroutine 1 [running]:', 'main.main()', '\t/tmp/x.go:8 +0x18', 'exit status 2'])
    expect(r.map((x) => x.kind)).toEqual(['entry', 'continuation', 'continuation', 'continuation', 'continuation', 'entry'])
  })

  it('keeps at most maxLines / maxBytes continuation lines but still folds the rest', () => {
    const lines = ['ERROR: x', ...Array.from({ length: 50 }, (_, i) => `\tat f${i}(A.java:${i})`)]
    const r = assemble(lines, { maxLines: 5 })
    expect(r.filter((x) => x.kind === 'continuation')).toHaveLength(50)
    expect((r[0] as { entry: { continuation?: string[] } }).entry.continuation).toHaveLength(5)
    const r2 = assemble(lines, { maxBytes: 40 })
    expect((r2[0] as { entry: { continuation?: string[] } }).entry.continuation!.join('').length).toBeLessThanOrEqual(40)
  })

  it('treats an indented first line as an entry, and folds nothing when disabled', () => {
    expect(assemble(['  indented first'])[0]!.kind).toBe('entry')
    expect(assemble(['ERROR: x', '\tat y'], { enabled: false }).map((x) => x.kind)).toEqual(['entry', 'entry'])
  })

  it('reports malformed lines and does not fold into them', () => {
    const asm = new MultilineAssembler(createParser('json', configSchema.parse({})))
    expect(asm.push('{"msg":', 1).kind).toBe('malformed')
    expect(asm.push('\tat x', 2).kind).toBe('malformed')
  })
})

describe('Kubernetes (CRI) container log records', () => {
  const cri = (stream: string, tag: string, text: string, t = '2026-11-25T10:00:01.123456789Z') => `${t} ${stream} ${tag} ${text}`

  it('folds a Java stack trace whose lines are records of their own into the entry before it', () => {
    const r = assemble([
      cri('stderr', 'F', '2026-11-25 10:00:01,123 ERROR [main] com.acme.Pay - payment 42 failed'),
      cri('stderr', 'F', 'java.lang.IllegalStateException: boom'),
      cri('stderr', 'F', '\tat com.acme.Pay.f(Pay.java:3)'),
      cri('stderr', 'F', '\t... 12 more'),
      cri('stdout', 'F', '2026-11-25 10:00:02,000 INFO [main] com.acme.Pay - next'),
    ])
    expect(r.map((x) => x.kind)).toEqual(['entry', 'continuation', 'continuation', 'continuation', 'entry'])
    const e = (r[0] as { entry: LogEntry }).entry
    expect(e).toMatchObject({ level: 'error', message: 'payment 42 failed', logger: 'com.acme.Pay' })
    expect(e.continuation).toEqual(['java.lang.IllegalStateException: boom', '\tat com.acme.Pay.f(Pay.java:3)', '\t... 12 more'])
  })

  it('puts a line the runtime split (P records, then F) back together before reading it, JSON included', () => {
    const json = JSON.stringify({ level: 'error', msg: `payment ${'x'.repeat(40)} failed`, caller: 'pay/pay.go:10' })
    const r = assemble([
      cri('stdout', 'P', json.slice(0, 20)),
      cri('stderr', 'F', '\tat an.interleaved.Frame(Other.java:1)'),
      cri('stdout', 'P', json.slice(20, 50)),
      cri('stdout', 'F', json.slice(50)),
      cri('stdout', 'F', 'WARNING:app.disk:disk sda at 91% capacity'),
    ])
    expect(r.map((x) => x.kind)).toEqual(['entry', 'continuation', 'continuation', 'continuation', 'entry'])
    const e = (r[0] as { entry: LogEntry }).entry
    expect(e).toMatchObject({ n: 1, level: 'error', message: `payment ${'x'.repeat(40)} failed`, file: 'pay/pay.go', line: 10 })
    expect(e.raw).toBe(cri('stdout', 'P', json.slice(0, 20)))
    expect((r[4] as { entry: LogEntry }).entry).toMatchObject({ level: 'warn', logger: 'app.disk', message: 'disk sda at 91% capacity' })
  })

  it('starts a new entry when a partial line is followed by a record of it that is not a continuation, or by another line', () => {
    const r = assemble([cri('stdout', 'P', 'ERROR half a li'), 'plain line after it', cri('stdout', 'F', 'ne')])
    expect(r.map((x) => x.kind)).toEqual(['entry', 'entry', 'entry'])
    expect((r[0] as { entry: LogEntry }).entry.message).toBe('half a li')
  })
})

describe('.NET console formatter entries', () => {
  it('take their message from the indented line after the header, and fold the exception after it', () => {
    const r = assemble([
      'fail: MyApp.Pay[0]',
      '      Payment 52 failed for user kim',
      '      System.InvalidOperationException: boom',
      '         at MyApp.Pay.F() in /src/Pay.cs:line 10',
      'info: Microsoft.Hosting.Lifetime[14]',
      '      Now listening on: http://[::]:8080',
      'warn: MyApp.Disk[1002] disk sda at 91% capacity',
      '      not its message: the header had one',
    ])
    expect(r.map((x) => x.kind)).toEqual(['entry', 'continuation', 'continuation', 'continuation', 'entry', 'continuation', 'entry', 'continuation'])
    const e = (r[0] as { entry: LogEntry }).entry
    expect(e).toMatchObject({ level: 'error', logger: 'MyApp.Pay', message: 'Payment 52 failed for user kim' })
    expect(e.continuation).toEqual(['      System.InvalidOperationException: boom', '         at MyApp.Pay.F() in /src/Pay.cs:line 10'])
    expect((r[4] as { entry: LogEntry }).entry.message).toBe('Now listening on: http://[::]:8080')
    expect((r[6] as { entry: LogEntry }).entry).toMatchObject({ message: 'disk sda at 91% capacity', continuation: ['      not its message: the header had one'] })
  })
})

describe('Docker json-file records', () => {
  const rec = (log: string, stream = 'stderr') => JSON.stringify({ log, stream, time: '2026-11-25T10:00:01.123456789Z' })

  it('fold a stack trace whose lines are records of their own, and put a split line (no newline) back together', () => {
    const json = JSON.stringify({ level: 'error', msg: `payment ${'y'.repeat(30)} failed` })
    const r = assemble([
      rec('2026-11-25 10:00:01,123 ERROR [main] com.acme.Pay - payment 42 failed\n'),
      rec('java.lang.IllegalStateException: boom\n'),
      rec('\tat com.acme.Pay.f(Pay.java:3)\n'),
      rec(json.slice(0, 25), 'stdout'),
      rec(`${json.slice(25)}\n`, 'stdout'),
      rec('2026-11-25 10:00:02,000 INFO [main] com.acme.Pay - next\n', 'stdout'),
    ])
    expect(r.map((x) => x.kind)).toEqual(['entry', 'continuation', 'continuation', 'entry', 'continuation', 'entry'])
    expect((r[0] as { entry: LogEntry }).entry).toMatchObject({
      level: 'error', message: 'payment 42 failed', continuation: ['java.lang.IllegalStateException: boom', '\tat com.acme.Pay.f(Pay.java:3)'],
    })
    expect((r[3] as { entry: LogEntry }).entry).toMatchObject({ n: 4, level: 'error', message: `payment ${'y'.repeat(30)} failed` })
    expect((r[5] as { entry: LogEntry }).entry).toMatchObject({ level: 'info', message: 'next' })
  })

  it('leave other JSON lines and invalid records to the parser as before', () => {
    const r = assemble(['{"log":"not closed', '{"level":"warn","msg":"\\tindented message"}', rec('plain\n')])
    expect(r.map((x) => x.kind)).toEqual(['entry', 'entry', 'entry'])
    expect((r[0] as { entry: LogEntry }).entry.message).toBe('{"log":"not closed')
    expect((r[1] as { entry: LogEntry }).entry.message).toBe('\tindented message')
  })
})

describe('startsEntry', () => {
  it('says where a stream can be cut: a line no assembler state folds into the entry before it', () => {
    const prev = '2026-11-25 10:00:01 ERROR boom'
    for (const line of ['2026-11-25 10:00:02 INFO next', 'ERROR: tunnel a: phase 1 failed', '{"level":"error","msg":"x"}']) expect(startsEntry(line, prev), line).toBe(true)
    for (const line of ['', '\tat a.B.c(B.java:1)', '    at f (x.js:1:2)', 'Caused by: java.io.IOException: x', '... 3 more',
      'java.lang.IllegalStateException: boom', 'ValueError: bad value', 'main.main()', 'goroutine 1 [running]:']) expect(startsEntry(line, prev), line).toBe(false)
    // Container records: only after a complete record (a partial one continues on the next record).
    const full = '2026-11-25T10:00:01.000000000Z stdout F hello'
    const partial = '2026-11-25T10:00:01.000000000Z stdout P hel'
    expect(startsEntry(full, full)).toBe(true)
    expect(startsEntry(full, partial)).toBe(false)
    expect(startsEntry(full, 'plain line')).toBe(false)
  })
})
