import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AnswerbridgeError } from '@answerbridge/core';

/**
 * WeCom's message encryption (加解密方案, doc 91144), written on node:crypto rather than @wecom/crypto:
 * that package unpads leniently (a bad pad byte passes silently), checks no lengths and no receive id,
 * and offers no constant-time verify, and none of that can be added around it because it returns the
 * already-unpadded message. @wecom/crypto stays as a test oracle (wecom-crypto.test.ts).
 *
 * Plaintext = random(16) ‖ msg_len (uint32 BE) ‖ msg ‖ receiveId, PKCS#7-padded to 32 bytes,
 * AES-256-CBC with key = base64(EncodingAESKey + "="), IV = key[0..16).
 */

export const WECOM_BLOCK_SIZE = 32;

export class WecomCryptoError extends AnswerbridgeError {
  constructor(
    /** The official library's error code, e.g. -40001 for a bad signature. */
    readonly wecomCode: number,
    message: string,
  ) {
    super('WECOM.CRYPTO', message, false);
  }
}

const keyCache = new Map<string, Buffer>();

export function decodeAesKey(encodingAesKey: string): Buffer {
  const cached = keyCache.get(encodingAesKey);
  if (cached) return cached;
  if (!/^[A-Za-z0-9+/]{43}$/.test(encodingAesKey))
    throw new WecomCryptoError(-40004, 'EncodingAESKey must be 43 base64 characters');
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  if (key.length !== 32) throw new WecomCryptoError(-40004, 'EncodingAESKey does not decode to 32 bytes');
  // One entry per configured bot; bounded so arbitrary keys (tests, fuzzing) cannot grow it.
  if (keyCache.size < 1024) keyCache.set(encodingAesKey, key);
  return key;
}

/** sha1 of the four values sorted as strings and concatenated, lowercase hex. */
export function computeSignature(token: string, timestamp: string, nonce: string, encrypted: string): string {
  return createHash('sha1').update([token, timestamp, nonce, encrypted].sort().join('')).digest('hex');
}

export function verifySignature(
  expected: string,
  token: string,
  timestamp: string,
  nonce: string,
  encrypted: string,
): boolean {
  const actual = Buffer.from(computeSignature(token, timestamp, nonce, encrypted), 'utf8');
  const given = Buffer.from(expected.toLowerCase(), 'utf8');
  return given.length === actual.length && timingSafeEqual(given, actual);
}

export function pkcs7Pad(data: Buffer, blockSize = WECOM_BLOCK_SIZE): Buffer {
  const pad = blockSize - (data.length % blockSize);
  return Buffer.concat([data, Buffer.alloc(pad, pad)]);
}

export function pkcs7Unpad(data: Buffer, blockSize = WECOM_BLOCK_SIZE): Buffer {
  if (data.length === 0 || data.length % blockSize !== 0)
    throw new WecomCryptoError(-40007, 'decrypted length is not a multiple of the block size');
  const pad = data[data.length - 1] ?? 0;
  if (pad < 1 || pad > blockSize) throw new WecomCryptoError(-40007, 'invalid PKCS#7 padding');
  for (let i = data.length - pad; i < data.length; i++) {
    if (data[i] !== pad) throw new WecomCryptoError(-40007, 'invalid PKCS#7 padding');
  }
  return data.subarray(0, data.length - pad);
}

export interface DecryptedMessage {
  message: string;
  receiveId: string;
  random: Buffer;
}

export function decryptMessage(encodingAesKey: string, encrypted: string, expectedReceiveId: string): DecryptedMessage {
  const key = decodeAesKey(encodingAesKey);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encrypted) || encrypted.length % 4 !== 0) {
    throw new WecomCryptoError(-40010, 'ciphertext is not base64');
  }
  const cipherText = Buffer.from(encrypted, 'base64');
  if (cipherText.length === 0 || cipherText.length % 16 !== 0)
    throw new WecomCryptoError(-40007, 'ciphertext length is not a multiple of 16');
  let padded: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    decipher.setAutoPadding(false);
    padded = Buffer.concat([decipher.update(cipherText), decipher.final()]);
  } catch {
    throw new WecomCryptoError(-40007, 'AES decryption failed');
  }
  const plain = pkcs7Unpad(padded);
  if (plain.length < 20) throw new WecomCryptoError(-40008, 'decrypted buffer too short');
  const msgLength = plain.readUInt32BE(16);
  if (msgLength > plain.length - 20) throw new WecomCryptoError(-40008, 'message length exceeds the buffer');
  const messageBytes = plain.subarray(20, 20 + msgLength);
  const receiveId = plain.subarray(20 + msgLength).toString('utf8');
  // An empty expected id checks nothing, as the official libraries do (`if (receiveId)`): the AI bot's
  // receive id is "" ("企业内部智能机器人场景中，ReceiveId为\"\""), and its key is per bot anyway.
  if (expectedReceiveId !== '' && receiveId !== expectedReceiveId)
    throw new WecomCryptoError(-40005, 'receive id does not match');
  let message: string;
  try {
    message = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(messageBytes);
  } catch {
    throw new WecomCryptoError(-40008, 'message is not valid UTF-8');
  }
  return { message, receiveId, random: plain.subarray(0, 16) };
}

export function encryptMessage(
  encodingAesKey: string,
  message: string,
  receiveId: string,
  random: Buffer = randomBytes(16),
): string {
  if (random.length !== 16) throw new WecomCryptoError(-40006, 'random prefix must be 16 bytes');
  const key = decodeAesKey(encodingAesKey);
  const messageBytes = Buffer.from(message, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(messageBytes.length, 0);
  const plain = pkcs7Pad(Buffer.concat([random, length, messageBytes, Buffer.from(receiveId, 'utf8')]));
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
}
