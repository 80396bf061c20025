import { createHash } from 'node:crypto';
import type { WecomBotConfig } from './wecom-bot';
import { RejectedInputError, type InboundMessage, type MessageKind } from '@answerbridge/core';
import { WecomCryptoError, decryptMessage, verifySignature } from './wecom-crypto';
import { readEncryptedField } from './callback-envelope';
import { XmlRejectedError, parseWecomXml, textOf, type XmlRecord } from './strict-xml';

export interface CallbackQuery {
  msg_signature: string;
  timestamp: string;
  nonce: string;
  echostr?: string;
}

export interface CallbackCheckOptions {
  nowMs: number;
  maxSkewSeconds: number;
}

/**
 * Reads the query string exactly once with decodeURIComponent. URLSearchParams and express's parser
 * turn a raw "+" into a space, which breaks the base64 echostr (docs/protocols/wecom.md, pitfall 6).
 */
export function parseCallbackQuery(
  rawQuery: string,
  /** `requireEchostr`: the URL verification (GET) carries the echostr to decrypt; a message (POST) does not. */
  { requireEchostr = false }: { requireEchostr?: boolean } = {},
): CallbackQuery {
  const params = new Map<string, string>();
  for (const part of rawQuery.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const name = eq === -1 ? part : part.slice(0, eq);
    const value = eq === -1 ? '' : part.slice(eq + 1);
    try {
      params.set(decodeURIComponent(name), decodeURIComponent(value));
    } catch {
      throw new RejectedInputError('WECOM.BAD_QUERY', 'query string is not valid percent-encoding', 400);
    }
  }
  const signature = params.get('msg_signature');
  const timestamp = params.get('timestamp');
  const nonce = params.get('nonce');
  const echostr = params.get('echostr');
  if (!signature || !timestamp || !nonce) {
    throw new RejectedInputError('WECOM.MISSING_SIGNATURE', 'msg_signature, timestamp and nonce are required', 401);
  }
  if (!/^\d{1,12}$/.test(timestamp))
    throw new RejectedInputError('WECOM.BAD_TIMESTAMP', 'timestamp must be unix seconds', 401);
  if (nonce.length > 128) throw new RejectedInputError('WECOM.BAD_NONCE', 'nonce too long', 400);
  if (requireEchostr && !echostr) throw new RejectedInputError('WECOM.MISSING_ECHOSTR', 'echostr is required', 400);
  return { msg_signature: signature, timestamp, nonce, ...(echostr ? { echostr } : {}) };
}

function checkFresh(query: CallbackQuery, options: CallbackCheckOptions): void {
  const skew = Math.abs(options.nowMs / 1000 - Number(query.timestamp));
  if (skew > options.maxSkewSeconds) {
    throw new RejectedInputError('WECOM.STALE_TIMESTAMP', `timestamp is ${Math.round(skew)} s away from now`, 401);
  }
}

function checkSigned(bot: WecomBotConfig, query: CallbackQuery, encrypted: string): void {
  if (!verifySignature(query.msg_signature, bot.token, query.timestamp, query.nonce, encrypted)) {
    throw new RejectedInputError('WECOM.BAD_SIGNATURE', 'msg_signature does not match', 401);
  }
}

function decryptOrReject(bot: WecomBotConfig, encrypted: string): string {
  try {
    return decryptMessage(bot.encodingAesKey, encrypted, bot.corpId).message;
  } catch (error) {
    if (error instanceof WecomCryptoError) {
      if (error.wecomCode === -40005)
        throw new RejectedInputError('WECOM.RECEIVE_ID_MISMATCH', 'message is for another corp', 401);
      throw new RejectedInputError('WECOM.DECRYPT_FAILED', `cannot decrypt: ${error.message}`, 400);
    }
    throw error;
  }
}

/** URL verification (GET): returns the plaintext echo to send back verbatim. */
export function verifyCallbackUrl(bot: WecomBotConfig, query: CallbackQuery, options: CallbackCheckOptions): string {
  const echostr = query.echostr ?? '';
  checkFresh(query, options);
  checkSigned(bot, query, echostr);
  return decryptOrReject(bot, echostr);
}

function parseXmlOrReject(text: string, what: string): XmlRecord {
  try {
    return parseWecomXml(text);
  } catch (error) {
    if (error instanceof XmlRejectedError)
      throw new RejectedInputError('WECOM.BAD_XML', `${what}: ${error.message}`, 400);
    throw error;
  }
}

const kindOf: Record<string, MessageKind> = { text: 'text', voice: 'voice', image: 'image', event: 'event' };

function encryptedFieldOrReject(body: string): string {
  try {
    return readEncryptedField(body);
  } catch (error) {
    if (error instanceof XmlRejectedError)
      throw new RejectedInputError('WECOM.BAD_XML', `envelope: ${error.message}`, 400);
    throw error;
  }
}

/**
 * Message delivery (POST): checks freshness and signature, decrypts, parses and normalizes.
 * Throws RejectedInputError (with its HTTP status) for anything that must not be enqueued.
 *
 * Anyone can send a body, so the work before the signature is checked is kept linear in its size and
 * small: the timestamp, then one bounded pass that only finds <Encrypt> (readEncryptedField), then the
 * signature. Only an authenticated ciphertext is decrypted and its message parsed in full.
 */
export function openCallback(
  bot: WecomBotConfig,
  query: CallbackQuery,
  body: string,
  options: CallbackCheckOptions,
): InboundMessage {
  checkFresh(query, options);
  const encrypted = encryptedFieldOrReject(body);
  checkSigned(bot, query, encrypted);
  const plaintext = decryptOrReject(bot, encrypted);
  const msg = parseXmlOrReject(plaintext, 'message');

  const from = textOf(msg, 'FromUserName');
  const msgType = textOf(msg, 'MsgType');
  if (!from || !msgType)
    throw new RejectedInputError('WECOM.BAD_MESSAGE', 'message lacks FromUserName or MsgType', 400);
  const agentId = textOf(msg, 'AgentID');
  if (agentId !== undefined && agentId !== '' && agentId !== String(bot.agentId)) {
    throw new RejectedInputError('WECOM.AGENT_MISMATCH', 'message is for another agent', 403);
  }
  const msgId = textOf(msg, 'MsgId');
  if (msgId !== undefined && !/^\d{1,20}$/.test(msgId))
    throw new RejectedInputError('WECOM.BAD_MESSAGE', 'MsgId is not an integer', 400);
  const createTime = Number(textOf(msg, 'CreateTime') ?? '0');
  const kind: MessageKind = kindOf[msgType] ?? 'other';
  const text =
    kind === 'text' ? (textOf(msg, 'Content') ?? '') : kind === 'voice' ? (textOf(msg, 'Recognition') ?? '') : '';
  // Events carry no MsgId; FromUserName + CreateTime collides for events in the same second
  // (docs/protocols/wecom.md, pitfall 2), so events are keyed on a hash of the whole plaintext.
  const key = msgId ?? `e${createHash('sha256').update(plaintext).digest('hex').slice(0, 32)}`;
  const event = textOf(msg, 'Event');
  return {
    id: `wecom-${bot.id}-${key}`,
    channel: 'wecom',
    botId: bot.id,
    platformMessageId: msgId ?? null,
    conversationId: `wecom/${bot.id}/${from}`,
    chatType: 'direct',
    senderId: from,
    kind,
    text: text.trim(),
    ...(event ? { event } : {}),
    sentAt: Number.isFinite(createTime) ? Math.trunc(createTime) * 1000 : 0,
    receivedAt: options.nowMs,
    replyTarget: { channel: 'wecom', toUser: from, agentId: bot.agentId },
  };
}
