import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { appointments, notifications } from '../../../db/schema';
import { createReminderJob } from '../../../server/appointments/reminders';
import { createNotificationOutbox } from '../../../server/notifications/outbox';
import { testDb } from '../../support/db';
import { makeCitizen } from '../../support/factories';
import { at, makeOffice, makeService, makeSlot } from '../appointments/fixtures';

/** An appointment straight into the table, with the reminder due the day before at 09:00. */
async function booking(db: ReturnType<typeof testDb>['db'], startsAt: Date, status: 'booked' | 'cancelled' | 'rescheduled' = 'booked') {
  const c = await makeCitizen(db);
  const service = await makeService(db, { name: '驾驶证换证' });
  const office = await makeOffice(db);
  const slot = await makeSlot(db, { officeId: office.id, serviceId: service.id, startsAt });
  const day = new Date(startsAt.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
  const prev = new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  const [res] = await db.insert(appointments).values({
    citizenId: c.id,
    slotId: slot.id,
    officeId: office.id,
    serviceId: service.id,
    startsAt,
    endsAt: slot.endsAt,
    status,
    confirmationCode: Math.random().toString(36).slice(2, 10).toUpperCase().padEnd(8, '0'),
    createdAt: new Date(),
    updatedAt: new Date(),
    remindAt: at(prev, 9),
  });
  return { id: res.insertId, citizenId: c.id, office };
}

describe('day-before appointment reminders', () => {
  const db = testDb().db;
  // 2003: other files' appointments are never due on this clock.
  const tomorrow = at('2003-04-09', 10);

  it('queues one reminder per still-booked appointment starting the next Beijing day, once, even with several workers', async () => {
    const due = await booking(db, tomorrow);
    const cancelled = await booking(db, at('2003-04-09', 11), 'cancelled');
    const later = await booking(db, at('2003-04-12', 10));
    let now = at('2003-04-08', 8, 59).getTime();
    const outbox = createNotificationOutbox({ now: () => now });
    const job = createReminderJob({ db, now: () => now, outbox });
    expect(await job.run()).toBe(0); // before 09:00 the day before
    now = at('2003-04-08', 9, 5).getTime();
    const results = await Promise.all([job.run(), createReminderJob({ db, now: () => now, outbox }).run(), job.run()]);
    expect(results.reduce((a, b) => a + b, 0)).toBe(1);
    expect(await job.run()).toBe(0);
    const rows = await db.select().from(notifications).where(eq(notifications.kind, 'appointment.reminder'));
    const mine = rows.filter((r) => [due.citizenId, cancelled.citizenId, later.citizenId].includes(r.citizenId));
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ citizenId: due.citizenId, essential: false, dedupeKey: `appointment.reminder:${due.id}:${tomorrow.getTime()}` });
    expect(mine[0]!.payload).toMatchObject({ appointmentId: due.id, serviceName: '驾驶证换证', officeName: due.office.name, startsAt: tomorrow.toISOString() });
    const [a] = await db.select().from(appointments).where(eq(appointments.id, due.id));
    expect(a!.remindedAt).not.toBeNull();
  });

  it('a rescheduled appointment (reminded_at cleared, new start) is reminded again under a new key', async () => {
    const b = await booking(db, at('2003-05-07', 10));
    let now = at('2003-05-06', 9).getTime();
    const outbox = createNotificationOutbox({ now: () => now });
    const job = createReminderJob({ db, now: () => now, outbox });
    expect(await job.run()).toBe(1);
    const moved = at('2003-05-08', 14);
    await db.update(appointments).set({ startsAt: moved, endsAt: new Date(moved.getTime() + 1800_000), status: 'rescheduled', remindAt: at('2003-05-07', 9), remindedAt: null }).where(eq(appointments.id, b.id));
    now = at('2003-05-07', 9, 30).getTime();
    expect(await job.run()).toBe(1);
    const keys = (await db.select().from(notifications).where(eq(notifications.citizenId, b.citizenId))).map((r) => r.dedupeKey).sort();
    expect(keys).toEqual([`appointment.reminder:${b.id}:${at('2003-05-07', 10).getTime()}`, `appointment.reminder:${b.id}:${moved.getTime()}`].sort());
  });
});
