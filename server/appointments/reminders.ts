import { and, asc, eq, gt, inArray, isNull, lt, lte } from 'drizzle-orm';
import { ACTIVE_APPOINTMENT_STATUSES, appointments, appointmentServices, offices, type Database } from '../../db/schema';
import { addDays, shanghaiStartOfDay, toShanghaiDate } from '../calendar/civil-date';
import type { NotificationOutbox } from '../notifications/types';

export interface ReminderJob {
  /** Queues the day-before reminders that are due now; returns how many were queued. */
  run(): Promise<number>;
}

/**
 * Day-before reminders. An appointment's `remind_at` (set when booked or moved: the day before
 * at APPOINTMENT_REMIND_HOUR, Beijing time) says when; this job, run by the notification worker,
 * takes the due ones that start on the next Beijing day (or later today, if the worker was down
 * at reminder time) and are still booked. Marking `reminded_at` and enqueueing happen in one
 * transaction, and the mark is conditional, so several workers never queue one reminder twice;
 * the dedupe key includes the start time, so a rescheduled appointment is reminded again.
 */
export function createReminderJob(deps: { db: Database; now: () => number; outbox: NotificationOutbox; batchSize?: number }): ReminderJob {
  const { db } = deps;
  const batch = deps.batchSize ?? 200;
  return {
    async run() {
      const now = new Date(deps.now());
      // Appointments starting before the end of tomorrow (Beijing): never remind a week ahead.
      const horizon = shanghaiStartOfDay(addDays(toShanghaiDate(now), 2));
      const due = await db
        .select({
          id: appointments.id,
          citizenId: appointments.citizenId,
          startsAt: appointments.startsAt,
          endsAt: appointments.endsAt,
          confirmationCode: appointments.confirmationCode,
          serviceName: appointmentServices.name,
          officeName: offices.name,
        })
        .from(appointments)
        .innerJoin(appointmentServices, eq(appointmentServices.id, appointments.serviceId))
        .innerJoin(offices, eq(offices.id, appointments.officeId))
        .where(
          and(
            lte(appointments.remindAt, now),
            isNull(appointments.remindedAt),
            inArray(appointments.status, [...ACTIVE_APPOINTMENT_STATUSES]),
            gt(appointments.startsAt, now),
            lt(appointments.startsAt, horizon),
          ),
        )
        .orderBy(asc(appointments.remindAt))
        .limit(batch);
      let queued = 0;
      for (const a of due) {
        const done = await db.transaction(async (tx) => {
          const [res] = await tx
            .update(appointments)
            .set({ remindedAt: now })
            .where(and(eq(appointments.id, a.id), isNull(appointments.remindedAt), inArray(appointments.status, [...ACTIVE_APPOINTMENT_STATUSES]), eq(appointments.startsAt, a.startsAt)));
          if (res.affectedRows === 0) return false; // another worker took it, or it changed meanwhile
          await deps.outbox.enqueue(tx, {
            kind: 'appointment.reminder',
            dedupeKey: `appointment.reminder:${a.id}:${a.startsAt.getTime()}`,
            citizenId: a.citizenId,
            appointmentId: a.id,
            serviceName: a.serviceName,
            officeName: a.officeName,
            startsAt: a.startsAt,
            endsAt: a.endsAt,
            confirmationCode: a.confirmationCode,
          });
          return true;
        });
        if (done) queued++;
      }
      return queued;
    },
  };
}
