import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { notifications } from '../../../db/schema';
import { createNotificationOutbox } from '../../../server/notifications/outbox';
import type { NotificationEvent } from '../../../server/notifications/types';
import { testDb, uniq } from '../../support/db';
import { makeCitizen } from '../../support/factories';
import { applicationEvent, appointmentEvent, rowByKey, rowsByKey } from './helpers';

describe('notification outbox: enqueue', () => {
  const db = testDb().db;
  const outbox = createNotificationOutbox({ now: () => Date.UTC(2003, 0, 1) });

  it('writes one queued row; a second enqueue with the same dedupe key is a silent no-op', async () => {
    const c = await makeCitizen(db);
    const event = applicationEvent(c.id, { kind: 'application.approved' });
    await outbox.enqueue(db, event);
    await outbox.enqueue(db, { ...event, typeName: '另一个名字' } as NotificationEvent);
    const rows = await rowsByKey([event.dedupeKey]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'queued', citizenId: c.id, kind: 'application.approved', essential: true, attempts: 0 });
    expect(rows[0]!.payload).toMatchObject({ typeName: '驾驶证补领', applicationNo: event.kind.startsWith('application') ? `SQ${(event as { applicationId: number }).applicationId}` : '' });
    // The dedupe key, kind and recipient live in columns, not in the payload.
    expect(rows[0]!.payload).not.toHaveProperty('dedupeKey');
    expect(rows[0]!.payload).not.toHaveProperty('citizenId');
  });

  it('enqueueOn (a bare connection in the caller’s transaction) writes the same row as enqueue, dedupes, and rolls back', async () => {
    const c = await makeCitizen(db);
    const viaDrizzle = appointmentEvent(c.id);
    const viaConn = { ...appointmentEvent(c.id), dedupeKey: uniq('raw') };
    await outbox.enqueue(db, viaDrizzle);
    const conn = await db.$client.getConnection();
    try {
      await conn.beginTransaction();
      await outbox.enqueueOn(conn, viaConn);
      await outbox.enqueueOn(conn, viaConn); // duplicate: no-op
      await conn.commit();
      const lost = { ...appointmentEvent(c.id), dedupeKey: uniq('lost') };
      await conn.beginTransaction();
      await outbox.enqueueOn(conn, lost);
      await conn.rollback();
      expect(await rowsByKey([lost.dedupeKey])).toEqual([]);
    } finally {
      conn.release();
    }
    const [a] = await rowsByKey([viaDrizzle.dedupeKey]);
    const rows = await rowsByKey([viaConn.dedupeKey]);
    expect(rows).toHaveLength(1);
    const strip = (r: typeof a) => ({ ...r, id: 0, dedupeKey: '', payload: { ...r!.payload, appointmentId: 0 } });
    expect(strip(rows[0])).toEqual(strip(a));
  });

  it('concurrent enqueues of one key leave exactly one row', async () => {
    const c = await makeCitizen(db);
    const event = applicationEvent(c.id);
    await Promise.all(Array.from({ length: 8 }, () => outbox.enqueue(db, event)));
    expect(await rowsByKey([event.dedupeKey])).toHaveLength(1);
  });

  it('commits and rolls back with the caller’s transaction', async () => {
    const c = await makeCitizen(db);
    const kept = appointmentEvent(c.id);
    const lost = appointmentEvent(c.id);
    await db.transaction(async (tx) => outbox.enqueue(tx, kept));
    await expect(
      db.transaction(async (tx) => {
        await outbox.enqueue(tx, lost);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect((await rowsByKey([kept.dedupeKey])).map((r) => r.dedupeKey)).toEqual([kept.dedupeKey]);
    expect(await rowsByKey([lost.dedupeKey])).toHaveLength(0);
  });

  it('marks booked confirmations and reminders non-essential, cancellations and decisions essential; dates become ISO strings', async () => {
    const c = await makeCitizen(db);
    const booked = appointmentEvent(c.id, { kind: 'appointment.booked' });
    const reminder = appointmentEvent(c.id, { kind: 'appointment.reminder' });
    const cancelled = appointmentEvent(c.id, { kind: 'appointment.cancelled' });
    const needsInfo = applicationEvent(c.id, { kind: 'application.needs_info', reason: '请补充身份证照片' });
    for (const e of [booked, reminder, cancelled, needsInfo]) await outbox.enqueue(db, e);
    expect((await rowByKey(booked.dedupeKey)).essential).toBe(false);
    expect((await rowByKey(reminder.dedupeKey)).essential).toBe(false);
    expect((await rowByKey(cancelled.dedupeKey)).essential).toBe(true);
    expect((await rowByKey(needsInfo.dedupeKey)).essential).toBe(true);
    expect((await rowByKey(booked.dedupeKey)).payload.startsAt).toBe('2003-03-05T01:00:00.000Z');
  });

  it('a duplicate key does not hide other errors (a key longer than the column fails loudly)', async () => {
    const c = await makeCitizen(db);
    const key = `${uniq()}${'x'.repeat(300)}`;
    await expect(outbox.enqueue(db, applicationEvent(c.id, { dedupeKey: key }))).rejects.toThrow();
    expect(await db.select().from(notifications).where(eq(notifications.citizenId, c.id))).toHaveLength(0);
  });
});
