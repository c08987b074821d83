import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import AdminLayout from './AdminLayout.vue';

const DEFAULT_TITLE = '管理后台 · 交管微信服务';

// Pages live under the layout; a future login page sits beside it, without the side menu.
const routes: RouteRecordRaw[] = [
  {
    path: '/',
    component: AdminLayout,
    children: [
      { path: '', redirect: { name: 'status' } },
      {
        path: 'status',
        name: 'status',
        component: () => import('./pages/StatusPage.vue'),
        meta: { page: 'admin.status', title: '系统状态' },
      },
      {
        path: ':pathMatch(.*)*',
        name: 'not-found',
        component: () => import('./pages/NotFoundPage.vue'),
        meta: { page: 'admin.not_found', title: '页面不存在' },
      },
    ],
  },
];

export function createAdminRouter() {
  const router = createRouter({ history: createWebHistory('/admin/'), routes });
  router.afterEach((to) => {
    document.title = to.meta.title ? `${to.meta.title} · 管理后台` : DEFAULT_TITLE;
  });
  return router;
}
