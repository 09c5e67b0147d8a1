/**
 * Built-in logger vocabularies: data only. The extractor (extractors/engine.ts) reads these tables;
 * `catalog.loggers` in dice.yml adds rules per language in the same shape (LoggerRule), tried first.
 *
 * A rule's `call` is the callee as written: an exact name (`ERROR_LOG`, `spdlog::warn`, `Rails.logger.error`),
 * a glob with `*` (`*.warn`, `log::*`), or a call with one argument (`LOG(ERROR)`). `::`, `->`, `?.` compare
 * as `.`; `$` and `@` sigils are ignored. Without `level` the level comes from argument `levelArg`.
 *
 * Beyond explicit rules, two heuristics use the lists below:
 * - method calls on a logger-looking receiver (`log`, `logger`, `_logger`, `LOGGER`, `auditLog`, `console`,
 *   `logging`, `slog`, `zap`, `logrus`, `spdlog`, `Rails.logger`, …) where the method names a level
 *   (`warn`, `Errorf`, `LogWarning`, `ErrorContext`, `severe`, `exception`);
 * - for C and C++, upper-case macros that put a level next to LOG (`ERROR_LOG`, `LOG_WARN`, `SPDLOG_ERROR`).
 */
import type { LoggerRule } from '../config/schema.js'
import type { LanguageId } from './languages.js'

/** Receiver names that are loggers whatever their spelling (compared lower-case, `_`/`$`/`@` stripped). */
export const LOGGER_RECEIVERS: readonly string[] = [
  'log', 'logger', 'logging', 'logs', 'console', 'slog', 'zap', 'logrus', 'spdlog', 'glog', 'klog', 'zerolog',
  'sugar', 'sugared', 'tracing', 'syslog', 'monolog', 'winston', 'pino', 'bunyan', 'signale', 'consola', 'debuglog',
  // Short names for a derived logger (`l := logger.With(…)`), common in Go.
  'l', 'lg', 'lgr', 'logr',
]

/**
 * A receiver segment also looks like a logger when it ends in `logger`/`Logger`/`LOGGER`, or in `Log`/`_log`
 * after a word boundary (`auditLog`, `REQ_LOG`), or starts with `log` + boundary (`logCtx`, `log_ctx`).
 * Case-sensitive on purpose: `catalog`, `dialog`, `blog`, `login` and `logic` do not.
 */
export const LOGGER_SEGMENT = /(?:logger|Logger|LOGGER|loggr)$|^(?:log|Log|LOG)(?:[A-Z0-9_]|$)|[a-z0-9]Log$|_(?:log|Log|LOG)$/

/** Method names that log at a level given in an argument or earlier in the chain (`log.atWarn().log(…)`). */
export const GENERIC_LOG_METHODS: readonly string[] = ['log', 'Log', 'logp', 'logf', 'Logf', 'LogAttrs', 'Msg', 'Msgf']

/** Suffixes that decorate a level method: zap/logrus `Errorf`/`Errorw`/`Errorln`, slog `ErrorContext`, log4net `WarnFormat`, klog `ErrorS`. */
export const LEVEL_METHOD_SUFFIXES: readonly string[] = ['Context', 'Format', 'Fn', 'ln', 'f', 'w', 'S', 'Ctx', 'Async']

/** Prefixes that decorate a level method or constant: `LogWarning`, `atWarn`, `LevelWarn`, `LOG_ERR`, `Level.WARNING`. */
export const LEVEL_PREFIXES = /^(?:Log(?=[A-Z])|at(?=[A-Z])|Level_?|LEVEL_|LOG_|SEVERITY_|Severity)/

/** Level words never taken from a method or constant name alone: too generic to mean a level. */
export const NOT_LEVEL_WORDS: readonly string[] = ['log', 'print', 'println', 'config', 'note', 'i', 'd', 'e', 'w', 'f', 'n', 't']

/**
 * C/C++ macros and functions that name a level next to LOG: `ERROR_LOG`, `LOG_WARN`, `SPDLOG_LOGGER_ERROR`,
 * `MYAPP_LOG_INFO`, and the lower-case function forms `log_error`, `app_log_warn`, `logWarning`.
 */
export const C_LEVEL_MACRO = /^(?:[A-Z0-9]+_)*?[A-Z0-9]*LOG(?:GER)?(?:_[A-Z0-9]+)*?_(TRACE|TRC|VERBOSE|DEBUG|DBG|INFO|INF|NOTICE|WARN|WARNING|WRN|ERR|ERROR|CRIT|CRITICAL|FATAL|FTL|ALERT|EMERG|PANIC)$|^(TRACE|VERBOSE|DEBUG|DBG|INFO|NOTICE|WARN|WARNING|ERR|ERROR|CRIT|CRITICAL|FATAL|ALERT|EMERG|PANIC)_LOG$|^(?:[a-z0-9]+_)*log_(trace|verbose|debug|info|notice|warn|warning|err|error|crit|critical|fatal|alert|emerg|panic)$|^log(Trace|Verbose|Debug|Info|Notice|Warn|Warning|Error|Critical|Fatal)$/

/** Wrappers whose first argument is the message: gettext and friends, format helpers. Per language, by callee. */
export const FORMAT_CALLS: Record<LanguageId, readonly string[]> = {
  c: ['_', 'N_', 'gettext', 'dgettext'],
  cpp: ['_', 'N_', 'gettext', 'tr', 'QObject.tr', 'fmt.format', 'std.format', 'absl.StrFormat', 'boost.str', 'boost.format', 'folly.sformat', 'folly.format', 'QString', 'QStringLiteral', 'std.string'],
  java: ['String.format', 'MessageFormat.format', 'formatted'],
  python: ['_', 'gettext', 'format', 'ugettext', 'gettext_lazy'],
  go: ['fmt.Sprintf', 'fmt.Errorf', 'errors.New', 'errors.Errorf', 'errors.Wrapf'],
  javascript: ['util.format', 'format', 't', 'i18n.t', 'sprintf'],
  typescript: ['util.format', 'format', 't', 'i18n.t', 'sprintf'],
  csharp: ['string.Format', 'String.Format', 'Format'],
  rust: ['format'],
  ruby: ['format', 'sprintf', 'I18n.t', 't'],
  php: ['sprintf', 'vsprintf', '__', '_', 'gettext', 'trans'],
}

/**
 * Calls that print a line but are no logger (`fmt.Fprintf(w, …)`, `vfprintf(stderr, …)`, `print(…)`): not log
 * statements themselves, but a function passing its parameter to one is a logging wrapper (gin's `debugPrint`),
 * whose calls are. Per language: callee key → index of the message argument; a message after the first argument
 * means the first is the stream written to.
 */
export const OUTPUT_CALLS: Record<LanguageId, Readonly<Record<string, number>>> = {
  c: { printf: 0, vprintf: 0, puts: 0, fputs: 0, fprintf: 1, vfprintf: 1, dprintf: 1, vdprintf: 1 },
  cpp: { printf: 0, vprintf: 0, puts: 0, fputs: 0, fprintf: 1, vfprintf: 1, 'std.printf': 0, 'std.fprintf': 1, 'fmt.print': 0, 'std.print': 0, 'std.println': 0 },
  java: { 'System.out.println': 0, 'System.err.println': 0, 'System.out.printf': 0, 'System.err.printf': 0, 'System.out.print': 0, 'System.err.print': 0 },
  python: { print: 0, 'sys.stderr.write': 0, 'sys.stdout.write': 0, 'click.echo': 0, 'typer.echo': 0 },
  go: { 'fmt.Printf': 0, 'fmt.Println': 0, 'fmt.Print': 0, 'fmt.Fprintf': 1, 'fmt.Fprintln': 1, 'fmt.Fprint': 1 },
  javascript: { 'process.stderr.write': 0, 'process.stdout.write': 0 },
  typescript: { 'process.stderr.write': 0, 'process.stdout.write': 0 },
  csharp: { 'Console.WriteLine': 0, 'Console.Error.WriteLine': 0, 'Console.Write': 0 },
  rust: { println: 0, eprintln: 0, print: 0, eprint: 0 },
  ruby: { puts: 0, warn: 0, '$stderr.puts': 0, 'STDERR.puts': 0 },
  php: { echo: 0, printf: 0, fwrite: 1 },
}

/** Wrappers that concatenate their arguments (`absl::StrCat("a", b)` → `a{}`). */
export const CONCAT_CALLS: Record<LanguageId, readonly string[]> = {
  c: [], cpp: ['absl.StrCat', 'StrCat'], java: ['String.join'], python: [], go: ['fmt.Sprint'], javascript: [], typescript: [],
  csharp: ['string.Concat', 'String.Concat'], rust: ['concat'], ruby: [], php: [],
}

const glog = (call: string): LoggerRule[] => [{ call, levelArg: 0 }]

/**
 * Linux kernel logging. `printk` takes its level from a `KERN_*` macro written before the format
 * (`printk(KERN_ERR "…")`, read by the C adapter's `messageLevel`); without one it logs at the default
 * level, info. The `pr_*`, `dev_*` (after the device), `netdev_*` and `netif_*` helpers name the level,
 * with their `_once` and `_ratelimited` forms. `pr_cont`/`KERN_CONT` only continue the previous line: no statement.
 */
const KERNEL_LEVELS: ReadonlyArray<[string, 'fatal' | 'error' | 'warn' | 'notice' | 'info' | 'debug']> = [
  ['emerg', 'fatal'], ['alert', 'fatal'], ['crit', 'fatal'], ['err', 'error'], ['warn', 'warn'], ['notice', 'notice'], ['info', 'info'],
]
const KERNEL_RULES: LoggerRule[] = [
  ...['printk', 'printk_once', 'printk_ratelimited', 'printk_deferred', 'printk_deferred_once'].map((call) => ({ call, level: 'info' as const })),
  ...['pr', 'dev', 'netdev', 'netif'].flatMap((family) => [
    ...KERNEL_LEVELS,
    ...(family === 'pr' ? [['warning', 'warn'], ['debug', 'debug'], ['devel', 'debug']] as const : [['dbg', 'debug']] as const),
  ].flatMap(([name, level]) => ['', '_once', '_ratelimited'].map((suffix) => ({ call: `${family}_${name}${suffix}`, level })))),
  { call: 'dev_err_probe', level: 'error' },
]

/**
 * Explicit rules per language, tried before the heuristics. Globs here end in a name, not in `*.…*`, so
 * the name pre-filter (engine `mayLog`) can still rule out calls cheaply.
 */
export const BUILTIN_RULES: Record<LanguageId, readonly LoggerRule[]> = {
  c: [
    { call: 'syslog', levelArg: 0, messageArg: 1 },
    { call: 'vsyslog', levelArg: 0, messageArg: 1 },
    { call: 'LOG', levelArg: 0 },
    ...KERNEL_RULES,
    { call: 'ALOGE', level: 'error' }, { call: 'ALOGW', level: 'warn' }, { call: 'ALOGI', level: 'info' }, { call: 'ALOGD', level: 'debug' }, { call: 'ALOGV', level: 'trace' },
    { call: 'g_error', level: 'fatal' }, { call: 'g_critical', level: 'error' }, { call: 'g_warning', level: 'warn' },
    { call: 'g_message', level: 'notice' }, { call: 'g_info', level: 'info' }, { call: 'g_debug', level: 'debug' },
    { call: 'ngx_log_error', levelArg: 0 },
    { call: 'ap_log_error', levelArg: 2 },
  ],
  cpp: [
    // glog / absl: LOG(ERROR) << "…"; the stream after it is the message.
    ...glog('LOG'), ...glog('PLOG'), ...glog('DLOG'), ...glog('LOG_IF'), ...glog('PLOG_IF'), ...glog('DLOG_IF'),
    ...glog('LOG_EVERY_N'), ...glog('LOG_FIRST_N'), ...glog('LOG_IF_EVERY_N'), ...glog('LOG_EVERY_T'), ...glog('SYSLOG'),
    ...glog('BOOST_LOG_TRIVIAL'), ...glog('ABSL_LOG'), ...glog('ABSL_PLOG'), ...glog('ABSL_DLOG'), ...glog('ABSL_LOG_IF'),
    ...glog('ABSL_LOG_EVERY_N'), ...glog('ABSL_LOG_FIRST_N'),
    { call: 'BOOST_LOG_SEV', levelArg: 1 },
    { call: 'VLOG', level: 'debug' }, { call: 'DVLOG', level: 'debug' },
    { call: 'qDebug', level: 'debug' }, { call: 'qInfo', level: 'info' }, { call: 'qWarning', level: 'warn' },
    { call: 'qCritical', level: 'error' }, { call: 'qFatal', level: 'fatal' },
    { call: 'syslog', levelArg: 0, messageArg: 1 },
    // ROS 1 and ROS 2: ROS_WARN("…"), RCLCPP_ERROR(node->get_logger(), "…"), and their _STREAM/_ONCE/_THROTTLE forms.
    ...(['DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const).flatMap((l) => [
      { call: `ROS_${l}*`, level: l === 'WARN' ? 'warn' as const : (l.toLowerCase() as 'debug' | 'info' | 'error' | 'fatal') },
      { call: `RCLCPP_${l}*`, level: l === 'WARN' ? 'warn' as const : (l.toLowerCase() as 'debug' | 'info' | 'error' | 'fatal') },
    ]),
  ],
  java: [
    // Android: Log.e(TAG, "message").
    { call: 'Log.v', level: 'trace', messageArg: 1 }, { call: 'Log.d', level: 'debug', messageArg: 1 },
    { call: 'Log.i', level: 'info', messageArg: 1 }, { call: 'Log.w', level: 'warn', messageArg: 1 },
    { call: 'Log.e', level: 'error', messageArg: 1 }, { call: 'Log.wtf', level: 'fatal', messageArg: 1 },
  ],
  python: [],
  go: [
    { call: 'level.*.Log' },
    // Verbose logs: klog.V(2).InfoS(…), glog.V(1).Infof(…).
    ...['Info', 'Infof', 'InfoS', 'Infoln', 'InfoDepth'].flatMap((m) => [{ call: `klog.V.${m}`, level: 'debug' as const }, { call: `glog.V.${m}`, level: 'debug' as const }]),
  ],
  javascript: [],
  typescript: [],
  csharp: [
    { call: 'LoggerMessage', levelArg: 0, messageArg: 1 },
    { call: 'LoggerMessage.Define', levelArg: 0 },
  ],
  rust: [
    { call: 'trace', level: 'trace' }, { call: 'debug', level: 'debug' }, { call: 'info', level: 'info' },
    { call: 'warn', level: 'warn' }, { call: 'error', level: 'error' },
    { call: '*.trace', level: 'trace' }, { call: '*.debug', level: 'debug' }, { call: '*.info', level: 'info' },
    { call: '*.warn', level: 'warn' }, { call: '*.error', level: 'error' },
    { call: 'event', levelArg: 0 }, { call: '*.event', levelArg: 0 },
    { call: 'log', levelArg: 0 }, { call: 'log.log', levelArg: 0 },
  ],
  ruby: [],
  php: [
    { call: 'error_log', level: 'error', messageArg: 0 },
    { call: 'syslog', levelArg: 0, messageArg: 1 },
    { call: 'trigger_error', level: 'warn', messageArg: 0 },
  ],
}

/** Languages whose method-call heuristic applies (all of them; listed so a new language opts in knowingly). */
export const RECEIVER_HEURISTIC: Record<LanguageId, boolean> = {
  c: true, cpp: true, java: true, python: true, go: true, javascript: true, typescript: true, csharp: true, rust: false, ruby: true, php: true,
}
