import type { StaffRole } from './session';

/**
 * Side-menu entries, shown to the roles listed. Add a page with one line here (and its route in
 * router.ts with the same `roles` in meta); the server enforces the same roles on the API.
 */
export interface NavItem {
  path: string;
  label: string;
  roles: readonly StaffRole[];
}

const ALL: readonly StaffRole[] = ['admin', 'supervisor', 'clerk', 'evaluator'];

export const NAV_ITEMS: NavItem[] = [
  { path: '/dashboard', label: '工作台', roles: ALL },
  { path: '/applications', label: '办件队列', roles: ['admin', 'supervisor', 'clerk'] },
  { path: '/follow-ups', label: '差评回访', roles: ['admin', 'supervisor', 'clerk'] },
  { path: '/status', label: '系统状态', roles: ALL },
  { path: '/appointments', label: '预约管理', roles: ['admin', 'supervisor', 'clerk'] },
  { path: '/menu', label: '菜单管理', roles: ALL },
  { path: '/auto-replies', label: '自动回复', roles: ['admin', 'supervisor'] },
  { path: '/notifications', label: '通知记录', roles: ['admin', 'supervisor', 'clerk'] },
  { path: '/reports', label: '评估报表', roles: ['evaluator', 'supervisor', 'admin'] },
  { path: '/staff', label: '工作人员账号', roles: ['admin'] },
  { path: '/audit', label: '操作日志', roles: ['admin', 'supervisor'] },
];

export function navItemsFor(role: StaffRole | undefined): NavItem[] {
  return role ? NAV_ITEMS.filter((i) => i.roles.includes(role)) : [];
}
