import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Command } from '../command.js'
import { SPECS } from './specs.js'
import type { CliContext } from '../context.js'
import { loadConfig } from '../../config/load.js'
import type { Config } from '../../config/schema.js'
import { DiceError, ErrorCode, UsageError } from '../../core/errors.js'
import { DEFAULT_DB_FILE, openStore } from '../../store/registry.js'
import { Router } from '../../route/router.js'
import { Delivery, buildDigests } from '../../deliver/delivery.js'
import { ConsoleNotifier } from '../../deliver/console/notifier.js'
import { slackUnescape, stripControl } from '../../core/escape.js'

/** Where the bundled sample lives: `testdata/demo/` at the package root (same depth from src/ and dist/). */
export const DEMO_DIR = join(import.meta.dirname, '..', '..', '..', 'testdata', 'demo')

/** Sample authors; each commit below is made by one of them so `git blame` has someone to name. */
const AUTHORS = {
  pig: { name: 'Pig', email: 'pig@pen.mssn' },
  riley: { name: 'Riley', email: 'riley@pen.mssn' },
  elmore: { name: 'Elmore James', email: 'elmore@pen.mssn' },
} as const

const WORKER = 'service/worker.py'
const FINAL_ERROR = 'log.error("could not reach %s after %d retries", url, retries)'
const FIRST_ERROR = 'log.error("cannot reach %s", url)'

function git(dir: string, args: string[], author?: { name: string; email: string }, date?: string): void {
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0' }
  if (author) {
    Object.assign(env, {
      GIT_AUTHOR_NAME: author.name, GIT_AUTHOR_EMAIL: author.email, GIT_COMMITTER_NAME: author.name, GIT_COMMITTER_EMAIL: author.email,
      GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date,
    })
  }
  execFileSync('git', ['-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', '-c', 'core.hooksPath=/dev/null', ...args], { cwd: dir, env, stdio: 'pipe' })
}

/**
 * Copy the sample service into `dir` and make it a git repository whose history has three authors:
 * Pig writes the C file, Riley the Python worker, Elmore the Go gateway, then Pig rewrites one Python line.
 */
export function makeDemoRepo(dir: string): void {
  cpSync(join(DEMO_DIR, 'repo'), dir, { recursive: true })
  const worker = readFileSync(join(dir, WORKER), 'utf8')
  writeFileSync(join(dir, WORKER), worker.replace(FINAL_ERROR, FIRST_ERROR))
  git(dir, ['init', '-q'])
  const commit = (who: keyof typeof AUTHORS, date: string, paths: string[], msg: string) => {
    git(dir, ['add', ...paths])
    git(dir, ['commit', '-q', '-m', msg], AUTHORS[who], date)
  }
  commit('pig', '2025-10-01T10:00:00Z', ['src'], 'hello: greet and hurt')
  commit('riley', '2025-10-08T10:00:00Z', [WORKER], 'worker: drain queues, fetch')
  commit('elmore', '2025-10-15T10:00:00Z', ['cmd'], 'gateway')
  writeFileSync(join(dir, WORKER), worker)
  commit('pig', '2025-10-22T10:00:00Z', [WORKER], 'worker: say how many retries')
}

/**
 * The bundled log with its times moved so it ends ten minutes before `now`: digests count closed time
 * buckets, and the demo should look like the last few hours of a real service.
 */
export function shiftedLog(now: number): string {
  const lines = readFileSync(join(DEMO_DIR, 'app.log.txt'), 'utf8').split('\n').filter(Boolean)
  const times = lines.map((l) => Date.parse(l.slice(0, l.indexOf(' '))))
  const shift = now - 10 * 60_000 - Math.max(...times)
  return lines.map((l, i) => new Date(times[i]! + shift).toISOString() + l.slice(l.indexOf(' '))).join('\n') + '\n'
}

function demoConfig(ctx: CliContext): Config {
  // An explicit --config wins; otherwise the sample's own dice.yml (people, time zones, fallback channel).
  return ctx.configFile ? ctx.config : loadConfig(join(DEMO_DIR, 'dice.yml')).config
}

/** `dice demo`: index → replay → channel messages → digest previews → local page, on bundled sample code and logs. */
export const demo: Command = {
  ...SPECS.demo,
  async run(ctx, { values }) {
    const port = values.port === undefined ? undefined : Number(values.port)
    if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) throw new UsageError(`demo: --port must be 0-65535, got ${JSON.stringify(values.port)}`)
    if (!existsSync(join(DEMO_DIR, 'app.log.txt'))) throw new DiceError(ErrorCode.NotFound, `demo: sample data not found at ${DEMO_DIR}`)
    const out = (s = '') => ctx.stdout.write(s + '\n')
    const work = mkdtempSync(join(tmpdir(), 'dice-demo-'))
    const repo = join(work, 'repo')
    // A fresh database per run unless --db names one: a second run must show the same story.
    const dbFile = ctx.storeOptions.dbFile && ctx.storeOptions.dbFile !== DEFAULT_DB_FILE ? ctx.storeOptions.dbFile : join(work, 'dice.db')
    const config = demoConfig(ctx)
    const clock = ctx.clock
    let store: Awaited<ReturnType<typeof openStore>> | null = null
    let delivery: Delivery | null = null
    try {
      out('Dice demo: a small C + Python + Go service, its git history, and three hours of its logs.')
      out(`(working in ${work}; no Slack token, so messages are printed here)\n`)

      makeDemoRepo(repo)
      store = await openStore({ dbFile })
      const { indexRepository } = await import('../../catalog/indexer.js')
      const summary = await indexRepository({ dir: repo, store, config, clock })
      const statements = await store.listStatements()
      const router = new Router({ store, config, clock })
      await router.refresh()
      out(`1. dice index: ${summary.statements} log statements in ${summary.files} files`)
      for (const s of statements) {
        const owner = router.ownerOf(s)
        const to = [...s.channels.map((c) => `#${c}`), owner.who ? `${owner.who} (${owner.via})` : 'nobody'].join(', ')
        out(`   ${`${s.file}:${s.line}`.padEnd(26)} ${(s.level ?? '-').toUpperCase().padEnd(5)} ${JSON.stringify(s.template).padEnd(46)} → ${to}`)
      }

      const logFile = join(work, 'app.log')
      writeFileSync(logFile, shiftedLog(clock()))
      out(`\n2. dice replay app.log: real-time channel messages (#channel lines, any level), as they would appear in Slack:\n`)
      const notifier = new ConsoleNotifier(ctx.stdout)
      delivery = new Delivery({ store, config, clock, notifier, slack: null, router, log: (l) => ctx.stderr.write(`demo: ${l}\n`) })
      const d = delivery
      const { Pipeline, ingest, parserFor } = await import('../../ingest/pipeline.js')
      const { ReplaySource } = await import('../../ingest/file/replay-source.js')
      const pipeline = new Pipeline({ store, config, clock, statements, sink: d })
      const ac = new AbortController()
      await ingest({ pipeline, source: new ReplaySource({ path: logFile, store, maxLineBytes: config.match.maxLineBytes }), parser: parserFor('auto', config, clock), signal: ac.signal })
      await pipeline.stop()
      await delivery.idle()
      const m = pipeline.metrics()[`file:${logFile}`] as Record<string, number> | undefined
      if (m) out(`   (${m.lines} lines: ${m.matched} matched a statement, ${m.counted} counted, ${m.unowned} unowned warnings)\n`)

      out('3. dice digest --preview: what each owner gets once a working day, when Slack says they are online:\n')
      const digests = await buildDigests({ store, config, clock, router, preview: true })
      for (const g of digests) {
        out(`── digest → ${g.kind === 'channel' ? g.target : `@${g.target}`} (${g.due ? 'due now' : `not due now: ${g.reason}`}) ──`)
        out(stripControl(slackUnescape(g.text)).trimEnd())
        out()
      }

      const serve = !values['no-serve'] && (ctx.stdout as NodeJS.WriteStream).isTTY === true
      let page: { url: string; close(): Promise<void> } | null = null
      if (serve) page = await startPage(ctx, { store, config, clock, router, delivery, notifier, port: port ?? config.server.port })
      if (page) {
        out(`4. The local page (catalog, occurrences, digests pending, snoozes, mutes): ${page.url}`)
        out('   Press Ctrl-C to stop.')
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve)
          process.once('SIGTERM', resolve)
        })
        await page.close()
      } else {
        out(values.keep || dbFile !== join(work, 'dice.db')
          ? `Done. Explore: \`dice --db ${dbFile} catalog\`, \`dice --db ${dbFile} digest --preview\`, \`dice --db ${dbFile} snooze ID --for 1d\``
          : 'Done. (Run `dice demo --keep` to keep the demo repository and database for exploring.)')
      }
      return 0
    } finally {
      delivery?.stop()
      await store?.close()
      if (!values.keep) rmSync(work, { recursive: true, force: true })
    }
  },
}

/** Serve helper F's page (if the server module is present), on `port` or any free port if that one is taken. */
async function startPage(
  ctx: CliContext,
  o: { store: any; config: Config; clock: () => number; router: Router; delivery: Delivery; notifier: ConsoleNotifier; port: number },
): Promise<{ url: string; close(): Promise<void> } | null> {
  let http: typeof import('../../server/http.js')
  let acts: typeof import('../../route/actions.js')
  try {
    http = await import('../../server/http.js')
    acts = await import('../../route/actions.js')
  } catch {
    return null
  }
  const actions = new acts.Actions({ store: o.store, config: o.config, clock: o.clock, router: o.router, notifier: o.notifier })
  const base = { store: o.store, config: o.config, clock: o.clock, delivery: o.delivery, actions, host: '127.0.0.1', env: ctx.env, slack: null }
  try {
    return await http.startServer({ ...base, port: o.port })
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e
    return await http.startServer({ ...base, port: 0 })
  }
}
