/**
 * The language-independent half of extraction: run the adapter's query once over the tree, decide
 * which calls log (explicit rules first, then the logger-receiver and C macro heuristics), pick the
 * message argument, build the template, and attach annotations from the comments seen on the way.
 */
import type { Node, Tree } from 'web-tree-sitter'
import type { LoggerRule } from '../../config/schema.js'
import { levelRank, normalizeLevel } from '../../core/levels.js'
import { LEVELS, type Level } from '../../core/types.js'
import { attachAnnotations, type CommentSpan } from '../annotations.js'
import type { FileContext } from '../context.js'
import type { ExtractedStatement, FileDefs, WrapperDef } from '../extract.js'
import type { LanguageId } from '../languages.js'
import { finish, hasParamMark, HOLE, join, lit, PARAM_MARK, printfCount, type Piece } from '../template.js'
import {
  BUILTIN_RULES, C_LEVEL_MACRO, GENERIC_LOG_METHODS, LEVEL_METHOD_SUFFIXES, LEVEL_PREFIXES, LOGGER_RECEIVERS,
  LOGGER_SEGMENT, NOT_LEVEL_WORDS, OUTPUT_CALLS, RECEIVER_HEURISTIC,
} from '../vocabulary.js'
import type { Resolve } from './pieces.js'
import { FileScope, type DefSite } from './scope.js'
import { calleeKey, naming, type Adapter, type CallSite, type ScopeHooks } from './types.js'

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

/**
 * Level from an argument: `Level.WARNING`, `logging.WARN`, `LOG_ERR`, `LogLevel.Warning`, `slog.LevelWarn`, `'warn'`,
 * `ERROR`, project constants (`LVL_WARN`, `TRACE_LOG_LEVEL`). An expression naming several (`ok ? LVL_INFO :
 * LVL_ERROR`) can log at any of them: the highest. A name `res` resolves to a string (`LEVEL = "warning"`) counts too.
 */
export function levelFromArg(node: Node | undefined, adapter: Adapter, res?: Resolve): Level | null {
  if (!node) return null
  if (adapter.isString(node)) return levelText(adapter.piece(node).text)
  const text = node.text
  if (/^\d+$/.test(text)) return adapter.numericLevel?.(Number(text)) ?? null
  let best: Level | null = null
  // Long expressions are read too (a level chosen by a conditional spanning lines), up to a bound.
  for (const m of (text.length > 4000 ? text.slice(0, 4000) : text).matchAll(/([.:]?)([A-Za-z_][A-Za-z0-9_]*)/g)) {
    const [, sep, tok] = m
    const stripped = tok.replace(LEVEL_PREFIXES, '')
    const qualifies = stripped !== tok || sep !== '' || (tok.length > 1 && tok === tok.toUpperCase())
    if (!qualifies || NOT_LEVEL.has(stripped.toLowerCase())) continue
    let l = stripped === 'DFATAL' ? 'fatal' : normalizeLevel(stripped)
    // Project constants: `LVL_WARN`, `LOG_LEVEL_ERROR`, `APP_SEV_ERR`, `TRACE_LOG_LEVEL`: a segment naming a level.
    if (!l && tok === tok.toUpperCase() && tok.includes('_')) {
      for (const seg of tok.split('_')) {
        if (seg.length > 1 && !NOT_LEVEL.has(seg.toLowerCase()) && (l = normalizeLevel(seg))) break
      }
    }
    if (l && (best === null || LEVELS.indexOf(l) > LEVELS.indexOf(best))) best = l
  }
  if (best === null && res && adapter.ref) {
    const name = adapter.ref(node)
    const p = name ? res(node, name) : null
    if (p && p.literal && !hasParamMark(p.text)) return levelText(p.text)
  }
  return best
}

/** A level written as a string: one word (`'warn'`, `"ERROR"`). */
function levelText(text: string): Level | null {
  const t = text.trim()
  return /^[A-Za-z]{2,}$/.test(t) && !NOT_LEVEL.has(t.toLowerCase()) ? normalizeLevel(t) : null
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
  /** The argument the level came from (a wrapper whose parameter it is passes its callers' level on). */
  levelNode?: Node
  messageArg?: number
  /** Text the logger adds around every message (a rule's `prefix`/`suffix`). */
  prefix?: string
  suffix?: string
}

function decide(site: CallSite, adapter: Adapter, rules: CompiledRule[]): Decision | null {
  for (const r of rules) {
    if (!ruleMatches(r, site)) continue
    const { level, levelArg, messageArg, prefix, suffix } = r.rule
    const around = { ...(prefix ? { prefix } : {}), ...(suffix ? { suffix } : {}) }
    if (level) {
      const carried = adapter.messageLevel?.(site)
      if (carried === 'continuation') return null
      return { level: carried ?? level, levelArg, messageArg, ...around }
    }
    if (levelArg !== undefined) return { level: levelFromArg(site.args[levelArg], adapter), levelArg, levelNode: site.args[levelArg], messageArg, ...around }
    // No level in the rule: the chain may name it (go-kit `level.Warn(logger).Log(…)`).
    return { level: chainLevel(site), messageArg, ...around }
  }
  const lang = adapter.language
  if (site.receiver.length > 0) {
    if (!RECEIVER_HEURISTIC[lang] || !isLoggerReceiver(site.receiver)) return null
    if (GENERIC_LOG_METHODS.includes(site.name)) {
      // The level is an argument before the message (`log.log(logging.WARN, …)`, `slog.Log(ctx, slog.LevelWarn, …)`)
      // or a call earlier in the chain (`log.atWarn().log(…)`, zerolog `log.Error().Msg(…)`).
      for (let i = 0; i < site.args.length && i < 3; i++) {
        const a = site.args[i]
        const l = levelFromArg(a, adapter)
        if (l) return { level: l, levelArg: i, levelNode: a }
        if (adapter.isString(a)) break
      }
      const l = chainLevel(site) ?? levelFromArg(adapter.levelNode?.(site), adapter)
      if (l) return { level: l }
      // A level Dice cannot read (`self.logger.log(level, msg)`) is still the first argument, not the message.
      const unread = site.args.length >= 2 && !adapter.isString(site.args[0]) ? { levelArg: 0, levelNode: site.args[0] } : {}
      return { level: site.name === 'log' || site.name === 'Log' ? (site.receiver.length === 1 && site.receiver[0] === 'console' ? 'info' : null) : null, ...unread }
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

/** A piece that is one parameter of the enclosing function and nothing else. */
function isMark(p: Piece | null | undefined): boolean {
  return !!p && p.literal && /^\uE000\d+\uE001$/.test(p.text)
}

/**
 * Parameter names that carry a message (`format`, `fmt`, `msg`, `text`, `errMsg`, a C macro's `__VA_ARGS__`): a
 * function putting such a parameter into a logger's message (`"[GIN-debug] " + format`, `log.info(msg)`) is a
 * logging wrapper. Any other parameter there (`"user " + name`, `LOG.debug("{}", request)`) is a value of the
 * function's own statement, and its callers pass objects, not messages.
 */
const MESSAGE_PARAM = /^(?:s|str|m|line|what|banner|title|desc|description|tmpl|template|pattern|__VA_ARGS__)$|fmt|format|msg|mesg|message|text|txt/i

/** The message piece of a logging call, or undefined when the call has nothing that could be a message. */
function messageOf(site: CallSite, d: Decision, adapter: Adapter, res: Resolve | undefined): Piece | null | undefined {
  const args = site.args
  const piece = (n: Node): Piece => adapter.piece(n, res)
  if (d.messageArg !== undefined) {
    const a = args[d.messageArg]
    if (!a) return undefined
    const p = piece(a)
    // `syslog(level, "%s", msg)`, `fprintf(fp, "%s", msg)`: the text is the next argument.
    if (p.literal && SINGLE_PLACEHOLDER.test(p.text) && d.messageArg + 1 < args.length) return piece(args[d.messageArg + 1]!)
    return p
  }
  if (site.stream && site.stream.length > 0) return join(site.stream.map(piece), site.streamSeparator ?? '')
  const picked = adapter.messageNode?.(site)
  if (picked) return piece(picked)
  const style = adapter.style?.(site)
  if (style === 'println' || style === 'print') {
    const parts = args.filter((_, i) => i !== d.levelArg).map(piece)
    if (parts.length === 0) return undefined
    if (style === 'println') return join(parts, ' ')
    // Go's Sprint puts a space between operands when neither is a string.
    let text = parts[0].text
    for (let i = 1; i < parts.length; i++) text += (parts[i].literal || parts[i - 1].literal ? '' : ' ') + parts[i].text
    return { text, literal: parts.some((p) => p.literal) }
  }
  if (style === 'console') {
    if (args.length === 0) return undefined
    const first = piece(args[0])
    if (!first.literal) return first
    // util.format: placeholders consume the next arguments, the rest is appended, space-separated.
    const rest = args.slice(1 + printfCount(first.text)).map(piece)
    return rest.length > 0 ? join([first, ...rest], ' ') : first
  }
  if (adapter.messageFirst) {
    const i = d.levelArg === 0 ? 1 : 0
    if (i < args.length) {
      const p = piece(args[i])
      if (p.literal && SINGLE_PLACEHOLDER.test(p.text) && i + 1 < args.length) {
        const next = piece(args[i + 1])
        if (next.literal) return next
      }
      return p
    }
    return site.block ? piece(site.block) : undefined
  }
  let firstOther: Piece | null = null
  for (let i = 0; i < args.length; i++) {
    if (i === d.levelArg) continue
    const p = piece(args[i])
    // A parameter of the function around (`dev` in `dev_err(dev, "…")`) is the message only when no string is.
    if (isMark(p)) {
      if (firstOther === null || !isMark(firstOther)) firstOther = p
      continue
    }
    if (p.literal) {
      // `error!("{}", format!("x {}", y))`, `log.info("%s", String.format(…))`, `log_error("%s", buf)`: the real
      // text is the next argument.
      if (SINGLE_PLACEHOLDER.test(p.text) && i + 1 < args.length) {
        const next = piece(args[i + 1])
        if (next.literal) return next
      }
      return p
    }
    firstOther ??= p
  }
  if (firstOther) return firstOther
  if (site.block) return piece(site.block)
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
  /** A function-like macro's name and parameters (`#define WARN(fmt, ...)`): the body may be a logging wrapper. */
  macro?: { name: string; params: string[] }
}

/** What one tree yields before annotations: logging calls, comments, macro bodies, and what the file defines. */
export interface TreeExtraction {
  found: Found[]
  comments: CommentSpan[]
  snippets: Snippet[]
  /** Wrappers the file's functions are (for a macro body: the macro). */
  wrappers: WrapperDef[]
  /** Constants and logger function pointers the file defines for other files. */
  defs: FileDefs
  /** Names looked for in other files. */
  wanted: string[]
}

/** One query match: a call with its callee-name node, a comment, a snippet, a function or a definition. */
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

/** What the repository and configuration add to one file's extraction. */
export interface ExtractContext {
  /** Other files' constants, wrappers and logger function pointers (null: this file alone). */
  repo?: FileContext | null
  /** Wrappers declared in `catalog.wrappers` or found in this file's macros, tried before any other. */
  wrappers?: readonly WrapperDef[]
}

/** A call that is no logger call by its name: kept in case it calls a wrapper or a logger function pointer. */
interface OtherCall {
  name: string
  call: Node
  nameNode: Node | null
  argsNode: Node | null
  inner: boolean
}

/** Calls of wrappers calling wrappers Dice follows within one extraction. */
const WRAPPER_ROUNDS = 4

/**
 * Collect the logging calls and comments of one parsed tree (one query run), and read the messages: names
 * resolved through the file's and repository's definitions, calls of logging wrappers and of function
 * pointers to loggers made statements too. Pure: same tree, rules and context, same result.
 * `finishStatements` turns the result into statements.
 */
export function extractTree(tree: Tree, source: string, adapter: Adapter, queryRun: (root: Node) => MatchLike[], rules: CompiledRule[], ctx: ExtractContext = {}): TreeExtraction {
  const found: Found[] = []
  const comments: CommentSpan[] = []
  const snippets: Snippet[] = []
  const funcs: Node[] = []
  const defSites: DefSite[] = []
  const sites: Array<{ site: CallSite; d: Decision }> = []
  const others: OtherCall[] = []
  const seen = new Set<number>()
  const verdicts = new Map<string, boolean>()
  const hooks = adapter.scope
  for (const match of queryRun(tree.rootNode)) {
    const cap = match.captures[0]
    if (!cap) continue
    if (cap.name === 'func' || cap.name === 'def.name' || cap.name === 'def.value' || cap.name === 'def.call' || cap.name === 'def.fn') {
      if (hooks) collectScope(match, hooks, funcs, defSites)
      continue
    }
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
      if (seen.has(callNode.id)) continue
      if (nameNode) {
        const name = lastIdentifier(nameNode.text)
        let ok = verdicts.get(name)
        if (ok === undefined) {
          ok = mayLog(name, adapter.language, rules)
          if (verdicts.size < 10_000) verdicts.set(name, ok)
        }
        if (!ok) {
          if (hooks) others.push({ name, call: callNode, nameNode, argsNode, inner })
          continue
        }
      }
      const site = adapter.callSite(callNode, source, { name: nameNode, args: argsNode, inner })
      if (!site) continue
      const d = decide(site, adapter, rules)
      if (d) {
        seen.add(callNode.id)
        sites.push({ site, d })
      } else if (hooks) others.push({ name: site.name, call: callNode, nameNode, argsNode, inner })
      continue
    }
    const node = cap.node
    if (cap.name === 'snippet') {
      const text = node.text
      // A function-like macro may only pass its parameters on (`_serverLog(level, __VA_ARGS__)`): read it too.
      const macro = macroOf(node)
      if ((text.includes('"') || macro.macro) && text.includes('(')) snippets.push({ text, row: node.startPosition.row, startIndex: node.startIndex, ...macro })
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
      const site = adapter.callSite(node, source, { name: null, args: null, inner: false })
      if (!site) continue
      const d = decide(site, adapter, rules)
      if (d) {
        seen.add(node.id)
        sites.push({ site, d })
      } else if (hooks) others.push({ name: site.name, call: node, nameNode: null, argsNode: null, inner: false })
    }
  }

  const scope = new FileScope(adapter, funcs, defSites, ctx.repo ?? null)
  const output = outputCalls(adapter.language)
  const res = hooks ? scope.resolve : undefined
  const wrappers = new Map<string, WrapperDef>()
  for (const w of ctx.wrappers ?? []) if (!wrappers.has(w.name)) wrappers.set(w.name, w)
  const declared = new Set(wrappers.keys())
  for (const { site, d } of sites) record(site, d, null)
  // Calls of wrappers (and of function pointers holding a logger), round after round: a wrapper found in one
  // round (a function forwarding its parameter to a wrapper) makes its own callers statements in the next.
  const aliases = hooks ? aliasesOf(scope, adapter, rules) : new Map<string, string>()
  let pending = others
  for (let round = 0; round < WRAPPER_ROUNDS && pending.length > 0; round++) {
    const before = wrappers.size
    const next: OtherCall[] = []
    for (const o of pending) if (!callOther(o)) next.push(o)
    pending = next
    if (wrappers.size === before) break
  }
  const defs: FileDefs = { constants: [], wrappers: [...wrappers.values()].filter((w) => !declared.has(w.name)), aliases: [] }
  if (hooks) {
    for (const [name, list] of scope.definitions()) {
      const top = list.filter((d) => scope.functionOf(d) === null)
      if (top.length === 0 || !top.every((d) => hooks.exported(d.nameNode, d.value))) continue
      const p = scope.valueOf(top[0]!)
      if (!p.literal || hasParamMark(p.text) || top.some((d) => scope.valueOf(d).text !== p.text)) continue
      defs.constants.push({ name, container: hooks.container(top[0]!.nameNode), text: p.text })
    }
    for (const [name, target] of aliases) defs.aliases.push({ name, target })
  }
  return { found, comments, snippets, wrappers: defs.wrappers, defs, wanted: [...scope.wanted] }

  /** Make a statement of a call the rules or a wrapper decided logs. */
  function record(site: CallSite, d: Decision, via: WrapperDef | string | null, msgIn?: Piece | null): void {
    let msg = msgIn !== undefined ? msgIn : messageOf(site, d, adapter, res)
    if (msg === undefined) return
    if (site.prefix && msg?.literal) msg = join([site.prefix, msg])
    if (d.prefix && msg?.literal) msg = join([lit(d.prefix), msg])
    if (d.suffix && msg?.literal) msg = join([msg, lit(d.suffix)])
    const n = site.node
    let paramOf: string | null = null
    if (msg && msg.literal && hasParamMark(msg.text)) {
      // A parameter of the function around the call is (part of) the message. The whole message, or a
      // message-like parameter with text around it, makes the function a wrapper; in its own statement the
      // parameter is a value either way.
      const fn = scope.enclosing(n)
      const sig = fn ? scope.signature(fn) : null
      paramOf = sig?.name ?? 'an anonymous function'
      const marks = [...msg.text.matchAll(PARAM_MARK)]
      const wraps = marks.length === 1 && MESSAGE_PARAM.test(sig?.params[Number(marks[0]![1])] ?? '')
      if (sig?.name && wraps) {
        const levelParam = d.levelNode ? paramIndex(d.levelNode) : null
        const had = wrappers.get(sig.name)
        if (!had) {
          wrappers.set(sig.name, {
            name: sig.name, container: hooks!.container(fn!), template: msg.text, level: d.level, levelParam,
            method: sig.params.length > 0 && (sig.params[0] === 'self' || sig.params[0] === 'cls'),
          })
        } else if (!declared.has(sig.name) && d.level !== null && (had.level === null || LEVELS.indexOf(d.level) > LEVELS.indexOf(had.level))) {
          // Several logger calls pass the parameter on (`if err: log.error(m) else: log.info(m)`): the highest level.
          wrappers.set(sig.name, { ...had, level: d.level })
        }
      }
      msg = { text: msg.text.replace(PARAM_MARK, '{}'), literal: true }
    }
    let { template, matchable, reason } = finish(msg ?? HOLE)
    if (paramOf !== null && !matchable) {
      template = null
      reason = `the message is a parameter of ${paramOf}`
    }
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
      via: via === null ? null : typeof via === 'string' ? via : via.name,
      reason,
      startRow: n.startPosition.row,
      endRow: end.endPosition.row,
      startIndex: n.startIndex,
      endIndex: end.endIndex,
    })
  }

  /**
   * The parameter a level expression is or is read from (`lvl`, `syslogLevelMap[level]`), null: none, so a
   * wrapper passes its callers' level on.
   */
  function paramIndex(node: Node): number | null {
    const name = adapter.ref?.(node)
    if (name) {
      const m = /^\uE000(\d+)\uE001$/.exec(res?.(node, name).text ?? '')
      return m ? Number(m[1]) : null
    }
    const fn = scope.enclosing(node)
    if (!fn) return null
    const params = scope.signature(fn).params
    const used = new Set<number>()
    for (const w of node.text.matchAll(/[A-Za-z_]\w*/g)) {
      const i = params.indexOf(w[0])
      if (i >= 0) used.add(i)
    }
    return used.size === 1 ? [...used][0]! : null
  }

  /**
   * A print call (`fmt.Fprintf(w, "[GIN-debug] "+format, …)`): no statement, but when its message is a parameter
   * of the function around it, that function is a wrapper, at the level its name says (`debugPrint`) if any.
   */
  function printed(o: OtherCall): boolean {
    const site = adapter.callSite(o.call, source, { name: o.nameNode, args: o.argsNode, inner: o.inner })
    const at = site ? output.keys.get(site.key) : undefined
    if (!site || at === undefined) return true
    // Printing to a stream the function was handed (`WriteString(w, format, …)` answering an HTTP request) is
    // no logging: only a fixed stream (`os.Stderr`, `DefaultWriter`, `stderr`) makes a wrapper.
    if (at > 0 && isMark(adapter.piece(site.args[0]!, res))) return true
    const msg = messageOf(site, { level: null, messageArg: at }, adapter, res)
    const marks = msg && msg.literal ? [...msg.text.matchAll(PARAM_MARK)] : []
    const fn = marks.length === 1 ? scope.enclosing(site.node) : null
    const sig = fn ? scope.signature(fn) : null
    if (sig?.name && !wrappers.has(sig.name) && MESSAGE_PARAM.test(sig.params[Number(marks[0]![1])] ?? '')) {
      wrappers.set(sig.name, { name: sig.name, container: hooks!.container(fn!), template: msg!.text, level: nameLevel(sig.name), levelParam: null, method: sig.params[0] === 'self' || sig.params[0] === 'cls' })
    }
    return true
  }

  /**
   * A function pointer that every assignment in the file points at a logging wrapper (OpenSSH's
   * `void (*authlog)(const char *, ...) = verbose; … authlog = logit;`): the wrapper of the highest level, when
   * they all log the message the same way. Null otherwise (a name not yet known as a wrapper is asked for).
   */
  function pointedWrapper(name: string): WrapperDef | null {
    const list = hooks ? scope.definitions().get(name) : undefined
    if (!list?.length) return null
    let best: WrapperDef | null = null
    for (const d of list) {
      const ref = adapter.ref?.(d.value) ?? null
      if (ref === null || ref === name) return null
      const w = wrappers.get(ref) ?? ctx.repo?.wrapper(ref, null) ?? null
      if (!w) {
        if (ctx.repo) scope.wanted.add(ref)
        return null
      }
      if (w.levelParam !== null || (best && (w.template !== best.template || w.method !== best.method))) return null
      if (!best || rankOf(w.level) > rankOf(best.level)) best = w
    }
    return best
  }

  /** A call of a wrapper or of a function pointer holding a logger: a statement. False: neither (yet). */
  function callOther(o: OtherCall): boolean {
    const receiverWritten = o.nameNode && o.nameNode.text.length > o.name.length ? o.nameNode.text.slice(0, o.nameNode.text.length - o.name.length) : ''
    const receiver = receiverWritten === '' ? null : lastIdentifier(receiverWritten)
    const own = wrappers.get(o.name)
    let w = own && (receiver === null || !own.method || receiver === 'self' || receiver === 'cls' || receiver === own.container)
      ? own : (ctx.repo?.wrapper(o.name, receiver === 'self' || receiver === 'this' ? null : receiver) ?? null)
    const target = w ? null : (aliases.get(o.name) ?? ctx.repo?.alias(o.name) ?? null)
    if (!w && !target) w = pointedWrapper(o.name)
    if (!w && !target) {
      if (output.names.has(o.name)) return printed(o)
      if (ctx.repo) scope.wanted.add(o.name)
      return false
    }
    if (seen.has(o.call.id)) return true
    const site = adapter.callSite(o.call, source, { name: o.nameNode, args: o.argsNode, inner: o.inner })
    if (!site) return true
    seen.add(o.call.id)
    if (target) {
      const d = decide({ ...site, ...naming(target) }, adapter, rules)
      if (d) record(site, d, target)
      return true
    }
    const args = w!.method && receiver !== null ? site.args : w!.method ? site.args.slice(1) : site.args
    const parts: Piece[] = []
    let last = 0
    for (const m of w!.template.matchAll(PARAM_MARK)) {
      if (m.index! > last) parts.push(lit(w!.template.slice(last, m.index)))
      const i = Number(m[1]) - (w!.method ? 1 : 0)
      const p = i >= 0 && i < args.length ? adapter.piece(args[i]!, res) : HOLE
      // A call passing a value, not a message (`greet(user.name)` through `log.info("hi " + name)`), is none.
      if (!p.literal && !declared.has(w!.name)) return true
      parts.push(p)
      last = m.index! + m[0].length
    }
    if (last < w!.template.length) parts.push(lit(w!.template.slice(last)))
    const levelNode = w!.levelParam !== null ? args[w!.levelParam - (w!.method ? 1 : 0)] : undefined
    const level = levelNode !== undefined ? levelFromArg(levelNode, adapter, res) : w!.level
    // The level argument goes with the call: a wrapper of this wrapper passes its own level parameter on.
    record(site, levelNode !== undefined ? { level, levelNode } : { level }, w!, join(parts))
    return true
  }
}

const outputs = new Map<LanguageId, { keys: Map<string, number>; names: Set<string> }>()

/** A language's print calls (OUTPUT_CALLS) by callee key (→ message argument), and by last name for a cheap first test. */
function outputCalls(language: LanguageId): { keys: Map<string, number>; names: Set<string> } {
  let o = outputs.get(language)
  if (!o) {
    const keys = new Map(Object.entries(OUTPUT_CALLS[language]))
    outputs.set(language, (o = { keys, names: new Set([...keys.keys()].map((k) => k.slice(k.lastIndexOf('.') + 1))) }))
  }
  return o
}

/** The level a wrapper's name says (`debugPrint` → debug, `log_error` → error, `warnUser` → warn), or null. */
export function nameLevel(name: string): Level | null {
  for (const word of name.split(/_+|(?<=[a-z0-9])(?=[A-Z])/)) {
    if (word.length < 3 || NOT_LEVEL.has(word.toLowerCase())) continue
    const l = normalizeLevel(word)
    if (l) return l
  }
  return null
}

/** A function capture or a definition capture, into the lists the file's scope is built from. */
function collectScope(match: MatchLike, hooks: ScopeHooks, funcs: Node[], defs: DefSite[]): void {
  let nameNode: Node | null = null
  let value: Node | null = null
  for (const c of match.captures) {
    if (c.name === 'func') funcs.push(c.node)
    else if (c.name === 'def.name') nameNode = c.node
    else if (c.name === 'def.value') value = c.node
    else if (c.name === 'def.call') {
      const into = hooks.formatInto?.(c.node)
      if (into) defs.push({ name: into.name, nameNode: c.node, value: into.value, start: c.node.startIndex })
    }
  }
  if (!nameNode || !value) return
  if (hooks.isDefinition && !hooks.isDefinition(nameNode)) return
  const name = hooks.defName(nameNode)
  if (name) defs.push({ name, nameNode, value, start: nameNode.startIndex })
}

/** A macro body's `#define NAME(params)`: its name and parameters. */
function macroOf(arg: Node): { macro?: { name: string; params: string[] } } {
  const def = arg.parent
  if (!def || def.type !== 'preproc_function_def') return {}
  const name = def.childForFieldName('name')?.text
  const params = def.childForFieldName('parameters')
  if (!name || !params) return {}
  const names = params.namedChildren.filter((c) => c?.type === 'identifier').map((c) => c!.text)
  // `...`: its arguments are `__VA_ARGS__` in the body (`_serverLog(level, __VA_ARGS__)` passes the message on).
  if (params.text.includes('...')) names.push('__VA_ARGS__')
  return { macro: { name, params: names } }
}

/**
 * Names assigned a logger (`reportfn = log_info`, `warn = logger.warning`): calls of them are calls of that
 * logger. Only names every assignment in the file gives the same logger.
 */
function aliasesOf(scope: FileScope, adapter: Adapter, rules: CompiledRule[]): Map<string, string> {
  const out = new Map<string, string>()
  for (const [name, list] of scope.definitions()) {
    let target: string | null = null
    for (const d of list) {
      const t = adapter.ref?.(d.value) ?? null
      if (t === null || (target !== null && t !== target)) {
        target = null
        break
      }
      target = t
    }
    if (target === null || target === name) continue
    const site = { node: list[0]!.value, args: [], ...naming(target) } as CallSite
    if (mayLog(site.name, adapter.language, rules) && decide(site, adapter, rules)) out.set(name, target)
  }
  return out
}

const rankOf = (l: Level | null): number => (l === null ? -1 : levelRank(l))

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
  return outer.map(({ line, endLine, level, template, matchable, channels, mentions, expect, callee, via, reason }) =>
    ({ line, endLine, level, template, matchable, channels, mentions, ...(expect ? { expect } : {}), callee, via, reason }))
}
