/** DingTalk's session endpoint (docs/protocols/dingtalk.md §3): the only path a sessionWebhook has. */
const SESSION_PATH = '/robot/sendBySession';

/** A session lives 90 minutes; an expiry further out than this is not DingTalk's and is cut to it. */
export const SESSION_WEBHOOK_MAX_LIFE_MS = 2 * 3_600_000;

/** What became of a message's sessionWebhook: the URL to post to, or why it must not be used. */
export type SessionWebhookCheck = { url: string } | { refused: string; origin: string | null };

/**
 * A sessionWebhook may be posted to only when its origin (scheme, host and port) is exactly one of
 * `allowedOrigins` (DINGTALK_WEBHOOK_ORIGINS) and it carries no user:password. The webhook comes from
 * the message body, which DingTalk's HTTP-mode signature does not cover: without this, whoever holds one
 * signed header pair makes the worker POST the bot's answer to any address (SSRF).
 *
 * The URL is parsed with the WHATWG parser fetch itself uses, and the returned `url` is that parse
 * serialized again, so what is checked is exactly what is fetched: lookalike and IDN hosts end up as
 * their ASCII (punycode) form and match no allowed origin; full-width dots or letters that mean the very
 * same host are normalized to it.
 */
export function allowedSessionWebhook(raw: string, allowedOrigins: readonly string[]): SessionWebhookCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { refused: 'not a URL', origin: null };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return { refused: `scheme ${url.protocol} is not http(s)`, origin: null };
  if (url.username !== '' || url.password !== '')
    return { refused: 'it carries a user name or password', origin: url.origin };
  if (!allowedOrigins.some((allowed) => originOf(allowed) === url.origin))
    return { refused: `origin ${url.origin} is not in DINGTALK_WEBHOOK_ORIGINS`, origin: url.origin };
  // On an allowed host, only a session's own endpoint: another path (a group robot's /robot/send with
  // someone's access_token) would post the answer into a chat of the sender's choosing.
  if (url.pathname !== SESSION_PATH || !url.searchParams.get('session'))
    return { refused: `only ${SESSION_PATH}?session=… is a session webhook`, origin: url.origin };
  return { url: url.href };
}

function originOf(allowed: string): string | null {
  try {
    return new URL(allowed).origin;
  } catch {
    return null;
  }
}
