import * as crypto from 'node:crypto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { constantTimeEqual, sha1Sorted, signatureOk } from '../../../server/wechat/signature';
import { V1, V10, V3, V6, V9 } from './vectors';

// Wrap timingSafeEqual so the tests can see that comparisons go through it.
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  return { ...real, timingSafeEqual: vi.fn(real.timingSafeEqual) };
});
const timingSafeEqual = vi.mocked(crypto.timingSafeEqual);

describe('sha1Sorted (published vectors)', () => {
  it('V6 URL verification example', () => {
    expect(sha1Sorted([V6.token, V6.timestamp, V6.nonce])).toBe(V6.signature);
  });

  it('V1 signature and both msg_signatures (DERIVED)', () => {
    expect(sha1Sorted([V1.token, V1.timestamp, V1.nonce])).toBe(V1.derived.signature);
    expect(sha1Sorted([V1.token, V1.timestamp, V1.nonce, V1.afterAesEncrypt])).toBe(V1.derived.msgSignature1);
    expect(sha1Sorted([V1.token, V1.timestamp, V1.nonce, V1.afterAesEncrypt2])).toBe(V1.derived.msgSignature2);
  });

  it('V3 msg_sign over the Encrypt value only', () => {
    expect(sha1Sorted([V3.token, V3.timestamp, V3.nonce, V3.encrypt])).toBe(V3.msgSign);
  });

  it('V9 echostr signature, reply MsgSignature and push msg_signature', () => {
    const c = V9.checkSignature;
    expect(sha1Sorted([V9.token, c.timestamp, c.nonce, c.echoStr])).toBe(c.signature);
    const e = V9.encryptMessage;
    expect(sha1Sorted([V9.token, e.timestamp, e.nonce, e.encrypt])).toBe(e.msgSignature);
    const d = V9.decryptMessage;
    expect(sha1Sorted([V9.token, d.timestamp, d.nonce, d.encrypt])).toBe(d.msgSignature);
  });

  it('V10 getSignature', () => {
    expect(sha1Sorted([V10.token, 'timestamp', 'nonce', 'encrypt'])).toBe(V10.signature);
  });

  it('does not depend on input order and does not reorder the caller’s array', () => {
    const parts = [V6.nonce, V6.token, V6.timestamp];
    expect(sha1Sorted(parts)).toBe(V6.signature);
    expect(parts).toEqual([V6.nonce, V6.token, V6.timestamp]);
  });
});

describe('signatureOk', () => {
  const parts = [V6.token, V6.timestamp, V6.nonce];
  beforeEach(() => {
    timingSafeEqual.mockClear();
  });

  it('accepts the right signature through a constant-time compare', () => {
    expect(signatureOk(parts, V6.signature)).toBe(true);
    expect(timingSafeEqual).toHaveBeenCalledTimes(1);
  });

  it('rejects a wrong signature of the same length, still in constant time', () => {
    const wrong = `${V6.signature.slice(0, -1)}0`;
    expect(signatureOk(parts, wrong)).toBe(false);
    expect(timingSafeEqual).toHaveBeenCalledTimes(1);
  });

  it('treats a length mismatch as false without throwing', () => {
    for (const given of [V6.signature.slice(0, -1), `${V6.signature}0`, `${V6.signature}${V6.signature}`]) {
      expect(signatureOk(parts, given)).toBe(false);
    }
    expect(timingSafeEqual).not.toHaveBeenCalled();
  });

  it('rejects missing, empty and upper-case signatures', () => {
    expect(signatureOk(parts, undefined)).toBe(false);
    expect(signatureOk(parts, '')).toBe(false);
    expect(signatureOk(parts, V6.signature.toUpperCase())).toBe(false);
  });

  it('compares multi-byte strings by bytes', () => {
    expect(constantTimeEqual('é', 'e\u0301')).toBe(false);
    expect(constantTimeEqual('中文', '中文')).toBe(true);
    expect(constantTimeEqual('ab', 'a')).toBe(false);
  });
});
