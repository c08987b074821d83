import type { Executor } from '../../db/schema';
import { auditEntries } from '../../db/schema';
import type { AuditActor, AuditEntry, AuditLog } from './audit-types';

/** Detail is for small facts; a runaway object must not bloat the log. */
const MAX_DETAIL_CHARS = 4000;
/** Keys whose values never belong in an audit row, whoever passes them. */
const SECRET_KEYS = /pass(word)?|secret|token|openid|csrf|cookie|authorization/i;

function actorColumns(actor: AuditActor) {
  if ('staffId' in actor) return { actorType: 'staff', actorId: actor.staffId, actorName: null };
  if ('citizenId' in actor) return { actorType: 'citizen', actorId: actor.citizenId, actorName: null };
  return { actorType: 'system', actorId: null, actorName: actor.system.slice(0, 64) };
}

function scrubDetail(detail: Record<string, unknown> | undefined): Record<string, unknown> | null {
  if (!detail) return null;
  const clean = JSON.parse(
    JSON.stringify(detail, (key, value: unknown) => (key && SECRET_KEYS.test(key) ? '[redacted]' : value)),
  ) as Record<string, unknown>;
  const text = JSON.stringify(clean);
  return text.length <= MAX_DETAIL_CHARS ? clean : { truncated: true, size: text.length };
}

/**
 * The audit log (audit_entries). `record` writes with the caller's executor, so inside a
 * transaction the entry commits or rolls back with the change it describes.
 */
export function createAuditLog(deps: { now?: () => number } = {}): AuditLog {
  const now = deps.now ?? Date.now;
  return {
    async record(exec: Executor, entry: AuditEntry) {
      await exec.insert(auditEntries).values({
        at: new Date(now()),
        ...actorColumns(entry.actor),
        action: entry.action.slice(0, 64),
        subjectType: entry.subjectType.slice(0, 32),
        subjectId: String(entry.subjectId).slice(0, 64),
        detail: scrubDetail(entry.detail),
      });
    },
  };
}
