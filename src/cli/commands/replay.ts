import { access, constants, stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { Command } from '../command.js'
import { SPECS } from './specs.js'
import { writeJson, type CliContext } from '../context.js'
import { UsageError } from '../../core/errors.js'
import { identityOf } from '../../ingest/file/identity.js'
import { PARTIAL_LINE_QUIET_MS, ReplaySource } from '../../ingest/file/replay-source.js'
import { COUNTER_NAMES } from '../../ingest/counter.js'
import { liveCatalog } from '../../catalog/live.js'
import { ingest, parserFor, Pipeline, type PipelineParser } from '../../ingest/pipeline.js'
import { keepPlan, storedPlan } from '../../match/stored-plan.js'
import type { LogSource } from '../../ingest/source.js'
import type { Delivery } from '../../deliver/delivery.js'
import { StreamSource } from '../../ingest/stdin/stream-source.js'
import { workerCount } from '../../ingest/parallel/workers.js'
import type { Store } from '../../store/store.js'
import { collectAfterCounting, fitHeapGrowth } from '../heap.js'

/**
 * `dice replay FILE... [--format F] [--no-deliver]`: ingest files once into the store (backfill), from
 * each file's checkpoint (kept by file identity: a rotated or symlinked name resumes too), so replaying an
 * unchanged file again adds nothing; `-` reads stdin. Plain or gzip'd files. An unterminated last line of a
 * plain file written recently is left for the next run (the writer may be in the middle of it). Prints a summary to stderr (and with --json a summary object to stdout).
 */
export const replay: Command = {
  ...SPECS.replay,
  async run(ctx, { values, positionals }) {
    if (positionals.length === 0) throw new UsageError('replay: give at least one FILE (or - for stdin)\nusage: dice replay FILE... [--format F] [--no-deliver]')
    const parser = parserFor(values.format ?? 'auto', ctx.config, ctx.clock)
    const workers = workerCount(values.workers, ctx.config)
    // Each file once: counts are written at the end, so a file named twice (overlapping globs, ./a.log and
    // a.log, a symlink) would otherwise be read twice from the same stored checkpoint and counted twice.
    const files: string[] = []
    const seen = new Set<string>()
    for (const f of positionals) {
      if (f === '-') {
        if (!seen.has('-')) files.push(f)
        seen.add('-')
        continue
      }
      try {
        await access(resolve(ctx.cwd, f), constants.R_OK)
      } catch (e) {
        throw new UsageError(`replay: cannot read ${f}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
      }
      if ((await stat(resolve(ctx.cwd, f))).isDirectory()) throw new UsageError(`replay: ${f} is a directory; give log files (a shell glob such as ${f}/*.log)`)
      // The same file is the same dev:ino, whatever the name (symlink, hard link, ./a.log and a.log).
      const id = identityOf(await stat(resolve(ctx.cwd, f), { bigint: true }))
      if (seen.has(id)) ctx.stderr.write(`replay: ${f} was already given (as the same file); reading it once\n`)
      else files.push(f)
      seen.add(id)
    }
    const started = Date.now()
    const store = await ctx.openStore()
    try {
      let delivery: Delivery | null = null
      if (!values['no-deliver']) {
        // Loaded only to deliver: the Slack client and the delivery modules are ~60 ms of start-up a
        // --no-deliver backfill does not need.
        const [{ Router }, { Delivery }, { createNotifier }, { slackFromEnv }] = await Promise.all([
          import('../../route/router.js'), import('../../deliver/delivery.js'), import('../../deliver/registry.js'), import('../../deliver/slack/api.js'),
        ])
        const router = new Router({ store, config: ctx.config, clock: ctx.clock })
        await router.refresh()
        const slack = slackFromEnv(ctx.env)
        // Console messages go to stdout, unless stdout carries the --json summary.
        const notifier = createNotifier({ config: ctx.config, env: ctx.env, slack, out: values.json ? ctx.stderr : ctx.stdout })
        delivery = new Delivery({ store, config: ctx.config, clock: ctx.clock, notifier, slack, router, log: (l) => ctx.stderr.write(`replay: ${l}\n`), backfill: true })
      }
      const ac = new AbortController()
      const stop = () => ac.abort()
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
      let read: Awaited<ReturnType<typeof countFiles>>
      try {
        read = await countFiles(ctx, { store, files, parser, delivery, host: values.host as string | undefined, signal: ac.signal, workers })
        if (delivery) collectAfterCounting()
        // Deliver what was counted: real-time channel posts (a backfill's, once each, with the counts of
        // everything read), then any digests due now. The catalog and the
        // matcher are out of reach by now (countFiles returned), so the digest's reads reuse their memory.
        if (delivery) {
          await delivery.tick()
          await delivery.close()
        }
      } finally {
        process.off('SIGINT', stop)
        process.off('SIGTERM', stop)
      }
      const { sum, failed } = read
      const ms = Date.now() - started
      const bad = sum.bad_utf8 + sum.nul + sum.too_long + sum.malformed
      ctx.stderr.write(`replay: ${files.length} file${files.length === 1 ? '' : 's'}, ${sum.lines} lines, ${sum.matched} matched, ` +
        `${sum.counted} counted, ${sum.unowned} unowned, ${bad} bad (${sum.bad_utf8} invalid UTF-8, ${sum.nul} with NUL, ` +
        `${sum.too_long} too long, ${sum.malformed} malformed); ${sum.below_level} below the level threshold ` +
        `(match.minLevel ${ctx.config.match.minLevel}), not counted, in ${(ms / 1000).toFixed(1)} s` +
        `${ac.signal.aborted ? ' (interrupted; run again to resume)' : ''}\n`)
      if (values.json) writeJson(ctx.stdout, { files: files.length, ...sum, bad, ms, interrupted: ac.signal.aborted, failed })
      return ac.signal.aborted || failed.length > 0 ? 1 : 0
    } finally {
      await store.close()
    }
  },
}

/**
 * Read `files` through one Pipeline into the store, then write what was read with the checkpoints covering it
 * (interrupted or not: a re-run resumes) and keep the catalog's matcher plan. Returns the summed line counters.
 */
async function countFiles(ctx: CliContext, o: { store: Store; files: string[]; parser: PipelineParser; delivery: Delivery | null; host: string | undefined; signal: AbortSignal; workers: number }) {
  const { store, delivery } = o
  // The work tree's catalog and, once deploys are recorded, the statements only the live revisions have.
  const { statements, prefs } = await liveCatalog(store)
  fitHeapGrowth(statements.length, o.workers)
  if (statements.length === 0) ctx.stderr.write('replay: warning: the catalog is empty (run `dice index` first); every line counts as unmatched\n')
  const pipeline = new Pipeline({
    store, config: ctx.config, clock: ctx.clock, statements, revisions: prefs, sink: delivery ?? undefined, plan: await storedPlan(store), workers: o.workers,
    // A backfill has no reader waiting: flush only when the aggregate is full (and at the end), so a key
    // is written about once instead of once per timer tick. An interrupted replay re-reads the rest.
    maxKeys: 50_000, maxUnflushedLines: 2_000_000,
    onFlushError: (e) => ctx.stderr.write(`replay: writing counts failed, will retry: ${(e as Error).message}\n`),
  })
  const maxLineBytes = ctx.config.match.maxLineBytes
  // A file that fails part-way (a truncated .gz, an I/O error) keeps the lines read before the failure
  // (their checkpoint lets a re-run resume) and does not stop the other files; the exit status says so.
  const failed: string[] = []
  for (const f of o.files) {
    if (o.signal.aborted) break
    const source: LogSource = f === '-'
      ? new StreamSource({ name: 'stdin', input: ctx.stdin as AsyncIterable<Buffer>, host: o.host, maxLineBytes })
      : new ReplaySource({ path: f, store, host: o.host, maxLineBytes, cwd: ctx.cwd })
    try {
      await ingest({ pipeline, source, parser: o.parser, signal: o.signal })
      if (source instanceof ReplaySource && source.heldPartial > 0) {
        ctx.stderr.write(`replay: ${f}: the last line has no newline yet and the file was modified less than ` +
          `${PARTIAL_LINE_QUIET_MS / 60_000} min ago: left (${source.heldPartial} bytes) for the next run, which reads it whole\n`)
      }
    } catch (e) {
      pipeline.endSource(source.name)
      failed.push(f)
      ctx.stderr.write(`replay: ${f}: ${(e as Error).message}; the lines before it are counted, the rest of the file is not\n`)
    }
  }
  // The next replay or `dice run` of this catalog starts without choosing keys again.
  await pipeline.matcherReady().then(() => keepPlan(store, pipeline), () => {})
  await pipeline.stop()
  const sum = Object.fromEntries(COUNTER_NAMES.map((k) => [k, 0])) as Record<(typeof COUNTER_NAMES)[number], number>
  for (const [name, v] of Object.entries(pipeline.metrics())) {
    if (typeof v !== 'object' || !(name.startsWith('file:') || name === 'stdin')) continue
    for (const k of COUNTER_NAMES) sum[k] += v[k] ?? 0
  }
  return { sum, failed }
}
