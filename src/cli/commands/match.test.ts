import { spawn } from 'node:child_process'
import { closeSync, openSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Statement } from '../../core/types.js'
import { openStore } from '../../store/registry.js'
import { DICE_BIN, readFirstLineThenClose, runDice } from '../testutil.js'
import { tempDir } from '../../testutil/tmp.js'

function st(id: string, file: string, line: number, template: string, o: Partial<Statement> = {}): Statement {
  return { id, file, line, endLine: line, language: 'c', level: 'error', template, matchable: true, channels: [], mentions: [], blame: null, callee: 'ERROR_LOG', ...o }
}

let dir: string
let db: string

beforeAll(async () => {
  dir = tempDir('match')
  db = join(dir, 'dice.db')
  const store = await openStore({ dbFile: db })
  await store.replaceFiles(
    [{ file: 'src/net/ipsec.c', hash: 'h1' }, { file: 'src/app/Order.java', hash: 'h2' }, { file: 'src/app/Invoice.java', hash: 'h3' }],
    [
      st('ipsec-phase', 'src/net/ipsec.c', 120, 'tunnel %s: phase %d failed'),
      st('ipsec-hello', 'src/net/ipsec.c', 80, 'hello cruel world', { level: 'info', channels: ['hello-worlders'] }),
      st('order-saved', 'src/app/Order.java', 10, 'saved {}', { language: 'java' }),
      st('invoice-saved', 'src/app/Invoice.java', 30, 'saved {}', { language: 'java' }),
      st('dynamic', 'src/net/ipsec.c', 200, 'x', { matchable: false }),
    ],
    [],
  )
  await store.close()
})

const match = (args: string[], input: string | Buffer) => runDice(['--db', db, 'match', ...args], { cwd: dir, input })
/** stdout as bytes (text decoded chunk by chunk could split a character differently from one run to the next). */
function matchBytes(args: string[], input: Buffer): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  const child = spawn(process.execPath, [DICE_BIN, '--db', db, 'match', ...args], { cwd: dir })
  const out: Buffer[] = []
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => out.push(d))
  child.stderr.on('data', (d) => (stderr += d))
  child.stdin.end(input)
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr })))
}
const ndjson = (s: string) => s.trim().split('\n').map((l) => JSON.parse(l))

describe('dice match', () => {
  it('writes one NDJSON result per input line, in order, with level, host and statement', async () => {
    const input = [
      '2026-11-25 10:00:01,123 ERROR [host-7] tunnel vpn-3: phase 2 failed',
      'hello cruel world',
      '2026-11-25 10:00:03,000 WARN [host-8] nothing like this in the code',
      '',
      '2026-11-25 10:00:04.000  INFO 1 --- [main] c.e.Invoice : saved 42',
    ].join('\n') + '\n'
    const r = await match(['--json'], input)
    expect(r.code).toBe(0)
    expect(ndjson(r.stdout)).toEqual([
      { n: 1, level: 'error', host: 'host-7', statement: { id: 'ipsec-phase', file: 'src/net/ipsec.c', line: 120 } },
      { n: 2, level: null, host: null, statement: { id: 'ipsec-hello', file: 'src/net/ipsec.c', line: 80 } },
      { n: 3, level: 'warn', host: 'host-8', statement: null },
      { n: 4, level: null, host: null, statement: null },
      { n: 5, level: 'info', host: null, statement: { id: 'invoice-saved', file: 'src/app/Invoice.java', line: 30 } },
    ])
  })

  it('gives continuation lines their entry\'s statement', async () => {
    const input = 'ERROR: tunnel a: phase 1 failed\njava.io.IOException: x\n\tat a.B.c(B.java:1)\nhello cruel world\n'
    const r = await match(['--json'], input)
    expect(ndjson(r.stdout).map((o) => [o.n, o.level, o.statement?.id ?? null])).toEqual([
      [1, 'error', 'ipsec-phase'], [2, 'error', 'ipsec-phase'], [3, 'error', 'ipsec-phase'], [4, null, 'ipsec-hello'],
    ])
  })

  it('reads Kubernetes (CRI) container records: a split line is matched whole, a stack trace folds into its entry', async () => {
    const input = [
      '2026-11-25T10:00:01.1Z stderr P {"level":"error","msg":"tunnel vpn-3: pha',
      '2026-11-25T10:00:01.1Z stderr F se 2 failed","host":"gw-1"}',
      '2026-11-25T10:00:02Z stdout F 2026-11-25 10:00:02,000 ERROR [host-7] tunnel vpn-4: phase 1 failed',
      '2026-11-25T10:00:02Z stdout F java.io.IOException: x',
      '2026-11-25T10:00:02Z stdout F \tat a.B.c(B.java:1)',
    ].join('\n') + '\n'
    const r = await match(['--json'], input)
    expect(r.code).toBe(0)
    const phase = { id: 'ipsec-phase', file: 'src/net/ipsec.c', line: 120 }
    expect(ndjson(r.stdout).slice(1)).toEqual([
      { n: 2, level: 'error', host: 'gw-1', statement: phase },
      { n: 3, level: 'error', host: 'host-7', statement: phase },
      { n: 4, level: 'error', host: 'host-7', statement: phase },
      { n: 5, level: 'error', host: 'host-7', statement: phase },
    ])
  })

  it('reports malformed lines as statement null and counts them on stderr', async () => {
    const r = await match(['--json', '--format', 'json'], '{"level":"error","msg":"tunnel t: phase 9 failed"}\n{"msg": "cut\nnot json\n')
    expect(r.code).toBe(0)
    expect(ndjson(r.stdout).map((o) => o.statement?.id ?? null)).toEqual(['ipsec-phase', null, null])
    expect(r.stderr).toMatch(/2 malformed line\(s\)/)
  })

  it('treats each line as a bare message with regex:^(?<message>.*)$, and CRLF input', async () => {
    const r = await match(['--json', '--format', 'regex:^(?<message>.*)$'], 'tunnel a: phase 1 failed\r\nweb-1 tunnel a: phase 1 failed\r\n')
    expect(ndjson(r.stdout).map((o) => o.statement?.id ?? null)).toEqual(['ipsec-phase', null])
  })

  it('uses a preset from the configuration', async () => {
    const cfg = join(dir, 'dice.yml')
    writeFileSync(cfg, 'formats:\n  bracket: "regex:^\\\\[(?<level>\\\\w+)\\\\] (?<message>.*)$"\n')
    const r = await runDice(['--config', cfg, '--db', db, 'match', '--json', '--format', 'bracket'], { cwd: dir, input: '[warn] hello cruel world\n' })
    expect(ndjson(r.stdout)).toEqual([{ n: 1, level: 'warn', host: null, statement: { id: 'ipsec-hello', file: 'src/net/ipsec.c', line: 80 } }])
  })

  it('survives invalid UTF-8, NUL bytes and a 10 MB line, still one result per line', async () => {
    const input = Buffer.concat([
      Buffer.from('ERROR \xff\xfe bad bytes\n', 'latin1'),
      Buffer.from('a\u0000b\n'),
      Buffer.from(`ERROR ${'z'.repeat(10 * 1024 * 1024)}\n`),
      Buffer.from('hello cruel world'), // no final newline
    ])
    const r = await match(['--json'], input)
    expect(r.code).toBe(0)
    const out = ndjson(r.stdout)
    expect(out.map((o) => o.n)).toEqual([1, 2, 3, 4])
    expect(out[2].level).toBe('error')
    expect(out[3].statement?.id).toBe('ipsec-hello')
    expect(r.stderr).toMatch(/1 line\(s\) longer than match\.maxLineBytes/)
  })

  it('prints a readable line per input line, and --explain shows the candidates', async () => {
    const r = await match([], 'tunnel a: phase 1 failed\nno such thing\n')
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(/^\s+1\s+-\s+src\/net\/ipsec\.c:120\s+tunnel a: phase 1 failed$/)
    expect(lines[1]).toMatch(/^\s+2\s+-\s+-\s+no such thing$/)
    const x = await match(['--explain'], 'tunnel a: phase 1 failed\n')
    expect(x.stdout).toMatch(/\+ ipsec-phase "tunnel %s: phase %d failed" literal=22: matched via first words "tunnel"; chosen/)
    const j = await match(['--json', '--explain'], 'saved 7\n')
    const o = ndjson(j.stdout)[0]
    expect(o.statement.id).toBe('invoice-saved') // no hint: catalog order (file, line)
    expect(o.explain.candidates.map((c: { statementId: string }) => c.statementId).sort()).toEqual(['invoice-saved', 'order-saved'])
  })

  it('streams: answers a line before stdin is closed', async () => {
    const child = spawn(process.execPath, [DICE_BIN, '--db', db, 'match', '--json'], { cwd: dir })
    const first = await new Promise<string>((resolve, reject) => {
      let out = ''
      const timer = setTimeout(() => reject(new Error(`no output while stdin was open; got ${JSON.stringify(out)}`)), 30_000)
      child.stdout.on('data', (d) => {
        out += d
        if (out.includes('\n')) (clearTimeout(timer), resolve(out))
      })
      child.stdin.write('hello cruel world\n')
    })
    expect(JSON.parse(first.split('\n')[0]!)).toMatchObject({ n: 1, statement: { id: 'ipsec-hello' } })
    child.stdin.end('tunnel z: phase 3 failed\n')
    const rest = await new Promise<string>((resolve) => {
      let out = ''
      child.stdout.on('data', (d) => (out += d))
      child.on('close', () => resolve(out))
    })
    expect(ndjson(rest)).toEqual([{ n: 2, level: null, host: null, statement: { id: 'ipsec-phase', file: 'src/net/ipsec.c', line: 120 } }])
  })

  // 40,000 lines (~1.2 MB of output): far more than a pipe holds, so the writer meets backpressure many times.
  const many = 'tunnel z: phase 3 failed\n'.repeat(40_000)

  it('stops quietly with exit 0 when the reader closes the pipe early (dice match | head)', async () => {
    const child = spawn(process.execPath, [DICE_BIN, '--db', db, 'match', '--json'], { cwd: dir })
    child.stdin.on('error', () => {}) // dice stops reading once nobody reads its output
    child.stdin.end(many)
    const { code, stderr } = await readFirstLineThenClose(child)
    expect(stderr).not.toMatch(/EPIPE|Error/)
    expect(code).toBe(0)
  })

  it('leaves no listeners behind while waiting for a slow reader (no MaxListenersExceededWarning)', async () => {
    const child = spawn(process.execPath, [DICE_BIN, '--db', db, 'match', '--json'], { cwd: dir })
    let stderr = ''
    child.stderr.on('data', (d) => (stderr += d))
    child.stdin.end(many)
    let lines = 0
    // Read a little, then pause: the child's writes fill the pipe and it waits for 'drain' again and again.
    child.stdout.on('data', (d: Buffer) => {
      for (let i = d.indexOf(10); i >= 0; i = d.indexOf(10, i + 1)) lines++
      child.stdout.pause()
      setTimeout(() => child.stdout.resume(), 2)
    })
    const code = await new Promise((resolve) => child.on('close', resolve))
    expect(code).toBe(0)
    expect(lines).toBe(40_000)
    expect(stderr).not.toMatch(/MaxListenersExceededWarning/)
  })

  it('with --workers writes byte for byte what one thread writes, and the same counts on stderr', async () => {
    // ~3.5 MB: several pieces, cut between entries; a trace, a 10 MB line, bad bytes and no final newline among them.
    const block = ['ERROR tunnel a: phase 1 failed', '\tat x.Y.z(Y.java:1)', 'INFO saved 42', 'ERROR \xff bad', 'WARNING hello cruel world', 'junk line'].join('\n')
    const input = Buffer.concat([
      Buffer.from(`${block}\n`.repeat(20_000), 'latin1'),
      Buffer.from(`ERROR ${'z'.repeat(10 * 1024 * 1024)}\n`),
      Buffer.from(`${block}\n`.repeat(20_000), 'latin1'),
      Buffer.from('hello cruel world'),
    ])
    for (const mode of [['--json'], []]) {
      const one = await matchBytes([...mode, '--workers', '0'], input)
      const two = await matchBytes([...mode, '--workers', '2'], input)
      expect(one.code).toBe(0)
      expect(two.code).toBe(0)
      expect(one.stdout.toString().split('\n')).toHaveLength(240_003)
      expect(two.stdout.equals(one.stdout)).toBe(true)
      expect(two.stderr).toBe(one.stderr)
      expect(one.stderr).toMatch(/1 line\(s\) longer than match\.maxLineBytes/)
    }
  }, 60_000)

  it('matches a large file on stdin with threads by default, writing what one thread writes', async () => {
    // 17 MB: above the size from which `dice match < FILE` starts threads on a host with several cores.
    const file = join(dir, 'big.log')
    writeFileSync(file, 'ERROR tunnel a: phase 1 failed\n\tat x.Y.z(Y.java:1)\nWARNING hello cruel world\nINFO saved 42\n'.repeat(200_000))
    const run = (args: string[]) => {
      const fd = openSync(file, 'r')
      const child = spawn(process.execPath, [DICE_BIN, '--db', db, 'match', '--json', ...args], { cwd: dir, stdio: [fd, 'pipe', 'pipe'] })
      closeSync(fd)
      const out: Buffer[] = []
      child.stdout!.on('data', (d: Buffer) => out.push(d))
      return new Promise<{ code: number | null; stdout: Buffer }>((resolve) => child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out) })))
    }
    const [auto, one] = await Promise.all([run([]), run(['--workers', '0'])])
    expect(auto.code).toBe(0)
    expect(one.stdout.toString().split('\n')).toHaveLength(800_001)
    expect(auto.stdout.equals(one.stdout)).toBe(true)
  }, 60_000)

  it('with --workers stops quietly with exit 0 when the reader closes the pipe early', async () => {
    const child = spawn(process.execPath, [DICE_BIN, '--db', db, 'match', '--json', '--workers', '2'], { cwd: dir })
    child.stdin.on('error', () => {})
    child.stdin.end(many.repeat(4))
    const { code, stderr } = await readFirstLineThenClose(child)
    expect(stderr).not.toMatch(/EPIPE|Error/)
    expect(code).toBe(0)
  })

  it('rejects a --workers that is not a number of threads with exit 2 naming --workers', async () => {
    const r = await match(['--workers', 'two'], 'x\n')
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/--workers/)
  })

  it('rejects a bad --format with exit 2 naming --format', async () => {
    const r = await match(['--format', 'regex:^(?<msg>.*)$'], 'x\n')
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/--format/)
    const u = await match(['--format', 'yaml'], 'x\n')
    expect(u.code).toBe(2)
    expect(u.stderr).toMatch(/--format: unknown format "yaml"/)
  })

  it('rejects a FILE argument with exit 2 instead of ignoring it and waiting on stdin', async () => {
    const r = await match(['--json', 'app.log'], 'hello cruel world\n')
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('match: unexpected argument "app.log"')
    expect(r.stdout).toBe('')
  })
})

describe('dice match and the stored matcher index', () => {
  it('stores the index it built, answers the same from it at the next start, and ignores it once a template changed', async () => {
    const d = tempDir('match-index')
    const file = join(d, 'dice.db')
    const edit = async (queue: string) => {
      const store = await openStore({ dbFile: file })
      await store.replaceFiles([{ file: 'a.c', hash: queue }], [st('disk', 'a.c', 1, 'disk %s full'), st('queue', 'a.c', 2, queue)], [])
      await store.close()
    }
    const stored = async () => {
      const store = await openStore({ dbFile: file })
      const b = await store.getBlob('matcher.index')
      await store.close()
      return b
    }
    const answers = async () => {
      const r = await runDice(['--db', file, 'match', '--json'], { cwd: d, input: 'ERROR disk sda full\nERROR queue 3 stuck\nERROR queue 3 stalled\n' })
      expect(r.code).toBe(0)
      return ndjson(r.stdout).map((x) => x.statement?.id ?? null)
    }
    await edit('queue %d stuck')
    expect(await stored()).toBeNull()
    expect(await answers()).toEqual(['disk', 'queue', null])
    const first = await stored()
    expect(first?.bytes.byteLength).toBeGreaterThan(0)
    expect(await answers()).toEqual(['disk', 'queue', null])
    await edit('queue %d stalled')
    expect(await answers()).toEqual(['disk', null, 'queue'])
    expect((await stored())?.tag).not.toBe(first!.tag)
  })
})
