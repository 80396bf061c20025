import { RejectedInputError } from '@answerbridge/core';
import {
  WecomCryptoError,
  XmlRejectedError,
  decryptMessage,
  parseWecomXml,
  readEncryptedField,
  textOf,
  verifySignature,
  type CallbackQuery,
} from '@answerbridge/channel-wecom';

/** What a callback's crypto needs: the 微信客服 callback's Token and EncodingAESKey, and the CorpID it is for. */
export interface KfCallbackCredentials {
  corpId: string;
  token: string;
  encodingAesKey: string;
}

export interface KfCallbackCheck {
  nowMs: number;
  maxSkewSeconds: number;
}

/** What a kf_msg_or_event callback says: pull this account's messages, with this token. */
export interface KfPullNotice {
  /** Absent in older callbacks: then the account of the URL's bot. */
  openKfId: string | undefined;
  token: string | undefined;
}

function checkFresh(query: CallbackQuery, check: KfCallbackCheck): void {
  const skew = Math.abs(check.nowMs / 1000 - Number(query.timestamp));
  if (skew > check.maxSkewSeconds)
    throw new RejectedInputError('WECOM_KF.STALE_TIMESTAMP', `timestamp is ${Math.round(skew)} s away from now`, 401);
}

function checkSigned(credentials: KfCallbackCredentials, query: CallbackQuery, encrypted: string): void {
  if (!verifySignature(query.msg_signature, credentials.token, query.timestamp, query.nonce, encrypted))
    throw new RejectedInputError('WECOM_KF.BAD_SIGNATURE', 'msg_signature does not match', 401);
}

function decryptOrReject(credentials: KfCallbackCredentials, encrypted: string): string {
  try {
    // receiveid = CorpID, as for a self-built app (docs/protocols/wecom-aibot-kf.md §3.1).
    return decryptMessage(credentials.encodingAesKey, encrypted, credentials.corpId).message;
  } catch (error) {
    if (error instanceof WecomCryptoError) {
      if (error.wecomCode === -40005)
        throw new RejectedInputError('WECOM_KF.RECEIVE_ID_MISMATCH', 'message is for another corp', 401);
      throw new RejectedInputError('WECOM_KF.DECRYPT_FAILED', `cannot decrypt: ${error.message}`, 400);
    }
    throw error;
  }
}

/** URL verification (GET, when the admin saves the callback URL): the plaintext echo to answer verbatim. */
export function verifyKfCallbackUrl(
  credentials: KfCallbackCredentials,
  query: CallbackQuery,
  check: KfCallbackCheck,
): string {
  const echostr = query.echostr ?? '';
  checkFresh(query, check);
  checkSigned(credentials, query, echostr);
  return decryptOrReject(credentials, echostr);
}

/**
 * A callback POST: the same encrypted XML envelope as the self-built app's, checked the same way and in
 * the same order (timestamp, one bounded pass for <Encrypt>, signature, then decrypt and the strict XML
 * parser). Only `kf_msg_or_event` says anything to this channel; any other event is answered and ignored
 * (null).
 */
export function openKfCallback(
  credentials: KfCallbackCredentials,
  query: CallbackQuery,
  body: string,
  check: KfCallbackCheck,
): KfPullNotice | null {
  checkFresh(query, check);
  let encrypted: string;
  try {
    encrypted = readEncryptedField(body);
  } catch (error) {
    if (error instanceof XmlRejectedError)
      throw new RejectedInputError('WECOM_KF.BAD_XML', `envelope: ${error.message}`, 400);
    throw error;
  }
  checkSigned(credentials, query, encrypted);
  const plaintext = decryptOrReject(credentials, encrypted);
  let message;
  try {
    message = parseWecomXml(plaintext);
  } catch (error) {
    if (error instanceof XmlRejectedError)
      throw new RejectedInputError('WECOM_KF.BAD_XML', `message: ${error.message}`, 400);
    throw error;
  }
  if (textOf(message, 'MsgType') !== 'event' || textOf(message, 'Event') !== 'kf_msg_or_event') return null;
  const token = textOf(message, 'Token');
  const openKfId = textOf(message, 'OpenKfId');
  if (token !== undefined && token.length > 256)
    throw new RejectedInputError('WECOM_KF.BAD_MESSAGE', 'Token is longer than WeCom issues', 400);
  return { openKfId: openKfId || undefined, token: token || undefined };
}
