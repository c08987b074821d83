import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AppError } from '../http/errors';

/**
 * The message encryption shared by WeChat's compatible and safe modes (PROTOCOL §1.5):
 * AES-256-CBC, key = Base64(EncodingAESKey + '='), IV = key[0..16), PKCS#7 padding to
 * 32-byte blocks, plaintext = random(16) ‖ uint32be(byte length of msg) ‖ msg ‖ appId.
 */
export interface AesCipher {
  /** Base64 ciphertext of `msg` for `appId`; `random16` only to reproduce fixed vectors. */
  encrypt(msg: string, appId: string, random16?: Buffer): string;
  /** Throws AppError('WECHAT_DECRYPT_FAILED') on anything malformed. */
  decrypt(b64: string): { message: string; appId: string };
}

/** WeChat pads to 32 bytes, not to the AES block size, so pad values run 1..32. */
const PAD_BLOCK = 32;
const RANDOM_LEN = 16;
const HEADER_LEN = RANDOM_LEN + 4;
const ENCODING_AES_KEY = /^[A-Za-z0-9]{43}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
// fatal: a wrong key or tampered bytes must fail, not turn into U+FFFD; ignoreBOM: keep bytes as sent.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export const isEncodingAesKey = (key: string): boolean => ENCODING_AES_KEY.test(key);

export function createAesCipher(encodingAesKey: string): AesCipher {
  // A bad key is a configuration error, not a client error: plain Error.
  if (!isEncodingAesKey(encodingAesKey)) throw new Error('EncodingAESKey must be exactly 43 letters or digits');
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  if (key.length !== 32) throw new Error('EncodingAESKey does not decode to 32 bytes');
  const iv = key.subarray(0, 16);

  return {
    encrypt(msg, appId, random16 = randomBytes(RANDOM_LEN)) {
      if (random16.length !== RANDOM_LEN) throw new Error('random16 must be 16 bytes');
      const body = Buffer.from(msg, 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32BE(body.length);
      const plain = Buffer.concat([random16, length, body, Buffer.from(appId, 'utf8')]);
      const pad = PAD_BLOCK - (plain.length % PAD_BLOCK);
      const cipher = createCipheriv('aes-256-cbc', key, iv).setAutoPadding(false);
      return Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]).toString('base64');
    },

    decrypt(b64) {
      const fail = () => new AppError('WECHAT_DECRYPT_FAILED');
      // Node's base64 decoder skips invalid characters silently; insist on canonical Base64.
      if (!BASE64.test(b64)) throw fail();
      const data = Buffer.from(b64, 'base64');
      if (data.length === 0 || data.length % 16 !== 0) throw fail();
      let plain: Buffer;
      try {
        const decipher = createDecipheriv('aes-256-cbc', key, iv).setAutoPadding(false);
        plain = Buffer.concat([decipher.update(data), decipher.final()]);
      } catch {
        throw fail();
      }
      const pad = plain[plain.length - 1] ?? 0;
      if (pad < 1 || pad > PAD_BLOCK || pad > plain.length) throw fail();
      for (let i = plain.length - pad; i < plain.length; i++) if (plain[i] !== pad) throw fail();
      const unpadded = plain.subarray(0, plain.length - pad);
      if (unpadded.length < HEADER_LEN) throw fail();
      const msgLen = unpadded.readUInt32BE(RANDOM_LEN);
      if (msgLen > unpadded.length - HEADER_LEN) throw fail();
      try {
        return {
          message: utf8.decode(unpadded.subarray(HEADER_LEN, HEADER_LEN + msgLen)),
          appId: utf8.decode(unpadded.subarray(HEADER_LEN + msgLen)),
        };
      } catch {
        throw fail();
      }
    },
  };
}
