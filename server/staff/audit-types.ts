import type { Executor } from '../../db/schema';

/**
 * Who did something worth auditing. Staff actions and staff reads of citizens' personal data are
 * audited; citizen actions on their own applications are recorded with the citizen as actor.
 */
export type AuditActor = { staffId: number } | { citizenId: number } | { system: string };

export interface AuditEntry {
  actor: AuditActor;
  /** dotted verb, e.g. `application.transition`, `application.read`, `staff.create`, `menu.publish` */
  action: string;
  subjectType: string;
  subjectId: string | number;
  /** small, non-secret detail (from/to state, note length …); never passwords or raw openids */
  detail?: Record<string, unknown>;
}

export interface AuditLog {
  /** Writes one audit row with the caller's executor, so it commits or rolls back with the change. */
  record(exec: Executor, entry: AuditEntry): Promise<void>;
}
