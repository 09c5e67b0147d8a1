/**
 * Slack text safety. Log text is attacker-controlled: a line saying `<!channel>` or `<https://evil|click>`
 * must reach Slack as inert characters, so every piece of it goes through `slackEscape` before it is put
 * into a message, and lengths are cut after escaping so Block Kit never rejects a message.
 */

/** Block Kit limits we build within (https://api.slack.com/reference/block-kit/blocks). */
export const LIMITS = {
  sectionText: 3000,
  headerText: 150,
  contextText: 2000,
  blocks: 50,
  /** `text` of chat.postMessage: Slack truncates beyond 40k; we stay well below. */
  messageText: 39_000,
  buttonValue: 2000,
} as const

const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' }

/** Escape the three characters Slack's mrkdwn gives meaning to: `&`, `<`, `>`. */
export function slackEscape(text: string): string {
  return text.replace(/[&<>]/g, (c) => ENTITY[c]!)
}

/** Undo `slackEscape` (the console notifier shows text as a person would read it in Slack). */
export function slackUnescape(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')
}

/**
 * Escape `text` and cut it to at most `max` characters (after escaping), never inside an entity, ending
 * with `…` when cut.
 */
export function escapeTruncate(text: string, max: number): string {
  const full = slackEscape(text)
  if (full.length <= max) return full
  return truncateEscaped(full, max)
}

/** Cut already-escaped text to `max` characters without splitting an `&…;` entity. */
export function truncateEscaped(escaped: string, max: number): string {
  if (escaped.length <= max) return escaped
  let cut = Math.max(0, max - 1)
  const amp = escaped.lastIndexOf('&', cut)
  if (amp >= 0 && amp > cut - 5 && escaped.indexOf(';', amp) >= cut) cut = amp
  // Don't leave half a surrogate pair either.
  const code = escaped.charCodeAt(cut - 1)
  if (code >= 0xd800 && code <= 0xdbff) cut--
  return escaped.slice(0, cut) + '…'
}

/** Text for a mrkdwn inline code span: escaped, backticks replaced so the span cannot be closed early. */
export function codeSpan(text: string, max = 500): string {
  return '`' + escapeTruncate(text.replace(/`/g, 'ˋ').replace(/\s+/g, ' '), max) + '`'
}

/** Terminal safety for the console notifier: drop control characters (ANSI escapes) but keep newlines/tabs. */
export function stripControl(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '')
}
