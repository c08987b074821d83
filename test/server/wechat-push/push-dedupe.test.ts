import { afterAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '../../../db/connect';
import { createPushDedupe, DEDUPE_TTL_MS } from '../../../server/wechat/push-dedupe';
import { testDb, uniq, workerDatabaseUrl } from '../../support/db';

// A second pool stands for a second instance of the portal.
const other = connectDatabase(workerDatabaseUrl(), 5);
afterAll(() => other.close());

describe('push dedupe (claims shared by all instances)', () => {
  it('many concurrent claims of one key across two instances: exactly one wins', async () => {
    const a = createPushDedupe({ db: testDb().db });
    const b = createPushDedupe({ db: other.db });
    const key = uniq('msg:');
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).claim('retry', key)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('distinct keys claimed at once are all won, and batched with the claims of other pushes', async () => {
    const d = createPushDedupe({ db: testDb().db });
    const keys = Array.from({ length: 120 }, () => uniq('k'));
    const results = await Promise.all(keys.map((k) => d.claimAll([{ purpose: 'replay', key: k }, { purpose: 'retry', key: `${k}-r` }])));
    expect(results.every(([x, y]) => x && y)).toBe(true);
    // the same keys again: all seen
    const again = await Promise.all(keys.map((k) => d.claim('replay', k)));
    expect(again.some(Boolean)).toBe(false);
  });

  it('the same key twice in one batch (a replay racing its original) is won once', async () => {
    const d = createPushDedupe({ db: testDb().db });
    const key = uniq('dup');
    const [first, second] = await Promise.all([d.claim('replay', key), d.claim('replay', key)]);
    expect([first, second].sort()).toEqual([false, true]);
  });

  it('a purpose is part of the key: a replay key and a retry key never collide', async () => {
    const d = createPushDedupe({ db: testDb().db });
    const key = uniq('same');
    expect(await d.claimAll([{ purpose: 'replay', key }, { purpose: 'retry', key }])).toEqual([true, true]);
  });

  it('an expired key can be claimed again, by one instance only; sweep removes expired keys', async () => {
    let t = Date.now();
    const a = createPushDedupe({ db: testDb().db, now: () => t });
    const b = createPushDedupe({ db: other.db, now: () => t });
    const key = uniq('old');
    expect(await a.claim('retry', key)).toBe(true);
    expect(await b.claim('retry', key)).toBe(false);
    t += DEDUPE_TTL_MS + 1;
    const results = await Promise.all([a.claim('retry', key), b.claim('retry', key), a.claim('retry', key)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    t += DEDUPE_TTL_MS + 1;
    expect(await a.sweep()).toBeGreaterThan(0);
  });
});
