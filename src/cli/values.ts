/**
 * The value placeholders flags share, explained once: `--help` lists the ones a command uses, and
 * docs/CLI.md's "Values" table carries the same sentences (src/cli/help.test.ts compares them).
 */
export const VALUES: Readonly<Record<string, string>> = {
  ID: 'a statement id, as `dice catalog` prints it in its first column',
  WHO: 'a person: a key, email or alias from `people` in dice.yml, a Slack user id (U024BE7LH), an @handle or handle (matched on the Slack username, display name and real name), or an email; with SLACK_BOT_TOKEN set, a name Slack has nobody (or several people) for is refused',
  DURATION: 'a number and a unit, combinable: 90s, 30m, 1h, 1h30m, 1d, 1w (a snooze lasts at most 365d)',
  F: '`auto` (the default: JSON lines, logfmt, syslog and common text layouts), `json`, `logfmt`, `syslog`, a name from `formats` in dice.yml, or `regex:PATTERN` with a named group `message`',
  'ISO-TIME': 'an ISO-8601 time such as 2025-03-14T09:30:00Z or 2025-03-14T11:30:00+02:00; also DICE_NOW',
  GLOB: 'a path pattern over repository-relative files: `*` within a folder, `**` across folders (src/net/**, **/*.c)',
  N: 'a whole number',
  C: 'a Slack channel name, with or without #',
  REF: 'a git revision: a tag (v1.5.0), a branch or a commit id',
  PATTERN: 'a host name glob: `*` any characters, `?` one (web-*, db-?.eu); matched whole, ignoring case',
}
