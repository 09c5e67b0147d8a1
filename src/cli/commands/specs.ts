import type { CommandSpec } from '../command.js'

/** Options every Slack-like action command takes: who acts, and machine-readable output. */
const AS = { as: { type: 'string' }, json: { type: 'boolean' } } as const

/**
 * What `dice --help` and flag parsing need of each command, without loading it: a command's module (and its
 * dependencies: tree-sitter grammars, the Slack SDK, pg) is imported only when that command runs.
 */
export const SPECS = {
  snooze: {
    name: 'snooze',
    summary: 'snooze a statement for a while (--for 1h/1d/1w) or its next N occurrences (--count N)',
    usage: 'snooze ID --for DURATION [--count N] [--channel C]',
    options: { ...AS, for: { type: 'string' }, count: { type: 'string' }, channel: { type: 'string' }, everyone: { type: 'boolean' } },
  },
  mute: {
    name: 'mute',
    summary: 'mute a statement for good: for everyone, or one person (--user) or channel (--channel)',
    usage: 'mute ID [--user U | --channel C] [--as WHO]',
    options: { ...AS, user: { type: 'string' }, channel: { type: 'string' } },
  },
  unmute: {
    name: 'unmute',
    summary: 'lift the mutes and snoozes of a statement (all, or one --user / --channel)',
    usage: 'unmute ID [--user U | --channel C] [--as WHO]',
    options: { ...AS, user: { type: 'string' }, channel: { type: 'string' } },
  },
  reassign: {
    name: 'reassign',
    summary: 'hand a statement to its real owner (blame override); --undo removes the override',
    usage: 'reassign ID --to WHO [--undo] [--reason TEXT]',
    options: { ...AS, to: { type: 'string' }, undo: { type: 'boolean' }, reason: { type: 'string' } },
  },
  overrides: {
    name: 'overrides',
    summary: 'list blame overrides ("it wasn\'t me" hand-overs)',
    usage: 'overrides [--json]',
    options: { json: { type: 'boolean' } },
  },
  catalog: {
    name: 'catalog',
    summary: 'list the catalog: log statements, templates and owners',
    usage: 'catalog [--json] [--owner WHO] [--file GLOB]',
    options: { json: { type: 'boolean' }, owner: { type: 'string' }, file: { type: 'string' } },
  },
  configCheck: {
    name: 'config check',
    summary: 'validate the configuration and print it with defaults filled in',
    usage: 'config check [--json]',
    options: { json: { type: 'boolean' } },
  },
  demo: {
    name: 'demo',
    summary: 'a self-contained run on bundled sample code and logs, on the embedded default, with no Slack token',
    usage: 'demo [--no-serve] [--port N] [--keep]',
    options: { 'no-serve': { type: 'boolean' }, port: { type: 'string' }, keep: { type: 'boolean' } },
  },
  digest: {
    name: 'digest',
    summary: 'build (and with no --preview, send) the digests due',
    usage: 'digest [--user WHO] [--preview] [--at ISO-TIME] [--json]',
    options: { user: { type: 'string' }, preview: { type: 'boolean' }, json: { type: 'boolean' } },
  },
  index: {
    name: 'index',
    summary: 'build or update the catalog from the git repository at DIR (default .); incremental on re-run',
    usage: 'index [DIR] [--json] [--quiet]',
    options: { json: { type: 'boolean' }, quiet: { type: 'boolean', short: 'q' } },
  },
  match: {
    name: 'match',
    summary: 'read log lines on stdin; print the statement that printed each line',
    usage: 'match [--format F] [--json] [--explain]',
    options: { format: { type: 'string' }, json: { type: 'boolean' }, explain: { type: 'boolean' } },
  },
  replay: {
    name: 'replay',
    summary: 'ingest log files (plain or .gz, - for stdin) once into the store, deliver unless --no-deliver, exit',
    usage: 'replay FILE... [--format F] [--no-deliver] [--host H] [--json]',
    options: {
      format: { type: 'string' },
      'no-deliver': { type: 'boolean' },
      host: { type: 'string' },
      json: { type: 'boolean' },
    },
  },
  run: {
    name: 'run',
    summary: 'the service: sources, matching, real-time delivery, digests, Slack actions, web page',
    usage: 'run [--port N] [--host H] [--at ISO-TIME]',
    options: { port: { type: 'string' }, host: { type: 'string' } },
  },
} satisfies Record<string, CommandSpec>
