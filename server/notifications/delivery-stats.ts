import { and, count, gte, lt, sql } from 'drizzle-orm';
import { notifications, type Database, type NotificationStatus } from '../../db/schema';

/**
 * Read-only delivery figures for the evaluator reports (server/reports): messages per kind and
 * status, by the time they were queued. Kept here so the reports never read the outbox table.
 */
export interface DeliveryCount {
  kind: string;
  status: NotificationStatus;
  count: number;
}

export async function deliveryCounts(db: Database, range: { from: Date; to: Date }): Promise<DeliveryCount[]> {
  const rows = await db
    .select({ kind: notifications.kind, status: notifications.status, count: count() })
    .from(notifications)
    .where(and(gte(notifications.queuedAt, range.from), lt(notifications.queuedAt, range.to)))
    .groupBy(notifications.kind, notifications.status)
    .orderBy(notifications.kind, sql`2`);
  return rows.map((r) => ({ kind: r.kind, status: r.status, count: Number(r.count) }));
}
