import { createRouter, createWebHistory, type RouteRecordRaw, type Router } from 'vue-router';
import AdminLayout from './AdminLayout.vue';
import { reportRoutes } from './pages/reports/routes';
import { loadSession, safeReturnPath, type StaffRole } from './session';

const DEFAULT_TITLE = '管理后台 · 交管微信服务';
const ALL: readonly StaffRole[] = ['admin', 'supervisor', 'clerk', 'evaluator'];

declare module 'vue-router' {
  interface RouteMeta {
    page?: string;
    title?: string;
    /** who may open the page; the API enforces the same (server requireStaff) */
    roles?: readonly StaffRole[];
    /** reachable signed out (the login page) */
    public?: boolean;
  }
}

// The login page stands beside the layout, without the side menu; every other page is inside it.
const routes: RouteRecordRaw[] = [
  {
    path: '/login',
    name: 'login',
    component: () => import('./pages/LoginPage.vue'),
    meta: { page: 'admin.login', title: '登录', public: true },
  },
  {
    path: '/',
    component: AdminLayout,
    children: [
      { path: '', name: 'home', redirect: { name: 'dashboard' } },
      { path: 'dashboard', name: 'dashboard', component: () => import('./pages/DashboardPage.vue'), meta: { page: 'admin.dashboard', title: '工作台', roles: ALL } },
      { path: 'applications', name: 'applications', component: () => import('./pages/applications/QueuePage.vue'), meta: { page: 'admin.applications', title: '办件队列', roles: ['admin', 'supervisor', 'clerk'] } },
      { path: 'applications/:id(\\d+)', name: 'application', component: () => import('./pages/applications/ApplicationDetailPage.vue'), meta: { page: 'admin.application', title: '办件详情', roles: ['admin', 'supervisor', 'clerk'] } },
      { path: 'follow-ups', name: 'follow-ups', component: () => import('./pages/applications/FollowUpsPage.vue'), meta: { page: 'admin.follow_ups', title: '差评回访', roles: ['admin', 'supervisor', 'clerk'] } },
      {
        path: 'status',
        name: 'status',
        component: () => import('./pages/StatusPage.vue'),
        meta: { page: 'admin.status', title: '系统状态', roles: ALL },
      },
      {
        path: 'staff',
        name: 'staff',
        component: () => import('./pages/staff/StaffAccountsPage.vue'),
        meta: { page: 'admin.staff', title: '工作人员账号', roles: ['admin'] },
      },
      {
        path: 'audit',
        name: 'audit',
        component: () => import('./pages/staff/AuditLogPage.vue'),
        meta: { page: 'admin.audit', title: '操作日志', roles: ['admin', 'supervisor'] },
      },
      {
        path: 'menu',
        name: 'menu',
        component: () => import('./pages/menu/MenuEditorPage.vue'),
        meta: { page: 'admin.menu', title: '菜单管理', roles: ALL },
      },
      {
        path: 'auto-replies',
        name: 'auto-replies',
        component: () => import('./pages/auto-replies/AutoRepliesPage.vue'),
        meta: { page: 'admin.auto_replies', title: '自动回复', roles: ['admin', 'supervisor'] },
      },
      {
        path: 'appointments',
        name: 'appointments',
        component: () => import('./pages/appointments/AppointmentsPage.vue'),
        meta: { page: 'admin.appointments', title: '预约管理', roles: ['admin', 'supervisor', 'clerk'] },
      },
      {
        path: 'notifications',
        name: 'notifications',
        component: () => import('./pages/notifications/NotificationLogPage.vue'),
        meta: { page: 'admin.notifications', title: '通知记录', roles: ['admin', 'supervisor', 'clerk'] },
      },
      ...reportRoutes,
      {
        path: 'forbidden',
        name: 'forbidden',
        component: () => import('./pages/ForbiddenPage.vue'),
        meta: { page: 'admin.forbidden', title: '无权访问', roles: ALL },
      },
      {
        path: ':pathMatch(.*)*',
        name: 'not-found',
        component: () => import('./pages/NotFoundPage.vue'),
        meta: { page: 'admin.not_found', title: '页面不存在', roles: ALL },
      },
    ],
  },
];

/** Signed out → login (with the way back); signed in without the page's role → 无权访问. */
export function installGuard(router: Router): void {
  router.beforeEach(async (to) => {
    let me;
    try {
      me = await loadSession();
    } catch {
      me = null; // server unreachable: the login page says so when used
    }
    if (to.meta.public) {
      return me && to.name === 'login' ? safeReturnPath(to.query.return) : true;
    }
    if (!me) return { name: 'login', query: to.fullPath === '/' ? {} : { return: to.fullPath } };
    const roles = to.matched.reduce<readonly StaffRole[] | undefined>((acc, r) => r.meta.roles ?? acc, undefined);
    if (roles && !roles.includes(me.staff.role)) return { name: 'forbidden', query: { from: to.fullPath } };
    return true;
  });
}

export function createAdminRouter() {
  const router = createRouter({ history: createWebHistory('/admin/'), routes });
  installGuard(router);
  router.afterEach((to) => {
    document.title = to.meta.title ? `${to.meta.title} · 管理后台` : DEFAULT_TITLE;
  });
  return router;
}
