import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Level } from '../core/types.js'
import { defaultConfig } from '../config/load.js'
import { git, trackedFiles, workTreeRoot } from '../catalog/git.js'
import { languageOf, type LanguageId } from '../catalog/languages.js'
import { isBinary, isGeneratedText, pathFilter } from '../catalog/select.js'

/** Files read at most: enough to see a codebase's habits, quick on a large one. */
export const SURVEY_MAX_FILES = 3000
/** Call sites with a format string a callee needs before it is suggested as a logger. */
export const SUGGEST_MIN_CALLS = 3

/** What `dice init` saw in a repository. */
export interface Survey {
  root: string
  /** Tracked files of each language Dice reads, most first. */
  languages: Array<{ language: LanguageId; files: number }>
  /** Files read (at most SURVEY_MAX_FILES) and how many were left out for that limit. */
  read: number
  unread: number
  /** Logger calls Dice already recognises, by language and callee, most first. */
  loggers: Array<{ language: LanguageId; callee: string; calls: number; levels: Level[] }>
  /** Calls Dice does not recognise that are made often with a format string: candidates for catalog.loggers. */
  suggestions: Array<{ language: LanguageId; call: string; calls: number; level: Level | null; example: string }>
  /** `git remote get-url origin` as a web URL (for repo.url), when it is one of the usual forms. */
  webUrl: string | null
  /** Most frequent commit authors (email, name, commits), for the people section. */
  authors: Array<{ email: string; name: string; commits: number }>
}

// A string literal holding a placeholder: printf (%s, %-5d, %lu), brace styles ({}, {0}, {name}), Python %(x)s.
const FORMAT = String.raw`%[-+ #0]*\d*(?:\.\d+)?(?:hh|h|ll|l|L|q|j|z|t)?[diouxXeEfgGcsp]|%\(\w+\)[sd]|\{\w*\}`
// A call whose first or second argument is such a literal: `name(` or `obj.name(` / `ns::name(` / `obj->name(`.
const CALL = new RegExp(String.raw`([A-Za-z_$][\w$]*(?:(?:\.|::|->)[A-Za-z_$][\w$]*)*)\s*\(\s*(?:[^,()"'\n]{1,80},\s*)?(?:[rfbu]?)(["'])(?:(?!\2)[^\\\n]|\\.)*?(?:${FORMAT})`, 'g')

/** Formatting and error-building calls that take format strings but log nothing. */
const NOT_LOGGERS = new Set([
  'printf', 'sprintf', 'snprintf', 'vsnprintf', 'vsprintf', 'asprintf', 'swprintf', 'scanf', 'sscanf', 'fscanf', 'strftime', 'format',
  'Sprintf', 'Errorf', 'Fprintf', 'Printf', 'Sscanf', 'Fscanf', 'Sprint', 'Print', 'Println', 'New', 'Wrapf', 'Wrap',
  'String.format', 'str.format', 'format_args', 'write', 'writeln', 'print', 'println', 'eprintln', 'panic', 'assert', 'expect',
  'gettext', '_', 'N_', 'tr', 'QString', 'fmt', 'f', 'replace', 'join', 'split', 'match', 'test', 'exec', 'strptime',
  'Exception', 'Error', 'TypeError', 'ValueError', 'RuntimeError', 'IllegalArgumentException', 'IllegalStateException',
  'RuntimeException', 'ArgumentException', 'InvalidOperationException', 'raise', 'throw', 'fail', 'query', 'execute', 'prepare',
])

/** The level a callee's name suggests (`tr_warn` → warn), or null. */
export function levelFromName(name: string): Level | null {
  const n = name.toLowerCase()
  if (/fatal|crit|panic|emerg|alert/.test(n)) return 'fatal'
  if (/err/.test(n)) return 'error'
  if (/warn/.test(n)) return 'warn'
  if (/notice/.test(n)) return 'notice'
  if (/info/.test(n)) return 'info'
  if (/debug|dbg|verbose/.test(n)) return 'debug'
  if (/trace/.test(n)) return 'trace'
  return null
}

/** A `catalog.loggers` call pattern for a callee as written: `obj.method` → `*.method`, `ns::f` → `f`. */
function callPattern(callee: string): string {
  const parts = callee.split(/\.|::|->/)
  const last = parts.at(-1)!
  return /\.|->/.test(callee) ? `*.${last}` : last
}

/** `git@github.com:org/repo.git`, `https://host/org/repo.git`, `ssh://git@host/org/repo` → `https://host/org/repo`. */
export function webUrlOf(remote: string): string | null {
  const r = remote.trim()
  const scp = /^[\w.-]+@([\w.-]+):(.+?)(?:\.git)?\/?$/.exec(r)
  if (scp) return `https://${scp[1]}/${scp[2]}`
  const url = /^(?:https?|ssh|git):\/\/(?:[^@/]+@)?([\w.-]+)(?::\d+)?\/(.+?)(?:\.git)?\/?$/.exec(r)
  return url ? `https://${url[1]}/${url[2]}` : null
}

/** Look through a repository's tracked sources the way `dice index` would, without writing anything. */
export async function surveyRepository(dir: string): Promise<Survey> {
  const root = await workTreeRoot(dir)
  const config = defaultConfig()
  const keep = pathFilter(config.catalog)
  const perLanguage = new Map<LanguageId, string[]>()
  for (const f of await trackedFiles(root)) {
    const lang = languageOf(f.path)
    if (!lang || keep(f.path)) continue
    const list = perLanguage.get(lang) ?? []
    list.push(f.path)
    perLanguage.set(lang, list)
  }
  const languages = [...perLanguage].map(([language, files]) => ({ language, files: files.length })).sort((a, b) => b.files - a.files)
  // Every language gets its share of the files read, so a small Go service next to a big C tree is seen too.
  const all = [...perLanguage.values()].reduce((a, l) => a + l.length, 0)
  const chosen = [...perLanguage.values()].flatMap((l) => l.slice(0, Math.max(50, Math.ceil((l.length / Math.max(1, all)) * SURVEY_MAX_FILES)))).slice(0, SURVEY_MAX_FILES)

  const { extractFile } = await import('../catalog/extract-file.js')
  const known = new Map<string, { language: LanguageId; callee: string; calls: number; levels: Set<Level> }>()
  const candidates = new Map<string, { language: LanguageId; call: string; calls: number; level: Level | null; example: string }>()
  for (const path of chosen) {
    let bytes: Buffer
    try {
      bytes = await readFile(join(root, path))
    } catch {
      continue
    }
    if (bytes.length > config.catalog.maxFileBytes || isBinary(bytes)) continue
    const text = bytes.toString('utf8')
    if (isGeneratedText(text)) continue
    const language = languageOf(path)!
    const found = await extractFile(path, text)
    const logged = new Set<number>()
    for (const s of found.statements) {
      const k = `${language}\0${s.callee}`
      const e = known.get(k) ?? { language, callee: s.callee, calls: 0, levels: new Set<Level>() }
      e.calls++
      if (s.level) e.levels.add(s.level)
      known.set(k, e)
      for (let l = s.line; l <= s.endLine; l++) logged.add(l)
    }
    // Calls with a format string on lines that are not already a recognised log statement.
    const lineStarts = [0]
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1)
    const lineAt = (index: number) => {
      let lo = 0
      let hi = lineStarts.length - 1
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1
        if (lineStarts[mid]! <= index) lo = mid
        else hi = mid - 1
      }
      return lo + 1
    }
    for (const m of text.matchAll(CALL)) {
      const callee = m[1]!
      const base = callee.split(/\.|::|->/).at(-1)!
      if (NOT_LOGGERS.has(base) || NOT_LOGGERS.has(callee) || /^(if|for|while|switch|return|sizeof|catch|function|elif)$/.test(base)) continue
      const line = lineAt(m.index!)
      if (logged.has(line)) continue
      const call = callPattern(callee)
      const k = `${language}\0${call}`
      const c = candidates.get(k) ?? { language, call, calls: 0, level: levelFromName(base), example: `${path}:${line}` }
      c.calls++
      candidates.set(k, c)
    }
  }
  const knownCalls = new Set([...known.values()].map((k) => `${k.language}\0${callPattern(k.callee)}`))
  const suggestions = [...candidates.values()]
    .filter((c) => c.calls >= SUGGEST_MIN_CALLS && !knownCalls.has(`${c.language}\0${c.call}`))
    .sort((a, b) => b.calls - a.calls || a.call.localeCompare(b.call))
    .slice(0, 15)

  const remote = await git(root, ['remote', 'get-url', 'origin'])
  const log = await git(root, ['log', '-n', '2000', '--no-merges', '--format=%ae%x09%an'])
  const byEmail = new Map<string, { email: string; name: string; commits: number }>()
  if (log.code === 0) {
    for (const line of log.stdout.toString('utf8').split('\n')) {
      const [email, name] = line.split('\t')
      if (!email) continue
      const a = byEmail.get(email.toLowerCase()) ?? { email, name: name ?? email, commits: 0 }
      a.commits++
      byEmail.set(email.toLowerCase(), a)
    }
  }
  return {
    root,
    languages,
    read: chosen.length,
    unread: all - chosen.length,
    loggers: [...known.values()].map((k) => ({ language: k.language, callee: k.callee, calls: k.calls, levels: [...k.levels] })).sort((a, b) => b.calls - a.calls).slice(0, 20),
    suggestions,
    webUrl: remote.code === 0 ? webUrlOf(remote.stdout.toString('utf8')) : null,
    authors: [...byEmail.values()].sort((a, b) => b.commits - a.commits).slice(0, 10),
  }
}
