/**
 * The language-independent half of extraction: run the adapter's query once over the tree, decide
 * which calls log (explicit rules first, then the logger-receiver and C macro heuristics), pick the
 * message argument, build the template, and attach annotations from the comments seen on the way.
 */
import type { Node, Tree } from 'web-tree-sitter'
import type { LoggerRule } from '../../config/schema.js'
import { normalizeLevel } from '../../core/levels.js'
import type { Level } from '../../core/types.js'
import { attachAnnotations, type CommentSpan } from '../annotations.js'
import type { ExtractedStatement } from '../extract.js'
import type { LanguageId } from '../languages.js'
import { finish, HOLE, join, printfCount, type Piece } from '../template.js'
import {
  BUILTIN_RULES, C_LEVEL_MACRO, GENERIC_LOG_METHODS, LEVEL_METHOD_SUFFIXES, LEVEL_PREFIXES, LOGGER_RECEIVERS,
  LOGGER_SEGMENT, NOT_LEVEL_WORDS, RECEIVER_HEURISTIC,
} from '../vocabulary.js'
import { calleeKey, type Adapter, type CallSite } from './types.js'

/** A LoggerRule compiled for matching against `CallSite.key`. */
export interface CompiledRule {
  rule: LoggerRule
  exact: string | null
  glob: RegExp | null
  /** For `LOG(ERROR)`-style rules: the argument text that must match. */
  arg: string | null
  /** The callee's last name this rule can match (from the last segment of `call`); null: any name. */
  name: RegExp | null
}

/**
 * A rule glob as a regex over a callee key. A whole-segment `*` stands for any dotted path (`*.warn` matches
 * `this.logger.warn`); a `*` inside a name stays inside it (`ROS_WARN*` matches `ROS_WARN_STREAM`).
 */
function globRe(glob: string): RegExp {
  const segs = glob.split('.').map((seg) => (seg === '*' ? '.*' : seg.split('*').map((p) => p.replace(/[+?^${}()|[\]\\]/g, '\\$&')).join('[^.]*')))
  return new RegExp(`^${segs.join('\\.')}$`)
}

/** Compile rules once (config rules first, then built-ins); the result is reused for every file. */
export function compileRules(rules: readonly LoggerRule[]): CompiledRule[] {
  return rules.map((rule) => {
    let call = rule.call.trim()
    let arg: string | null = null
    const m = /^([^()]+)\(([^()]*)\)$/.exec(call)
    if (m && m[2].trim() !== '') {
      call = m[1]
      arg = m[2].replace(/\s+/g, '')
    }
    const key = calleeKey(call)
    const last = key.slice(key.lastIndexOf('.') + 1)
    const name = last === '*' ? null : globRe(last)
    if (key.includes('*')) return { rule, exact: null, glob: globRe(key), arg, name }
    return { rule, exact: key, glob: null, arg, name }
  })
}

const compiledCache = new WeakMap<object, Map<LanguageId, CompiledRule[]>>()
const builtinCache = new Map<LanguageId, CompiledRule[]>()

/** The compiled rules for a language: `loggers[language]` from config, then the built-in vocabulary. */
export function rulesFor(language: LanguageId, loggers?: Record<string, LoggerRule[]>): CompiledRule[] {
  let builtin = builtinCache.get(language)
  if (!builtin) {
    builtin = compileRules(BUILTIN_RULES[language])
    builtinCache.set(language, builtin)
  }
  const extra = loggers?.[language]
  if (!loggers || !extra || extra.length === 0) return builtin
  let perConfig = compiledCache.get(loggers)
  if (!perConfig) {
    perConfig = new Map()
    compiledCache.set(loggers, perConfig)
  }
  let rules = perConfig.get(language)
  if (!rules) {
    rules = [...compileRules(extra), ...builtin]
    perConfig.set(language, rules)
  }
  return rules
}

function ruleMatches(r: CompiledRule, site: CallSite): boolean {
  if (r.exact !== null ? r.exact !== site.key : !r.glob!.test(site.key)) return false
  if (r.arg !== null) return site.args.length > 0 && site.args[0].text.replace(/\s+/g, '') === r.arg
  return true
}

const LOGGER_NAMES = new Set(LOGGER_RECEIVERS)
const NOT_LEVEL = new Set(NOT_LEVEL_WORDS)

function isLoggerSegment(seg: string): boolean {
  // `_logger`, `logger_` (C++ members), `$log`, `@logger`.
  const s = seg.replace(/^[_$@]+|_+$/g, '')
  return LOGGER_NAMES.has(s.toLowerCase()) || LOGGER_SEGMENT.test(s)
}

/** True when any receiver segment looks like a logger (`this.logger`, `logrus.WithField(…)`, `Rails.logger`). */
export function isLoggerReceiver(receiver: readonly string[]): boolean {
  for (const seg of receiver) if (isLoggerSegment(seg)) return true
  return false
}

function levelWord(word: string, allowLetters: boolean): Level | null {
  if (!allowLetters && NOT_LEVEL.has(word.toLowerCase())) return null
  return normalizeLevel(word)
}

/**
 * Level named by a method: `warn`, `Warning`, `Errorf`, `Errorw`, `ErrorContext`, `LogWarning`, `WarnFormat`,
 * `atWarn`. Single letters only count for Android's `Log.e`, which callers allow explicitly.
 */
export function methodLevel(name: string, allowLetters = false, allowPrint = false): Level | null {
  // Go's `log.Print*` log at no level (info); Python's rich `console.print` is not logging at all.
  if (/^(?:print|Print)(?:ln|f)?$/.test(name)) return allowPrint ? 'info' : null
  // java.util.logging's CONFIG level; as an argument token `config` is too generic, as a logger method it is not.
  if (name === 'config') return 'debug'
  const direct = levelWord(name, allowLetters)
  if (direct) return direct
  const unprefixed = name.replace(LEVEL_PREFIXES, '')
  if (unprefixed !== name) {
    const l = levelWord(unprefixed, false)
    if (l) return l
  }
  for (const s of LEVEL_METHOD_SUFFIXES) {
    if (name.length > s.length + 1 && name.endsWith(s)) {
      const stem = name.slice(0, -s.length)
      const l = levelWord(stem, false) ?? levelWord(stem.replace(LEVEL_PREFIXES, ''), false)
      if (l) return l
    }
  }
  return null
}

const PY_LEVELS: Array<[number, Level]> = [[50, 'fatal'], [40, 'error'], [30, 'warn'], [20, 'info'], [10, 'debug']]

/** Level from an argument: `Level.WARNING`, `logging.WARN`, `LOG_ERR`, `LogLevel.Warning`, `slog.LevelWarn`, `'warn'`, `ERROR`. */
export function levelFromArg(node: Node | undefined, adapter: Adapter): Level | null {
  if (!node) return null
  if (adapter.isString(node)) {
    const t = adapter.piece(node).text.trim()
    return /^[A-Za-z]{2,}$/.test(t) && !NOT_LEVEL.has(t.toLowerCase()) ? normalizeLevel(t) : null
  }
  const text = node.text
  if (/^\d+$/.test(text)) return adapter.numericLevel?.(Number(text)) ?? null
  if (text.length > 120) return null
  const re = /([.:]?)([A-Za-z_][A-Za-z0-9_]*)/g
  const tokens: Array<[string, string]> = []
  for (const m of text.matchAll(re)) tokens.push([m[1], m[2]])
  for (let i = tokens.length - 1; i >= 0; i--) {
    const [sep, tok] = tokens[i]
    const stripped = tok.replace(LEVEL_PREFIXES, '')
    const qualifies = stripped !== tok || sep !== '' || (tok.length > 1 && tok === tok.toUpperCase())
    if (!qualifies || NOT_LEVEL.has(stripped.toLowerCase())) continue
    let l = stripped === 'DFATAL' ? 'fatal' : normalizeLevel(stripped)
    // Project constants: `LVL_WARN`, `LOG_LEVEL_ERROR`, `APP_SEV_ERR`.
    if (!l && tok === tok.toUpperCase() && tok.includes('_')) l = normalizeLevel(tok.slice(tok.lastIndexOf('_') + 1))
    if (l) return l
  }
  return null
}

/** Python's numeric levels (10 debug … 50 critical), which differ from pino's. */
export function pythonLevel(n: number): Level | null {
  for (const [min, l] of PY_LEVELS) if (n >= min) return l
  return null
}

/** Level named by a call earlier in the chain: `log.atWarn().log(…)`, `log.Error().Msg(…)`. */
function chainLevel(site: CallSite): Level | null {
  for (let i = site.receiver.length - 1; i >= 0; i--) {
    const l = methodLevel(site.receiver[i])
    if (l) return l
  }
  return null
}

interface Decision {
  level: Level | null
  levelArg?: number
  messageArg?: number
}

function decide(site: CallSite, adapter: Adapter, rules: CompiledRule[]): Decision | null {
  for (const r of rules) {
    if (!ruleMatches(r, site)) continue
    const { level, levelArg, messageArg } = r.rule
    if (level) {
      const carried = adapter.messageLevel?.(site)
      if (carried === 'continuation') return null
      return { level: carried ?? level, levelArg, messageArg }
    }
    if (levelArg !== undefined) return { level: levelFromArg(site.args[levelArg], adapter), levelArg, messageArg }
    // No level in the rule: the chain may name it (go-kit `level.Warn(logger).Log(…)`).
    return { level: chainLevel(site), messageArg }
  }
  const lang = adapter.language
  if (site.receiver.length > 0) {
    if (!RECEIVER_HEURISTIC[lang] || !isLoggerReceiver(site.receiver)) return null
    if (GENERIC_LOG_METHODS.includes(site.name)) {
      // The level is an argument before the message (`log.log(logging.WARN, …)`, `slog.Log(ctx, slog.LevelWarn, …)`)
      // or a call earlier in the chain (`log.atWarn().log(…)`, zerolog `log.Error().Msg(…)`).
      for (let i = 0; i < site.args.length && i < 3; i++) {
        const a = site.args[i]
        if (adapter.isString(a) && !levelFromArg(a, adapter)) break
        const l = levelFromArg(a, adapter)
        if (l) return { level: l, levelArg: i }
      }
      const l = chainLevel(site) ?? levelFromArg(adapter.levelNode?.(site), adapter)
      if (l) return { level: l }
      return { level: site.name === 'log' || site.name === 'Log' ? (site.receiver.length === 1 && site.receiver[0] === 'console' ? 'info' : null) : null }
    }
    const last = site.receiver[site.receiver.length - 1]
    const l = methodLevel(site.name, last === 'Log', lang === 'go')
    return l ? { level: l } : null
  }
  if (lang === 'c' || lang === 'cpp') {
    const m = C_LEVEL_MACRO.exec(site.name)
    if (m) return { level: normalizeLevel(m[1] ?? m[2] ?? m[3] ?? m[4]) }
  }
  return null
}

const SINGLE_PLACEHOLDER = /^(?:\{\}|\{:\?\}|%s|%v)$/

/** The message piece of a logging call, or undefined when the call has nothing that could be a message. */
function messageOf(site: CallSite, d: Decision, adapter: Adapter): Piece | null | undefined {
  const args = site.args
  if (d.messageArg !== undefined) return args[d.messageArg] ? adapter.piece(args[d.messageArg]) : undefined
  if (site.stream && site.stream.length > 0) return join(site.stream.map((n) => adapter.piece(n)), site.streamSeparator ?? '')
  const picked = adapter.messageNode?.(site)
  if (picked) return adapter.piece(picked)
  const style = adapter.style?.(site)
  if (style === 'println' || style === 'print') {
    const parts = args.filter((_, i) => i !== d.levelArg).map((n) => adapter.piece(n))
    if (parts.length === 0) return undefined
    if (style === 'println') return join(parts, ' ')
    // Go's Sprint puts a space between operands when neither is a string.
    let text = parts[0].text
    for (let i = 1; i < parts.length; i++) text += (parts[i].literal || parts[i - 1].literal ? '' : ' ') + parts[i].text
    return { text, literal: parts.some((p) => p.literal) }
  }
  if (style === 'console') {
    if (args.length === 0) return undefined
    const first = adapter.piece(args[0])
    if (!first.literal) return first
    // util.format: placeholders consume the next arguments, the rest is appended, space-separated.
    const rest = args.slice(1 + printfCount(first.text)).map((a) => adapter.piece(a))
    return rest.length > 0 ? join([first, ...rest], ' ') : first
  }
  if (adapter.messageFirst) {
    const i = d.levelArg === 0 ? 1 : 0
    if (i < args.length) {
      const p = adapter.piece(args[i])
      if (p.literal && SINGLE_PLACEHOLDER.test(p.text) && i + 1 < args.length) {
        const next = adapter.piece(args[i + 1])
        if (next.literal) return next
      }
      return p
    }
    return site.block ? adapter.piece(site.block) : undefined
  }
  let firstOther: Piece | null = null
  for (let i = 0; i < args.length; i++) {
    if (i === d.levelArg) continue
    const p = adapter.piece(args[i])
    if (p.literal) {
      // `error!("{}", format!("x {}", y))`, `log.info("%s", String.format(…))`: the real text is the next argument.
      if (SINGLE_PLACEHOLDER.test(p.text) && i + 1 < args.length) {
        const next = adapter.piece(args[i + 1])
        if (next.literal) return next
      }
      return p
    }
    firstOther ??= p
  }
  if (firstOther) return firstOther
  if (site.block) return adapter.piece(site.block)
  return undefined
}

/** Statement plus the 0-based rows and source offsets that annotation attachment needs. */
export interface Found extends ExtractedStatement {
  startRow: number
  endRow: number
  startIndex: number
  endIndex: number
}

/** Code the parser could not see as code, to parse again on its own: a C macro body. */
export interface Snippet {
  text: string
  /** 0-based row of the snippet's first line in the file. */
  row: number
  /** Source offset of the snippet's first character. */
  startIndex: number
}

/** What one tree yields before annotations: logging calls, comments, and macro bodies that may hold more. */
export interface TreeExtraction {
  found: Found[]
  comments: CommentSpan[]
  snippets: Snippet[]
}

/** One query match: a call with its callee-name node, a comment, or a snippet. */
export interface MatchLike {
  captures: Array<{ name: string; node: Node }>
}

/** Last identifier of a callee as written: `logger->error` → `error`, `LogWarning<T>` → `LogWarning`. */
function lastIdentifier(text: string): string {
  const m = /([A-Za-z_$][\w$]*)(?:<[^<>()]*>)?[^\w$]*$/.exec(text.length > 200 ? text.slice(-200) : text)
  return m ? m[1] : ''
}

/**
 * Cheap test on the callee's last name alone, before any further tree access (which costs a call into
 * wasm per step): could a call of this name log, under some receiver? Most calls in a file fail here.
 */
export function mayLog(name: string, language: LanguageId, rules: CompiledRule[]): boolean {
  if (GENERIC_LOG_METHODS.includes(name) || methodLevel(name, true, true) !== null) return true
  if ((language === 'c' || language === 'cpp') && C_LEVEL_MACRO.test(name)) return true
  for (const r of rules) if (r.name === null || r.name.test(name)) return true
  return false
}

/**
 * Collect the logging calls and comments of one parsed tree (one query run). Pure: same tree and rules,
 * same result. `finishStatements` turns the result into statements.
 */
export function extractTree(tree: Tree, source: string, adapter: Adapter, queryRun: (root: Node) => MatchLike[], rules: CompiledRule[]): TreeExtraction {
  const found: Found[] = []
  const comments: CommentSpan[] = []
  const snippets: Snippet[] = []
  const seen = new Set<number>()
  const verdicts = new Map<string, boolean>()
  for (const match of queryRun(tree.rootNode)) {
    const cap = match.captures[0]
    if (!cap) continue
    if (match.captures.length > 1) {
      // A call: decide on its name first.
      let nameNode: Node | null = null
      let callNode: Node | null = null
      let argsNode: Node | null = null
      for (const c of match.captures) {
        if (c.name === 'name') nameNode = c.node
        else if (c.name === 'call') callNode = c.node
        else if (c.name === 'args') argsNode = c.node
      }
      // A call with no node of its own (a Rust macro inside another macro's token tree): the name stands for it.
      const inner = !callNode && nameNode !== null && argsNode !== null
      if (inner) callNode = nameNode
      if (!callNode) continue
      if (nameNode) {
        const name = lastIdentifier(nameNode.text)
        let ok = verdicts.get(name)
        if (ok === undefined) {
          ok = mayLog(name, adapter.language, rules)
          if (verdicts.size < 10_000) verdicts.set(name, ok)
        }
        if (!ok) continue
      }
      if (seen.has(callNode.id)) continue
      seen.add(callNode.id)
      const site = adapter.callSite(callNode, source, { name: nameNode, args: argsNode, inner })
      if (site) record(site)
      continue
    }
    const node = cap.node
    if (cap.name === 'snippet') {
      const text = node.text
      if (text.includes('"') && text.includes('(')) snippets.push({ text, row: node.startPosition.row, startIndex: node.startIndex })
      continue
    }
    if (cap.name === 'comment') {
      const start = node.startIndex
      const lineStart = source.lastIndexOf('\n', start - 1) + 1
      comments.push({
        startRow: node.startPosition.row,
        endRow: node.endPosition.row,
        startIndex: start,
        ownLine: source.slice(lineStart, start).trim() === '',
        text: node.text,
      })
      continue
    }
    if (cap.name === 'call' && !seen.has(node.id)) {
      seen.add(node.id)
      const site = adapter.callSite(node, source, { name: null, args: null, inner: false })
      if (site) record(site)
    }
  }
  return { found, comments, snippets }

  function record(site: CallSite): void {
    const d = decide(site, adapter, rules)
    if (!d) return
    let msg = messageOf(site, d, adapter)
    if (msg === undefined) return
    if (site.prefix && msg?.literal) msg = join([site.prefix, msg])
    const { template, matchable } = finish(msg ?? HOLE)
    const n = site.node
    const end = site.endNode ?? n
    found.push({
      line: n.startPosition.row + 1,
      endLine: end.endPosition.row + 1,
      level: d.level,
      template,
      matchable,
      channels: [],
      mentions: [],
      callee: site.callee,
      startRow: n.startPosition.row,
      endRow: end.endPosition.row,
      startIndex: n.startIndex,
      endIndex: end.endIndex,
    })
  }
}

/** Drop calls nested in other logging calls, attach annotations, and strip the offsets. */
export function finishStatements(found: Found[], comments: CommentSpan[]): ExtractedStatement[] {
  found.sort((a, b) => a.startIndex - b.startIndex || b.endIndex - a.endIndex)
  // A logging call inside another one is part of it: zap's `zap.Error(err)` field, zerolog's `log.Error()` chain head.
  const outer: Found[] = []
  for (const f of found) {
    const last = outer[outer.length - 1]
    if (last && f.startIndex >= last.startIndex && f.endIndex <= last.endIndex) continue
    outer.push(f)
  }
  attachAnnotations(outer, comments)
  return outer.map(({ line, endLine, level, template, matchable, channels, mentions, callee }) => ({ line, endLine, level, template, matchable, channels, mentions, callee }))
}
