import { createCipheriv, createDecipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../server/http/errors';
import { createAesCipher, isEncodingAesKey } from '../../../server/wechat/aes';
import { V1, V3, V9 } from './vectors';

const key = Buffer.from(V1.derived.aesKeyHex, 'hex');
const iv = Buffer.from(V1.derived.ivHex, 'hex');

/** Independent reference: raw AES-256-CBC without padding, for inspecting and forging plaintexts. */
const rawDecrypt = (b64: string) => {
  const d = createDecipheriv('aes-256-cbc', key, iv).setAutoPadding(false);
  return Buffer.concat([d.update(Buffer.from(b64, 'base64')), d.final()]);
};
const rawEncrypt = (plain: Buffer) => {
  const c = createCipheriv('aes-256-cbc', key, iv).setAutoPadding(false);
  return Buffer.concat([c.update(plain), c.final()]).toString('base64');
};
/** random ‖ length ‖ msg ‖ appId ‖ caller-chosen tail (the padding under test) */
const forge = (msg: Buffer, appId: string, tail: Buffer, declaredLength = msg.length) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(declaredLength);
  return rawEncrypt(Buffer.concat([Buffer.alloc(16, 0x61), len, msg, Buffer.from(appId), tail]));
};

const decryptFailed = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('WECHAT_DECRYPT_FAILED');
    return;
  }
  throw new Error('expected WECHAT_DECRYPT_FAILED');
};

describe('AES scheme: published vectors', () => {
  const v1 = createAesCipher(V1.encodingAesKey);
  const random = Buffer.from(V1.randomStr);

  it('V1 key and IV are derived as DERIVED says (independent decrypt of the sample output)', () => {
    expect(Buffer.from(`${V1.encodingAesKey}=`, 'base64').toString('hex')).toBe(V1.derived.aesKeyHex);
    const plain = rawDecrypt(V1.afterAesEncrypt);
    expect(plain.subarray(0, 16).toString()).toBe(V1.randomStr);
    expect(plain.readUInt32BE(16)).toBe(Buffer.byteLength(V1.replyMsg));
  });

  it('V1 case 1: Chinese text encrypts to afterAesEncrypt (length counts bytes)', () => {
    expect(v1.encrypt(V1.replyMsg, V1.appId, random)).toBe(V1.afterAesEncrypt);
    expect(v1.decrypt(V1.afterAesEncrypt)).toEqual({ message: V1.replyMsg, appId: V1.appId });
  });

  it('V1 case 2: reply XML encrypts to afterAesEncrypt2', () => {
    expect(v1.encrypt(V1.replyMsg2, V1.appId, random)).toBe(V1.afterAesEncrypt2);
    expect(v1.decrypt(V1.afterAesEncrypt2)).toEqual({ message: V1.replyMsg2, appId: V1.appId });
  });

  it('V3 decrypts to the DERIVED plaintext, newlines kept, with the DERIVED random and length', () => {
    const out = createAesCipher(V3.encodingAesKey).decrypt(V3.encrypt);
    expect(out).toEqual({ message: V3.derived.plaintext, appId: V3.derived.appId });
    expect(Buffer.byteLength(out.message)).toBe(V3.derived.msgLen);
    const plain = rawDecrypt(V3.encrypt);
    expect(plain.subarray(0, 16).toString()).toBe(V3.derived.random);
    expect(plain.readUInt32BE(16)).toBe(V3.derived.msgLen);
  });

  it('V9 echostr decrypts to the DERIVED value with the corp id', () => {
    const c = createAesCipher(V9.encodingAesKey);
    expect(c.decrypt(V9.checkSignature.echoStr)).toEqual({ message: V9.checkSignature.derivedEcho, appId: V9.corpId });
  });

  it('V9 encrypt_message with the patched random gives the published Encrypt', () => {
    const c = createAesCipher(V9.encodingAesKey);
    const e = V9.encryptMessage;
    expect(c.encrypt(e.reply, V9.corpId, Buffer.from(e.random))).toBe(e.encrypt);
  });

  it('V9 decrypt_message gives the DERIVED plaintext', () => {
    const c = createAesCipher(V9.encodingAesKey);
    expect(c.decrypt(V9.decryptMessage.encrypt)).toEqual({ message: V9.decryptMessage.derivedPlaintext, appId: V9.corpId });
  });
});

describe('AES scheme: padding to 32-byte blocks', () => {
  const c = createAesCipher(V1.encodingAesKey);

  it('pads a full extra block of 32 when the plaintext is already aligned', () => {
    // 16 random + 4 length + 26 message + 18 appId = 64 bytes: aligned, so pad = 32
    const msg = 'x'.repeat(26);
    const b64 = c.encrypt(msg, V1.appId);
    const plain = rawDecrypt(b64);
    expect(plain.length).toBe(96);
    expect([...plain.subarray(64)]).toEqual(Array(32).fill(32));
    expect(c.decrypt(b64)).toEqual({ message: msg, appId: V1.appId });
  });

  it('round-trips every pad value 1..32', () => {
    const pads = new Set<number>();
    for (let n = 0; n < 40; n++) {
      const msg = '中'.repeat(n % 3) + 'a'.repeat(n);
      const b64 = c.encrypt(msg, V1.appId);
      const plain = rawDecrypt(b64);
      expect(plain.length % 32).toBe(0);
      pads.add(plain[plain.length - 1] ?? 0);
      expect(c.decrypt(b64)).toEqual({ message: msg, appId: V1.appId });
    }
    expect(pads.size).toBe(32);
  });

  it('random prefix differs between calls unless given', () => {
    expect(c.encrypt('same', V1.appId)).not.toBe(c.encrypt('same', V1.appId));
  });

  it('rejects pad values outside 1..32 and inconsistent pad bytes', () => {
    const msg = Buffer.from('hello');
    // 16+4+5+18 = 43 → 21 bytes of padding would be valid
    decryptFailed(() => c.decrypt(forge(msg, V1.appId, Buffer.concat([Buffer.alloc(20, 21), Buffer.from([0])]))));
    decryptFailed(() => c.decrypt(forge(msg, V1.appId, Buffer.concat([Buffer.alloc(20, 21), Buffer.from([33])]))));
    decryptFailed(() => c.decrypt(forge(msg, V1.appId, Buffer.concat([Buffer.alloc(20, 7), Buffer.from([21])]))));
    expect(c.decrypt(forge(msg, V1.appId, Buffer.alloc(21, 21)))).toEqual({ message: 'hello', appId: V1.appId });
  });

  it('rejects a length field pointing past the end, and a too-short plaintext', () => {
    const msg = Buffer.from('hello');
    decryptFailed(() => c.decrypt(forge(msg, V1.appId, Buffer.alloc(21, 21), 5 + 18 + 1)));
    decryptFailed(() => c.decrypt(forge(msg, V1.appId, Buffer.alloc(21, 21), 0xffffffff)));
    // a message running exactly to the end leaves an empty trailing id, which is structurally fine
    expect(c.decrypt(forge(msg, V1.appId, Buffer.alloc(21, 21), 5 + 18))).toEqual({ message: `hello${V1.appId}`, appId: '' });
    decryptFailed(() => c.decrypt(rawEncrypt(Buffer.concat([Buffer.alloc(16, 1), Buffer.alloc(16, 16)]))));
  });

  it('rejects bytes that are not UTF-8', () => {
    decryptFailed(() => c.decrypt(forge(Buffer.from([0xff, 0xfe, 0x41]), V1.appId, Buffer.alloc(23, 23))));
  });
});

describe('AES scheme: malformed input', () => {
  const c = createAesCipher(V1.encodingAesKey);

  it('rejects bad Base64, wrong lengths and tampered ciphertext', () => {
    decryptFailed(() => c.decrypt(''));
    decryptFailed(() => c.decrypt('not base64!'));
    decryptFailed(() => c.decrypt(`${V1.afterAesEncrypt.slice(0, 10)} ${V1.afterAesEncrypt.slice(10)}`));
    decryptFailed(() => c.decrypt(V1.afterAesEncrypt.replace(/==$/, ''))); // unpadded Base64
    decryptFailed(() => c.decrypt(Buffer.alloc(24).toString('base64'))); // not a multiple of 16
    decryptFailed(() => c.decrypt(Buffer.from(V1.afterAesEncrypt, 'base64').subarray(0, 48).toString('base64')));
    const tampered = Buffer.from(V1.afterAesEncrypt, 'base64');
    tampered.writeUInt8((tampered.at(-1) ?? 0) ^ 0x01, tampered.length - 1);
    decryptFailed(() => c.decrypt(tampered.toString('base64')));
  });

  it('a different key does not decrypt', () => {
    decryptFailed(() => createAesCipher(V9.encodingAesKey).decrypt(V1.afterAesEncrypt2));
  });

  it('validates the EncodingAESKey', () => {
    expect(isEncodingAesKey(V1.encodingAesKey)).toBe(true);
    for (const bad of [V1.encodingAesKey.slice(1), `${V1.encodingAesKey}A`, `${V1.encodingAesKey.slice(1)}+`, '']) {
      expect(isEncodingAesKey(bad)).toBe(false);
      expect(() => createAesCipher(bad)).toThrow(/43/);
    }
  });

  it('refuses a random prefix that is not 16 bytes', () => {
    expect(() => c.encrypt('x', V1.appId, Buffer.alloc(15))).toThrow(/16 bytes/);
  });
});
