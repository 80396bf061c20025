import { decrypt as oracleDecrypt, encrypt as oracleEncrypt, getSignature as oracleSignature } from '@wecom/crypto';
import fc from 'fast-check';
import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  WecomCryptoError,
  computeSignature,
  decryptMessage,
  encryptMessage,
  pkcs7Pad,
  pkcs7Unpad,
  verifySignature,
} from './wecom-crypto';

// Official vectors (docs/protocols/wecom.md §2, V1: sbzhu/weworkapi_python callback/Sample.py).
const token = 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo';
const aesKey = '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt';
const corpId = 'ww1436e0e65a779aee';

const v1a = {
  signature: '012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb',
  timestamp: '1476416373',
  nonce: '47744683',
  echostr: 'fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA==',
  message: '1288432023552776189',
  random: '8908d0ff052afda0',
};

const v1b = {
  signature: '0c3914025cb4b4d68103f6bfc8db550f79dcf48e',
  timestamp: '1476422779',
  nonce: '1597212914',
  encrypt:
    'Kl7kjoSf6DMD1zh7rtrHjFaDapSCkaOnwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3NyeTkAgGzBhzTtRLNshw2AEew+kkYcD+Fq72Kt00fT0WnN87hGrW8SqGc+NcT3mu87Ha3dz1pSDi6GaUA6A0sqfde0VJPQbZ9U+3JWcoD4Z5jaU0y9GSh010wsHF8KZD24YhmZH4ch4Ka7ilEbjbfvhKkNL65HHL0J6EYJIZUC2pFrdkJ7MhmEbU2qARR4iQHE7wy24qy0cRX3Mfp6iELcDNfSsPGjUQVDGxQDCWjayJOpcwocugux082f49HKYg84EpHSGXAyh+/oxwaWbvL6aSDPOYuPDGOCI8jmnKiypE+',
  message:
    '<xml><ToUserName>ww1436e0e65a779aee</ToUserName><FromUserName>ChenJiaShun</FromUserName><CreateTime>1476422779</CreateTime><MsgType>text</MsgType><Content>你好</Content><MsgId>1456453720</MsgId><AgentID>1000002</AgentID></xml>',
  random: '694ce5a83ae07fe3',
};

function encryptRaw(plain: Buffer): string {
  const key = Buffer.from(`${aesKey}=`, 'base64');
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(pkcs7Pad(plain)), cipher.final()]).toString('base64');
}

describe('WeCom crypto against the official vectors', () => {
  it('V1a URL verification: verifies, decrypts and re-encrypts byte for byte', () => {
    expect(computeSignature(token, v1a.timestamp, v1a.nonce, v1a.echostr)).toBe(v1a.signature);
    expect(verifySignature(v1a.signature, token, v1a.timestamp, v1a.nonce, v1a.echostr)).toBe(true);
    const out = decryptMessage(aesKey, v1a.echostr, corpId);
    expect(out.message).toBe(v1a.message);
    expect(out.receiveId).toBe(corpId);
    expect(out.random.toString('latin1')).toBe(v1a.random);
    expect(encryptMessage(aesKey, v1a.message, corpId, Buffer.from(v1a.random, 'latin1'))).toBe(v1a.echostr);
  });

  it('V1b message: verifies, decrypts (pad 22, proving 32-byte blocks) and re-encrypts byte for byte', () => {
    expect(verifySignature(v1b.signature, token, v1b.timestamp, v1b.nonce, v1b.encrypt)).toBe(true);
    const out = decryptMessage(aesKey, v1b.encrypt, corpId);
    expect(out.message).toBe(v1b.message);
    expect(Buffer.byteLength(out.message)).toBe(228);
    expect(out.random.toString('latin1')).toBe(v1b.random);
    expect(encryptMessage(aesKey, v1b.message, corpId, Buffer.from(v1b.random, 'latin1'))).toBe(v1b.encrypt);
  });

  it('rejects a signature differing in one character, and one of another length', () => {
    const wrong = `${v1b.signature.slice(0, -1)}f`;
    expect(verifySignature(wrong, token, v1b.timestamp, v1b.nonce, v1b.encrypt)).toBe(false);
    expect(verifySignature(v1b.signature.slice(0, 10), token, v1b.timestamp, v1b.nonce, v1b.encrypt)).toBe(false);
  });

  it('refuses a message for another receive id with -40005', () => {
    expect(() => decryptMessage(aesKey, v1b.encrypt, 'wwOtherCorp')).toThrow(
      expect.objectContaining({ wecomCode: -40005 }),
    );
  });

  it('refuses a message that is not UTF-8', () => {
    const bad = encryptMessage(aesKey, 'x', corpId).length; // sanity: encryption works
    expect(bad).toBeGreaterThan(0);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(2);
    // Build the plaintext by hand with invalid UTF-8 (0xC3 0x28) and encrypt it through the oracle-free path.
    const plain = Buffer.concat([Buffer.alloc(16, 1), length, Buffer.from([0xc3, 0x28]), Buffer.from(corpId)]);
    const encrypted = encryptRaw(plain);
    expect(() => decryptMessage(aesKey, encrypted, corpId)).toThrow(/UTF-8/);
  });

  it('refuses bad base64, bad block lengths and a bad AES key', () => {
    expect(() => decryptMessage(aesKey, 'not base64!!', corpId)).toThrow(WecomCryptoError);
    expect(() => decryptMessage(aesKey, Buffer.alloc(20).toString('base64'), corpId)).toThrow(/multiple of 16/);
    expect(() => decryptMessage('short', v1b.encrypt, corpId)).toThrow(expect.objectContaining({ wecomCode: -40004 }));
  });
});

describe('strict PKCS#7 with 32-byte blocks', () => {
  it('pads to a multiple of 32, a full block when already aligned', () => {
    expect(pkcs7Pad(Buffer.alloc(10)).length).toBe(32);
    expect(pkcs7Pad(Buffer.alloc(32)).length).toBe(64);
    expect(pkcs7Pad(Buffer.alloc(32)).at(-1)).toBe(32);
  });

  it('refuses pad bytes that are zero, above 32 or inconsistent', () => {
    const block = Buffer.alloc(32, 1);
    block[31] = 0;
    expect(() => pkcs7Unpad(block)).toThrow(/padding/);
    block[31] = 33;
    expect(() => pkcs7Unpad(block)).toThrow(/padding/);
    block.fill(4, 28);
    block[29] = 5;
    expect(() => pkcs7Unpad(block)).toThrow(/padding/);
  });

  it('round-trips any message and receive id, and agrees with @wecom/crypto as an independent oracle', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 300 }),
        fc.string({ maxLength: 40 }),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        (message, receiveId, random) => {
          const rnd = Buffer.from(random);
          const ours = encryptMessage(aesKey, message, receiveId, rnd);
          expect(oracleEncrypt(aesKey, message, receiveId, rnd)).toBe(ours);
          const back = decryptMessage(aesKey, ours, receiveId);
          expect(back.message).toBe(message);
          expect(oracleDecrypt(aesKey, ours).message).toBe(message);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('signs like @wecom/crypto for arbitrary inputs', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 0, max: 2 ** 31 }), fc.string(), fc.string(), (t, ts, n, e) => {
        expect(computeSignature(t, String(ts), n, e)).toBe(oracleSignature(t, ts, n, e));
      }),
      { numRuns: 300 },
    );
  });

  it('never throws anything but WecomCryptoError on random ciphertexts', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 200 }), (bytes) => {
        try {
          decryptMessage(aesKey, Buffer.from(bytes).toString('base64'), corpId);
        } catch (error) {
          expect(error).toBeInstanceOf(WecomCryptoError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
