import type { ApplicationStatus } from '../../db/schema';
import type { StaffRole } from '../staff/roles';

/**
 * The application state machine (REFERENCE.md "Applications"):
 *
 *   submitted → accepted (受理) → in_review (办理) ⇄ needs_info (补正) → approved | rejected → completed (办结)
 *   withdrawn by the citizen before a decision; submitted → rejected is 不予受理.
 *
 * One table says who may make each move. Staff moves list the roles allowed; decisions
 * (approved, rejected) additionally need at least the type's handling role (see `canDecide`).
 * The citizen's moves are withdraw (before a decision) and resubmit (answering needs_info).
 */
export type Mover = StaffRole | 'citizen';

const HANDLERS: readonly StaffRole[] = ['clerk', 'supervisor', 'admin'];

export const TRANSITIONS: Readonly<Record<ApplicationStatus, Partial<Record<ApplicationStatus, readonly Mover[]>>>> = {
  submitted: { accepted: HANDLERS, rejected: HANDLERS, withdrawn: ['citizen'] },
  accepted: { in_review: HANDLERS, withdrawn: ['citizen'] },
  in_review: { needs_info: HANDLERS, approved: HANDLERS, rejected: HANDLERS, withdrawn: ['citizen'] },
  needs_info: { in_review: ['citizen'], withdrawn: ['citizen'] },
  approved: { completed: HANDLERS },
  rejected: { completed: HANDLERS },
  completed: {},
  withdrawn: {},
};

/** Moves whose note is a reason the citizen must be given. */
export const REASON_REQUIRED: ReadonlySet<ApplicationStatus> = new Set(['needs_info', 'rejected']);

export const DECISIONS: ReadonlySet<ApplicationStatus> = new Set(['approved', 'rejected']);

/** No more work: not overdue, not in the open queue. */
export const FINISHED: ReadonlySet<ApplicationStatus> = new Set(['completed', 'withdrawn']);

/** Staff roles ranked for the type's handling role: a supervisor may decide what a clerk may. */
const RANK: Record<StaffRole, number> = { evaluator: 0, clerk: 1, supervisor: 2, admin: 3 };

export const isTransition = (from: ApplicationStatus, to: ApplicationStatus) => TRANSITIONS[from][to] !== undefined;

export function mayMove(mover: Mover, from: ApplicationStatus, to: ApplicationStatus): boolean {
  return TRANSITIONS[from][to]?.includes(mover) ?? false;
}

export function canDecide(role: StaffRole, handlingRole: string): boolean {
  const need = RANK[handlingRole as StaffRole] ?? RANK.clerk;
  return RANK[role] >= need;
}

/** Notification kind for the citizen, where the step has one (in_review and withdrawn send none). */
export function noticeKind(to: ApplicationStatus) {
  switch (to) {
    case 'accepted':
      return 'application.accepted' as const;
    case 'needs_info':
      return 'application.needs_info' as const;
    case 'approved':
      return 'application.approved' as const;
    case 'rejected':
      return 'application.rejected' as const;
    case 'completed':
      return 'application.completed' as const;
    default:
      return undefined;
  }
}

export const STATUS_LABELS: Record<ApplicationStatus, string> = {
  submitted: '已提交',
  accepted: '已受理',
  in_review: '办理中',
  needs_info: '待补正',
  approved: '审核通过',
  rejected: '不予许可',
  completed: '已办结',
  withdrawn: '已撤回',
};
