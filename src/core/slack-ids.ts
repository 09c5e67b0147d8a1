import { slackEscape } from './escape.js'

// Slack issues user ids as `U` (or `W` on Enterprise Grid) plus 8 to 10 uppercase letters and digits. A looser
// test would take words like `UPDATE` or a short annotation name for an id and DM nobody.
const USER_ID = /^[UW][A-Z0-9]{8,10}$/
// Conversation ids: public (`C…`), private (`G…`), direct messages (`D…`).
const CONVERSATION_ID = /^[CDG][A-Z0-9]{8,}$/

/** True for a Slack user id as Slack issues it (`U024BE7LH`, `W0G9QF9C6A`). The one definition Dice uses. */
export function isSlackUserId(x: string | null | undefined): boolean {
  return !!x && USER_ID.test(x)
}

/** True for a Slack conversation id (`C…`, `G…`, `D…`), as opposed to a channel name. */
export function isConversationId(x: string | null | undefined): boolean {
  return !!x && CONVERSATION_ID.test(x)
}

/** `<@U…>` for a Slack user id (Slack renders the person's name), else `who` escaped as plain text. */
export function mentionOrText(who: string): string {
  return isSlackUserId(who) ? `<@${who}>` : slackEscape(who)
}
