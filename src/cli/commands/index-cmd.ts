import { resolve } from 'node:path'
import type { Command } from '../command.js'
import { SPECS } from './specs.js'
import { writeJson } from '../context.js'
import { UsageError } from '../../core/errors.js'
import { indexRepository } from '../../catalog/indexer.js'
import { indexRevision, type RevisionSummary } from '../../catalog/revision.js'
import { createProgress } from '../progress.js'

/** Errors listed in the human summary; `--json` carries them all. */
const SHOWN_ERRORS = 20

/** `dice index [DIR]`: build or update the catalog from the git work tree at DIR (incremental). */
export const index: Command = {
  ...SPECS.index,
  async run(ctx, { values, positionals }) {
    if (positionals.length > 1) throw new UsageError(`index: expected at most one DIR, got ${positionals.length}: ${positionals.join(' ')}`)
    const dir = resolve(ctx.cwd, positionals[0] ?? ctx.config.repo.path)
    const progress = values.quiet ? null : createProgress(ctx.stderr, { label: 'indexing', clock: ctx.clock })
    const store = await ctx.openStore()
    try {
      const s = await indexRepository({ dir, store, config: ctx.config, clock: ctx.clock, onProgress: progress ? (p) => progress.update(p) : undefined })
      progress?.end()
      // Deployed revisions (docs/alerts/versions.md), after the work tree: files they share with it are not read again.
      const revisions: RevisionSummary[] = []
      for (const rev of [...new Set([...((values.rev as string[] | undefined) ?? []), ...ctx.config.catalog.revisions])]) {
        revisions.push(await indexRevision({ dir, store, config: ctx.config, clock: ctx.clock, rev }))
      }
      if (values.json) {
        writeJson(ctx.stdout, revisions.length ? { ...s, revisions } : s)
        return 0
      }
      ctx.stdout.write(`indexed ${dir} at ${s.commit ? s.commit.slice(0, 12) : '(no commits)'}: ${s.files} files, ` +
        `${s.parsed} parsed, ${s.unchanged} unchanged, ${s.skipped} skipped${why(s.skippedBy)}; ${s.statements} statements (${s.ms} ms)\n`)
      for (const r of revisions) {
        ctx.stdout.write(`revision ${r.rev} at ${r.commit.slice(0, 12)}: ${r.unchanged ? 'catalogued already' : `${r.files} files, ${r.reused} as in the work tree, ${r.parsed} read`}; ${r.statements} statements\n`)
        for (const e of r.errors.slice(0, SHOWN_ERRORS)) ctx.stderr.write(`  ${r.rev}:${e.file}: ${e.reason}\n`)
      }
      for (const e of s.errors.slice(0, SHOWN_ERRORS)) ctx.stderr.write(`  ${e.file}: ${e.reason}\n`)
      if (s.errors.length > SHOWN_ERRORS) ctx.stderr.write(`  … and ${s.errors.length - SHOWN_ERRORS} more (see --json)\n`)
      return 0
    } finally {
      progress?.end()
      await store.close()
    }
  },
}

// " (3 generated, 1 binary)" after the skipped count, or nothing.
function why(by: Record<string, number>): string {
  const parts = Object.entries(by).map(([k, n]) => `${n} ${k}`)
  return parts.length ? ` (${parts.join(', ')})` : ''
}
