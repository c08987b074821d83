import { randomBytes } from 'node:crypto';

/** Random identifiers shaped like WeChat's: callers only ever compare them, never parse them. */

export const randomText = (bytes: number): string => randomBytes(bytes).toString('base64url');

/** 28 characters like a real openid; the `oSbx` prefix marks it as sandbox-only. */
export const newOpenid = (): string => `oSbx${randomText(18)}`;

/** access tokens are ~136+ characters with a numeric prefix; clients must reserve 512. */
export const newAccessToken = (seq: number): string => `${seq % 1000}_${randomText(102)}`;
export const ACCESS_TOKEN_SHAPE = /^\d{1,3}_[A-Za-z0-9_-]{100,}$/;

/** OAuth codes are 32 characters and single-use. */
export const newOAuthCode = (): string => randomText(24);

export const newTicket = (): string => randomText(64);

/** A 64-bit id above Number.MAX_SAFE_INTEGER, as WeChat's MsgId/msgid are (PROTOCOL §1.8): keep it a string. */
export function newMsgId(): string {
  const low = random64() & ((1n << 62n) - 1n);
  return ((1n << 62n) | low).toString();
}

/** Random bytes drawn in blocks: one per template send made a crypto call per message. */
let pool = Buffer.alloc(0);
let poolAt = 0;
function random64(): bigint {
  if (poolAt + 8 > pool.length) {
    pool = randomBytes(4096);
    poolAt = 0;
  }
  const v = pool.readBigUInt64BE(poolAt);
  poolAt += 8;
  return v;
}

/** The `rid` WeChat appends to error messages, for support tickets. */
export const newRid = (nowMs: number): string =>
  `${Math.floor(nowMs / 1000).toString(16)}-${randomBytes(4).toString('hex')}-${randomBytes(4).toString('hex')}`;
