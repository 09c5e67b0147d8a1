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
  { scope: 'channels:read', for: ['channels', 'actions'], why: 'conversations.list: dice doctor checks each #channel exists and has the bot; conversations.members: channel members may mute for it' },
  { scope: 'groups:read', for: ['channels', 'actions'], why: 'the same for private channels Dice was invited to' },
]

/**
 * The bot scopes each Slack Web API method Dice calls needs (Slack's method docs). `src/init/manifest.test.ts` checks
 * that the code calls no other method, that the manifest asks for every scope listed here, and that docs/SLACK.md's
 * "What Dice calls" table says the same. (`apps.connections.open`, Socket Mode, uses the app-level token: `connections:write`.)
 */
export const METHOD_SCOPES: Record<string, string[]> = {
  'auth.test': [],
  'chat.postMessage': ['chat:write', 'chat:write.public'],
  'chat.update': ['chat:write'],
  'chat.postEphemeral': ['chat:write'],
  'conversations.open': ['im:write'],
  'conversations.list': ['channels:read', 'groups:read'],
  'conversations.members': ['channels:read', 'groups:read'],
  'users.list': ['users:read', 'users:read.email'],
  'users.info': ['users:read'],
  'users.lookupByEmail': ['users:read.email'],
  'users.getPresence': ['users:read'],
  'views.open': [],
  'views.publish': [],
}

/** Every bot scope the manifest can ask for, in its order. */
export const ALL_SCOPES: readonly string[] = SCOPES.map((s) => s.scope)

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
