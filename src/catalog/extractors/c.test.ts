import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { find, statements, summary } from '../testutil/extract.js'

const fixture = (name: string) => readFileSync(new URL(`../../../testdata/catalog/${name}`, import.meta.url), 'utf8')

describe('C extraction', () => {
  it('yields exactly the article example: channel, mention, and no annotation', async () => {
    const src = 'void f(void) {\n  INFO_LOG("hello cruel world"); // #hello-worlders\n  WARN_LOG("the sky is crying"); // @elmore\n  ERROR_LOG("it hurts me too");\n}\n'
    expect(await statements('article.c', src)).toEqual([
      { line: 2, endLine: 2, level: 'info', template: 'hello cruel world', matchable: true, channels: ['hello-worlders'], mentions: [], callee: 'INFO_LOG', via: null, reason: null },
      { line: 3, endLine: 3, level: 'warn', template: 'the sky is crying', matchable: true, channels: [], mentions: ['elmore'], callee: 'WARN_LOG', via: null, reason: null },
      { line: 4, endLine: 4, level: 'error', template: 'it hurts me too', matchable: true, channels: [], mentions: [], callee: 'ERROR_LOG', via: null, reason: null },
    ])
  })

  it('finds every logging style in a realistic C file and nothing else', async () => {
    const list = await statements('src/ipsec.c', fixture('ipsec.c'))
    expect(summary(list)).toEqual([
      '8 error ERROR_LOG "tunnel %s failed"',
      '12 info INFO_LOG "hello cruel world" #hello-worlders',
      '13 warn WARN_LOG "the sky is crying" @elmore',
      '14 error ERROR_LOG "it hurts me too"',
      '18 warn WARN_LOG "tunnel %s: phase %d failed after %d retries\\n" #ipsec-debug @elmore',
      '21 debug DEBUG_LOG "spi=%x bytes=%d \\"quoted\\"\\ttab"',
      '22-24 error LOG_ERROR "proposal mismatch: local=%s remote=%s" #ipsec-debug',
      '25 error syslog "rekey of %s failed: %m"',
      '26 warn syslog "dpd timeout on %s"',
      '29 error ERROR_LOG <null> !m',
      '30 error ERROR_LOG "%s" !m',
      '31 error pr_err "kernel style %d\\n"',
      '32 error log.error "struct logger %d"',
      '33-34 error ERROR_LOG "a very long message continued with a backslash %lu"',
    ])
  })

  it('reads the double-parenthesis macro idiom: LOG_ERROR(("fmt", args)) and DEBUG(level, ("fmt", args))', async () => {
    const src = 'void f(int rc) {\n  LOG_ERROR(("Failed to create a node rc=%d", rc));\n  LOG_INFO(("Created %s", name));\n  LOG_WARN(("plain"));\n}\n'
    expect(summary(await statements('load_gen.c', src))).toEqual([
      '2 error LOG_ERROR "Failed to create a node rc=%d"',
      '3 info LOG_INFO "Created %s"',
      '4 warn LOG_WARN "plain"',
    ])
  })

  it('unescapes string escapes to the characters the program prints', async () => {
    const [s] = await statements('a.c', 'void f(){ WARN_LOG("tab\\there \\"q\\" nl\\n oct\\101 hex\\x42 back\\\\slash"); }')
    expect(s.template).toBe('tab\there "q" nl\n octA hexB back\\slash')
  })

  it('turns PRIu64-style macros between literals into conversions and other macros into {}', async () => {
    const [a, b] = await statements('a.c', 'void f(){ INFO_LOG("n=%" PRIu64 " h=%" PRIx32 " d=%" PRId64, n, h, d); INFO_LOG(MODULE ": started " VERSION); }')
    expect(a.template).toBe('n=%d h=%x d=%d')
    expect(b.template).toBe('{}: started {}')
    expect(b.matchable).toBe(true)
  })

  it('maps syslog priorities to levels, whatever facility is or-ed in', async () => {
    const src = ['LOG_EMERG', 'LOG_ALERT', 'LOG_CRIT', 'LOG_ERR', 'LOG_WARNING', 'LOG_NOTICE', 'LOG_INFO', 'LOG_DEBUG']
      .map((p) => `syslog(LOG_LOCAL0 | ${p}, "prio ${p}");`).join('\n')
    const list = await statements('a.c', `void f(void) {\n${src}\n}`)
    expect(list.map((s) => s.level)).toEqual(['fatal', 'fatal', 'fatal', 'error', 'warn', 'notice', 'info', 'debug'])
  })

  it('reads lower-case and camel-case log functions', async () => {
    const src = 'void f(void) { log_error("open %s failed", p); app_log_warn("slow"); logWarning("camel"); LOG_VERBOSE("chatty"); catalog_error("no"); }'
    expect(summary(await statements('a.c', src))).toEqual([
      '1 error log_error "open %s failed"',
      '1 warn app_log_warn "slow"',
      '1 warn logWarning "camel"',
      '1 trace LOG_VERBOSE "chatty"',
    ])
  })

  it('reads Linux kernel logging: printk levels from KERN_* macros, pr_*, dev_* and netdev_* helpers (whose device prefix is a placeholder)', async () => {
    const src = [
      'static void tun_down(struct net_device *ndev, struct device *dev, const char *name, int err) {',
      '  printk(KERN_ERR "tunnel %s down\\n", name);',
      '  printk(KERN_WARNING "tunnel %s: " "rekey late\\n", name);',
      '  printk(KERN_EMERG "panic on %s\\n", name);',
      '  printk(KERN_CRIT "crit\\n");',
      '  printk(KERN_NOTICE "notice\\n");',
      '  printk(KERN_INFO "info\\n");',
      '  printk(KERN_DEBUG "debug\\n");',
      '  printk("no level given %d\\n", err);',
      '  printk(KERN_CONT " continued\\n");',
      '  pr_err("pr err %d\\n", err);',
      '  pr_warn("pr warn\\n");',
      '  pr_warning("pr warning\\n");',
      '  pr_crit("pr crit\\n");',
      '  pr_alert("pr alert\\n");',
      '  pr_emerg("pr emerg\\n");',
      '  pr_notice("pr notice\\n");',
      '  pr_info("pr info\\n");',
      '  pr_debug("pr debug\\n");',
      '  pr_cont("more\\n");',
      '  dev_err(dev, "dev err %s\\n", name);',
      '  dev_warn(dev, "dev warn\\n");',
      '  netdev_err(ndev, "netdev err %d\\n", err);',
      '  netdev_warn(ndev, "netdev warn\\n");',
      '  pr_err_ratelimited("rate limited\\n");',
      '  dev_warn_once(dev, "once\\n");',
      '}',
    ].join('\n')
    expect(summary(await statements('drivers/net/tun.c', src))).toEqual([
      '2 error printk "tunnel %s down\\n"',
      '3 warn printk "tunnel %s: rekey late\\n"',
      '4 fatal printk "panic on %s\\n"',
      '5 fatal printk "crit\\n"',
      '6 notice printk "notice\\n"',
      '7 info printk "info\\n"',
      '8 debug printk "debug\\n"',
      '9 info printk "no level given %d\\n"',
      '11 error pr_err "pr err %d\\n"',
      '12 warn pr_warn "pr warn\\n"',
      '13 warn pr_warning "pr warning\\n"',
      '14 fatal pr_crit "pr crit\\n"',
      '15 fatal pr_alert "pr alert\\n"',
      '16 fatal pr_emerg "pr emerg\\n"',
      '17 notice pr_notice "pr notice\\n"',
      '18 info pr_info "pr info\\n"',
      '19 debug pr_debug "pr debug\\n"',
      '21 error dev_err "{}: dev err %s\\n"',
      '22 warn dev_warn "{}: dev warn\\n"',
      '23 error netdev_err "{}: netdev err %d\\n"',
      '24 warn netdev_warn "{}: netdev warn\\n"',
      '25 error pr_err_ratelimited "rate limited\\n"',
      '26 warn dev_warn_once "{}: once\\n"',
    ])
  })

  it('turns a macro between KERN_* and the format into a placeholder, as other macros between literals', async () => {
    const src = [
      'void f(int n) {',
      '  printk(KERN_ERR DRV_NAME ": link %d lost\\n", n); // #net-drivers',
      '  printk(KERN_WARNING',
      '         PFX "slow %d" "ms\\n", n);',
      '  pr_info("use (KERN_ERR level" "s\\n");',
      '  printk(KERN_INFO DRV_NAME);',
      '}',
    ].join('\n')
    expect(summary(await statements('drv.c', src))).toEqual([
      '2 error printk "{}: link %d lost\\n" #net-drivers',
      '3-4 warn printk "{}slow %dms\\n"',
      '5 info pr_info "use (KERN_ERR levels\\n"',
      '6 info printk "{}" !m',
    ])
  })

  it("puts the file's pr_fmt prefix before pr_* messages, not before printk or dev_* ones", async () => {
    const src = [
      '#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt',
      '#include <linux/module.h>',
      'void f(struct device *dev, int n) {',
      '  pr_err("probe failed: %d\\n", n);',
      '  pr_info_ratelimited("queue full\\n");',
      '  printk(KERN_ERR "raw printk\\n");',
      '  dev_err(dev, "dev message\\n");',
      '}',
    ].join('\n')
    expect(summary(await statements('drivers/net/tun.c', src))).toEqual([
      '4 error pr_err "{}: probe failed: %d\\n"',
      '5 info pr_info_ratelimited "{}: queue full\\n"',
      '6 error printk "raw printk\\n"',
      '7 error dev_err "{}: dev message\\n"',
    ])
    const [own] = await statements('a.c', '#define pr_fmt(fmt) "%s: " fmt, __func__\nvoid f(void) { pr_warn("late\\n"); }')
    expect(own!.template).toBe('%s: late\n')
    const [none] = await statements('a.c', 'void f(void) { pr_warn("no pr_fmt\\n"); }')
    expect(none!.template).toBe('no pr_fmt\n')
  })

  it('does not treat printf-family calls to stderr as logs', async () => {
    const list = await statements('a.c', 'void f(){ fprintf(stderr, "oops %d\\n", 1); printf("x"); puts("y"); perror("z"); }')
    expect(list).toEqual([])
  })

  it('marks a message that is only placeholders as not matchable, and keeps its template', async () => {
    const [s] = await statements('a.c', 'void f(){ ERROR_LOG("%s: %d", a, b); }')
    expect(s).toMatchObject({ template: '%s: %d', matchable: false })
  })

  it('records a non-literal message with template null', async () => {
    const [s] = await statements('a.c', 'void f(){ WARN_LOG(build_message(t)); }')
    expect(s).toMatchObject({ template: null, matchable: false, level: 'warn', callee: 'WARN_LOG' })
  })

  it('takes a gettext-wrapped literal as the message', async () => {
    const [s] = await statements('a.c', 'void f(){ ERROR_LOG(_("cannot open %s"), path); }')
    expect(s.template).toBe('cannot open %s')
  })

  it('honours catalog.loggers rules for project-specific macros', async () => {
    const src = 'void f(){ TRACE_EVT(LVL_WARN, "custom %d", 1); AUDIT("audit trail"); }'
    expect(await statements('a.c', src)).toEqual([])
    const list = await statements('a.c', src, { loggers: { c: [{ call: 'TRACE_EVT', levelArg: 0 }, { call: 'AUDIT', level: 'notice' }] } })
    expect(summary(list)).toEqual(['1 warn TRACE_EVT "custom %d"', '1 notice AUDIT "audit trail"'])
  })

  it('still returns the statements outside a syntax error, and says so', async () => {
    const r = await import('../extract-file.js').then((m) => m.extractFile('a.c', 'void f(){ ERROR_LOG("before"); }\nint g( {{{ ;\nvoid h(){ WARN_LOG("after"); }\n'))
    expect(r.syntaxErrors).toBe(true)
    expect(r.statements.map((s) => s.template)).toContain('before')
  })

  it('applies the project\'s C rules to a .h file re-parsed as C++', async () => {
    const src = 'class A {\n  void F() { AUDIT("audit in header"); }\n};\n'
    const list = await statements('a.h', src, { loggers: { c: [{ call: 'AUDIT', level: 'notice' }] } })
    expect(summary(list)).toEqual(['2 notice AUDIT "audit in header"'])
  })

  it('finds logging calls inside macro bodies, on the right lines', async () => {
    const src = '#define FAIL(t) \\\n  do { \\\n    ERROR_LOG("tunnel %s failed", (t)->name); /* #ipsec */ \\\n  } while (0)\nvoid f(void) { WARN_LOG("after"); }\n'
    expect(summary(await statements('a.c', src))).toEqual(['3 error ERROR_LOG "tunnel %s failed" #ipsec', '5 warn WARN_LOG "after"'])
  })

  it('skips logging wrappers defined as macros: their message is the caller\'s', async () => {
    const src = [
      '#define INFO_LOG(fmt, ...) LOG_INFO(fmt, ##__VA_ARGS__)',
      '#define NET_WARN(fmt, ...) LOG_WARN("[net] " fmt, ##__VA_ARGS__)',
      '#define LOGE(msg) ERROR_LOG(msg)',
      '#define FAIL(t) ERROR_LOG("failed: %s", t)',
    ].join('\n')
    expect(summary(await statements('log.h', src))).toEqual(['4 error ERROR_LOG "failed: %s"'])
  })

  it('re-parses a .h file as C++ when it is not C', async () => {
    const src = 'class Conn {\n public:\n  void Fail() { LOG(ERROR) << "conn failed " << id_; }\n};\n'
    const list = await statements('conn.h', src)
    expect(summary(list)).toEqual(['3 error LOG(ERROR) "conn failed {}"'])
  })
})

describe('C++ extraction', () => {
  it('finds glog streams, spdlog, Qt and LOG_ macros in a realistic file', async () => {
    const list = await statements('src/server.cpp', fixture('server.cpp'))
    expect(summary(list)).toEqual([
      '5 error LOG(ERROR) "accept failed on fd={}: {}" #net',
      '6-7 warn LOG(WARNING) "slow client {} took {}ms"',
      '8 info LOG_IF(INFO,verbose_) "accepted {}"',
      '9 debug VLOG(2) "poll loop tick"',
      '10 warn spdlog::warn "queue depth {} above {}"',
      '11 error logger_->error "handshake with {} failed: {}"',
      '12 info spdlog::get(…)->info "listening on {}"',
      '13 fatal SPDLOG_CRITICAL "out of memory"',
      '14 warn qWarning() "Qt warning {}"',
      '15 warn LOG_WARN "plain macro %d"',
      '19 error LOG(ERROR) "raw \\"string\\""',
    ])
  })

  it('reads fmt::format around the message as its format string', async () => {
    const [s] = await statements('a.cc', 'void f(){ LOG(ERROR) << fmt::format("bad {} at {}", a, b); spdlog::error(fmt::format("x {}", 1)); }')
    expect(s.template).toBe('bad {} at {}')
  })

  it('does not take method calls on non-logger objects for logs', async () => {
    const list = await statements('a.cpp', 'void f(){ errors.error("x"); dialog.warn("y"); catalog->info("z"); status.Warning("w"); }')
    expect(list).toEqual([])
  })

  it('reads ROS, absl and stream-argument macros', async () => {
    const src = [
      'void Node::Tick() {',
      '  RCLCPP_WARN(this->get_logger(), "battery at %d%%", pct);',
      '  ROS_ERROR_STREAM("lost " << n << " packets");',
      '  ABSL_LOG(WARNING) << "absl " << x;',
      '  ROS_INFO_THROTTLE(1.0, "throttled %s", s);',
      '}',
    ].join('\n')
    expect(summary(await statements('node.cpp', src))).toEqual([
      '2 warn RCLCPP_WARN "battery at %d%%"',
      '3 error ROS_ERROR_STREAM "lost {} packets"',
      '4 warn ABSL_LOG(WARNING) "absl {}"',
      '5 info ROS_INFO_THROTTLE "throttled %s"',
    ])
  })
})
