import { eq } from 'drizzle-orm';
import { appointments, appointmentServices, appointmentSlots, officeHours, offices, type Database } from '../../../db/schema';
import { shanghaiStartOfDay, toShanghaiDate } from '../../../server/calendar/civil-date';
import { uniq } from '../../support/db';

export async function makeService(db: Database, overrides: Partial<typeof appointmentServices.$inferInsert> = {}) {
  // A name of its own: seeded services (驾驶证换证 …) share the worker's database with browser tests
  // that pick them by name.
  const row = { code: uniq('svc'), name: `测试业务${uniq('')}`, durationMinutes: 20, materials: ['居民身份证', '原驾驶证'], ...overrides };
  const [res] = await db.insert(appointmentServices).values(row);
  return { id: res.insertId, ...row };
}

export async function makeOffice(db: Database, overrides: Partial<typeof offices.$inferInsert> = {}) {
  const row = { name: `车管所${uniq('')}`, address: '示范市福田区北环大道 7001 号', phone: '0755-12345670', counters: 4, ...overrides };
  const [res] = await db.insert(offices).values(row);
  return { id: res.insertId, ...row };
}

/** Monday–Friday 09:00–11:00 in 30-minute slots unless told otherwise. */
export async function makeWeekdayHours(db: Database, officeId: number, serviceId: number, opts: { weekdays?: number[]; capacity?: number } = {}) {
  await db.insert(officeHours).values(
    (opts.weekdays ?? [1, 2, 3, 4, 5]).map((weekday) => ({ officeId, serviceId, weekday, openMinute: 9 * 60, closeMinute: 11 * 60, slotMinutes: 30, capacity: opts.capacity ?? 2 })),
  );
}

/** A slot starting at an instant (its day is the Shanghai date). */
export async function makeSlot(db: Database, input: { officeId: number; serviceId: number; startsAt: Date; minutes?: number; capacity?: number; booked?: number }) {
  const row = {
    officeId: input.officeId,
    serviceId: input.serviceId,
    day: toShanghaiDate(input.startsAt),
    startsAt: input.startsAt,
    endsAt: new Date(input.startsAt.getTime() + (input.minutes ?? 30) * 60_000),
    capacity: input.capacity ?? 2,
    booked: input.booked ?? 0,
  };
  const [res] = await db.insert(appointmentSlots).values(row);
  return { id: res.insertId, ...row };
}

/** 2026-10-09 09:30 Shanghai style: a Shanghai civil date plus minutes after midnight. */
export const at = (date: string, hh: number, mm = 0) => new Date(shanghaiStartOfDay(date).getTime() + (hh * 60 + mm) * 60_000);

export async function slotRow(db: Database, id: number) {
  return (await db.select().from(appointmentSlots).where(eq(appointmentSlots.id, id)))[0]!;
}

export async function appointmentRow(db: Database, id: number) {
  return (await db.select().from(appointments).where(eq(appointments.id, id)))[0]!;
}
