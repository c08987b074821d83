/**
 * Pure logic of the admin application pages: the actions offered for an application (the
 * server's state machine table, imported, so the buttons cannot drift from the rules), their
 * labels and whether they need a reason, the queue's filters as a query, and overdue marks.
 */
import { ApiError } from '../../../common/api';
import { DECISIONS, REASON_REQUIRED, TRANSITIONS, canDecide, mayMove } from '../../../../../server/applications/state-machine';
import type { ApplicationStatus } from '../../../../../server/applications/schema';
import type { StaffRole } from '../../../../../server/staff/roles';

export interface TransitionAction {
  to: ApplicationStatus;
  /** the button's words (depends on where the application is: rejecting before acceptance is 不予受理) */
  label: string;
  kind: 'primary' | 'success' | 'warning' | 'danger';
  /** the citizen must be told why */
  reasonRequired: boolean;
}

/** Button order: forward moves first, then asking for more, then refusals. */
const ORDER: readonly ApplicationStatus[] = ['accepted', 'in_review', 'approved', 'completed', 'needs_info', 'rejected'];

export function actionLabel(from: ApplicationStatus, to: ApplicationStatus): string {
  switch (to) {
    case 'accepted':
      return '受理';
    case 'in_review':
      return '开始办理';
    case 'needs_info':
      return '要求补正';
    case 'approved':
      return '审核通过';
    case 'rejected':
      return from === 'submitted' ? '不予受理' : '不予许可';
    case 'completed':
      return '办结';
    default:
      return to;
  }
}

const KIND: Partial<Record<ApplicationStatus, TransitionAction['kind']>> = {
  accepted: 'primary',
  in_review: 'primary',
  approved: 'success',
  completed: 'success',
  needs_info: 'warning',
  rejected: 'danger',
};

/** Turns target states (the server's `allowedTransitions`) into ordered, labelled buttons. */
export function transitionActions(from: ApplicationStatus, targets: readonly ApplicationStatus[]): TransitionAction[] {
  return ORDER.filter((to) => targets.includes(to)).map((to) => ({
    to,
    label: actionLabel(from, to),
    kind: KIND[to] ?? 'primary',
    reasonRequired: REASON_REQUIRED.has(to),
  }));
}

/**
 * The targets a staff member of `role` may choose from `from` for a type handled by
 * `handlingRole` (what the server sends as `allowedTransitions`; used where it is absent and in tests).
 */
export function allowedTargets(from: ApplicationStatus, role: StaffRole, handlingRole: string): ApplicationStatus[] {
  return (Object.keys(TRANSITIONS[from]) as ApplicationStatus[]).filter(
    (to) => mayMove(role, from, to) && (!DECISIONS.has(to) || canDecide(role, handlingRole)),
  );
}

export const NOTE_MAX = 500;

/** The reason box's problem, if any (the server says the same with APPLICATION_REASON_REQUIRED). */
export function noteProblem(action: Pick<TransitionAction, 'reasonRequired' | 'to'>, note: string): string | undefined {
  const n = [...note.trim()].length;
  if (action.reasonRequired && n === 0) {
    return action.to === 'needs_info' ? '请写明需要申请人补正什么（申请人会看到这段说明）' : '请写明不予通过的原因（申请人会看到这段说明）';
  }
  if (n > NOTE_MAX) return `说明最多 ${NOTE_MAX} 个字，现在 ${n} 个`;
  return undefined;
}

// ---- the queue ----

export interface QueueFilters {
  status: ApplicationStatus | '';
  type: string;
  /** '' all, 'true' only overdue, 'false' only on time */
  overdue: '' | 'true' | 'false';
  /** '' all, 'me', 'none' or a staff id */
  assignee: string;
}

export const EMPTY_FILTERS: QueueFilters = { status: '', type: '', overdue: '', assignee: '' };

/** The query string of GET /api/admin/applications; empty filters are left out. */
export function queueQuery(f: QueueFilters, page: number, pageSize: number): Record<string, string | number | undefined> {
  const assignee = f.assignee.trim();
  return {
    status: f.status || undefined,
    type: f.type.trim() || undefined,
    overdue: f.overdue || undefined,
    assignee: assignee === 'me' || assignee === 'none' || /^\d+$/.test(assignee) ? assignee : undefined,
    page,
    pageSize,
  };
}

/** Filters from the page URL (so a filtered queue can be bookmarked and the Back button restores it). */
export function filtersFromQuery(q: Record<string, unknown>): { filters: QueueFilters; page: number } {
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const status = str(q.status);
  const overdue = str(q.overdue);
  const page = Number(str(q.page));
  return {
    filters: {
      status: (Object.keys(TRANSITIONS) as string[]).includes(status) ? (status as ApplicationStatus) : '',
      type: str(q.type),
      overdue: overdue === 'true' || overdue === 'false' ? overdue : '',
      assignee: str(q.assignee),
    },
    page: Number.isInteger(page) && page > 0 ? page : 1,
  };
}

export function filtersToQuery(f: QueueFilters, page: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(f)) if (v) out[k] = String(v);
  if (page > 1) out.page = String(page);
  return out;
}

/** Who has it, in words: 我 for the signed-in staff member. */
export function assigneeText(assigneeStaffId: number | null, meId: number | undefined, names: ReadonlyMap<number, string> = new Map()): string {
  if (assigneeStaffId === null) return '未分配';
  if (assigneeStaffId === meId) return '我';
  return names.get(assigneeStaffId) ?? `工作人员 #${assigneeStaffId}`;
}

const SHANGHAI_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 24 * 3600_000;

/** Shanghai civil date of an instant. */
export const shanghaiDate = (nowMs: number) => new Date(nowMs + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);

/** `已超期 3 天`, `今天到期`, `剩 2 天` (calendar days to the promised date, for a glance; the server decides overdue). */
export function dueText(item: { dueOn: string; overdue: boolean; status: ApplicationStatus }, nowMs: number): string {
  if (item.status === 'completed' || item.status === 'withdrawn') return '';
  const days = Math.round((Date.parse(`${item.dueOn}T00:00:00Z`) - Date.parse(`${shanghaiDate(nowMs)}T00:00:00Z`)) / DAY_MS);
  if (item.overdue) return days < 0 ? `已超期 ${-days} 天` : '已超期';
  if (days === 0) return '今天到期';
  return days > 0 ? `剩 ${days} 天` : '';
}

/** Element Plus table row class: overdue rows are highlighted (and say so in words in the due column). */
export const rowClassName = ({ row }: { row: { overdue: boolean } }) => (row.overdue ? 'queue__row--overdue' : '');

// ---- the detail ----

interface FieldLike {
  key: string;
  label: string;
  kind: string;
  options?: readonly { value: string; label: string }[] | null;
}

/** An answer as staff read it: in full (the read is audited), a selection by its label, files by count. */
export function answerText(field: FieldLike, value: unknown): string {
  if (value === undefined || value === null || value === '') return '（未填写）';
  if (Array.isArray(value)) return value.length ? `${value.length} 个文件` : '（未上传）';
  if (field.kind === 'selection') {
    const opt = field.options?.find((o) => o.value === value);
    return opt ? `${opt.label}（${opt.value}）` : String(value);
  }
  return String(value);
}

/** Attachment ids a file field's answer names (anything else is ignored). */
export const fileIdsOf = (value: unknown): number[] => (Array.isArray(value) ? value.filter((v): v is number => typeof v === 'number') : []);

export const ACTOR_TEXT: Record<'citizen' | 'staff' | 'system', string> = { citizen: '申请人', staff: '工作人员', system: '系统' };

/** The message for a failed staff action, with what to do next. */
export const ADMIN_ERROR_TEXT: Record<string, string> = {
  APPLICATION_TRANSITION_NOT_ALLOWED: '办件状态已被他人或申请人改变，此操作已不可用。页面已刷新为最新状态。',
  APPLICATION_ROLE_FORBIDDEN: '您的角色不能对该事项作此决定，请转交有权限的负责人。',
  APPLICATION_REASON_REQUIRED: '请填写原因，申请人会看到这段说明。',
  APPLICATION_ASSIGNEE_INVALID: '该工作人员不存在、已停用或不能经办办件，请选择其他人。',
  APPLICATION_NOT_FOUND: '未找到该办件。',
  FOLLOW_UP_CLOSED: '该回访已被他人办结。列表已刷新。',
  FOLLOW_UP_NOT_FOUND: '未找到该回访记录。',
  FORBIDDEN: '您的角色无权进行此操作。',
};

/** Codes after which the page reloads the application: what was shown is out of date. */
export const ADMIN_RELOAD_CODES: ReadonlySet<string> = new Set(['APPLICATION_TRANSITION_NOT_ALLOWED', 'FOLLOW_UP_CLOSED']);

export function adminErrorText(err: unknown): string {
  if (!(err instanceof ApiError)) return '出现了意外错误，请稍后重试。';
  const text = ADMIN_ERROR_TEXT[err.code];
  const base = text ?? err.message;
  return err.requestId ? `${base}（编号 ${err.requestId}）` : base;
}
