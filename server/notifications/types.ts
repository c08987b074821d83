import type { PoolConnection } from 'mysql2/promise';
import type { Executor } from '../../db/schema';

/**
 * Events that notify a citizen by template message (issue 5 §3). Producers (applications,
 * appointments) call `outbox.enqueue(tx, …)` inside the transaction that made the change, so the
 * notification commits or rolls back with it. `dedupeKey` is unique per (event, recipient): a
 * second enqueue with the same key is a no-op, which is what "never sent twice" rests on.
 */
export type ApplicationNotice = {
  kind: 'application.accepted' | 'application.needs_info' | 'application.approved' | 'application.rejected' | 'application.completed';
  citizenId: number;
  applicationId: number;
  /** the citizen-visible reference number */
  applicationNo: string;
  typeName: string;
  /** reason the citizen reads (needs_info, rejected) */
  reason?: string;
};

export type AppointmentNotice = {
  kind: 'appointment.booked' | 'appointment.reminder' | 'appointment.cancelled';
  citizenId: number;
  appointmentId: number;
  serviceName: string;
  officeName: string;
  startsAt: Date;
  endsAt: Date;
  confirmationCode: string;
};

export type NotificationEvent = (ApplicationNotice | AppointmentNotice) & { dedupeKey: string };
export type NotificationKind = NotificationEvent['kind'];

export interface NotificationOutbox {
  enqueue(exec: Executor, event: NotificationEvent): Promise<void>;
  /** The same, on a bare pooled connection inside the caller's transaction (the booking hot path, decision 0015). */
  enqueueOn(conn: PoolConnection, event: NotificationEvent): Promise<void>;
}
