import { execFileSync } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { tempDir } from '../../testutil/tmp.js'

/** An author for test commits. */
export interface Author { name: string; email: string }

export const ALICE: Author = { name: 'Alice Anders', email: 'alice@example.com' }
export const BOB: Author = { name: 'Bob Brown', email: 'bob@example.com' }
export const CAROL: Author = { name: 'Carol Chen', email: 'carol@example.com' }

/** A real git repository in a temporary directory, with helpers to write files and commit as someone. */
export class TempRepo {
  private tick = 0
  private constructor(readonly dir: string) {}

  /** `git init` a fresh repository (branch main, no global config leaking in). */
  static create(): TempRepo {
    const r = new TempRepo(tempDir('repo'))
    r.git('init', '-q', '-b', 'main')
    return r
  }

  /** Run git in the repository; returns stdout. */
  git(...args: string[]): string {
    return execFileSync('git', ['-c', 'core.autocrlf=false', ...args], {
      cwd: this.dir,
      encoding: 'utf8',
      env: { ...process.env, ...this.env(ALICE), GIT_CONFIG_NOSYSTEM: '1', HOME: this.dir },
    })
  }

  /** Write a file (creating folders). */
  write(path: string, content: string | Buffer): this {
    const p = join(this.dir, path)
    mkdirSync(dirname(p), { recursive: true })
    writeFileSync(p, content)
    return this
  }

  remove(path: string): this {
    rmSync(join(this.dir, path))
    return this
  }

  /**
   * Stage everything (`-f` adds files under ignored folders too when `force`) and commit as `author`.
   * Each commit is one day after the previous one, so "most recent" is well defined. Returns the commit id.
   */
  commit(author: Author, message = 'change', o: { force?: string[] } = {}): string {
    this.git('add', '-A')
    if (o.force?.length) this.git('add', '-f', ...o.force)
    this.tick++
    execFileSync('git', ['-c', `user.name=${author.name}`, '-c', `user.email=${author.email}`, 'commit', '-q', '-m', message], {
      cwd: this.dir,
      env: { ...process.env, ...this.env(author), HOME: this.dir, GIT_CONFIG_NOSYSTEM: '1' },
    })
    return this.git('rev-parse', 'HEAD').trim()
  }

  private env(a: Author): Record<string, string> {
    const date = new Date(Date.UTC(2024, 0, 1) + this.tick * 86_400_000).toISOString()
    return {
      GIT_AUTHOR_NAME: a.name, GIT_AUTHOR_EMAIL: a.email, GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_NAME: a.name, GIT_COMMITTER_EMAIL: a.email, GIT_COMMITTER_DATE: date,
    }
  }
}
