import { createHmac } from 'node:crypto';

/**
 * The usage log identifies a citizen only by a keyed hash of their openid, so evaluators can
 * count unique and returning citizens without anyone being able to look a person up. Without
 * the secret the key cannot be reversed or recomputed from a known openid.
 */
export type Pseudonymiser = (openid: string) => string;

export function createPseudonymiser(secret: string): Pseudonymiser {
  return (openid) => createHmac('sha256', secret).update(openid, 'utf8').digest('base64url').slice(0, 22);
}
