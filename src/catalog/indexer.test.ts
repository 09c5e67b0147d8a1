import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { defaultConfig } from '../config/load.js'
import type { Config } from '../config/schema.js'
import { DiceError } from '../core/errors.js'
import type { Statement } from '../core/types.js'
import type { Store } from '../store/store.js'
import { STORE_KINDS, tempSqliteStore } from '../store/testutil/stores.js'
import { indexRepository, type IndexSummary } from './indexer.js'
import { Matcher } from '../match/matcher.js'
import { storedPlan } from '../match/stored-plan.js'
import { ALICE, BOB, CAROL, TempRepo } from './testutil/repo.js'
import { tempDir } from '../testutil/tmp.js'

let store: Store
let repo: TempRepo
beforeEach(async () => {
  store = (await tempSqliteStore()).store
  repo = TempRepo.create()
})
afterEach(async () => store.close())

function config(catalog: Partial<Config['catalog']> = {}): Config {
  const c = defaultConfig()
  return { ...c, catalog: { ...c.catalog, ...catalog } }
}

async function index(c: Config = config()): Promise<IndexSummary> {
  return indexRepository({ dir: repo.dir, store, config: c })
}

async function byTemplate(): Promise<Map<string, Statement>> {
  return new Map((await store.listStatements()).map((s) => [s.template ?? `${s.file}:${s.line}`, s]))
}

// One logging call per supported language, each in the style its ecosystem uses.
const SOURCES: Record<string, { path: string; code: (msg: string) => string; language: string }> = {
  c: { path: 'src/net/ipsec.c', language: 'c', code: (m) => `#include <syslog.h>\nvoid f(int p) {\n  syslog(LOG_ERR, "${m} %d", p);\n}\n` },
  javascript: { path: 'web/app.js', language: 'javascript', code: (m) => `function f(p) {\n  console.error("${m} %s", p)\n}\n` },
  typescript: { path: 'web/api.ts', language: 'typescript', code: (m) => `export function f(p: number): void {\n  logger.error(\`${m} \${p}\`)\n}\n` },
  cpp: { path: 'src/core/engine.cc', language: 'cpp', code: (m) => `#include <glog/logging.h>\nvoid f(int p) {\n  LOG(ERROR) << "${m} " << p;\n}\n` },
  java: { path: 'src/main/java/App.java', language: 'java', code: (m) => `class App {\n  void f(int p) {\n    log.error("${m} {}", p);\n  }\n}\n` },
  python: { path: 'app/worker.py', language: 'python', code: (m) => `import logging\nlog = logging.getLogger(__name__)\n\ndef f(p):\n    log.error("${m} %s", p)\n` },
  go: { path: 'cmd/server/main.go', language: 'go', code: (m) => `package main\n\nfunc f(p int) {\n\tlog.Errorf("${m} %d", p)\n}\n` },
  csharp: { path: 'Svc/App.cs', language: 'csharp', code: (m) => `class App {\n  void F(int p) {\n    _logger.LogError("${m} {P}", p);\n  }\n}\n` },
  rust: { path: 'crates/x/src/lib.rs', language: 'rust', code: (m) => `fn f(p: i32) {\n    error!("${m} {}", p);\n}\n` },
  ruby: { path: 'app/models/user.rb', language: 'ruby', code: (m) => `def f(p)\n  logger.error("${m} #{p}")\nend\n` },
  php: { path: 'public/index.php', language: 'php', code: (m) => `<?php\nfunction f($p) {\n  $logger->error("${m} {$p}");\n}\n` },
}

describe('indexRepository', () => {
  it('catalogs a statement in every supported language with the blame of the author who wrote it', async () => {
    for (const [lang, s] of Object.entries(SOURCES)) repo.write(s.path, s.code(`${lang} failed`))
    const commit = repo.commit(ALICE, 'initial')
    const summary = await index()
    const n = Object.keys(SOURCES).length
    expect(summary).toMatchObject({ commit, files: n, parsed: n, skipped: 0, unchanged: 0, statements: n, errors: [] })
    const all = await store.listStatements()
    for (const [lang, s] of Object.entries(SOURCES)) {
      const st = all.find((x) => x.file === s.path)
      expect(st, lang).toBeDefined()
      expect(st!.language).toBe(s.language)
      expect(st!.level).toBe('error')
      expect(st!.template).toContain(`${lang} failed`)
      expect(st!.line).toBe(s.code('MARK').split('\n').findIndex((l) => l.includes('MARK')) + 1)
      expect(st!.blame).toEqual({ email: ALICE.email, name: ALICE.name, commit, time: '2024-01-02T00:00:00.000Z' })
      expect(st!.id).toMatch(/^[0-9a-f]{12}$/)
    }
    expect(await store.getMeta('catalog.commit')).toBe(commit)
  })

  it('keeps a statement id when lines move and updates its line, blame staying with the original author', async () => {
    repo.write('a.js', 'const log = require("log")\nlog.error("disk %s full", d)\nlog.warn("slow %d", ms)\n')
    const first = repo.commit(ALICE)
    await index()
    const before = await byTemplate()
    repo.write('a.js', '// a comment\n// another\nconst log = require("log")\n\nif (x) y()\nlog.error("disk %s full", d)\nlog.warn("slow %d", ms)\n')
    repo.commit(BOB, 'add comments above')
    const summary = await index()
    expect(summary).toMatchObject({ parsed: 1, unchanged: 0 })
    const after = await byTemplate()
    expect(after.get('disk %s full')!.id).toBe(before.get('disk %s full')!.id)
    expect(after.get('slow %d')!.id).toBe(before.get('slow %d')!.id)
    expect(after.get('disk %s full')!.line).toBe(6)
    expect(after.get('slow %d')!.line).toBe(7)
    expect(after.get('disk %s full')!.blame).toMatchObject({ email: ALICE.email, commit: first })
    expect(after.get('slow %d')!.blame).toMatchObject({ email: ALICE.email, commit: first })
  })

  it('gives a rewritten line to its new author while the id, which depends on the message, stays', async () => {
    repo.write('a.js', 'function f() {\n  log.error("boom %s", a)\n}\n')
    repo.commit(ALICE)
    await index()
    const before = (await store.listStatements())[0]!
    repo.write('a.js', 'function f() {\n  log.error("boom %s", a.name)   // more precise\n}\n')
    const second = repo.commit(BOB)
    await index()
    const after = (await store.listStatements())[0]!
    expect(after.id).toBe(before.id)
    expect(after.blame).toMatchObject({ email: BOB.email, commit: second })
  })

  it('gives a multi-line call to the author of its most recently changed line', async () => {
    repo.write('a.js', 'function f() {\n  log.error(\n    "boom %s",\n    a,\n  )\n}\n')
    repo.commit(ALICE)
    repo.write('a.js', 'function f() {\n  log.error(\n    "boom %s",\n    a.name,\n  )\n}\n')
    const second = repo.commit(BOB)
    await index()
    const [st] = await store.listStatements()
    expect(st).toMatchObject({ line: 2, endLine: 5, template: 'boom %s' })
    expect(st!.blame).toMatchObject({ email: BOB.email, commit: second })
  })

  it('skips reformat commits listed in .git-blame-ignore-revs, keeping the original author', async () => {
    repo.write('a.js', 'function f() {\nlog.error("boom %s", a)\nlog.warn("meh %s", b)\n}\n')
    const original = repo.commit(ALICE)
    repo.write('a.js', 'function f() {\n    log.error("boom %s", a)\n    log.warn("meh %s", b)\n}\n')
    const reformat = repo.commit(BOB, 'reformat')
    // Dice looks past whitespace-only commits by itself (catalog.blame.formatting): off here, to see the file's effect.
    const plain = config({ blame: { bots: [], formatting: false } })
    await index(plain)
    expect((await store.listStatements()).map((s) => s.blame?.commit)).toEqual([reformat, reformat])

    repo.write('.git-blame-ignore-revs', `# formatting\n${reformat}\n`)
    repo.commit(CAROL, 'ignore the reformat')
    const summary = await index(plain)
    // The ignore list changed how every file blames: all files are redone.
    expect(summary.parsed).toBe(1)
    const st = await store.listStatements()
    expect(st.map((s) => s.blame?.commit)).toEqual([original, original])
    expect(st[0]!.blame?.email).toBe(ALICE.email)
  })

  it('applies .mailmap to blame names and emails', async () => {
    repo.write('a.c', 'void f(void) {\n\tsyslog(LOG_WARNING, "x %d", 1);\n}\n')
    repo.commit({ name: 'al', email: 'al@old-laptop.local' })
    repo.write('.mailmap', `Alice Anders <alice@example.com> al <al@old-laptop.local>\n`)
    repo.commit(ALICE, 'mailmap')
    await index()
    expect((await store.listStatements())[0]!.blame).toMatchObject({ email: 'alice@example.com', name: 'Alice Anders' })
  })

  it('skips vendored, minified, gitignored, generated and linguist-generated files', async () => {
    const stmt = 'function f() {\n  log.error("vendored %s", a)\n}\n'
    repo.write('.gitignore', 'ignored/\n*.local.js\nnode_modules/\n')
    repo.write('ok.js', 'function f() {\n  log.error("kept %s", a)\n}\n')
    for (const p of ['node_modules/x/index.js', 'vendor/lib.js', 'third_party/z/z.js', 'dist/app.js', 'build/out.js', 'web/app.min.js', 'sub/vendor/v.js']) repo.write(p, stmt)
    repo.write('ignored/secret.js', stmt).write('me.local.js', stmt)
    repo.write('gen/api.ts', '// Code generated by protoc-gen-ts. DO NOT EDIT.\nlog.error("gen %d", 1)\n')
    repo.write('gen/meta.js', '/** @generated */\nlog.error("gen2 %s", a)\n')
    repo.write('.gitattributes', 'schema/*.ts linguist-generated=true\nlegacy/** linguist-vendored\n')
    repo.write('schema/types.ts', stmt).write('legacy/old.js', stmt)
    repo.commit(ALICE, 'all', { force: ['node_modules/x/index.js'] })
    expect(repo.git('ls-files')).toContain('node_modules/x/index.js')
    const summary = await index()
    expect((await store.listStatements()).map((s) => s.file)).toEqual(['ok.js'])
    // Generated-by-header files are in scope until read, then skipped without being errors.
    expect(summary).toMatchObject({ files: 3, parsed: 1, skipped: 2, skippedBy: { generated: 2 }, errors: [] })
  })

  it('honours catalog.include and catalog.exclude globs', async () => {
    const stmt = (m: string) => `function f() {\n  log.error("${m} %s", a)\n}\n`
    repo.write('src/a.js', stmt('a')).write('src/deep/b.js', stmt('b')).write('src/deep/b.test.js', stmt('t')).write('tools/c.js', stmt('c'))
    repo.commit(ALICE)
    await index(config({ include: ['src/**'], exclude: ['*.test.js'] }))
    expect((await store.listStatements()).map((s) => s.file)).toEqual(['src/a.js', 'src/deep/b.js'])
  })

  it('counts binary, huge, non-UTF-8 and syntax-error files without failing', async () => {
    repo.write('ok.js', 'log.error("fine %s", a)\n')
    repo.write('blob.c', Buffer.concat([Buffer.from('log.error("bin %d", 1);\n'), Buffer.from([0, 1, 2, 0])]))
    repo.write('huge.js', `log.error("huge %s", a)\n${'// padding\n'.repeat(400)}`)
    repo.write('latin.c', Buffer.concat([Buffer.from('/* caf'), Buffer.from([0xe9]), Buffer.from(' */\nvoid f(void) { syslog(LOG_ERR, "latin %s", x); }\n')]))
    repo.write('broken.ts', 'function (( {\nlog.error("broken %s", a)\n')
    repo.commit(ALICE)
    const summary = await index(config({ maxFileBytes: 1000 }))
    expect(summary).toMatchObject({ files: 5, parsed: 3, skipped: 2, skippedBy: { binary: 1, 'too large': 1 } })
    const reasons = Object.fromEntries(summary.errors.map((e) => [e.file, e.reason]))
    expect(reasons['blob.c']).toMatch(/binary/)
    expect(reasons['huge.js']).toMatch(/too large/)
    expect(reasons['latin.c']).toMatch(/not UTF-8/)
    expect(reasons['broken.ts']).toMatch(/syntax/)
    expect(reasons['ok.js']).toBeUndefined()
    const templates = (await store.listStatements()).map((s) => s.template)
    expect(templates).toContain('latin %s')
    expect(templates).not.toContain('huge %s')
    // Skipped files are remembered: a warm run does not read them again.
    expect(await index(config({ maxFileBytes: 1000 }))).toMatchObject({ parsed: 0, skipped: 0, unchanged: 5 })
  })

  it('re-parses only changed files, drops deleted ones and parses nothing when nothing changed', async () => {
    for (const n of [1, 2, 3]) repo.write(`f${n}.js`, `log.error("file ${n} %s", a)\n`)
    repo.commit(ALICE)
    expect(await index()).toMatchObject({ files: 3, parsed: 3, unchanged: 0, statements: 3 })
    expect(await index()).toMatchObject({ files: 3, parsed: 0, unchanged: 3, statements: 3 })

    repo.write('f2.js', `log.error("file 2 %s", a)\nlog.warn("new in 2 %d", b)\n`)
    repo.commit(BOB)
    expect(await index()).toMatchObject({ files: 3, parsed: 1, unchanged: 2, statements: 4 })

    repo.remove('f3.js')
    repo.commit(BOB, 'delete f3')
    expect(await index()).toMatchObject({ files: 2, parsed: 0, unchanged: 2, statements: 3 })
    expect([...(await store.indexedFiles()).keys()].sort()).toEqual(['f1.js', 'f2.js'])
    expect((await store.listStatements()).some((s) => s.file === 'f3.js')).toBe(false)
  })

  it('stores the built matcher index of each new catalog, which a start of that catalog loads; a re-index that changes a template makes it stale', async () => {
    repo.write('a.js', `log.error("disk %s full", d)\nlog.warn("user %s logged in", u)\n`)
    repo.commit(ALICE)
    await index()
    const plan = await storedPlan(store)
    expect(plan).not.toBeNull()
    // Loaded from the catalog as `dice match` reads it (only what matching needs) and as replay/run read it.
    for (const list of [await store.listMatchStatements(), await store.listStatements()]) {
      const m = Matcher.build(list, plan)
      expect(m.planned).toBe(true)
      expect(m.match('disk sda full')?.statementId).toBe(list.find((s) => s.template?.startsWith('disk '))!.id)
    }
    // A new statement: a new index, loaded; the old one is not loaded for the new catalog.
    repo.write('b.js', `log.error("queue %d stuck", q)\n`)
    repo.commit(BOB)
    await index()
    const list = await store.listMatchStatements()
    expect(Matcher.build(list, plan).planned).toBe(false)
    const second = await storedPlan(store)
    expect(Matcher.build(list, second).planned).toBe(true)
    // A template edited in place (same statements, same places): stale too, and the new one matches the new text.
    repo.write('b.js', `log.error("queue %d stalled", q)\n`)
    repo.commit(BOB)
    await index()
    const edited = await store.listMatchStatements()
    expect(edited.length).toBe(list.length)
    const stale = Matcher.build(edited, second)
    expect(stale.planned).toBe(false)
    expect(stale.match('queue 3 stuck')).toBeNull()
    const fresh = Matcher.build(edited, await storedPlan(store))
    expect(fresh.planned).toBe(true)
    expect(fresh.match('queue 3 stalled')?.statementId).toBe(edited.find((s) => s.template?.startsWith('queue '))!.id)
    expect(fresh.match('queue 3 stuck')).toBeNull()
  })

  it('indexes working-tree edits with null blame for uncommitted lines, and re-blames once they are committed', async () => {
    repo.write('a.js', 'log.error("old %s", a)\n')
    repo.commit(ALICE)
    await index()
    repo.write('a.js', 'log.error("old %s", a)\nlog.warn("uncommitted %s", b)\n')
    expect(await index()).toMatchObject({ parsed: 1 })
    let st = await byTemplate()
    expect(st.get('old %s')!.blame?.email).toBe(ALICE.email)
    expect(st.get('uncommitted %s')!.blame).toBeNull()
    expect(await index()).toMatchObject({ parsed: 0, unchanged: 1 })

    const c = repo.commit(BOB)
    expect(await index()).toMatchObject({ parsed: 1 })
    st = await byTemplate()
    expect(st.get('uncommitted %s')!.blame).toMatchObject({ email: BOB.email, commit: c })
  })

  it('drops a file deleted from the working tree but not yet from git', async () => {
    repo.write('a.js', 'log.error("a %s", a)\n').write('b.js', 'log.error("b %s", a)\n')
    repo.commit(ALICE)
    await index()
    repo.remove('b.js')
    expect(await index()).toMatchObject({ files: 1, statements: 1 })
  })

  it('gives the 2nd and later identical statements in a file an ordinal, leaving the first id alone', async () => {
    repo.write('a.js', 'log.error("same %s", a)\n')
    repo.commit(ALICE)
    await index()
    const [first] = await store.listStatements()
    repo.write('a.js', 'log.error("same %s", a)\nlog.error("same %s", b)\n')
    repo.commit(BOB)
    await index()
    const both = await store.listStatements()
    expect(both.map((s) => s.id)).toEqual([first!.id, expect.not.stringMatching(first!.id)])
  })

  it('leaves blame unknown for lines a shallow clone gives to its cut commit, says so, and re-blames once unshallowed', async () => {
    repo.write('a.js', 'log.error("old %s", a)\nlog.warn("edited %s", b)\n')
    const first = repo.commit(ALICE)
    repo.write('a.js', 'log.error("old %s", a)\nlog.warn("edited %s", b.name)\n').write('b.js', 'log.info("new")\n')
    repo.commit(BOB)
    repo.write('b.js', 'log.info("new")\n// later\n')
    const tip = repo.commit(CAROL)
    // A CI-style depth-1 checkout: git blame gives every line to the tip commit, i.e. to Carol.
    const clone = tempDir('shallow')
    repo.git('clone', '-q', '--depth', '1', `file://${repo.dir}`, clone)
    const run = () => indexRepository({ dir: clone, store, config: config() })
    const s1 = await run()
    expect(s1).toMatchObject({ commit: tip, parsed: 2, statements: 3 })
    expect(s1.errors).toEqual([expect.objectContaining({ file: '.git/shallow', reason: expect.stringContaining('shallow clone: 3 statement(s) have no blame owner') })])
    expect((await store.listStatements()).map((s) => s.blame)).toEqual([null, null, null])
    // Full history: every file is redone and each line goes to its real author.
    repo.git('-C', clone, 'fetch', '-q', '--unshallow')
    const s2 = await run()
    expect(s2).toMatchObject({ parsed: 2, unchanged: 0, errors: [] })
    const by = new Map((await store.listStatements()).map((s) => [s.template, s.blame]))
    expect(by.get('old %s')).toMatchObject({ email: ALICE.email, commit: first })
    expect(by.get('edited %s')).toMatchObject({ email: BOB.email })
    expect(by.get('new')).toMatchObject({ email: BOB.email })
  })

  it('indexes a repository with no commits yet, with null blame', async () => {
    repo.write('a.js', 'log.error("a %s", a)\n')
    repo.git('add', '-A')
    expect(await index()).toMatchObject({ commit: null, parsed: 1, statements: 1 })
    expect((await store.listStatements())[0]!.blame).toBeNull()
  })

  it('refuses a directory that is not a git work tree with a usage error naming it', async () => {
    const dir = tempDir('norepo')
    const err = await indexRepository({ dir, store, config: config() }).catch((e) => e)
    expect(err).toBeInstanceOf(DiceError)
    expect(err.exitCode).toBe(2)
    expect(err.message).toContain(dir)
    expect(err.message).toMatch(/not inside a git work tree/)
  })

  it('writes finished files in batches, so an interrupted index resumes where it stopped', async () => {
    for (const n of [1, 2, 3, 4, 5, 6]) repo.write(`f${n}.js`, `log.error("file ${n} %s", a)\n`)
    repo.commit(ALICE)
    const boom = new Error('interrupted')
    const err = await indexRepository({
      dir: repo.dir, store, config: config(), writeBatch: 2, concurrency: 1,
      onProgress: (p) => { if (p.done === 5) throw boom },
    }).catch((e) => e)
    expect(err).toBe(boom)
    const kept = (await store.indexedFiles()).size
    expect(kept).toBeGreaterThanOrEqual(2)
    expect(kept).toBeLessThan(6)
    const resumed = await index()
    expect(resumed).toMatchObject({ files: 6, parsed: 6 - kept, unchanged: kept, statements: 6 })
  })

  it('re-indexes every file when the catalog settings change', async () => {
    repo.write('a.js', 'log.error("a %s", a)\n').write('b.js', 'log.error("b %s", a)\n')
    repo.commit(ALICE)
    await index()
    expect(await index(config({ maxFileBytes: 1_000_000 }))).toMatchObject({ parsed: 2, unchanged: 0 })
    expect(await index(config({ maxFileBytes: 1_000_000 }))).toMatchObject({ parsed: 0, unchanged: 2 })
  })

  it('reports progress for every changed file', async () => {
    for (const n of [1, 2, 3]) repo.write(`f${n}.js`, `log.error("file ${n} %s", a)\n`)
    repo.commit(ALICE)
    const seen: Array<{ done: number; total: number }> = []
    await indexRepository({ dir: repo.dir, store, config: config(), onProgress: (p) => seen.push({ done: p.done, total: p.total }) })
    expect(seen[0]).toEqual({ done: 0, total: 3 })
    expect(seen.at(-1)).toEqual({ done: 3, total: 3 })
  })
})

describe.each(STORE_KINDS)('indexRepository on $name', ({ open }) => {
  it('indexes, re-runs incrementally and drops deleted files', async () => {
    const s = await open()
    const r = TempRepo.create()
    try {
      r.write('a.js', 'log.error("a %s", a)\n').write('b.js', 'log.warn("b %s", a)\n')
      r.commit(ALICE)
      const run = () => indexRepository({ dir: r.dir, store: s, config: config() })
      expect(await run()).toMatchObject({ files: 2, parsed: 2, statements: 2 })
      expect(await run()).toMatchObject({ parsed: 0, unchanged: 2, statements: 2 })
      r.remove('b.js')
      r.commit(BOB)
      expect(await run()).toMatchObject({ files: 1, parsed: 0, unchanged: 1, statements: 1 })
      expect((await s.listStatements())[0]!.blame?.email).toBe(ALICE.email)
    } finally {
      await s.close()
    }
  })
})
