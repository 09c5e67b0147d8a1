/**
 * Messages that are not a literal at the call but a name for one (issue 16, class 1): the name is resolved to
 * its string constant when every definition agrees (same function, same file, another file of the
 * repository), and otherwise the statement stays unmatchable, saying why. Real repositories, real parsers.
 */
import { describe, expect, it } from 'vitest'
import { at, indexedRepo } from './testutil/indexed.js'

const { repo: r, catalog } = indexedRepo()

describe('names for messages, resolved to their constants', () => {
  it('Python: a local, a module constant and a constant imported from another module', async () => {
    r().write('app/messages.py', 'STARTED = "Started server process [%d]"\n')
    r().write('app/server.py', [
      'import logging',
      'from .messages import STARTED',
      'logger = logging.getLogger(__name__)',
      'WAITING = "Waiting for application startup."',
      'def serve(pid):',
      '    msg = "Application startup complete."',
      '    logger.info(msg)',
      '    logger.info(WAITING)',
      '    logger.info(STARTED, pid)',
      '',
    ].join('\n'))
    const list = await catalog()
    expect(at(list, 'app/server.py', 7)).toMatchObject({ template: 'Application startup complete.', matchable: true })
    expect(at(list, 'app/server.py', 8)).toMatchObject({ template: 'Waiting for application startup.', matchable: true })
    expect(at(list, 'app/server.py', 9)).toMatchObject({ template: 'Started server process [%d]', matchable: true })
  })

  it('C: a #define in a header used by another file, and adjacent literals with a macro', async () => {
    r().write('include/msgs.h', '#define QUOTA_MSG "quota exceeded for %.100s"\n#define NET_PREFIX "net: "\n')
    r().write('src/quota.c', '#include "msgs.h"\nvoid check(const char *u) {\n  log_error(QUOTA_MSG, u);\n  log_warn(NET_PREFIX "link down on %s", u);\n}\n')
    const list = await catalog()
    expect(at(list, 'src/quota.c', 3)).toMatchObject({ template: 'quota exceeded for %.100s', matchable: true })
    expect(at(list, 'src/quota.c', 4)).toMatchObject({ template: 'net: link down on %s', matchable: true })
  })

  it('Java: a static final of the same class, of another class (Messages.FMT), and a local', async () => {
    r().write('src/main/java/org/ex/Messages.java', 'package org.ex;\npublic final class Messages {\n  public static final String QUOTA = "quota of {} exceeded";\n}\n')
    r().write('src/main/java/org/ex/Server.java', [
      'package org.ex;',
      'class Server {',
      '  private static final String FMT = "Got {} from {}";',
      '  void f(String a, String b) {',
      '    LOG.warn(FMT, a, b);',
      '    LOG.error(Messages.QUOTA, a);',
      '    String m = "closing session {}";',
      '    LOG.info(m, a);',
      '  }',
      '}',
      '',
    ].join('\n'))
    const list = await catalog()
    const f = 'src/main/java/org/ex/Server.java'
    expect(at(list, f, 5)).toMatchObject({ template: 'Got {} from {}', matchable: true })
    expect(at(list, f, 6)).toMatchObject({ template: 'quota of {} exceeded', matchable: true })
    expect(at(list, f, 8)).toMatchObject({ template: 'closing session {}', matchable: true })
  })

  it('Go: a const in another file of the same package, and a local', async () => {
    r().write('shard/consts.go', 'package shard\n\nconst errFmt = "shard %s: rebalance failed: %v"\n')
    r().write('shard/shard.go', 'package shard\n\nfunc f(id string, err error) {\n\tmsg := "shard %s moved"\n\tlog.Printf(msg, id)\n\tlog.Printf(errFmt, id, err)\n}\n')
    const list = await catalog()
    expect(at(list, 'shard/shard.go', 5)).toMatchObject({ template: 'shard %s moved', matchable: true })
    expect(at(list, 'shard/shard.go', 6)).toMatchObject({ template: 'shard %s: rebalance failed: %v', matchable: true })
  })

  it('JavaScript and TypeScript: a const of the same file and one imported from another', async () => {
    r().write('web/msgs.ts', 'export const SLOW = "slow request %s"\n')
    r().write('web/api.ts', "import { SLOW } from './msgs'\nconst DOWN = 'backend down'\nexport function f(p: string) {\n  logger.warn(SLOW, p)\n  logger.error(DOWN)\n}\n")
    r().write('web/app.js', "const RETRY = 'retrying in %d ms'\nfunction g(ms) {\n  console.warn(RETRY, ms)\n}\n")
    const list = await catalog()
    expect(at(list, 'web/api.ts', 4)).toMatchObject({ template: 'slow request %s', matchable: true })
    expect(at(list, 'web/api.ts', 5)).toMatchObject({ template: 'backend down', matchable: true })
    expect(at(list, 'web/app.js', 3)).toMatchObject({ template: 'retrying in %d ms', matchable: true })
  })

  it('takes the definition that reaches the call: the same local name set anew before each call (uvicorn\'s msg = …; logger.warning(msg))', async () => {
    r().write('app/h11.py', [
      'import logging',
      'class P:',
      '    def run(self, ok, result):',
      '        if not ok:',
      '            msg = "Unsupported upgrade request."',
      '            self.logger.warning(msg)',
      '        else:',
      '            msg = "ASGI callable should return None, but returned \'%s\'."',
      '            self.logger.error(msg, result)',
      '        msg = "ASGI callable returned without completing response."',
      '        self.logger.error(msg)',
      '        for x in items:',
      '            self.logger.info(msg)',
      '            msg = "next item"',
      '',
    ].join('\n'))
    r().write('src/main/java/org/ex/Q.java', 'package org.ex;\nclass Q {\n  void f(boolean a) {\n    String m = "first {}";\n    LOG.info(m, 1);\n    m = "second {}";\n    LOG.info(m, 2);\n  }\n}\n')
    const list = await catalog()
    expect(at(list, 'app/h11.py', 6).template).toBe('Unsupported upgrade request.')
    expect(at(list, 'app/h11.py', 9).template).toBe("ASGI callable should return None, but returned '%s'.")
    expect(at(list, 'app/h11.py', 11).template).toBe('ASGI callable returned without completing response.')
    // In a loop that sets it again after the call, the next turn sees the other value.
    expect(at(list, 'app/h11.py', 13)).toMatchObject({ template: null, reason: '`msg` has 2 different values in run' })
    expect(at(list, 'src/main/java/org/ex/Q.java', 5).template).toBe('first {}')
    expect(at(list, 'src/main/java/org/ex/Q.java', 7).template).toBe('second {}')
  })

  it('stays unmatchable, with the reason, when the name has several values or is no constant', async () => {
    r().write('a/one.py', 'BANNER = "one"\n')
    r().write('b/two.py', 'BANNER = "two"\n')
    r().write('app/run.py', [
      'import logging',
      'log = logging.getLogger(__name__)',
      'def run(ok):',
      '    msg = "ready"',
      '    if not ok:',
      '        msg = "degraded"',
      '    log.warning(msg)',
      '    log.warning(BANNER)',
      '    status = compute()',
      '    log.warning(status)',
      '',
    ].join('\n'))
    const list = await catalog()
    expect(at(list, 'app/run.py', 7)).toMatchObject({ template: null, matchable: false, reason: '`msg` has 2 different values in run' })
    expect(at(list, 'app/run.py', 8)).toMatchObject({ template: null, matchable: false, reason: '`BANNER` has 2 different values in 2 files' })
    expect(at(list, 'app/run.py', 10)).toMatchObject({ template: null, matchable: false, reason: expect.stringMatching(/^`status` is not a constant/) })
  })

  it('reads a file again when a constant it uses changes in another file, with that file unchanged', async () => {
    r().write('include/msgs.h', '#define QUOTA_MSG "quota exceeded for %s"\n')
    r().write('src/quota.c', '#include "msgs.h"\nvoid check(const char *u) {\n  log_error(QUOTA_MSG, u);\n}\n')
    expect(at(await catalog(), 'src/quota.c', 3).template).toBe('quota exceeded for %s')
    r().write('include/msgs.h', '#define QUOTA_MSG "quota of %s used up"\n')
    const list = await catalog()
    expect(at(list, 'src/quota.c', 3).template).toBe('quota of %s used up')
  })
})
