import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import HallPage from './pages/HallPage.vue';

const DEFAULT_TITLE = '交管服务大厅';

const routes: RouteRecordRaw[] = [
  { path: '/', name: 'hall', component: HallPage, meta: { page: 'h5.hall', title: DEFAULT_TITLE } },
  {
    path: '/violations',
    name: 'violations',
    component: () => import('./pages/ViolationsPage.vue'),
    meta: { page: 'h5.violations', title: '违法查询' },
  },
  {
    path: '/points',
    name: 'points',
    component: () => import('./pages/PointsPage.vue'),
    meta: { page: 'h5.points', title: '驾驶证记分' },
  },
  {
    path: '/vehicles',
    name: 'vehicles',
    component: () => import('./pages/VehiclesPage.vue'),
    meta: { page: 'h5.vehicles', title: '我的车辆' },
  },
  {
    path: '/appointments',
    name: 'appointments',
    component: () => import('./pages/AppointmentBookPage.vue'),
    meta: { page: 'h5.appointments', title: '预约办理' },
  },
  {
    path: '/appointments/mine',
    name: 'my-appointments',
    component: () => import('./pages/MyAppointmentsPage.vue'),
    meta: { page: 'h5.appointments_mine', title: '我的预约' },
  },
  {
    path: '/appointments/mine/:id(\\d+)',
    name: 'appointment-detail',
    component: () => import('./pages/AppointmentDetailPage.vue'),
    meta: { page: 'h5.appointment_detail', title: '预约详情' },
  },
  // Services not built yet land here too, so a menu pointing ahead of the code degrades politely.
  {
    path: '/:pathMatch(.*)*',
    name: 'not-found',
    component: () => import('./pages/NotFoundPage.vue'),
    meta: { page: 'h5.not_found', title: '页面不存在' },
  },
];

export function createH5Router() {
  const router = createRouter({
    history: createWebHistory('/h5/'),
    routes,
    scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
  });
  // WeChat shows document.title in its top bar.
  router.afterEach((to) => {
    document.title = to.meta.title ?? DEFAULT_TITLE;
  });
  return router;
}
