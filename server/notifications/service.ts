import { and, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { notifications, type Database, type NotificationRow } from '../../db/schema';
import { AppError } from '../http/errors';
import type { AuditLog } from '../staff/audit-types';
import type { StaffPrincipal } from '../staff/roles';
import { RETRYABLE_STATUSES, type ListQuery, type NotificationPage, type NotificationView } from './schema';
import type { NotificationKind } from './types';

export interface NotificationAdminService {
  list(query: ListQuery): Promise<NotificationPage>;
  /** A failed message back to the queue (attempts and age start again); audited. */
  retry(staff: StaffPrincipal, id: number): Promise<NotificationView>;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function subjectOf(row: NotificationRow): string {
  const p = row.payload;
  if (row.kind.startsWith('application.')) return typeof p.applicationNo === 'string' ? `申请 ${p.applicationNo}` : `申请 #${String(p.applicationId)}`;
  return `预约 #${String(p.appointmentId)}`;
}

/** An allowlist: the payload itself (reason texts, names) is not shown in the log. */
export function presentNotification(row: NotificationRow): NotificationView {
  return {
    id: row.id,
    kind: row.kind as NotificationKind,
    subject: subjectOf(row),
    citizenId: row.citizenId,
    status: row.status,
    essential: Boolean(row.essential),
    attempts: row.attempts,
    templateId: row.templateId,
    msgid: row.msgid,
    lastErrorCode: row.lastErrorCode,
    lastErrorMessage: row.lastErrorMessage,
    queuedAt: row.queuedAt.toISOString(),
    nextAttemptAt: row.status === 'queued' ? iso(row.nextAttemptAt) : null,
    sentAt: iso(row.sentAt),
    deliveredAt: iso(row.deliveredAt),
    finishedAt: iso(row.finishedAt),
    retryable: (RETRYABLE_STATUSES as readonly string[]).includes(row.status),
  };
}

export function createNotificationAdminService(deps: { db: Database; audit: AuditLog; now: () => number; wake?: () => void }): NotificationAdminService {
  const { db } = deps;
  return {
    async list(q) {
      const where: SQL[] = [];
      if (q.status) where.push(eq(notifications.status, q.status));
      if (q.kind) where.push(eq(notifications.kind, q.kind));
      if (q.citizenId) where.push(eq(notifications.citizenId, q.citizenId));
      const cond = where.length ? and(...where) : undefined;
      const [rows, [count]] = await Promise.all([
        db
          .select()
          .from(notifications)
          .where(cond)
          .orderBy(desc(notifications.id))
          .limit(q.pageSize)
          .offset((q.page - 1) * q.pageSize),
        db.select({ n: sql<number>`count(*)` }).from(notifications).where(cond),
      ]);
      return { items: rows.map(presentNotification), page: { page: q.page, pageSize: q.pageSize, total: Number(count?.n ?? 0) } };
    },
    async retry(staff, id) {
      const at = new Date(deps.now());
      const row = await db.transaction(async (tx) => {
        const current = (await tx.select().from(notifications).where(eq(notifications.id, id)).limit(1).for('update'))[0];
        if (!current) throw new AppError('NOTIFICATION_NOT_FOUND');
        if (!(RETRYABLE_STATUSES as readonly string[]).includes(current.status)) throw new AppError('NOTIFICATION_NOT_RETRYABLE');
        await tx
          .update(notifications)
          .set({
            status: 'queued',
            attempts: 0,
            queuedAt: at,
            nextAttemptAt: at,
            msgid: null,
            sentAt: null,
            deliveredAt: null,
            finishedAt: null,
            lastErrorCode: null,
            lastErrorMessage: null,
            claimOwner: null,
            claimExpiresAt: null,
            updatedAt: at,
          })
          .where(and(eq(notifications.id, id), inArray(notifications.status, [...RETRYABLE_STATUSES])));
        await deps.audit.record(tx, {
          actor: { staffId: staff.id },
          action: 'notification.retry',
          subjectType: 'notification',
          subjectId: id,
          detail: { from: current.status, kind: current.kind, lastErrorCode: current.lastErrorCode },
        });
        return (await tx.select().from(notifications).where(eq(notifications.id, id)).limit(1))[0]!;
      });
      deps.wake?.();
      return presentNotification(row);
    },
  };
}
