// Synthetic repository for the index benchmark: N source files in six languages, several authors and
// many commits, written with one `git fast-import` (thousands of commits in seconds).
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { rng } from '../match/generate.js'

export interface RepoSpec {
  files: number
  commits: number
  /** Files touched per commit after the initial one. */
  touches: number
  seed: number
}

const AUTHORS = ['Alice Anders <alice@example.com>', 'Bob Brown <bob@example.com>', 'Carol Chen <carol@example.com>',
  'Dan Diaz <dan@example.com>', 'Eve Evans <eve@example.com>', 'Fay Fox <fay@example.com>', 'Gus Gray <gus@example.com>', 'Hal Hu <hal@example.com>']

const LANGS = [
  { ext: 'c', log: (m: string) => `    syslog(LOG_ERR, "${m} %s: %d", name, code);`, code: (i: number) => `    int v${i} = compute_${i}(name, code);`, head: '#include <syslog.h>\n\nint handler(const char *name, int code) {', tail: '    return 0;\n}' },
  { ext: 'java', log: (m: string) => `        log.error("${m} {}: {}", name, code);`, code: (i: number) => `        int v${i} = compute${i}(name, code);`, head: 'package app;\n\nclass Handler {\n    void handle(String name, int code) {', tail: '    }\n}' },
  { ext: 'py', log: (m: string) => `    logger.error("${m} %s: %d", name, code)`, code: (i: number) => `    v${i} = compute_${i}(name, code)`, head: 'import logging\n\nlogger = logging.getLogger(__name__)\n\n\ndef handle(name, code):', tail: '    return 0' },
  { ext: 'go', log: (m: string) => `\tlog.Errorf("${m} %s: %d", name, code)`, code: (i: number) => `\tv${i} := compute${i}(name, code)\n\t_ = v${i}`, head: 'package app\n\nimport "log"\n\nfunc Handle(name string, code int) int {', tail: '\treturn 0\n}' },
  { ext: 'js', log: (m: string) => `  console.error(\`${m} \${name}: \${code}\`)`, code: (i: number) => `  const v${i} = compute${i}(name, code)`, head: 'export function handle(name, code) {', tail: '  return 0\n}' },
  { ext: 'ts', log: (m: string) => `  logger.warn(\`${m} \${name}: \${code}\`)`, code: (i: number) => `  const v${i}: number = compute${i}(name, code)`, head: 'export function handle(name: string, code: number): number {', tail: '  return 0\n}' },
]

const WORDS = ['disk', 'tunnel', 'session', 'cache', 'queue', 'socket', 'lease', 'shard', 'token', 'replica', 'index', 'buffer']

/** Body lines of one file: code lines with a log statement about every 12 lines. */
function body(r: () => number, lang: (typeof LANGS)[number], n: number): string[] {
  const lines: string[] = []
  for (let i = 0; i < n; i++) {
    if (i % 12 === 5) lines.push(lang.log(`${WORDS[Math.floor(r() * WORDS.length)]} ${Math.floor(r() * 1e6)} failed`))
    else lines.push(lang.code(Math.floor(r() * 1e6)))
  }
  return lines
}

/** Build the repository at `dir` (reused when it already exists with a checked-out HEAD). */
export async function generateRepo(dir: string, spec: RepoSpec): Promise<void> {
  if (existsSync(join(dir, '.git')) && execFileSync('git', ['-C', dir, 'rev-parse', '--verify', '-q', 'HEAD']).length) return
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  execFileSync('git', ['init', '-q', '-b', 'main', dir])
  const r = rng(spec.seed)
  const files = Array.from({ length: spec.files }, (_, i) => {
    const lang = LANGS[i % LANGS.length]!
    return { path: `src/mod${Math.floor(i / 100)}/file${i}.${lang.ext}`, lang, lines: body(r, lang, 60 + Math.floor(r() * 120)) }
  })
  const text = (f: (typeof files)[number]): string => `${f.lang.head}\n${f.lines.join('\n')}\n${f.lang.tail}\n`

  const child = spawn('git', ['-C', dir, 'fast-import', '--quiet'], { stdio: ['pipe', 'inherit', 'inherit'] })
  const done = new Promise<void>((res, rej) => child.on('close', (c) => (c === 0 ? res() : rej(new Error(`fast-import exited ${c}`)))))
  const chunks: string[] = []
  let size = 0
  const out = async (s: string): Promise<void> => {
    chunks.push(s)
    size += s.length
    if (size > 1 << 20) {
      const ok = child.stdin.write(chunks.join(''))
      chunks.length = 0
      size = 0
      if (!ok) await new Promise((res) => child.stdin.once('drain', res))
    }
  }
  const t0 = Date.UTC(2020, 0, 1) / 1000
  for (let c = 0; c < spec.commits; c++) {
    const who = AUTHORS[c === 0 ? 0 : Math.floor(r() * AUTHORS.length)]!
    const when = t0 + c * 3600
    const touched = c === 0 ? files : Array.from({ length: spec.touches }, () => files[Math.floor(r() * files.length)]!)
    if (c > 0) {
      for (const f of touched) {
        // Rewrite a few lines, insert a few: blame must walk real history.
        for (let k = 0; k < 3; k++) {
          const at = Math.floor(r() * f.lines.length)
          if (r() < 0.5) f.lines[at] = r() < 0.3 ? f.lang.log(`${WORDS[Math.floor(r() * WORDS.length)]} ${c} retried`) : f.lang.code(c * 1000 + k)
          else f.lines.splice(at, 0, f.lang.code(c * 1000 + k + 500))
        }
      }
    }
    const msg = c === 0 ? 'initial import' : `change ${c}`
    await out(`commit refs/heads/main\nauthor ${who} ${when} +0000\ncommitter ${who} ${when} +0000\ndata ${Buffer.byteLength(msg)}\n${msg}\n`)
    for (const f of new Set(touched)) {
      const t = text(f)
      await out(`M 100644 inline ${f.path}\ndata ${Buffer.byteLength(t)}\n${t}\n`)
    }
    await out('\n')
  }
  child.stdin.end(chunks.join(''))
  await done
  execFileSync('git', ['-C', dir, 'checkout', '-q', '-f', 'main'])
}
