import type { Config } from '../config/schema.js'
import type { Clock } from '../core/clock.js'
import { DiceError, ErrorCode } from '../core/errors.js'
import type { DeployRow, Store } from '../store/store.js'
import { META_DEPLOYED_AT, META_ROOT } from './meta.js'
import { indexRevision, type RevisionSummary } from './revision.js'

/** Host patterns: a host name glob (`*`, `?`), nothing that could not be one. */
const HOST_PATTERN = /^[A-Za-z0-9*?._:-]{1,200}$/

/**
 * Record that hosts matching `host` (a glob; every host when omitted) run `rev` from now on (docs/alerts/versions.md):
 * the revision is catalogued first when it is not yet (from the repository at `dir`, else the one `dice index`
 * last read). Every `dice run` sharing the store matches against it within a poll (the catalog stamp moves).
 * A deploy is also what [first-seen](../../docs/alerts/first-seen.md) alerts count from.
 */
export async function recordDeploy(o: { store: Store; config: Config; clock: Clock; rev: string; host?: string | null; by: string; dir?: string | null; flag?: string }): Promise<{ deploy: DeployRow; indexed: RevisionSummary | null }> {
  const rev = o.rev.trim()
  const hostPattern = o.host?.trim() || '*'
  if (!rev || rev.length > 200) throw new DiceError(ErrorCode.Usage, `${o.flag ?? 'REV'}: expected a revision (tag, branch or commit)`, 2)
  if (!HOST_PATTERN.test(hostPattern)) throw new DiceError(ErrorCode.Usage, `--host ${JSON.stringify(hostPattern)}: expected a host name or glob (letters, digits, . _ - :, * and ?)`, 2)
  let known = (await o.store.listRevisions()).find((r) => r.rev === rev) ?? null
  let indexed: RevisionSummary | null = null
  if (!known) {
    const dir = o.dir ?? (await o.store.getMeta(META_ROOT))
    if (!dir) throw new DiceError(ErrorCode.Usage, `${rev}: not catalogued, and no repository to catalogue it from: run dice index --rev ${rev} first`, 2)
    indexed = await indexRevision({ dir, store: o.store, config: o.config, rev, clock: o.clock })
    known = (await o.store.listRevisions()).find((r) => r.rev === rev)!
  }
  const deploy = await o.store.addDeploy({ rev, commit: known.commit, hostPattern, at: o.clock(), by: o.by })
  await o.store.setMeta(META_DEPLOYED_AT, String(deploy.at))
  return { deploy, indexed }
}
