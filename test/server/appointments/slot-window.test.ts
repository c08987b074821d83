import { and, eq, max } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appointmentSlots } from '../../../db/schema';
import { addDays, toShanghaiDate } from '../../../server/calendar/civil-date';
import { startSlotWindow } from '../../../server/appointments/slot-window';
import { createTestApp, type TestApp } from '../../support/app';
import { testDb } from '../../support/db';
import { makeOffice, makeService, makeWeekdayHours } from './fixtures';

/** Tuesday 2026-09-15 08:00 Asia/Shanghai. */
const clock = { t: Date.parse('2026-09-15T00:00:00Z') };
let t: TestApp;
beforeAll(() => {
  t = createTestApp({ now: () => clock.t });
});
afterAll(() => t.close());
const db = () => testDb().db;

async function lastSlotDay(officeId: number, serviceId: number) {
  const [row] = await db()
    .select({ last: max(appointmentSlots.day) })
    .from(appointmentSlots)
    .where(and(eq(appointmentSlots.officeId, officeId), eq(appointmentSlots.serviceId, serviceId)));
  return row?.last ?? null;
}

describe('the slot window job', () => {
  it('fills the booking window without anyone asking, and extends it as days pass', async () => {
    const service = await makeService(db());
    const office = await makeOffice(db());
    await makeWeekdayHours(db(), office.id, service.id, { weekdays: [0, 1, 2, 3, 4, 5, 6] });
    expect(await lastSlotDay(office.id, service.id)).toBeNull();

    const job = startSlotWindow({ appointments: t.deps.appointments, logger: t.deps.logger, inFlight: t.deps.inFlight, intervalMs: 3_600_000 });
    try {
      // the run at start and this one overlap harmlessly: generation is idempotent
      await job.runOnce();
      const maxDays = t.deps.config.appointments.maxDaysAhead;
      const today = toShanghaiDate(clock.t);
      expect(await lastSlotDay(office.id, service.id)).toBe(addDays(today, maxDays));

      clock.t += 3 * 86_400_000; // three days later the window reaches three days further
      const added = await job.runOnce();
      expect(added).toBeGreaterThan(0);
      expect(await lastSlotDay(office.id, service.id)).toBe(addDays(today, maxDays + 3));
      expect(await job.runOnce()).toBe(0); // idempotent
    } finally {
      job.stop();
    }
  });
});
