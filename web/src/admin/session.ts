/**
 * The signed-in staff member (GET /api/admin/me), shared by the router guard, the layout and
 * api.ts (which needs the CSRF token). `null` means signed out; `undefined` not yet asked.
 */
import { ref } from 'vue';
import { ApiError, apiRequest } from '../common/api';
import type { MeView } from '../../../server/staff/schema';
import type { StaffRole } from '../../../server/staff/roles';

export type { MeView, StaffRole };

export const session = ref<MeView | null | undefined>(undefined);

export const ROLE_LABELS: Record<StaffRole, string> = {
  admin: '系统管理员',
  supervisor: '科室负责人',
  clerk: '窗口办事员',
  evaluator: '数据评估员',
};

export function hasRole(...roles: StaffRole[]): boolean {
  const me = session.value;
  return !!me && roles.includes(me.staff.role);
}

/** Asks the server once per page load (and after sign-in/out); a 401 means signed out. */
export async function loadSession(force = false): Promise<MeView | null> {
  if (session.value !== undefined && !force) return session.value;
  try {
    session.value = (await apiRequest<MeView>('GET', '/api/admin/me')).data;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) session.value = null;
    else throw err;
  }
  return session.value;
}

export async function signIn(username: string, password: string): Promise<MeView> {
  const me = (await apiRequest<MeView>('POST', '/api/admin/login', { username, password })).data;
  session.value = me;
  return me;
}

export async function signOut(): Promise<void> {
  const me = session.value;
  try {
    if (me) await apiRequest('POST', '/api/admin/logout', {}, { headers: { 'x-csrf-token': me.csrfToken } });
  } catch (err) {
    // Already signed out on the server (expired, revoked): the outcome wanted anyway.
    if (!(err instanceof ApiError && err.status === 401)) throw err;
  } finally {
    session.value = null;
  }
}

/** Where the login page sends someone back to: only paths inside the admin app. */
export function safeReturnPath(value: unknown): string {
  return typeof value === 'string' && value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/login') ? value : '/';
}
