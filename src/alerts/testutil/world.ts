import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startSlackStandin, type SlackStandin } from '../../deliver/testutil/slack-standin.js'
import { startDiceRun, type DiceRun } from '../../cli/commands/testutil/dice-run.js'
import { runDice } from '../../cli/testutil.js'
import { openStore } from '../../store/registry.js'
import type { Store } from '../../store/store.js'
import { freshSchema, TEST_PG_URL } from '../../store/testutil/stores.js'
import { TempRepo, type Author } from '../../catalog/testutil/repo.js'
import { tempDir } from '../../testutil/tmp.js'

/** Slack ids as Slack issues them; no `people` map: Dice finds them by the blame email. */
export const PIG: Author = { name: 'Pig Pen', email: 'pig@pen.mssn' }
export const PIG_ID = 'U0PIG12345'
export const ELMORE: Author = { name: 'Elmore James', email: 'elmore@pen.mssn' }
export const ELMORE_ID = 'U0ELM67890'

/** Lines as `TIME HOST LEVEL message`, read by this format (`?format=`). */
export const FORMAT = encodeURIComponent('regex:^(?<time>\\S+) (?<host>\\S+) (?<level>[A-Z]+) (?<message>.*)$')

/**
 * A real end-to-end setup for alert tests: a git repository, a `dice.yml`, one PostgreSQL schema that two
 * `dice run` child processes share (started with `--at`), and the Slack stand-in they post to.
 */
export class AlertWorld {
  readonly repo = TempRepo.create()
  readonly dir = tempDir('alerts-e2e')
  readonly url = `${TEST_PG_URL}?schema=${freshSchema()}`
  runs: DiceRun[] = []
  slack!: SlackStandin
  store!: Store

  /** Write `dice.yml` and start the Slack stand-in (pig and elmore, UTC). */
  async open(config: string): Promise<this> {
    writeFileSync(join(this.dir, 'dice.yml'), config)
    this.slack = await startSlackStandin({ users: [{ id: PIG_ID, email: PIG.email, tz: 'UTC' }, { id: ELMORE_ID, email: ELMORE.email, tz: 'UTC' }] })
    this.store = await openStore({ databaseUrl: this.url })
    return this
  }

  /** Run a dice command against the shared database (`DICE_NOW` pins its clock when `at` is given). */
  async dice(args: string[], at?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const r = await runDice(['--database-url', this.url, ...args], { cwd: this.dir, env: at ? { DICE_NOW: at } : {} })
    if (r.code !== 0) throw new Error(`dice ${args.join(' ')} exited ${r.code}: ${r.stderr}`)
    return r
  }

  /** `dice index` of the repository as if at `at`. */
  index(at: string) {
    return this.dice(['index', this.repo.dir, '--quiet'], at)
  }

  /** Start `n` `dice run --at AT` instances on the shared database. */
  async start(n: number, at: string): Promise<DiceRun[]> {
    const env = { SLACK_BOT_TOKEN: 'xoxb-test', DICE_SLACK_API_URL: this.slack.url }
    this.runs = await Promise.all(Array.from({ length: n }, () => startDiceRun(['--database-url', this.url, 'run', '--port', '0', '--at', at], { cwd: this.dir, env })))
    return this.runs
  }

  /** POST lines to one instance's /ingest; resolves once they are counted. */
  async ingest(run: DiceRun, lines: string[]): Promise<void> {
    const r = await fetch(`${run.url}/ingest?format=${FORMAT}`, { method: 'POST', body: lines.join('\n') + '\n' })
    if (r.status !== 200) throw new Error(`ingest answered ${r.status}: ${await r.text()}`)
  }

  /** A statement's id by its template. */
  async id(template: string): Promise<string> {
    const s = (await this.store.listStatements()).find((x) => x.template === template)
    if (!s) throw new Error(`no statement ${template}`)
    return s.id
  }

  /** Successful chat.postMessage calls to a person's DM. */
  dms(userId: string) {
    const dm = this.slack.channelId(`dm-${userId}`)
    return this.slack.ok('chat.postMessage').filter((c) => c.body.channel === userId || this.slack.channelId(String(c.body.channel)) === dm)
  }

  /** What both instances printed, for failure messages. */
  logs(): string {
    return this.runs.map((r, i) => `--- instance ${i}\n${r.stderr()}`).join('\n')
  }

  async close(): Promise<void> {
    for (const r of this.runs) r.child.kill('SIGKILL')
    await Promise.all(this.runs.map((r) => r.exited))
    await this.store?.close()
    await this.slack?.close()
  }
}

/** ISO time `ms` after `iso`. */
export const plus = (iso: string, ms: number): string => new Date(Date.parse(iso) + ms).toISOString()
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
