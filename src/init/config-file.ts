import type { Survey } from './survey.js'

const n = (k: number, what: string) => `${k} ${what}${k === 1 ? '' : 's'}`
const yamlKey = (k: string) => (/^[\w.@-]+$/.test(k) && !/^[\d-]/.test(k) ? k : JSON.stringify(k))

/**
 * The commented dice.yml `dice init` writes: what it saw, then each section with the defaults spelled out
 * and what to change. Suggestions (people, logger calls) are comments until someone confirms them: a wrong
 * logger rule would put noise in everyone's digest, a wrong Slack id would DM a stranger.
 */
export function renderConfig(s: Survey, now: Date): string {
  const out: string[] = []
  const c = (line = '') => out.push(line ? `# ${line}` : '#')
  out.push(`# dice.yml, written by \`dice init\` on ${now.toISOString().slice(0, 10)}. Every field: docs/CONFIG.md.`)
  c(`What dice init saw in ${s.root} (${n(s.read, 'source file')} read${s.unread ? `, ${s.unread} more not read` : ''}):`)
  c(`  languages: ${s.languages.map((l) => `${l.language} (${n(l.files, 'file')})`).join(', ') || 'none Dice reads'}`)
  if (s.loggers.length) {
    c('  logger calls Dice recognises:')
    for (const l of s.loggers.slice(0, 10)) c(`    ${l.callee} (${l.language}): ${n(l.calls, 'call')}${l.levels.length ? `, ${l.levels.join('/')}` : ''}`)
  } else c('  no logger call Dice recognises: see the suggestions under catalog.loggers, or docs/CONFIG.md')
  c('Next: `dice config check`, then `dice index` here, then `dice run` (docs/OPERATIONS.md).')
  out.push('')
  out.push('repo:')
  out.push('  # Web address of the repository: Slack messages and the web page link to the exact line.')
  out.push(s.webUrl ? `  url: ${s.webUrl}` : '  # url: https://github.com/your-org/your-repo')
  out.push('')
  out.push('catalog:')
  out.push('  # Paths Dice skips (node_modules, vendor, third_party, dist and build are skipped already), e.g. tests.')
  out.push('  exclude: []')
  if (s.suggestions.length) {
    out.push('  # Calls that look like loggers (called often with a format string) but are not in Dice\'s vocabulary.')
    out.push('  # Uncomment the ones that log and check the level (remove it when the level is an argument).')
    out.push('  # loggers:')
    const byLang = new Map<string, Survey['suggestions']>()
    for (const x of s.suggestions) byLang.set(x.language, [...(byLang.get(x.language) ?? []), x])
    for (const [lang, list] of byLang) {
      out.push(`  #   ${lang}:`)
      for (const x of list) {
        const rule = `{ call: ${JSON.stringify(x.call)}${x.level ? `, level: ${x.level}` : ''} }`
        out.push(`  #     - ${rule.padEnd(40)} # ${n(x.calls, 'call')}, e.g. ${x.example}${x.level ? '' : '; level unknown: set it, or levelArg'}`)
      }
    }
  } else {
    out.push('  # Your own logging functions, if Dice does not see them: loggers: { c: [{ call: MY_LOG, level: warn }] }')
  }
  out.push('')
  out.push('# Who is who in Slack. The key is how git blame, `// @name` and `dice reassign --to` name a person; `slack`')
  out.push('# is their member id (Slack profile → ⋯ → Copy member ID). Without it Dice looks the email up in Slack.')
  out.push('people: {}')
  for (const a of s.authors) out.push(`  # ${yamlKey(a.email)}: { slack: U0123ABCD, name: ${JSON.stringify(a.name)}, tz: Europe/Berlin }   # ${n(a.commits, 'commit')}`)
  out.push('')
  out.push('route:')
  out.push('  # Digests carry this level and above; `// #channel` and `// @person` lines are delivered at any level.')
  out.push('  minLevel: warn')
  out.push('  # Where statements nobody owns go (and the summary of warnings that match no statement).')
  out.push('  # fallbackChannel: dice-unowned')
  out.push('')
  out.push('digest:')
  out.push('  # Once per working day, in each person\'s time zone, the first time Slack says they are active.')
  out.push('  workdays: [1, 2, 3, 4, 5]')
  out.push('  startHour: 9')
  out.push('  endHour: 18')
  out.push('  defaultTimezone: UTC')
  out.push('')
  out.push('# Log files `dice run` tails (it also takes lines on POST /ingest from Vector, Fluent Bit, Filebeat).')
  out.push('sources: []')
  out.push('#  - { type: file, path: /var/log/your-service/*.log }')
  out.push('')
  out.push('server:')
  out.push('  # 127.0.0.1 keeps the web page (production log lines) to this machine; on another address set')
  out.push('  # DICE_WEB_TOKEN or server.auth (docs/OPERATIONS.md, "Who can read the web page").')
  out.push('  host: 127.0.0.1')
  out.push('  port: 7878')
  return out.join('\n') + '\n'
}
