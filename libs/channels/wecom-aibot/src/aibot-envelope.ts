import { randomBytes } from 'node:crypto';
import {
  WecomCryptoError,
  computeSignature,
  decryptMessage,
  encryptMessage,
  parseCallbackQuery,
  verifySignature,
  type CallbackQuery,
} from '@answerbridge/channel-wecom';
import { RejectedInputError } from '@answerbridge/core';
import { parseJsonObject } from './strict-json';

/** The AI bot's callback crypto: WeCom's scheme (libs/channels/wecom) with receive id "" and JSON envelopes. */
export interface AibotKeys {
  token: string;
  encodingAesKey: string;
}

export interface FreshnessCheck {
  nowMs: number;
  maxSkewSeconds: number;
}

/** "企业内部智能机器人场景中，ReceiveId为\"\"" (doc 101033). */
const RECEIVE_ID = '';

/** The envelope `{"encrypt":"…"}` is small: a ciphertext of a ≤ 64 KB body at most, and one level. */
const ENVELOPE_LIMITS = { maxBytes: 256 * 1024, maxDepth: 2 };

function checkFresh(query: CallbackQuery, check: FreshnessCheck): void {
  const skew = Math.abs(check.nowMs / 1000 - Number(query.timestamp));
  if (skew > check.maxSkewSeconds)
    throw new RejectedInputError('AIBOT.STALE_TIMESTAMP', `timestamp is ${Math.round(skew)} s away from now`, 401);
}

function checkSigned(keys: AibotKeys, query: CallbackQuery, encrypted: string): void {
  if (!verifySignature(query.msg_signature, keys.token, query.timestamp, query.nonce, encrypted))
    throw new RejectedInputError('AIBOT.BAD_SIGNATURE', 'msg_signature does not match', 401);
}

function decrypt(keys: AibotKeys, encrypted: string): string {
  try {
    return decryptMessage(keys.encodingAesKey, encrypted, RECEIVE_ID).message;
  } catch (error) {
    if (error instanceof WecomCryptoError)
      throw new RejectedInputError('AIBOT.DECRYPT_FAILED', `cannot decrypt: ${error.message}`, 400);
    throw error;
  }
}

/** URL verification (GET when the admin saves the URL): the plaintext echo to answer, bare. */
export function verifyAibotUrl(keys: AibotKeys, rawQuery: string, check: FreshnessCheck): string {
  const query = parseCallbackQuery(rawQuery, { requireEchostr: true });
  checkFresh(query, check);
  checkSigned(keys, query, query.echostr ?? '');
  return decrypt(keys, query.echostr ?? '');
}

export interface OpenedCallback {
  query: CallbackQuery;
  /** The decrypted JSON text, authenticated. */
  plaintext: string;
}

/**
 * A POSTed callback: freshness, then the envelope (bounded), then the signature over `encrypt`, and only
 * then the decryption. Anything wrong is a RejectedInputError with its status; nothing is queued.
 */
export function openAibotCallback(
  keys: AibotKeys,
  rawQuery: string,
  body: string,
  check: FreshnessCheck,
): OpenedCallback {
  const query = parseCallbackQuery(rawQuery);
  checkFresh(query, check);
  if (!body) throw new RejectedInputError('AIBOT.EMPTY_BODY', 'empty body', 400);
  const envelope = parseJsonObject(body, ENVELOPE_LIMITS, 'envelope');
  const encrypted = envelope.encrypt;
  if (typeof encrypted !== 'string' || !encrypted)
    throw new RejectedInputError('AIBOT.BAD_ENVELOPE', 'envelope has no "encrypt" string', 400);
  checkSigned(keys, query, encrypted);
  return { query, plaintext: decrypt(keys, encrypted) };
}

/**
 * The encrypted reply body: `{encrypt, msgsignature, timestamp, nonce}` with the callback's nonce (WeCom
 * requires it) and its timestamp, sent as a string as the official libraries do.
 */
export function sealAibotReply(
  keys: AibotKeys,
  plaintext: string,
  timestamp: string,
  nonce: string,
  random: Buffer = randomBytes(16),
): string {
  const encrypt = encryptMessage(keys.encodingAesKey, plaintext, RECEIVE_ID, random);
  const msgsignature = computeSignature(keys.token, timestamp, nonce, encrypt);
  return JSON.stringify({ encrypt, msgsignature, timestamp, nonce });
}

/** Opens a sealed reply (the simulator and tests read what the gateway answered). */
export function openAibotReply(keys: AibotKeys, body: string): string {
  const envelope = parseJsonObject(body, ENVELOPE_LIMITS, 'reply');
  const { encrypt, msgsignature, timestamp, nonce } = envelope;
  if (typeof encrypt !== 'string' || typeof msgsignature !== 'string' || typeof nonce !== 'string')
    throw new RejectedInputError('AIBOT.BAD_ENVELOPE', 'reply lacks encrypt, msgsignature or nonce', 400);
  if (!verifySignature(msgsignature, keys.token, String(timestamp), nonce, encrypt))
    throw new RejectedInputError('AIBOT.BAD_SIGNATURE', 'reply msgsignature does not match', 401);
  return decrypt(keys, encrypt);
}
