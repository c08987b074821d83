import { and, gte, lt, ne, sql } from 'drizzle-orm';
import { appointments, type Database } from '../../db/schema';
import { addDays, shanghaiStartOfDay, type CivilDate } from '../calendar/civil-date';

/**
 * Appointments (not cancelled) starting on one Shanghai day, across all offices: the admin
 * dashboard's "today's appointments". Kept apart from service.ts so the booking rules stay as they are.
 */
export async function countAppointmentsOn(db: Database, day: CivilDate): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`COUNT(*)`.mapWith(Number) })
    .from(appointments)
    .where(and(gte(appointments.startsAt, shanghaiStartOfDay(day)), lt(appointments.startsAt, shanghaiStartOfDay(addDays(day, 1))), ne(appointments.status, 'cancelled')));
  return row?.n ?? 0;
}
