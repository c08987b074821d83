import { inArray } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { notifications } from '../../../db/schema';
import { testDb } from '../../support/db';
import { applicationEvent, followingCitizen, notifyServer, rowByKey, testWorker, type Server } from './helpers';

/** Receipts handed over together are applied in one batch (server/notifications/receipts.ts). */
describe('batched template receipts', () => {
  const db = testDb().db;
  let current: Server | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });

  it('one batch with receipts for sent rows, for rows not yet sent, repeats and an unknown msgid: each row ends as its receipt says', async () => {
    const { s } = await notifyServer();
    current = s;
    const { citizen } = await followingCitizen(s);
    const receipts = s.t.deps.notificationParts.receipts;
    const early = [applicationEvent(citizen.id), applicationEvent(citizen.id)];
    const later = [applicationEvent(citizen.id), applicationEvent(citizen.id), applicationEvent(citizen.id)];
    for (const e of [...early, ...later]) await s.t.deps.notifications.enqueue(db, e);

    // Sends answered here (no platform, so no real receipt races the ones handed over below).
    let next = 9_000_000_000_000_000_000n + BigInt(Math.floor(Math.random() * 1e12));
    const { worker } = testWorker(s, { send: async () => ({ msgid: String(next++) }) });
    expect(await worker.runOnce()).toBe(5);
    const byKey = async (key: string) => (await rowByKey(key)).msgid!;
    const msgids = await Promise.all([...early, ...later].map((e) => byKey(e.dedupeKey)));
    expect(new Set(msgids).size).toBe(5);

    // Rows 3–5 are `sent`; rows 1–2 are put back to `sending` without a msgid, as if the worker had
    // not written `sent` yet, so their receipts must park and be applied when it does.
    await db.update(notifications).set({ status: 'sending', msgid: null }).where(inArray(notifications.msgid, msgids.slice(0, 2)));

    const at = new Date();
    const all = [
      receipts.handle({ msgId: msgids[0]!, status: 'success', openid: 'x', at }),
      receipts.handle({ msgId: msgids[1]!, status: 'failed:user block', openid: 'x', at }),
      receipts.handle({ msgId: msgids[2]!, status: 'success', openid: 'x', at }),
      receipts.handle({ msgId: msgids[2]!, status: 'success', openid: 'x', at }), // a repeat in the same batch
      receipts.handle({ msgId: msgids[3]!, status: 'failed: system failed', openid: 'x', at }),
      receipts.handle({ msgId: msgids[4]!, status: 'success', openid: 'x', at }),
      receipts.handle({ msgId: '9223372036854775001', status: 'success', openid: 'x', at }), // never sent by us
    ];
    await Promise.all(all);
    expect((await rowByKey(later[0]!.dedupeKey)).status).toBe('delivered');
    expect(await rowByKey(later[1]!.dedupeKey)).toMatchObject({ status: 'temporary_failure', lastErrorCode: 'WECHAT_SYSTEM_FAILED' });
    expect((await rowByKey(later[2]!.dedupeKey)).status).toBe('delivered');
    expect((await rowByKey(early[0]!.dedupeKey)).status).toBe('sending');

    // The worker now writes `sent` for the early rows: the parked receipts are applied then.
    await db.update(notifications).set({ status: 'sent' }).where(inArray(notifications.dedupeKey, early.map((e) => e.dedupeKey)));
    for (const [i, e] of early.entries()) await db.update(notifications).set({ msgid: msgids[i]! }).where(inArray(notifications.dedupeKey, [e.dedupeKey]));
    await receipts.applyParkedAmong(msgids.slice(0, 2));
    expect((await rowByKey(early[0]!.dedupeKey)).status).toBe('delivered');
    expect(await rowByKey(early[1]!.dedupeKey)).toMatchObject({ status: 'permanent_failure', lastErrorCode: 'WECHAT_USER_BLOCK' });
  });
});
