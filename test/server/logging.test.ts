import { describe, expect, it } from 'vitest';
import { captureLogger } from '../support/app';
import { testDb } from '../support/db';
import { fakeOpenid, makeCitizen } from '../support/factories';

describe('logging', () => {
  it('redacts openids, tokens and secrets wherever they appear in a line', () => {
    const { logger, lines } = captureLogger();
    const openid = fakeOpenid();
    logger.info({ openid, citizen: { openid, token: 'T0KEN-abc' }, access_token: 'AT-xyz', wechat: { appSecret: 'S3CRET' } }, 'event');
    const out = lines.join('');
    for (const secret of [openid, 'T0KEN-abc', 'AT-xyz', 'S3CRET']) expect(out).not.toContain(secret);
    expect(out).toContain('[redacted]');
  });

  it('a database error is logged with its code but without SQL or the values it quoted', async () => {
    const db = testDb().db;
    const c = await makeCitizen(db);
    const { logger, lines } = captureLogger();
    const err = await makeCitizen(db, { openid: c.openid }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    logger.error({ err }, 'failed');
    const out = lines.join('');
    expect(out).not.toContain(c.openid);
    expect(out).not.toMatch(/insert into/i);
    expect(JSON.parse(lines[0]!).err.code).toBe('ER_DUP_ENTRY');
  });
});
