import { and, count, desc, eq, gte, lt, type SQL } from 'drizzle-orm';
import { auditEntries, staffAccounts, type Database } from '../../db/schema';
import type { AuditQuery, AuditView, Page } from './schema';

export interface AuditReader {
  list(q: AuditQuery): Promise<{ rows: AuditView[]; page: Page }>;
}

/** Reads the audit log for `GET /api/admin/audit`: filters, newest first, paged. */
export function createAuditReader(deps: { db: Database }): AuditReader {
  return {
    async list(q) {
      const where: SQL[] = [];
      if (q.actorType) where.push(eq(auditEntries.actorType, q.actorType));
      if (q.actorId !== undefined) where.push(eq(auditEntries.actorId, q.actorId));
      if (q.action) where.push(eq(auditEntries.action, q.action));
      if (q.subjectType) where.push(eq(auditEntries.subjectType, q.subjectType));
      if (q.subjectId) where.push(eq(auditEntries.subjectId, q.subjectId));
      if (q.from) where.push(gte(auditEntries.at, q.from));
      if (q.to) where.push(lt(auditEntries.at, q.to));
      const cond = where.length ? and(...where) : undefined;

      const [rows, [total]] = await Promise.all([
        deps.db
          .select({ e: auditEntries, username: staffAccounts.username, displayName: staffAccounts.displayName })
          .from(auditEntries)
          .leftJoin(staffAccounts, and(eq(auditEntries.actorType, 'staff'), eq(staffAccounts.id, auditEntries.actorId)))
          .where(cond)
          .orderBy(desc(auditEntries.id))
          .limit(q.pageSize)
          .offset((q.page - 1) * q.pageSize),
        deps.db.select({ n: count() }).from(auditEntries).where(cond),
      ]);
      return {
        rows: rows.map(({ e, username, displayName }) => ({
          id: e.id,
          at: e.at.toISOString(),
          actor: {
            type: e.actorType as AuditView['actor']['type'],
            id: e.actorId,
            name: e.actorName,
            ...(username ? { username, displayName: displayName ?? undefined } : {}),
          },
          action: e.action,
          subjectType: e.subjectType,
          subjectId: e.subjectId,
          detail: e.detail ?? null,
        })),
        page: { page: q.page, pageSize: q.pageSize, total: Number(total?.n ?? 0) },
      };
    },
  };
}
