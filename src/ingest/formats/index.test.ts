import { describe, expect, it } from 'vitest'
import { configSchema, type Config } from '../../config/schema.js'
import { UsageError } from '../../core/errors.js'
import { createParser } from './index.js'
import { parseTextLayout } from './text.js'

const NOW = Date.UTC(2026, 10, 26, 12, 0, 0)
const clock = () => NOW
const config = (over: Record<string, unknown> = {}): Config => configSchema.parse(over)
const auto = createParser('auto', config(), { clock })
const parse = (line: string) => auto(line, 1)!

describe('auto format: text layouts', () => {
  it('reads `2026-11-25 10:00:01,123 ERROR [host] message`', () => {
    expect(parse('2026-11-25 10:00:01,123 ERROR [host-7] tunnel x: phase 2 failed')).toMatchObject({
      message: 'tunnel x: phase 2 failed', level: 'error', host: 'host-7', time: Date.UTC(2026, 10, 25, 10, 0, 1, 123),
    })
  })

  it('reads `2026-11-25T10:00:01.123Z WARN message`', () => {
    expect(parse('2026-11-25T10:00:01.123Z WARN disk almost full')).toMatchObject({
      message: 'disk almost full', level: 'warn', time: Date.UTC(2026, 10, 25, 10, 0, 1, 123), host: null,
    })
  })

  it('applies a numeric zone offset to the time', () => {
    expect(parse('2026-11-25T12:00:01+02:00 INFO x').time).toBe(Date.UTC(2026, 10, 25, 10, 0, 1))
  })

  it('reads Laravel/Monolog `[2026-11-25 10:00:01] production.ERROR: message` and drops empty context', () => {
    expect(parse('[2026-11-25 10:00:01] production.ERROR: payment declined [] []')).toMatchObject({
      message: 'payment declined', level: 'error', logger: 'production', time: Date.UTC(2026, 10, 25, 10, 0, 1),
    })
    expect(parse('[2026-11-25 10:00:01] local.WARNING: slow query {"ms":1200} []').message).toBe('slow query')
  })

  it('reads glog `E1125 10:00:01.123456 1234 file.cc:42] message` with file and line', () => {
    expect(parse('E1125 10:00:01.123456 1234 file.cc:42] socket closed')).toMatchObject({
      message: 'socket closed', level: 'error', file: 'file.cc', line: 42, time: Date.UTC(2026, 10, 25, 10, 0, 1, 123),
    })
    expect(parse('W1125 10:00:01.000000 1 a.go:1] x').level).toBe('warn')
    expect(parse('F1125 10:00:01.000000 1 a.go:1] x').level).toBe('fatal')
    expect(parse('I1125 10:00:01.000000 1 a.go:1] x').level).toBe('info')
  })

  it('puts a December glog line read in January in the previous year', () => {
    const jan = createParser('auto', config(), { clock: () => Date.UTC(2027, 0, 2) })
    expect(jan('E1231 23:59:59.000000 1 a.cc:1] x', 1)!.time).toBe(Date.UTC(2026, 11, 31, 23, 59, 59))
  })

  it('reads python basicConfig `WARNING:root:message` with the logger name', () => {
    expect(parse('WARNING:root:cache miss for user 7')).toMatchObject({ message: 'cache miss for user 7', level: 'warn', logger: 'root' })
    expect(parse('CRITICAL:app.db:pool exhausted')).toMatchObject({ level: 'fatal', logger: 'app.db', message: 'pool exhausted' })
  })

  it('reads Spring Boot `… WARN 1234 --- [main] c.e.Foo : message` (2.x and 3.x)', () => {
    expect(parse('2026-11-25 10:00:01.123  WARN 1234 --- [main] c.e.Foo                       : retrying in 5s')).toMatchObject({
      message: 'retrying in 5s', level: 'warn', logger: 'c.e.Foo',
    })
    expect(parse('2026-11-25T10:00:01.123Z ERROR 1234 --- [myapp] [           main] com.example.Bar : boom: x')).toMatchObject({
      message: 'boom: x', level: 'error', logger: 'com.example.Bar',
    })
    // Spring Cloud Sleuth: `[app,traceId,spanId]` after the level.
    expect(parse('2026-11-25T10:00:01.123+0000 ERROR [pay,5f1c,9ab2] 1 --- [nio-8080-exec-1] c.a.Pay : payment 7 failed')).toMatchObject({
      message: 'payment 7 failed', level: 'error', logger: 'c.a.Pay',
    })
  })

  it('reads `time [LEVEL] logger - message` and log4j `time [thread] LEVEL logger - message`', () => {
    expect(parse('2026-11-25 10:00:01,123 [ERROR] com.x.Foo - lost connection')).toMatchObject({
      message: 'lost connection', level: 'error', logger: 'com.x.Foo',
    })
    expect(parse('10:00:01.123 [main] WARN  c.e.Foo - pool at 90%')).toMatchObject({
      message: 'pool at 90%', level: 'warn', logger: 'c.e.Foo', time: Date.UTC(2026, 10, 26, 10, 0, 1, 123),
    })
  })

  it('reads python `time - logger - LEVEL - message`', () => {
    expect(parse('2026-11-25 10:00:01,123 - app.jobs - ERROR - job 7 failed')).toMatchObject({ message: 'job 7 failed', level: 'error', logger: 'app.jobs' })
  })

  it('reads `level=… msg=…` as logfmt', () => {
    expect(parse('time=2026-11-25T10:00:01Z level=error msg="tunnel x: phase 2 failed" host=h1 caller=net/ipsec.go:120')).toMatchObject({
      message: 'tunnel x: phase 2 failed', level: 'error', host: 'h1', file: 'net/ipsec.go', line: 120, time: Date.UTC(2026, 10, 25, 10, 0, 1),
    })
  })

  it('reads Ruby Logger, nginx error log, Go std log with a file prefix, and zap console', () => {
    expect(parse('E, [2026-11-25T10:00:01.123456 #1234] ERROR -- billing: card expired')).toMatchObject({ message: 'card expired', level: 'error', logger: 'billing' })
    expect(parse('2026/11/25 10:00:01 [error] 123#0: *5 upstream timed out')).toMatchObject({ message: 'upstream timed out', level: 'error' })
    expect(parse('2026/11/25 10:00:01 main.go:42: listening')).toMatchObject({ message: 'listening', level: null, file: 'main.go', line: 42 })
    expect(parse('2026-11-25T10:00:01.000Z\tERROR\tnet/dial.go:77\tdial failed\t{"addr":"x"}')).toMatchObject({
      message: 'dial failed', level: 'error', file: 'net/dial.go', line: 77,
    })
  })

  it('reads a bare level prefix: `ERROR: message`, `[WARN] message`', () => {
    expect(parse('ERROR: could not open /etc/x')).toMatchObject({ message: 'could not open /etc/x', level: 'error' })
    expect(parse('[WARN] slow')).toMatchObject({ message: 'slow', level: 'warn' })
  })

  it('takes any other line whole as the message with level null', () => {
    expect(parse('Log in failed for Bob')).toMatchObject({ message: 'Log in failed for Bob', level: null, time: null, host: null })
    expect(parse('I think therefore I am')).toMatchObject({ message: 'I think therefore I am', level: null })
    expect(parse('')).toMatchObject({ message: '', level: null })
  })

  it('detects JSON and syslog lines too', () => {
    expect(parse('{"level":"warn","msg":"hi"}')).toMatchObject({ message: 'hi', level: 'warn' })
    expect(parse('<11>1 2026-11-25T10:00:01Z web-3 app 99 - - oops')).toMatchObject({ message: 'oops', level: 'error', host: 'web-3' })
  })

  it('keeps a truncated JSON line whole as the message under auto', () => {
    expect(parse('{"level":"error","msg":"cut')).toMatchObject({ message: '{"level":"error","msg":"cut', level: null })
  })
})

describe('auto format: more real-world layouts', () => {
  it('reads Python `%(asctime)s %(levelname)s %(name)s: %(message)s` with the logger out of the message', () => {
    expect(parse('2026-11-25 10:00:01,123 WARNING app.jobs: retrying x after 2 failures')).toMatchObject({ level: 'warn', logger: 'app.jobs', message: 'retrying x after 2 failures' })
    expect(parse('2026-11-25 10:00:01,123 ERROR root: job failed')).toMatchObject({ logger: 'root', message: 'job failed' })
  })

  it('keeps a leading word, an exception type or a file:line before `: ` in the message', () => {
    expect(parse('2026-11-25 10:00:01 ERROR retrying: foo')).toMatchObject({ logger: null, message: 'retrying: foo' })
    expect(parse('2026-11-25 10:00:01 ERROR java.io.IOException: Broken pipe')).toMatchObject({ logger: null, message: 'java.io.IOException: Broken pipe' })
    expect(parse('2026-11-25 10:00:01 INFO main.go:42: listening')).toMatchObject({ logger: null, file: 'main.go', line: 42, message: 'listening' })
  })

  it('reads log4j `%d %-5p [%t] %c - %m`: the bracket is the thread, not the host, and the logger is kept', () => {
    expect(parse('2026-11-25 10:00:01,123 ERROR [http-nio-8080-exec-3] com.ex.svc.UserService - Could not load profile for x')).toMatchObject({
      host: null, level: 'error', logger: 'com.ex.svc.UserService', message: 'Could not load profile for x',
    })
    expect(parse('2026-11-25 10:00:01,123 ERROR [host-7] disk a - b full')).toMatchObject({ host: 'host-7', logger: null, message: 'disk a - b full' })
  })

  it('drops Monolog context when the message itself holds ` {`, and both a non-empty context and extra', () => {
    expect(parse('[2026-11-25 10:00:01] production.WARNING: cart {id} abandoned {"id":1} []').message).toBe('cart {id} abandoned')
    expect(parse('[2026-11-25 10:00:01] production.ERROR: Item sku-9 out of stock {"exception":"x"} {"request_id":"r-1"}').message).toBe('Item sku-9 out of stock')
    expect(parse('[2026-11-25 10:00:01] production.ERROR: msg {"a":{"b":1}} {"c":[1,2]}').message).toBe('msg')
  })

  it('strips ANSI colour codes before parsing', () => {
    expect(parse('\u001b[31mERROR\u001b[0m:app.jobs:job a crashed')).toMatchObject({ level: 'error', message: 'job a crashed' })
    expect(parse('2026-11-25T10:00:01.123Z\t\u001b[31mERROR\u001b[0m\tcmd/main.go:14\tpayment declined')).toMatchObject({ level: 'error', message: 'payment declined', file: 'cmd/main.go', line: 14 })
    expect(parse('\u001b[2K\u001b[1;31mERROR\u001b[0m boom')).toMatchObject({ level: 'error', message: 'boom' })
  })

  it('strips a leading UTF-8 byte order mark (the first line of a file a Windows program wrote)', () => {
    expect(parse('\uFEFF{"level":"error","msg":"job a crashed"}')).toMatchObject({ level: 'error', message: 'job a crashed' })
    expect(parse('\uFEFF2026-11-25 10:00:01 ERROR boom')).toMatchObject({ level: 'error', message: 'boom' })
  })

  it('reads journalctl -o short-iso / rsyslog high-precision `ISO-TIME host ident[pid]: message` with the host', () => {
    expect(parse('2026-11-25T10:00:01.123456+00:00 gw-8 charon[9]: tunnel x: phase 4 failed')).toMatchObject({
      host: 'gw-8', logger: 'charon', message: 'tunnel x: phase 4 failed', time: Date.UTC(2026, 10, 25, 10, 0, 1, 123),
    })
    expect(parse('2026-11-25T10:00:01+0000 web-1 app[3]: ERROR boom')).toMatchObject({ host: 'web-1', level: 'error', message: 'boom' })
    // Without a zone offset or a [pid] a `word word: text` tail is a message.
    expect(parse('2026-11-25 10:00:01 something happened: foo')).toMatchObject({ host: null, message: 'something happened: foo' })
  })

  it('reads journalctl -o short-precise `Nov 25 10:00:01.123456 host ident[pid]: message`', () => {
    expect(parse('Nov 25 10:00:01.123456 gw-1 charon[311]: tunnel vpn-a: phase 3 failed')).toMatchObject({
      host: 'gw-1', logger: 'charon', message: 'tunnel vpn-a: phase 3 failed', time: Date.UTC(2026, 10, 25, 10, 0, 1, 123),
    })
  })

  it('reads the logrus text formatter on a terminal `ERRO[0003] message   k=v` without the fields', () => {
    expect(parse('ERRO[0003] connection reset by peer')).toMatchObject({ level: 'error', message: 'connection reset by peer' })
    expect(parse('WARN[0000] cache miss for key "abc"                    k=1')).toMatchObject({ level: 'warn', message: 'cache miss for key "abc"' })
    expect(parse('INFO[0001] a  b  c=d e=f')).toMatchObject({ level: 'info', message: 'a  b' })
  })

  it('reads Rust env_logger `[TIME LEVEL target] message` with the target as logger', () => {
    expect(parse('[2026-11-25T10:00:01Z WARN  store] compaction lagging by 12 segments')).toMatchObject({
      level: 'warn', logger: 'store', message: 'compaction lagging by 12 segments', time: Date.UTC(2026, 10, 25, 10, 0, 1),
    })
  })

  it('reads Rust tracing fmt `TIME  LEVEL target: message`', () => {
    expect(parse('2026-11-25T10:00:01.123456Z  INFO myapp: inline 1.2.3.4 ok')).toMatchObject({ level: 'info', logger: 'myapp', message: 'inline 1.2.3.4 ok' })
    expect(parse('2026-11-25T10:00:01.123456Z ERROR myapp::db: pool exhausted')).toMatchObject({ level: 'error', logger: 'myapp::db', message: 'pool exhausted' })
  })

  it('reads Rust tracing fmt lines with spans: the spans are context, the target is the logger', () => {
    expect(parse('2026-03-02T10:00:00.123456Z  WARN request{id=1 path=/x}: db{name=main}: my_crate::db: connection lost')).toMatchObject({
      level: 'warn', logger: 'my_crate::db', message: 'connection lost', time: Date.UTC(2026, 2, 2, 10, 0, 0, 123),
    })
    // tracing-subscriber 0.3 joins the spans without a space; a span without fields is `name:`.
    expect(parse('2026-03-02T10:00:00.123456Z ERROR request{id=1 path=/x}:handler:db{name=main}: my_crate::db: pool {size=3} exhausted')).toMatchObject({
      level: 'error', logger: 'my_crate::db', message: 'pool {size=3} exhausted',
    })
    // Field values are Debug output (braces inside), and a bare crate name is a target after spans.
    expect(parse('2026-03-02T10:00:00.123Z  INFO conn{peer=Addr { ip: 1.2.3.4 }}: server: accepted')).toMatchObject({
      level: 'info', logger: 'server', message: 'accepted',
    })
  })

  it('leaves a message that only looks like tracing spans alone: no braces, or text between', () => {
    expect(parse('2026-03-02T10:00:00.123Z WARN retrying: upstream gone')).toMatchObject({ level: 'warn', logger: null, message: 'retrying: upstream gone' })
    expect(parse('2026-03-02T10:00:00.123Z WARN cache {a=1} miss: k')).toMatchObject({ level: 'warn', logger: null, message: 'cache {a=1} miss: k' })
  })

  it('reads Serilog console `[HH:mm:ss LVL] message`', () => {
    expect(parse('[10:00:01 WRN] Charge of 1 for a was retried')).toMatchObject({ level: 'warn', message: 'Charge of 1 for a was retried' })
  })

  it('reads tracing-subscriber JSON: message under fields.message, target as logger', () => {
    expect(parse('{"timestamp":"2026-11-25T10:00:01.123Z","level":"ERROR","fields":{"message":"failed to bind 0.0.0.0:80","error":"x"},"target":"myapp"}')).toMatchObject({
      message: 'failed to bind 0.0.0.0:80', level: 'error', logger: 'myapp',
    })
  })

  it('drops Rails tagged-logging `[tag] ` prefixes (config.log_tags) from Ruby Logger messages', () => {
    expect(parse('E, [2026-11-25T10:00:01.123456 #1234] ERROR -- : [0a1b2c3d-1111-2222-3333-444455556666] delivery to a@b.c bounced')).toMatchObject({ level: 'error', message: 'delivery to a@b.c bounced' })
    expect(parse('I, [2026-11-25T10:00:01.123456 #1234]  INFO -- : [req-1] [acme] Completed 200 OK')).toMatchObject({ level: 'info', message: 'Completed 200 OK' })
  })

  it('reads Celery `[TIME: LEVEL/Process] message` and gunicorn `[TIME +0000] [pid] [LEVEL] message`', () => {
    expect(parse('[2026-11-25 10:00:01,123: ERROR/MainProcess] job nightly crashed')).toMatchObject({ level: 'error', logger: null, message: 'job nightly crashed' })
    expect(parse('[2026-11-25 10:00:01 +0000] [123] [ERROR] job nightly crashed')).toMatchObject({ level: 'error', message: 'job nightly crashed', time: Date.UTC(2026, 10, 25, 10, 0, 1) })
  })

  it('reads AWS Lambda runtime lines (Python `[LEVEL]\\tTIME\\tREQUEST-ID\\tmessage`, Node `TIME\\tREQUEST-ID\\tLEVEL\\tmessage`)', () => {
    expect(parse('[ERROR]\t2026-11-25T10:00:01.123Z\t8f5e-11aa-22bb\tjob a crashed')).toMatchObject({ level: 'error', message: 'job a crashed', time: Date.UTC(2026, 10, 25, 10, 0, 1, 123) })
    expect(parse('2026-11-25T10:00:01.123Z\t8f5e-11aa-22bb\tERROR\tjob a crashed')).toMatchObject({ level: 'error', message: 'job a crashed' })
  })
})

describe('auto format: layouts of widely deployed servers and frameworks (found unread on loghub\'s real logs)', () => {
  it('reads log4j `%d %p [%t] %c: %m` (Hadoop, Kafka): the bracket is the thread, even with spaces, and the class the logger', () => {
    expect(parse('2026-11-25 10:00:01,978 WARN [main] org.example.jobs.JobRunner: retrying job 42 in 5s')).toMatchObject({
      message: 'retrying job 42 in 5s', level: 'warn', logger: 'org.example.jobs.JobRunner', host: null, time: Date.UTC(2026, 10, 25, 10, 0, 1, 978),
    })
    expect(parse('2026-11-25 10:00:01,978 ERROR [RPC handler 3 on 8020] org.example.rpc.Server: call dropped: queue full')).toMatchObject({
      message: 'call dropped: queue full', level: 'error', logger: 'org.example.rpc.Server', host: null,
    })
    // Without a logger after it, a bracket with spaces is part of the message, and a plain bracket stays the host.
    expect(parse('2026-11-25 10:00:01,978 ERROR [not a thread] lost connection').message).toBe('[not a thread] lost connection')
    expect(parse('2026-11-25 10:00:01,978 ERROR [web-3] lost connection')).toMatchObject({ host: 'web-3', message: 'lost connection' })
  })

  it('reads Spark\'s log4j `yy/MM/dd HH:mm:ss LEVEL logger: message`', () => {
    expect(parse('26/11/25 10:00:01 ERROR storage.DiskStore: could not write block rdd_7_3')).toMatchObject({
      message: 'could not write block rdd_7_3', level: 'error', logger: 'storage.DiskStore', time: Date.UTC(2026, 10, 25, 10, 0, 1),
    })
  })

  it('reads HDFS / Hadoop 1 `yyMMdd HHmmss thread LEVEL logger: message`', () => {
    expect(parse('261125 100001 731 WARN dfs.DataNode$Receiver: checksum mismatch on blk_123')).toMatchObject({
      message: 'checksum mismatch on blk_123', level: 'warn', logger: 'dfs.DataNode$Receiver', time: Date.UTC(2026, 10, 25, 10, 0, 1),
    })
    // Six digits, six digits and a word that is no level: not this layout.
    expect(parse('123456 654321 apples sold').message).toBe('123456 654321 apples sold')
  })

  it('reads ZooKeeper\'s `TIME - LEVEL [thread:Class@line] - message` with class and line', () => {
    expect(parse('2026-11-25 10:00:01,747 - WARN  [SendWorker:5:QuorumCnxManager$SendWorker@912] - interrupted while waiting')).toMatchObject({
      message: 'interrupted while waiting', level: 'warn', logger: 'QuorumCnxManager$SendWorker', line: 912, time: Date.UTC(2026, 10, 25, 10, 0, 1, 747),
    })
    expect(parse('2026-11-25 10:00:01,747 - ERROR [main] - cannot open data dir')).toMatchObject({ message: 'cannot open data dir', level: 'error', logger: null })
  })

  it('reads OpenStack (oslo.log) `TIME pid LEVEL logger [req-…] message` without the request context or instance prefix', () => {
    expect(parse('2026-11-25 10:00:01.008 2931 WARNING nova.compute.manager [req-1b2c3d4e-0000-4000-8000-000000000001 abc def - - -] [instance: 0c8b6c2e-1111-4222-8333-944455556666] Took 3.10 seconds to spawn')).toMatchObject({
      message: 'Took 3.10 seconds to spawn', level: 'warn', logger: 'nova.compute.manager', time: Date.UTC(2026, 10, 25, 10, 0, 1, 8),
    })
    expect(parse('2026-11-25 10:00:01.008 2931 ERROR oslo_messaging.rpc.server [-] Exception during message handling').message).toBe('Exception during message handling')
  })

  it('reads Android logcat threadtime `MM-DD TIME pid tid L tag: message`, with and without a year', () => {
    expect(parse('11-25 10:00:01.811  1702  2395 E BillingClient: purchase failed: code 6')).toMatchObject({
      message: 'purchase failed: code 6', level: 'error', logger: 'BillingClient', time: Date.UTC(2026, 10, 25, 10, 0, 1, 811),
    })
    expect(parse('2026-11-25 10:00:01.811  1702  2395 W ActivityManager : slow operation: 120ms')).toMatchObject({
      message: 'slow operation: 120ms', level: 'warn', logger: 'ActivityManager',
    })
  })

  it('reads Apache httpd error logs (2.2 and 2.4) without the `[client …]` httpd adds', () => {
    expect(parse('[Wed Nov 25 10:00:01 2026] [error] [client 10.0.0.7] File does not exist: /srv/www/favicon.ico')).toMatchObject({
      message: 'File does not exist: /srv/www/favicon.ico', level: 'error', time: Date.UTC(2026, 10, 25, 10, 0, 1),
    })
    expect(parse('[Wed Nov 25 10:00:01.250000 2026] [proxy:warn] [pid 35708:tid 4328636416] [client 10.0.0.7:5050] AH01144: No protocol handler was valid')).toMatchObject({
      message: 'AH01144: No protocol handler was valid', level: 'warn', logger: 'proxy', time: Date.UTC(2026, 10, 25, 10, 0, 1, 250),
    })
    // dmesg -T prints the same stamp; a kernel line keeps reading as one.
    expect(parse('[Wed Nov 25 10:00:01 2026] usb 1-1: new high-speed USB device')).toMatchObject({ message: 'usb 1-1: new high-speed USB device', level: null })
  })

  it('reads macOS syslog lines with the sender\'s subsystem after the pid (`ident[pid] (subsystem): message`)', () => {
    expect(parse('Nov 25 10:00:01 mac-7 sandboxd[129] ([31211]): Mail(31211) deny network-outbound /var/run/x')).toMatchObject({
      message: 'Mail(31211) deny network-outbound /var/run/x', logger: 'sandboxd', host: 'mac-7',
    })
    expect(parse('Nov 25 10:00:01 mac-7 launchd[1] (com.apple.WebContent.35412): Service exited with abnormal code: 1').message).toBe('Service exited with abnormal code: 1')
    // Parentheses at the start of the message itself stay.
    expect(parse('Nov 25 10:00:01 mac-7 app[1]: (retry 2) upload failed').message).toBe('(retry 2) upload failed')
  })

  it('reads macOS senders named with spaces and versions (`Pages Helper 12.1[4410]: message`) when the [pid]: follows', () => {
    expect(parse('Nov 25 10:00:01 mac-7 Pages Helper[4410]: could not open document: permission denied')).toMatchObject({
      message: 'could not open document: permission denied', logger: 'Pages Helper', host: 'mac-7',
    })
    expect(parse('Nov 25 10:00:01 mac-7 Backup Agent 3.2.1[88]: ERROR snapshot failed')).toMatchObject({
      message: 'snapshot failed', logger: 'Backup Agent 3.2.1', level: 'error',
    })
    // Without a `[pid]: ` right after it, a message that has no tag keeps its words.
    expect(parse('Nov 25 10:00:01 mac-7 disk full on volume [2]: stopping').message).toBe('disk full on volume [2]: stopping')
    expect(parse('Nov 25 10:00:01 mac-7 retry failed: see job [12]: giving up').message).toBe('retry failed: see job [12]: giving up')
  })

  it('reads PostgreSQL server logs (`%m [%p] ` prefix, `LEVEL:  message`), LOG as info and DETAIL lines without a level', () => {
    expect(parse('2026-11-25 10:00:01.123 UTC [4711] ERROR:  duplicate key value violates unique constraint "users_pkey"')).toMatchObject({
      message: 'duplicate key value violates unique constraint "users_pkey"', level: 'error', time: Date.UTC(2026, 10, 25, 10, 0, 1, 123),
    })
    expect(parse('2026-11-25 10:00:01.123 UTC [4711] shop@orders FATAL:  password authentication failed for user "shop"')).toMatchObject({ level: 'fatal', message: 'password authentication failed for user "shop"' })
    expect(parse('2026-11-25 10:00:01.123 UTC [4711] LOG:  checkpoint starting: time')).toMatchObject({ level: 'info', message: 'checkpoint starting: time' })
    expect(parse('2026-11-25 10:00:01.123 UTC [4711] DETAIL:  Key (id)=(7) already exists.')).toMatchObject({ level: null, message: 'Key (id)=(7) already exists.' })
  })

  it('reads MySQL 8 error logs (`TIME thread [Level] [MY-code] [Subsystem] message`)', () => {
    expect(parse('2026-11-25T10:00:01.123456Z 12 [ERROR] [MY-012592] [InnoDB] Operating system error number 2 in a file operation.')).toMatchObject({
      message: 'Operating system error number 2 in a file operation.', level: 'error', logger: 'InnoDB', time: Date.UTC(2026, 10, 25, 10, 0, 1, 123),
    })
    expect(parse('2026-11-25T10:00:01.123456Z 0 [Warning] [MY-010068] [Server] CA certificate ca.pem is self signed.')).toMatchObject({ level: 'warn', logger: 'Server' })
    expect(parse('2026-11-25T10:00:01.123456Z 0 [Note] [MY-010051] [Server] Event Scheduler: scheduler thread started')).toMatchObject({ level: 'notice' })
  })

  it('reads Redis logs (`pid:role DD Mon YYYY HH:MM:SS.mmm # message`, # a warning)', () => {
    expect(parse('4711:M 25 Nov 2026 10:00:01.123 # WARNING overcommit_memory is set to 0!')).toMatchObject({
      message: 'WARNING overcommit_memory is set to 0!', level: 'warn', time: Date.UTC(2026, 10, 25, 10, 0, 1, 123),
    })
    expect(parse('4711:C 25 Nov 2026 10:00:01.123 * Ready to accept connections')).toMatchObject({ level: 'notice', message: 'Ready to accept connections' })
  })

  it('reads NestJS console lines: level, [context] as the logger, the en-US time, without the +Nms delta', () => {
    expect(parse('[Nest] 4711  - 11/25/2026, 2:05:09 PM   ERROR [OrdersService] payment failed for order 7 +12ms')).toMatchObject({
      message: 'payment failed for order 7', level: 'error', logger: 'OrdersService', time: Date.UTC(2026, 10, 25, 14, 5, 9),
    })
    expect(parse('[Nest] 4711  - 11/25/2026, 12:00:01 AM     LOG [NestApplication] Nest application successfully started')).toMatchObject({
      level: 'info', logger: 'NestApplication', time: Date.UTC(2026, 10, 25, 0, 0, 1),
    })
    // Another locale's time is not read; the rest is.
    expect(parse('[Nest] 4711  - 25.11.2026, 14:05:09    WARN [Cache] cache miss storm')).toMatchObject({ level: 'warn', logger: 'Cache', message: 'cache miss storm', time: null })
  })

  it('reads Kafka\'s log4j layout `[TIME] LEVEL message (logger)`: the trailing logger is not part of the message', () => {
    expect(parse('[2026-11-25 10:00:01,123] WARN Session 0x0 for server null, unexpected error (org.apache.zookeeper.ClientCnxn)')).toMatchObject({
      message: 'Session 0x0 for server null, unexpected error', level: 'warn', logger: 'org.apache.zookeeper.ClientCnxn',
    })
    // Parentheses of the message's own stay.
    expect(parse('[2026-11-25 10:00:01,123] ERROR retry failed (attempt 3)').message).toBe('retry failed (attempt 3)')
  })

  it('reads Python `%(asctime)s - %(levelname)s - %(message)s` and a level before the time (`ERROR 2026-11-25 10:00:01,123 message`)', () => {
    expect(parse('2026-11-25 10:00:01,123 - ERROR - payment declined for order 7')).toMatchObject({
      message: 'payment declined for order 7', level: 'error', time: Date.UTC(2026, 10, 25, 10, 0, 1, 123),
    })
    expect(parse('ERROR 2026-11-25 10:00:01,123 payment declined')).toMatchObject({ message: 'payment declined', level: 'error', time: Date.UTC(2026, 10, 25, 10, 0, 1, 123) })
    expect(parse('[WARNING] 2026-11-25 10:00:01 disk almost full')).toMatchObject({ message: 'disk almost full', level: 'warn', time: Date.UTC(2026, 10, 25, 10, 0, 1) })
    // A time of day alone after the level may be the message's own words.
    expect(parse('ERROR 10:00:01 backup did not finish').message).toBe('10:00:01 backup did not finish')
  })

  it('reads Windows CBS.log `TIME, Level  Component  message`', () => {
    expect(parse('2026-11-25 10:00:01, Error                 CSI    Failed to open package store (0x80070002)')).toMatchObject({
      message: 'Failed to open package store (0x80070002)', level: 'error', logger: 'CSI', time: Date.UTC(2026, 10, 25, 10, 0, 1),
    })
  })
})

describe('level words', () => {
  const level = (word: string) => parse(`2026-11-25 10:00:01 ${word} something happened`).level
  it.each([
    ['WARNING', 'warn'], ['WARN', 'warn'], ['warn', 'warn'], ['Warning', 'warn'], ['err', 'error'], ['ERROR', 'error'], ['CRITICAL', 'fatal'],
    ['crit', 'fatal'], ['FATAL', 'fatal'], ['SEVERE', 'error'], ['notice', 'notice'], ['INFO', 'info'], ['DEBUG', 'debug'], ['TRACE', 'trace'],
    ['EMERG', 'fatal'], ['alert', 'fatal'], ['WRN', 'warn'], ['INF', 'info'], ['DBG', 'debug'],
  ])('%s → %s', (word, want) => expect(level(word)).toBe(want))

  it('single letters only as glog levels: W and E', () => {
    expect(parse('W1125 10:00:01.000000 1 a.go:1] x').level).toBe('warn')
    expect(parse('2026-11-25 10:00:01 W something').level).toBe(null)
  })

  it('maps syslog PRI severities 0..7', () => {
    const sys = createParser('syslog', config(), { clock })
    const want = ['fatal', 'fatal', 'fatal', 'error', 'warn', 'notice', 'info', 'debug']
    for (let sev = 0; sev < 8; sev++) expect(sys(`<${8 + sev}>Nov 25 10:00:01 h app: m`, 1)!.level).toBe(want[sev])
  })

  it('maps pino/bunyan numbers 10..60 and JSON words', () => {
    const json = createParser('json', config(), { clock })
    const want: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' }
    for (const [n, l] of Object.entries(want)) expect(json(`{"level":${n},"msg":"m"}`, 1)!.level).toBe(l)
    expect(json('{"severity":"WARNING","message":"m"}', 1)!.level).toBe('warn')
    expect(json('{"lvl":"err","msg":"m"}', 1)!.level).toBe('error')
    expect(json('{"log.level":"critical","message":"m"}', 1)!.level).toBe('fatal')
    expect(json('{"log":{"level":"W"},"message":"m"}', 1)!.level).toBe('warn')
    expect(json('{"@t":"2026-11-25T10:00:01Z","@mt":"m {X}","@l":"Warning"}', 1)!.level).toBe('warn')
    expect(json('{"@t":"2026-11-25T10:00:01Z","@mt":"m {X}"}', 1)!.level).toBe('info')
  })
})

describe('json format', () => {
  const json = createParser('json', config(), { clock })

  it('reads message, level, time, host, caller from pino / zap / ECS / GCP / journald shapes', () => {
    expect(json('{"level":50,"time":1764064801123,"hostname":"h1","msg":"boom"}', 1)).toMatchObject({ message: 'boom', level: 'error', time: 1764064801123, host: 'h1' })
    expect(json('{"level":"error","ts":1764064801.5,"caller":"net/dial.go:42","msg":"dial failed","logger":"net"}', 1)).toMatchObject({
      time: 1764064801500, file: 'net/dial.go', line: 42, logger: 'net',
    })
    expect(json('{"@timestamp":"2026-11-25T10:00:01.000Z","log.level":"warn","message":"m","host":{"name":"h2"},"log.logger":"c.e.Foo"}', 1)).toMatchObject({
      time: Date.UTC(2026, 10, 25, 10, 0, 1), level: 'warn', host: 'h2', logger: 'c.e.Foo',
    })
    expect(json('{"severity":"ERROR","timestamp":"2026-11-25T10:00:01Z","textPayload":"x","message":"gcp"}', 1)).toMatchObject({ message: 'gcp', level: 'error' })
    expect(json('{"MESSAGE":"unit failed","PRIORITY":"3","_HOSTNAME":"h3","__REALTIME_TIMESTAMP":"1764064801000000"}', 1)).toMatchObject({
      message: 'unit failed', level: 'error', host: 'h3', time: 1764064801000,
    })
    expect(json('{"msg":"m","file":"app.py","line":17}', 1)).toMatchObject({ file: 'app.py', line: 17 })
    expect(json('{"msg":"m","src":{"file":"/srv/a.js","line":9}}', 1)).toMatchObject({ file: '/srv/a.js', line: 9 })
    expect(json('{"@message":"logstash","logger_name":"c.e.Foo"}', 1)).toMatchObject({ message: 'logstash', logger: 'c.e.Foo' })
  })

  it('reads the application line inside a Docker `log` field', () => {
    expect(json('{"log":"2026-11-25 10:00:01,000 ERROR [h] inner message\\n","stream":"stderr","time":"2026-11-25T10:00:01.5Z"}', 1)).toMatchObject({
      message: 'inner message', level: 'error', host: 'h', time: Date.UTC(2026, 10, 25, 10, 0, 1, 500),
    })
  })

  it('reads a JSON application line inside a Docker `log` field (pino, zap in a container), with json and auto', () => {
    const line = JSON.stringify({ log: '{"level":50,"msg":"payment 7 failed","hostname":"web-3"}\n', stream: 'stdout', time: '2026-11-25T10:00:01.5Z' })
    for (const p of [json, auto]) expect(p(line, 1)).toMatchObject({ message: 'payment 7 failed', level: 'error', host: 'web-3' })
    expect(auto(JSON.stringify({ log: 'level=warn msg="disk full"\n', stream: 'stderr' }), 1)).toMatchObject({ message: 'disk full', level: 'warn' })
  })

  it('returns null for truncated JSON, a non-object and a text line', () => {
    expect(json('{"level":"error","msg":"cut', 1)).toBeNull()
    expect(json('[1,2]', 1)).toBeNull()
    expect(json('2026-11-25 ERROR plain text', 1)).toBeNull()
  })
})

describe('logfmt and syslog formats', () => {
  it('logfmt: quoted values with escapes; null when no pair', () => {
    const lf = createParser('logfmt', config(), { clock })
    expect(lf('level=warn msg="say \\"hi\\" now" user=7', 1)).toMatchObject({ message: 'say "hi" now', level: 'warn' })
    expect(lf('just words', 1)).toBeNull()
  })

  it('syslog: RFC 5424 with structured data and BOM, RFC 3164, PRI-less file lines; null otherwise', () => {
    const sys = createParser('syslog', config(), { clock })
    expect(sys('<165>1 2026-11-25T10:00:01.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="App"] \uFEFFAn application event', 1)).toMatchObject({
      message: 'An application event', level: 'notice', host: 'mymachine.example.com', logger: 'evntslog', time: Date.UTC(2026, 10, 25, 10, 0, 1, 3),
    })
    expect(sys('<34>Oct 11 22:14:15 mymachine su: \'su root\' failed for lonvick on /dev/pts/8', 1)).toMatchObject({
      message: "'su root' failed for lonvick on /dev/pts/8", level: 'fatal', host: 'mymachine', logger: 'su', time: Date.UTC(2026, 9, 11, 22, 14, 15),
    })
    expect(sys('Nov 25 10:00:01 web-1 app[311]: WARNING low memory', 1)).toMatchObject({ message: 'low memory', level: 'warn', host: 'web-1', logger: 'app' })
    expect(sys('{"msg":"json is not syslog"}', 1)).toBeNull()
  })

  it('syslog-file times are right when lines alternate between days (the day start is cached)', () => {
    const sys = createParser('syslog', config(), { clock })
    const cases: Array<[string, number]> = [
      ['Nov 25 23:59:59 h a: x', Date.UTC(2026, 10, 25, 23, 59, 59)],
      ['Nov 26 00:00:00 h a: x', Date.UTC(2026, 10, 26, 0, 0, 0)],
      ['Nov 25 10:00:01.5 h a: x', Date.UTC(2026, 10, 25, 10, 0, 1, 500)],
      ['Feb  3 07:08:09 h a: x', Date.UTC(2026, 1, 3, 7, 8, 9)],
      ['Nov 26 11:59:59 h a: x', Date.UTC(2026, 10, 26, 11, 59, 59)],
      ['Dec 31 23:00:00 h a: x', Date.UTC(2025, 11, 31, 23, 0, 0)], // more than a day ahead: last year
      ['Nov 25 00:00:00 h a: x', Date.UTC(2026, 10, 25, 0, 0, 0)],
    ]
    for (const [line, time] of cases) expect(sys(line, 1)?.time).toBe(time)
  })

  it('a syslog-file message led by an upper-case level word reads as the text layouts read that message', () => {
    const msgs = ['WARNING  two spaces', 'ERROR main.go:42: disk full', 'HTTP not a level', 'INFO:root:py basic', 'CRITICAL x', 'ERR\tx', 'WARN',
      'DEBUGGING x', 'NOTICE x', 'ALERT x', 'EMERGENCY x', 'INFORMATIONAL x', 'INFO ', 'DPANIC x', 'FINEST x', 'ERRO[0003] logrus', 'FATAL \u00a0nbsp']
    for (const format of ['auto', 'syslog']) {
      const p = createParser(format, config(), { clock })
      for (const msg of msgs) {
        const e = p(`Nov 25 10:00:01 web-1 app[1]: ${msg}`, 1)!
        const t = parseTextLayout(msg, 1, clock)
        const want = t?.level ? { level: t.level, message: t.message, file: t.file, line: t.line } : { level: null }
        expect(e, `${format}: ${msg}`).toMatchObject({ ...want, host: 'web-1', logger: 'app' })
      }
    }
  })

  it('auto remembers a stream\'s syslog-file layout, and reads every other layout as a fresh parser would', () => {
    const lines = [
      'Nov 25 10:00:01 web-1 app[311]: WARNING low memory',
      'Nov 25 10:00:02 web-1 app[311]: ERROR main.go:42: disk full',
      'Nov 25 10:00:03 web-2 kernel: plain message without level',
      'Nov 25 10:00:04 web-1 app[311]: level=warn msg="logfmt wins over syslog"',
      '{"level":"error","msg":"a JSON line in between"}',
      'Nov 25 10:00:05 web-1 app[311]: INFO back to syslog',
      '2026-11-25 10:00:06,001 ERROR [host-7] a text layout',
      'Nov 25 10:00:07 web-3 app[9]: WARN after the text line',
      'Nov 25 10:00:0x broken timestamp',
      'Nov 25 10:00:08 ',
      '<34>Oct 11 22:14:15 mymachine su: \'su root\' failed',
      'Nov 25 10:00:09 web-1 app[311]: ERROR last one',
    ]
    const remembering = createParser('auto', config(), { clock })
    const got = lines.map((l, i) => remembering(l, i + 1))
    // A new parser per line never has a remembered layout: the reference answer.
    const fresh = lines.map((l, i) => createParser('auto', config(), { clock })(l, i + 1))
    expect(got).toEqual(fresh)
    expect(got[1]).toMatchObject({ message: 'disk full', level: 'error', file: 'main.go', line: 42, host: 'web-1' })
    expect(got[3]).toMatchObject({ message: 'logfmt wins over syslog', level: 'warn' })
    expect(got[4]).toMatchObject({ message: 'a JSON line in between', level: 'error' })
    expect(got[7]).toMatchObject({ message: 'after the text line', level: 'warn', host: 'web-3' })
  })
})

describe('regex format and presets', () => {
  it('reads named groups message, time, level, host, file, line, logger', () => {
    const p = createParser('regex:^(?<time>\\S+) (?<host>\\S+) (?<level>\\w+) (?<logger>[\\w.]+) (?<file>[\\w.]+):(?<line>\\d+) (?<message>.*)$', config(), { clock })
    expect(p('2026-11-25T10:00:01Z h9 ERR app.db db.py:17 pool exhausted', 3)).toMatchObject({
      n: 3, message: 'pool exhausted', level: 'error', host: 'h9', logger: 'app.db', file: 'db.py', line: 17, time: Date.UTC(2026, 10, 25, 10, 0, 1),
    })
  })

  it('returns null when the regex does not match', () => {
    expect(createParser('regex:^OK (?<message>.*)$', config())('nope', 1)).toBeNull()
  })

  it('treats each line as a bare message with regex:^(?<message>.*)$', () => {
    expect(createParser('regex:^(?<message>.*)$', config())('2026-11-25 ERROR x', 1)).toMatchObject({ message: '2026-11-25 ERROR x', level: null })
  })

  it('rejects a regex without a message group, an invalid regex and an unknown name, naming --format', () => {
    expect(() => createParser('regex:^(?<msg>.*)$', config())).toThrow(UsageError)
    expect(() => createParser('regex:^(?<msg>.*)$', config())).toThrow(/--format.*message/)
    expect(() => createParser('regex:^(?<message>.*', config())).toThrow(/--format: invalid regular expression/)
    expect(() => createParser('xml', config())).toThrow(/--format: unknown format "xml"/)
    expect(() => createParser('regex:^\\(?<message>x\\)$', config())).toThrow(/message/)
  })

  it('resolves presets from config.formats to a regex or a built-in name, and rejects cycles', () => {
    const cfg = config({ formats: { mine: 'regex:^\\[(?<level>\\w+)\\] (?<message>.*)$', alias: 'mine', j: 'json', loop: 'loop2', loop2: 'loop' } })
    expect(createParser('alias', cfg)('[warn] x', 1)).toMatchObject({ level: 'warn', message: 'x' })
    expect(createParser('j', cfg)('{"msg":"y"}', 1)).toMatchObject({ message: 'y' })
    expect(() => createParser('loop', cfg)).toThrow(/--format/)
  })
})

describe('hostile input', () => {
  it('never throws on invalid UTF-8 (decoded as U+FFFD) or NUL bytes', () => {
    const bad = Buffer.from([0x45, 0x52, 0x52, 0x4f, 0x52, 0x20, 0xff, 0xfe, 0x61, 0x00, 0x62]).toString('utf8')
    expect(parse(bad)).toMatchObject({ level: 'error', message: '\uFFFD\uFFFDa\u0000b' })
    for (const f of ['json', 'logfmt', 'syslog', 'regex:^(?<message>.*)$']) expect(() => createParser(f, config())('\u0000\uFFFD{', 1)).not.toThrow()
  })

  it('cuts a 10 MB line to match.maxLineBytes and marks it truncated', () => {
    const huge = `2026-11-25 10:00:01 ERROR ${'x'.repeat(10 * 1024 * 1024)}`
    const e = parse(huge)
    expect(e.truncated).toBe(true)
    expect(e.level).toBe('error')
    expect(Buffer.byteLength(e.raw)).toBeLessThanOrEqual(65_536)
    const small = createParser('json', config({ match: { maxLineBytes: 100 } }))
    expect(small(`{"msg":"${'y'.repeat(200)}"}`, 1)).toBeNull() // cut JSON is malformed JSON
  })

  it('cuts multi-byte text on a character boundary', () => {
    const p = createParser('regex:^(?<message>.*)$', config({ match: { maxLineBytes: 10 } }))
    const e = p('ééééééééé', 1)! // 18 bytes
    expect(e.truncated).toBe(true)
    expect(e.message).toBe('ééééé')
  })

  it('returns an entry for a wrong-format line under auto, null under the strict formats', () => {
    const line = 'this is not structured at all'
    expect(parse(line).message).toBe(line)
    expect(createParser('json', config())(line, 1)).toBeNull()
    expect(createParser('syslog', config())(line, 1)).toBeNull()
    expect(createParser('logfmt', config())(line, 1)).toBeNull()
  })
})

describe('Linux kernel lines', () => {
  it('reads dmesg output: the uptime stamp is not part of the message, a large uptime is not a host', () => {
    expect(parse('[   12.345678] e1000e 0000:00:19.0 eth0: tx timeout on queue 2')).toMatchObject({
      message: 'e1000e 0000:00:19.0 eth0: tx timeout on queue 2', level: null, host: null,
    })
    expect(parse('[1234567.000001] tun: link 3 lost')).toMatchObject({ message: 'tun: link 3 lost', host: null })
  })

  it('reads dmesg -T (wall time) and dmesg -x (facility and level)', () => {
    expect(parse('[Thu Nov 26 02:30:25 2026] tun: link 3 lost')).toMatchObject({ message: 'tun: link 3 lost', time: Date.UTC(2026, 10, 26, 2, 30, 25) })
    expect(parse('kern  :err   : [   12.345678] tun: link 3 lost')).toMatchObject({ message: 'tun: link 3 lost', level: 'error' })
    expect(parse('kern  :warn  : [Thu Nov 26 02:30:25 2026] eth0: carrier lost')).toMatchObject({ message: 'eth0: carrier lost', level: 'warn' })
  })

  it('drops the kernel uptime stamp from kern.log syslog lines, with or without a PRI', () => {
    expect(parse('Nov 26 02:30:25 fw-1 kernel: [   12.345678] tun: link 3 lost')).toMatchObject({ message: 'tun: link 3 lost', host: 'fw-1', logger: 'kernel' })
    expect(parse('<3>Nov 26 02:30:25 fw-1 kernel: [   12.345678] tun: link 3 lost')).toMatchObject({ message: 'tun: link 3 lost', level: 'error' })
    expect(parse('<3>1 2026-11-26T02:30:25Z fw-1 kernel - - - [   12.345678] tun: link 3 lost')).toMatchObject({ message: 'tun: link 3 lost' })
  })

  it('leaves lines that only look like kernel ones to the other layouts', () => {
    expect(parse('[ERROR] boom')).toMatchObject({ level: 'error', message: 'boom' })
    expect(parse('[2026-11-25 10:00:01] production.ERROR: payment declined')).toMatchObject({ level: 'error', message: 'payment declined', logger: 'production' })
    expect(parse('user: bob logged in').message).toBe('user: bob logged in')
    expect(parse('[12.5] not a printk stamp').message).toBe('[12.5] not a printk stamp')
  })
})

describe('auto format: Kubernetes (CRI) container log records', () => {
  it('reads the container line inside a record with the layout it has, its time first, else the record time', () => {
    expect(parse('2026-11-25T10:00:01.123456789Z stderr F 2026-11-25 10:00:03,500 ERROR [web-2] payment 42 failed')).toMatchObject({
      message: 'payment 42 failed', level: 'error', host: 'web-2', time: Date.UTC(2026, 10, 25, 10, 0, 3, 500),
      raw: '2026-11-25T10:00:01.123456789Z stderr F 2026-11-25 10:00:03,500 ERROR [web-2] payment 42 failed',
    })
    expect(parse('2026-11-25T10:00:01.123456789Z stdout F {"level":"warn","msg":"disk sda at 91% capacity","caller":"disk/d.go:7"}')).toMatchObject({
      message: 'disk sda at 91% capacity', level: 'warn', file: 'disk/d.go', line: 7, time: Date.UTC(2026, 10, 25, 10, 0, 1, 123),
    })
    expect(parse('2026-11-25T10:00:01+01:00 stdout F level=error msg="queue stuck"')).toMatchObject({ message: 'queue stuck', level: 'error', time: Date.UTC(2026, 10, 25, 9, 0, 1) })
    expect(parse('2026-11-25T10:00:01Z stdout F WARNING:app.disk:disk sda full')).toMatchObject({ message: 'disk sda full', level: 'warn', logger: 'app.disk' })
    expect(parse('2026-11-25T10:00:01Z stderr P plain text, half of it')).toMatchObject({ message: 'plain text, half of it', level: null, time: Date.UTC(2026, 10, 25, 10, 0, 1) })
    expect(parse('2026-11-25T10:00:01Z stdout F')).toMatchObject({ message: '', level: null })
  })

  it('leaves lines that only look like a record to the text layouts', () => {
    // `kubectl logs --timestamps`: a time and the line, no stream or tag.
    expect(parse('2026-11-25T10:00:01.123Z WARN disk almost full')).toMatchObject({ message: 'disk almost full', level: 'warn' })
    expect(parse('2026-11-25T10:00:01Z stdoutx F ERROR x')).toMatchObject({ message: 'stdoutx F ERROR x', level: null })
    expect(parse('2026-11-25T10:00:01Z stderr X ERROR x').message).toBe('stderr X ERROR x')
    expect(parse('2026-11-25T10:00:01Z stderr Fx ERROR x').message).toBe('stderr Fx ERROR x')
  })
})

describe('auto format: loguru and .NET console layouts', () => {
  it('reads loguru `time | LEVEL | module:function:line - message`', () => {
    expect(parse('2026-11-25 10:00:01.123 | ERROR    | app.pay:charge:42 - payment 7 failed')).toMatchObject({
      message: 'payment 7 failed', level: 'error', logger: 'app.pay', line: 42, time: Date.UTC(2026, 10, 25, 10, 0, 1, 123),
    })
    expect(parse('2026-11-25 10:00:01.123 | WARNING  | __main__:<module>:7 - low disk')).toMatchObject({ message: 'low disk', level: 'warn', logger: '__main__', line: 7 })
  })

  it('reads the .NET console header `fail: Category[eventId]` (message on the next line) and its single-line form', () => {
    expect(parse('fail: MyApp.Payments.Charger[0]')).toMatchObject({ message: '', level: 'error', logger: 'MyApp.Payments.Charger' })
    expect(parse('warn: MyApp.Disk[1002] disk sda at 91% capacity')).toMatchObject({ message: 'disk sda at 91% capacity', level: 'warn', logger: 'MyApp.Disk' })
    expect(parse('crit: X[-1]')).toMatchObject({ level: 'fatal' })
    expect(parse('dbug: X[3]').level).toBe('debug')
    // Not a header: no event id, another word.
    expect(parse('fail: the thing').level).toBeNull()
    expect(parse('pass: X[0]').level).toBeNull()
  })
})
