/** Calls and labels for the staff accounts and audit log pages. */
import type { AuditView, Page, StaffView } from '../../../server/staff/schema';
import { adminGet, adminGetPage, adminPatch, adminPost, withQuery } from './api';
import type { StaffRole } from './session';

export type { AuditView, Page, StaffView };

export const listStaff = () => adminGet<StaffView[]>('/api/admin/staff');
export const createStaff = (body: { username: string; displayName: string; role: StaffRole; password: string }) =>
  adminPost<StaffView>('/api/admin/staff', body);
export const updateStaff = (id: number, body: { displayName?: string; role?: StaffRole }) => adminPatch<StaffView>(`/api/admin/staff/${id}`, body);
export const setStaffDisabled = (id: number, disabled: boolean) => adminPost<StaffView>(`/api/admin/staff/${id}/${disabled ? 'disable' : 'enable'}`);
export const resetStaffPassword = (id: number, password: string) => adminPost<StaffView>(`/api/admin/staff/${id}/password`, { password });
export const revokeStaffSessions = (id: number) => adminPost<{ ended: number }>(`/api/admin/staff/${id}/revoke-sessions`);

export interface AuditFilters {
  action?: string;
  actorType?: '' | 'staff' | 'citizen' | 'system';
  actorId?: string;
  subjectType?: string;
  subjectId?: string;
  /** YYYY-MM-DD, a day in Asia/Shanghai */
  fromDay?: string;
  toDay?: string;
}

/** A Shanghai calendar day's first instant (UTC+8, no DST) as ISO. */
export function shanghaiDayStart(day: string, plusDays = 0): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  const t = Date.parse(`${day}T00:00:00+08:00`);
  return Number.isNaN(t) ? undefined : new Date(t + plusDays * 86_400_000).toISOString();
}

/** GET /api/admin/audit with the filters given; `toDay` includes that whole day. */
export function auditPath(f: AuditFilters, page: number, pageSize: number): string {
  return withQuery('/api/admin/audit', {
    action: f.action?.trim(),
    actorType: f.actorType || undefined,
    actorId: f.actorId?.trim(),
    subjectType: f.subjectType?.trim(),
    subjectId: f.subjectId?.trim(),
    from: f.fromDay ? shanghaiDayStart(f.fromDay) : undefined,
    to: f.toDay ? shanghaiDayStart(f.toDay, 1) : undefined,
    page,
    pageSize,
  });
}

export const listAudit = (f: AuditFilters, page: number, pageSize: number) => adminGetPage<AuditView, Page>(auditPath(f, page, pageSize));

export const ACTION_LABELS: Record<string, string> = {
  'staff.login': '登录',
  'staff.logout': '退出登录',
  'staff.login_failed': '登录失败',
  'staff.locked': '账号锁定',
  'staff.create': '新建账号',
  'staff.update': '修改账号',
  'staff.disable': '停用账号',
  'staff.enable': '启用账号',
  'staff.password_reset': '重置密码',
  'staff.password_change': '修改本人密码',
  'staff.sessions_revoke': '强制下线',
};

export const actionLabel = (action: string) => ACTION_LABELS[action] ?? action;

export function actorLabel(a: AuditView['actor']): string {
  if (a.type === 'staff') return a.username ? `${a.displayName ?? a.username}（${a.username}）` : `工作人员 #${a.id}`;
  if (a.type === 'citizen') return `群众 #${a.id}`;
  return a.name === 'login' ? '登录服务' : a.name === 'cli' ? '命令行' : `系统（${a.name ?? '—'}）`;
}

/** Detail as short `key: value` text for the table. */
export function detailText(detail: Record<string, unknown> | null): string {
  if (!detail) return '';
  return Object.entries(detail)
    .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join('，');
}
