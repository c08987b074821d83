import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import HallPage from './pages/HallPage.vue';
import { BOOKING_STEPS, STEP_ROUTE } from './booking-steps';

/** A booking step's route: the parent page renders the step, this renders nothing. */
const StepMarker = { render: () => null };

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
    // Each step is a child route (booking-steps.ts): the page stays mounted while the phone's
    // Back button walks the steps; the children render nothing themselves.
    path: STEP_ROUTE.service.path,
    name: STEP_ROUTE.service.name,
    component: () => import('./pages/AppointmentBookPage.vue'),
    meta: { page: STEP_ROUTE.service.page, title: '预约办理' },
    children: BOOKING_STEPS.filter((s) => s !== 'service').map((s) => ({
      path: STEP_ROUTE[s].path.slice(STEP_ROUTE.service.path.length + 1),
      name: STEP_ROUTE[s].name,
      component: StepMarker,
      meta: { page: STEP_ROUTE[s].page, title: '预约办理' },
    })),
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
  {
    path: '/settings',
    name: 'settings',
    component: () => import('./pages/SettingsPage.vue'),
    meta: { page: 'h5.settings', title: '我的设置' },
  },
  {
    path: '/applications/new',
    name: 'application-new',
    component: () => import('./pages/applications/ApplyPage.vue'),
    meta: { page: 'h5.application_new', title: '在线申请' },
  },
  {
    path: '/applications',
    name: 'applications',
    component: () => import('./pages/applications/MyApplicationsPage.vue'),
    meta: { page: 'h5.applications', title: '我的办件' },
  },
  {
    path: '/applications/:id(\\d+)',
    name: 'application-detail',
    component: () => import('./pages/applications/ApplicationDetailPage.vue'),
    meta: { page: 'h5.application_detail', title: '办件详情' },
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
