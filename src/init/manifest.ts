/** What Dice does in Slack; each needs its own scopes and settings. */
export const FEATURES = ['channels', 'digests', 'actions', 'home'] as const
/** One of FEATURES. */
export type Feature = (typeof FEATURES)[number]

/** Each bot scope, the features that need it and why (the comment printed next to it). */
const SCOPES: Array<{ scope: string; for: Feature[]; why: string }> = [
  { scope: 'chat:write', for: ['channels', 'digests', 'actions'], why: 'chat.postMessage, chat.update, chat.postEphemeral' },
  { scope: 'chat:write.public', for: ['channels'], why: 'post to #channels named in `// #channel` annotations without being invited' },
  { scope: 'im:write', for: ['digests', 'actions'], why: 'conversations.open: the DM a digest (or a hand-over notice) goes to' },
  { scope: 'users:read', for: ['digests', 'actions'], why: 'users.list (@handles → people), users.info (time zone), users.getPresence (online?)' },
  { scope: 'users:read.email', for: ['digests'], why: 'users.lookupByEmail: git blame email → Slack user; emails in users.list' },
  { scope: 'channels:read', for: ['actions'], why: 'conversations.members: channel members may mute a statement for the channel' },
  { scope: 'groups:read', for: ['actions'], why: 'the same for private channels Dice was invited to' },
]

/** Options of the manifest: the features wanted, and either a public base URL or Socket Mode. */
export interface ManifestOptions {
  features: readonly Feature[]
  /** Where `dice run` is reachable over https, e.g. https://dice.example.com (ignored with socketMode). */
  url: string
  socketMode: boolean
}

/** The bot scopes `features` need, in a stable order. */
export function scopesFor(features: readonly Feature[]): string[] {
  return SCOPES.filter((s) => s.for.some((f) => features.includes(f))).map((s) => s.scope)
}

/**
 * The Slack app manifest (YAML, with a comment on each scope) for `dice init` and docs/SLACK.md: only the
 * scopes the chosen features need; request URLs under `url`, or Socket Mode (no public URL; the app-level
 * token needs `connections:write`).
 */
export function slackManifest(o: ManifestOptions): string {
  const has = (f: Feature) => o.features.includes(f)
  const base = o.url.replace(/\/+$/, '')
  const width = Math.max(...scopesFor(o.features).map((s) => s.length))
  const lines = [
    'display_information:',
    '  name: Dice',
    '  description: Production warnings and errors, delivered to the developers who wrote them',
    '  background_color: "#2c2d30"',
    'features:',
    '  bot_user:',
    '    display_name: dice',
    '    always_online: true',
  ]
  if (has('home') || has('digests')) {
    lines.push('  app_home:', `    home_tab_enabled: ${has('home')}`, `    messages_tab_enabled: ${has('digests')}`, `    messages_tab_read_only_enabled: ${has('digests')}`)
  }
  lines.push('oauth_config:', '  scopes:', '    bot:')
  for (const s of SCOPES.filter((x) => x.for.some(has))) lines.push(`      - ${s.scope.padEnd(width)}  # ${s.why}`)
  lines.push('settings:')
  if (has('actions')) lines.push('  interactivity:', '    is_enabled: true', ...(o.socketMode ? [] : [`    request_url: ${base}/slack/actions`]))
  if (has('home')) lines.push('  event_subscriptions:', ...(o.socketMode ? [] : [`    request_url: ${base}/slack/events`]), '    bot_events:', '      - app_home_opened')
  lines.push('  org_deploy_enabled: false', `  socket_mode_enabled: ${o.socketMode}`, '  token_rotation_enabled: false')
  return lines.join('\n') + '\n'
}

/** Parse `--features channels,digests`: known names only, an error naming the unknown one. */
export function parseFeatures(list: string): Feature[] | string {
  const out: Feature[] = []
  for (const f of list.split(',').map((x) => x.trim()).filter(Boolean)) {
    if (!(FEATURES as readonly string[]).includes(f)) return f
    if (!out.includes(f as Feature)) out.push(f as Feature)
  }
  return out
}
