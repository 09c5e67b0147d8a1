/**
 * Logging wrappers (issue 16, class 2): a function whose parameter becomes a logger's message makes its calls
 * log statements, with the wrapper's own text around the message and the level of the call inside; function
 * pointers assigned a logger count as that logger; wrappers may be declared in `catalog.wrappers`. Level
 * arguments that are constants or expressions (class 3). Real repositories, real parsers.
 */
import { describe, expect, it } from 'vitest'
import { at, indexedRepo } from './testutil/indexed.js'

const { repo: r, catalog } = indexedRepo()

describe('logging wrappers', () => {
  it('Go: a function printing its format with a tag (gin debugPrint) makes its calls in other files statements', async () => {
    r().write('debug.go', [
      'package gin',
      '',
      'func debugPrint(format string, values ...any) {',
      '\tif !IsDebugging() {',
      '\t\treturn',
      '\t}',
      '\tif !strings.HasSuffix(format, "\\n") {',
      '\t\tformat += "\\n"',
      '\t}',
      '\tfmt.Fprintf(DefaultWriter, "[GIN-debug] "+format, values...)',
      '}',
      '',
    ].join('\n'))
    r().write('gin.go', 'package gin\n\nfunc (engine *Engine) LoadHTMLGlob(pattern string) {\n\tdebugPrint("Loaded HTML Templates (%d): \\n%s\\n", n, names)\n\tdebugPrint(`[WARNING] Running in "debug" mode.`)\n}\n')
    // Printing to the writer it is handed (an HTTP response) is no logging: its calls are no statements.
    r().write('render/text.go', 'package render\n\nfunc WriteString(w io.Writer, format string, data []any) {\n\tfmt.Fprintf(w, format, data...)\n}\n\nfunc f(w io.Writer) {\n\tWriteString(w, "hello %s", d)\n}\n')
    const list = await catalog()
    expect(at(list, 'gin.go', 4)).toMatchObject({ level: 'debug', via: 'debugPrint', template: '[GIN-debug] Loaded HTML Templates (%d): \n%s\n', matchable: true })
    expect(at(list, 'gin.go', 5)).toMatchObject({ level: 'debug', via: 'debugPrint', template: '[GIN-debug] [WARNING] Running in "debug" mode.' })
    // fmt.Fprintf itself prints, it is no logger: its own call is no statement.
    expect(list.filter((s) => s.file === 'debug.go')).toEqual([])
    expect(list.filter((s) => s.file === 'render/text.go')).toEqual([])
  })

  it('Java: a static method logging its parameter (logBanner) is a wrapper; its own call says why it is unmatchable', async () => {
    r().write('src/main/java/org/ex/Boot.java', [
      'package org.ex;',
      'class Boot {',
      '  static void logBanner(String msg, Logger log) {',
      '    for (String e : ITEMS) log.info(msg + e);',
      '  }',
      '  void start() {',
      '    logBanner("Loaded plugin: ", LOG);',
      '    logBanner(name, LOG);',
      '    process("queue");',
      '  }',
      '  void process(String request) {',
      '    LOG.debug("{}", request);',
      '  }',
      '}',
      '',
    ].join('\n'))
    const list = await catalog()
    const f = 'src/main/java/org/ex/Boot.java'
    expect(at(list, f, 4)).toMatchObject({ template: null, matchable: false, reason: 'the message is a parameter of logBanner' })
    expect(at(list, f, 7)).toMatchObject({ level: 'info', via: 'logBanner', template: 'Loaded plugin: {}', matchable: true })
    // A call passing a value, not a message, is no statement.
    expect(list.find((s) => s.file === f && s.line === 8)).toBeUndefined()
    // Logging an object parameter (`request`) makes no wrapper: the call passing a string is no statement.
    expect(list.find((s) => s.file === f && s.line === 9)).toBeUndefined()
    expect(at(list, f, 12)).toMatchObject({ template: null, reason: 'the message is a parameter of process' })
  })

  it('C: a function pointer every assignment of which is a logging wrapper logs through it, at the highest of their levels', async () => {
    // OpenSSH 6.6 auth.c: authlog starts as verbose() and is raised to logit(); both wrappers live in another file.
    r().write('log.c', [
      'void verbose(const char *fmt, ...) {', '  va_list args;', '  va_start(args, fmt);', '  do_log(SYSLOG_LEVEL_VERBOSE, fmt, args);', '}',
      'void logit(const char *fmt, ...) {', '  va_list args;', '  va_start(args, fmt);', '  do_log(SYSLOG_LEVEL_INFO, fmt, args);', '}', '',
    ].join('\n'))
    r().write('auth.c', [
      'void auth_log(int ok) {',
      '  void (*authlog) (const char *fmt,...) = verbose;',
      '  if (ok)',
      '    authlog = logit;',
      '  authlog("%s %s for %s from %.200s port %d %s", msg, method, user, ip, port, "ssh2");',
      '  void (*other) (const char *fmt,...) = verbose;',
      '  other = pick();',
      '  other("not a wrapper for sure %d", n);',
      '}', '',
    ].join('\n'))
    const list = await catalog({ loggers: { c: [{ call: 'do_log', levelArg: 0, messageArg: 1 }] } })
    expect(at(list, 'auth.c', 5)).toMatchObject({ level: 'info', via: 'logit', template: '%s %s for %s from %.200s port %d %s', matchable: true })
    // Assigned something else too: no statement.
    expect(list.find((s) => s.file === 'auth.c' && s.line === 8)).toBeUndefined()
  })

  it('C: a function formatting into a buffer for the logger, a variadic macro, and a function pointer to a logger', async () => {
    r().write('src/log.h', '#define NET_WARN(fmt, ...) log_warn("[net] " fmt, ##__VA_ARGS__)\nvoid report(const char *fmt, ...);\n')
    r().write('src/log.c', [
      '#include "log.h"',
      'void report(const char *fmt, ...) {',
      '  va_list ap;',
      '  char buf[256];',
      '  va_start(ap, fmt);',
      '  vsnprintf(buf, sizeof buf, fmt, ap);',
      '  log_error("%s", buf);',
      '}',
      'static void (*notify)(const char *, ...) = log_info;',
      'void boot(int n) {',
      '  notify("started %d workers", n);',
      '}',
      '',
    ].join('\n'))
    r().write('src/main.c', '#include "log.h"\nvoid run(const char *u, const char *d) {\n  report("quota exceeded for %s", u);\n  NET_WARN("disk %s full", d);\n}\n')
    const list = await catalog()
    expect(at(list, 'src/log.c', 7)).toMatchObject({ template: null, reason: 'the message is a parameter of report' })
    expect(at(list, 'src/log.c', 11)).toMatchObject({ level: 'info', via: 'log_info', template: 'started %d workers' })
    expect(at(list, 'src/main.c', 3)).toMatchObject({ level: 'error', via: 'report', template: 'quota exceeded for %s' })
    expect(at(list, 'src/main.c', 4)).toMatchObject({ level: 'warn', via: 'NET_WARN', template: '[net] disk %s full' })
  })

  it('C: a variadic macro over a formatting function over a raw writer, the level passed down (Redis serverLog → _serverLog → serverLogRaw)', async () => {
    r().write('src/server.h', [
      '#define serverLog(level, ...) do {\\',
      '        if (((level)&0xff) < server.verbosity) break;\\',
      '        _serverLog(level, __VA_ARGS__);\\',
      '    } while(0)',
      'void _serverLog(int level, const char *fmt, ...);',
      '',
    ].join('\n'))
    r().write('src/server.c', [
      '#include "server.h"',
      'void serverLogRaw(int level, const char *msg) {',
      '    const int syslogLevelMap[] = { LOG_DEBUG, LOG_INFO, LOG_NOTICE, LOG_WARNING };',
      '    syslog(syslogLevelMap[level], "%s", msg);',
      '}',
      'void _serverLog(int level, const char *fmt, ...) {',
      '    va_list ap;',
      '    char msg[LOG_MAX_LEN];',
      '    va_start(ap, fmt);',
      '    vsnprintf(msg, sizeof(msg), fmt, ap);',
      '    serverLogRaw(level,msg);',
      '}',
      '',
    ].join('\n'))
    r().write('src/rdb.c', '#include "server.h"\nvoid save(void) {\n    serverLog(LL_WARNING, "Failed opening the temp RDB file %s for saving: %s", f, e);\n    serverLog(LL_NOTICE,"DB saved on disk");\n}\n')
    const list = await catalog()
    expect(at(list, 'src/rdb.c', 3)).toMatchObject({ level: 'warn', via: 'serverLog', template: 'Failed opening the temp RDB file %s for saving: %s', matchable: true })
    expect(at(list, 'src/rdb.c', 4)).toMatchObject({ level: 'notice', via: 'serverLog', template: 'DB saved on disk' })
  })

  it('Python: a method passing its parameter on (self.warn_user), a module function, and a name bound to a logger method', async () => {
    r().write('app/util.py', 'import logging\nlog = logging.getLogger(__name__)\ndef fail(text):\n    log.error("failed: " + text)\n')
    r().write('app/users.py', [
      'import logging',
      'from .util import fail',
      'class Users:',
      '    def warn_user(self, message):',
      '        self.logger.warning("user: " + message)',
      '    def check(self):',
      '        self.warn_user("quota exceeded")',
      '        fail("no quota left")',
      '        warn = self.logger.warning',
      '        warn("quota at %d%%", 90)',
      '',
    ].join('\n'))
    const list = await catalog()
    expect(at(list, 'app/users.py', 7)).toMatchObject({ level: 'warn', via: 'warn_user', template: 'user: quota exceeded' })
    expect(at(list, 'app/users.py', 8)).toMatchObject({ level: 'error', via: 'fail', template: 'failed: no quota left' })
    expect(at(list, 'app/users.py', 10)).toMatchObject({ level: 'warn', via: 'self.logger.warning', template: 'quota at %d%%' })
  })

  it('JavaScript and TypeScript: an arrow function wrapper and a const bound to console.warn', async () => {
    r().write('web/log.ts', "export const audit = (msg: string) => logger.warn('[audit] ' + msg)\n")
    r().write('web/app.ts', "import { audit } from './log'\nconst warn = console.warn\nexport function f() {\n  audit('password changed')\n  warn('cache miss %s', k)\n}\n")
    const list = await catalog()
    expect(at(list, 'web/app.ts', 4)).toMatchObject({ level: 'warn', via: 'audit', template: '[audit] password changed' })
    expect(at(list, 'web/app.ts', 5)).toMatchObject({ level: 'warn', via: 'console.warn', template: 'cache miss %s' })
  })

  it('two levels: a function passing its message to a wrapper in another file is a wrapper too', async () => {
    r().write('pkg/a.go', 'package pkg\n\nfunc logf(format string, args ...any) {\n\tlog.Printf("[pkg] "+format, args...)\n}\n')
    r().write('pkg/b.go', 'package pkg\n\nfunc warnf(format string, args ...any) {\n\tlogf("WARN "+format, args...)\n}\n\nfunc f() {\n\twarnf("shard %s slow", id)\n}\n')
    const list = await catalog()
    expect(at(list, 'pkg/b.go', 8)).toMatchObject({ via: 'warnf', template: '[pkg] WARN shard %s slow' })
  })

  it('config: catalog.wrappers declares a wrapper Dice cannot infer, with its prefix and level', async () => {
    r().write('src/app.c', 'void f(int n) {\n  die_with("cannot open %d files", n);\n}\n')
    const list = await catalog({ wrappers: { c: [{ call: 'die_with', messageArg: 0, level: 'fatal', prefix: 'fatal: ' }] } })
    expect(at(list, 'src/app.c', 2)).toMatchObject({ level: 'fatal', via: 'die_with', template: 'fatal: cannot open %d files', matchable: true })
  })

  it('config: a logger rule may declare a prefix its logger prints (error: )', async () => {
    r().write('src/app.c', 'void f(int n) {\n  oops("%d workers died", n);\n}\n')
    const list = await catalog({ loggers: { c: [{ call: 'oops', level: 'error', prefix: 'error: ' }] } })
    expect(at(list, 'src/app.c', 2)).toMatchObject({ level: 'error', template: 'error: %d workers died', via: null })
  })
})

describe('level arguments that are constants or expressions', () => {
  it('Python: self.logger.log(TRACE_LOG_LEVEL, …) has its message and the trace level', async () => {
    r().write('app/proto.py', 'TRACE_LOG_LEVEL = 5\nclass P:\n    def on(self):\n        self.logger.log(TRACE_LOG_LEVEL, "%sASGI [%s] Started", prefix, n)\n')
    const list = await catalog()
    expect(at(list, 'app/proto.py', 4)).toMatchObject({ level: 'trace', template: '%sASGI [%s] Started', matchable: true })
  })

  it('C: a conditional level (ok ? LVL_ERROR : LVL_INFO) takes the highest, however long the expression', async () => {
    const long = `(ok && retries < MAX_RETRIES_BEFORE_GIVING_UP && !shutting_down && connection_state == STATE_CONNECTED_AND_READY) ? LVL_INFO : LVL_ERROR`
    expect(long.length).toBeGreaterThan(120)
    r().write('src/net.c', `void f(int ok) {\n  log_at(ok ? LVL_ERROR : LVL_INFO, "link %s", name);\n  log_at(${long}, "peer %s", name);\n}\n`)
    const list = await catalog({ loggers: { c: [{ call: 'log_at', levelArg: 0 }] } })
    expect(at(list, 'src/net.c', 2)).toMatchObject({ level: 'error', template: 'link %s' })
    expect(at(list, 'src/net.c', 3)).toMatchObject({ level: 'error', template: 'peer %s' })
  })

  it('a wrapper taking the level as a parameter passes its callers\' level on', async () => {
    r().write('src/net.c', 'void net_log(int lvl, const char *fmt, ...) {\n  log_at(lvl, fmt);\n}\nvoid f(void) {\n  net_log(LVL_WARN, "peer gone");\n}\n')
    const list = await catalog({ loggers: { c: [{ call: 'log_at', levelArg: 0 }] } })
    expect(at(list, 'src/net.c', 5)).toMatchObject({ level: 'warn', via: 'net_log', template: 'peer gone' })
  })
})
