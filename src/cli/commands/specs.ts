import type { CommandSpec, OptionSpec } from '../command.js'

const json = (what: string): OptionSpec => ({ type: 'boolean', help: what })

/** Options every Slack-like action command takes: who acts, and machine-readable output. */
const AS = {
  as: { type: 'string', value: 'WHO', help: 'who is acting, for the audit log (default: $USER)' },
  json: json('print the stored row as JSON'),
} as const satisfies Record<string, OptionSpec>

/**
 * What `dice --help` and flag parsing need of each command, without loading it: a command's module (and its
 * dependencies: tree-sitter grammars, the Slack SDK, pg) is imported only when that command runs.
 * docs/CLI.md's "Command reference" repeats each usage, flag and sentence; src/cli/help.test.ts keeps the two equal.
 */
export const SPECS = {
  snooze: {
    name: 'snooze',
    summary: 'snooze a statement for a while (--for 1h/1d/1w) or its next N occurrences (--count N): for everyone, or one person (--user) or channel (--channel)',
    usage: 'snooze ID --for DURATION [--count N] [--until-worse] [--user WHO | --channel C] [--as WHO] [--json]',
    options: {
      for: { type: 'string', value: 'DURATION', help: 'how long the snooze lasts' },
      count: { type: 'string', value: 'N', help: 'snooze the next N occurrences instead of (or as well as) a time' },
      'until-worse': { type: 'boolean', help: 'until its next spike (alerts.spikes), instead of (or as well as) a time or count' },
      user: { type: 'string', value: 'WHO', help: 'snooze it for this person only (refused, exit 1, when Slack has nobody for it)' },
      channel: { type: 'string', value: 'C', help: 'snooze it for this channel only' },
      everyone: { type: 'boolean', help: 'for every channel and person: the default, kept for older scripts' },
      ...AS,
    },
    examples: ['snooze 3f9a1c2b7d10 --for 1d', 'snooze 3f9a1c2b7d10 --for 1w --user elmore', 'snooze 3f9a1c2b7d10 --count 50 --channel ipsec-debug', 'snooze 3f9a1c2b7d10 --until-worse'],
  },
  mute: {
    name: 'mute',
    summary: 'mute a statement for good: for everyone, or one person (--user) or channel (--channel)',
    usage: 'mute ID [--user WHO | --channel C] [--as WHO] [--json]',
    options: {
      user: { type: 'string', value: 'WHO', help: 'mute it for this person only (refused, exit 1, when Slack has nobody for it)' },
      channel: { type: 'string', value: 'C', help: 'mute it for this channel only' },
      ...AS,
    },
    examples: ['mute 3f9a1c2b7d10', 'mute 3f9a1c2b7d10 --user elmore', 'mute 3f9a1c2b7d10 --channel ipsec-debug'],
  },
  unmute: {
    name: 'unmute',
    summary: 'lift the mutes and snoozes of a statement: all of them, or one person\'s (--user) or channel\'s (--channel)',
    usage: 'unmute ID [--user WHO | --channel C] [--as WHO] [--json]',
    options: {
      user: { type: 'string', value: 'WHO', help: "lift only this person's mutes and snoozes (whatever name they were set under)" },
      channel: { type: 'string', value: 'C', help: "lift only this channel's mutes and snoozes" },
      ...AS,
    },
    examples: ['unmute 3f9a1c2b7d10'],
  },
  reassign: {
    name: 'reassign',
    summary: 'hand a statement to its real owner (blame override); --undo removes the override',
    usage: 'reassign ID --to WHO [--undo] [--reason TEXT] [--as WHO] [--json]',
    options: {
      to: { type: 'string', value: 'WHO', help: 'the new owner, resolved like every person (refused, exit 1, when Slack has nobody for it); they are told in Slack when a token is set' },
      undo: { type: 'boolean', help: 'remove the override: the owner comes from annotations and git blame again' },
      reason: { type: 'string', value: 'TEXT', help: 'why, kept with the override and shown by dice overrides' },
      ...AS,
    },
    examples: ['reassign 3f9a1c2b7d10 --to elmore --reason "wrote the IPsec code"', 'reassign 3f9a1c2b7d10 --undo'],
  },
  overrides: {
    name: 'overrides',
    summary: 'list blame overrides ("it wasn\'t me" hand-overs)',
    usage: 'overrides [--json]',
    options: { json: json('print a JSON array, owners as stored, with their names beside them') },
    examples: ['overrides'],
  },
  catalog: {
    name: 'catalog',
    summary: 'list the catalog: log statements, templates and owners',
    usage: 'catalog [--json] [--owner WHO] [--file GLOB]',
    options: {
      json: json('print the catalog as a JSON array (the contract in docs/CLI.md)'),
      owner: { type: 'string', value: 'WHO', help: 'only statements this person owns (none: statements nobody owns)' },
      file: { type: 'string', value: 'GLOB', help: 'only statements in files matching this glob' },
    },
    examples: ['catalog', 'catalog --owner pig@pen.mssn --file "src/net/**"', 'catalog --json'],
  },
  doctor: {
    name: 'doctor',
    summary: 'check every @handle, #channel, blame author, people entry and team mapping against Slack; exit 0 all fine, 1 problems found, 2 configuration error',
    usage: 'doctor [--json]',
    options: { json: json('print the report as one JSON object') },
    examples: ['doctor', 'doctor --json'],
  },
  configCheck: {
    name: 'config check',
    summary: 'validate the configuration as dice run would, and print it with defaults filled in',
    usage: 'config check [--json]',
    options: { json: json('print the file name and the effective configuration as JSON') },
    examples: ['config check', '--config /etc/dice/dice.yml config check --json'],
  },
  demo: {
    name: 'demo',
    summary: 'a self-contained run on bundled sample code and logs, on the embedded default, with no Slack token',
    usage: 'demo [--no-serve] [--port N] [--keep]',
    options: {
      'no-serve': { type: 'boolean', help: 'exit after printing instead of serving the web page (the default when stdout is not a terminal)' },
      port: { type: 'string', value: 'N', help: 'port for the web page (default 7878, or any free one if taken)' },
      keep: { type: 'boolean', help: 'keep the demo repository and database, and print how to explore them' },
    },
    examples: ['demo', 'demo --no-serve'],
  },
  digest: {
    name: 'digest',
    summary: 'build (and with no --preview, send) the digests due; with no Slack token or webhook, print the due ones without marking them sent',
    usage: 'digest [--user WHO] [--preview] [--mark-sent] [--at ISO-TIME] [--json]',
    options: {
      user: { type: 'string', value: 'WHO', help: "only this person's (or #channel's) digest" },
      preview: { type: 'boolean', help: 'print the digests instead of sending them, due or not' },
      'mark-sent': { type: 'boolean', help: 'with no Slack token or webhook: count the digests printed as sent (else the service still sends them)' },
      json: json('print the digests as a JSON array'),
    },
    examples: ['digest --preview', 'digest --preview --user pig@pen.mssn --at 2025-03-14T09:30:00Z'],
  },
  init: {
    name: 'init',
    summary: 'look at a repository (languages, logger calls, functions that look like loggers), write a commented dice.yml and print the Slack app manifest',
    usage: 'init [DIR] [--force] [--features LIST] [--url URL | --socket-mode] [--json]',
    options: {
      force: { type: 'boolean', help: 'replace an existing dice.yml' },
      features: { type: 'string', value: 'LIST', help: 'what Dice should do in Slack, comma-separated: channels, digests, actions, home (default all); the manifest asks only for the scopes they need' },
      url: { type: 'string', value: 'URL', help: 'the https address where dice run will be reachable, for the manifest\'s request URLs (default https://dice.example.com)' },
      'socket-mode': { type: 'boolean', help: 'a manifest for Socket Mode: no public URL, Dice connects out (needs SLACK_APP_TOKEN)' },
      json: json('print what was found, the file written and the manifest as JSON'),
    },
    examples: ['init', 'init ~/src/service --url https://dice.example.com', 'init --features channels,actions --socket-mode'],
    loadsConfig: false,
  },
  index: {
    name: 'index',
    summary: 'build or update the catalog from the git repository at DIR (default .); incremental on re-run',
    usage: 'index [DIR] [--rev REF]... [--json] [--quiet]',
    options: {
      rev: { type: 'string', value: 'REF', multiple: true, help: 'also keep the catalog of this deployed revision (a tag, branch or commit); repeat for several; catalog.revisions adds more' },
      json: json('print only the summary, as JSON'),
      quiet: { type: 'boolean', short: 'q', help: 'no progress on stderr' },
    },
    examples: ['index', 'index ~/src/service --quiet', 'index --rev v1.4.2 --rev v1.5.0'],
  },
  deploy: {
    name: 'deploy',
    summary: 'record that hosts run revision REV from now on (all, or those matching --host); catalogues REV first when it is not yet',
    usage: 'deploy REV [--host PATTERN] [--repo DIR] [--as WHO] [--json]',
    options: {
      host: { type: 'string', value: 'PATTERN', help: 'only hosts whose name matches this glob (web-*, db-?); default every host' },
      repo: { type: 'string', value: 'DIR', help: 'the git repository to catalogue REV from when it is not catalogued yet (default: the one dice index read)' },
      as: { type: 'string', value: 'WHO', help: 'who deploys, kept with the record (default: $USER)' },
      json: json('print the deploy recorded as JSON'),
    },
    examples: ['deploy v1.5.0', "deploy v1.5.0 --host 'web-*'"],
  },
  match: {
    name: 'match',
    summary: 'read log lines on stdin; print the statement that printed each line',
    usage: 'match [--format F] [--json] [--explain] [--workers N]',
    options: {
      format: { type: 'string', value: 'F', help: 'how to read each line' },
      json: json('print one JSON object per input line (NDJSON), in input order'),
      explain: { type: 'boolean', help: 'also print the candidates considered and why one won' },
      workers: { type: 'string', value: 'N', help: 'threads that parse and match (default match.workers, else one per core up to 4 for a file of 16 MB or more on stdin and a catalog below 50k statements, else 0); the output is the same' },
    },
    examples: ['match < app.log', "match --format 'regex:^(?<message>.*)$' --json < messages.txt"],
  },
  replay: {
    name: 'replay',
    summary: 'ingest log files (plain or .gz, - for stdin) once into the store, deliver unless --no-deliver, exit',
    usage: 'replay FILE... [--format F] [--no-deliver] [--host H] [--workers N] [--json]',
    options: {
      format: { type: 'string', value: 'F', help: 'how to read each line' },
      'no-deliver': { type: 'boolean', help: 'only count: send no Slack messages and no digests' },
      host: { type: 'string', value: 'H', help: 'host name for lines that carry none' },
      workers: { type: 'string', value: 'N', help: 'threads that parse and match (default match.workers, else 0: the main thread)' },
      json: json('print the summary as JSON on stdout'),
    },
    examples: ['replay /var/log/app/*.log', 'replay --no-deliver --host web-1 old.log.gz'],
  },
  stats: {
    name: 'stats',
    summary: 'occurrence counts per statement (total, last 24 h, hosts, last seen, owner), or one statement in detail',
    usage: 'stats [ID] [--search TEXT] [--limit N] [--json]',
    options: {
      search: { type: 'string', value: 'TEXT', help: 'only statements whose id, file, message, owner or #channel contain this text' },
      limit: { type: 'string', value: 'N', help: 'only the N busiest (default: every statement)' },
      json: json('print what GET /api/statements (or /api/statements/ID) answers'),
    },
    examples: ['stats', 'stats --limit 20', 'stats --search ipsec', 'stats 3f9a1c2b7d10 --json'],
  },
  run: {
    name: 'run',
    summary: 'the service: sources, matching, real-time delivery, digests, Slack actions, web page',
    usage: 'run [--port N] [--host H] [--workers N] [--at ISO-TIME]',
    options: {
      port: { type: 'string', value: 'N', help: 'HTTP port (default server.port, 7878; 0 picks a free one)' },
      host: { type: 'string', value: 'H', help: 'address to listen on (default server.host, 127.0.0.1)' },
      workers: { type: 'string', value: 'N', help: 'threads that parse and match (default match.workers, else 0: the main thread)' },
    },
    examples: ['run', 'run --host 0.0.0.0 --port 8080'],
  },
} satisfies Record<string, CommandSpec>
