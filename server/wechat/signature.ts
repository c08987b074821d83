import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * WeChat's signature scheme (PROTOCOL §1.4): sort the strings lexicographically, concatenate
 * without separator, SHA-1, lowercase hex. Used for `signature` (token, timestamp, nonce) and
 * `msg_signature` / `MsgSignature` (the same plus the Base64 Encrypt value).
 */
export function sha1Sorted(parts: readonly string[]): string {
  return createHash('sha1').update([...parts].sort().join(''), 'utf8').digest('hex');
}

/** Equality that does not leak, through timing, how much of a secret-derived value matched. */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  // timingSafeEqual throws on unequal lengths; a length mismatch is simply "not equal".
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Does `given` equal the signature over `expectedParts`? Missing or empty is false. */
export function signatureOk(expectedParts: readonly string[], given: string | undefined): boolean {
  if (!given) return false;
  return constantTimeEqual(sha1Sorted(expectedParts), given);
}
