import type { NotificationKind } from './types';

/** Every kind the outbox knows, in the order the admin filter lists them. */
export const NOTIFICATION_KINDS = [
  'application.accepted',
  'application.needs_info',
  'application.approved',
  'application.rejected',
  'application.completed',
  'appointment.booked',
  'appointment.reminder',
  'appointment.cancelled',
] as const satisfies readonly NotificationKind[];

/**
 * Kinds that go even when the citizen turned optional notifications off: decisions about their
 * application, and a cancellation (they must not travel to an appointment that no longer exists).
 */
const ESSENTIAL: ReadonlySet<NotificationKind> = new Set<NotificationKind>([
  'application.accepted',
  'application.needs_info',
  'application.approved',
  'application.rejected',
  'application.completed',
  'appointment.cancelled',
]);

export const isEssential = (kind: NotificationKind): boolean => ESSENTIAL.has(kind);
