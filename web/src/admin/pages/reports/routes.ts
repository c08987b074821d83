import type { RouteComponent, RouteRecordRaw } from 'vue-router';
import { REPORTS, REPORT_ROLES } from '../../reports-catalog';

/**
 * The reports section's routes (spread into router.ts). Every page is its own lazily loaded
 * chunk, and only they import ECharts, so the admin entry stays small and the H5 app never
 * sees it. The children inherit `roles` from the section (the guard takes the innermost set).
 */
const page = (name: keyof typeof REPORTS, component: () => Promise<RouteComponent | { default: RouteComponent }>): RouteRecordRaw => ({
  path: name,
  name: `report-${name}`,
  component,
  meta: { page: `admin.reports.${name}`, title: `${REPORTS[name].title} · 评估报表` },
});

export const reportRoutes: RouteRecordRaw[] = [
  {
    path: 'reports',
    component: () => import('./ReportsShell.vue'),
    meta: { roles: REPORT_ROLES },
    children: [
      { path: '', name: 'reports', component: () => import('./ReportsIndexPage.vue'), meta: { page: 'admin.reports', title: '评估报表' } },
      page('menu-usage', () => import('./MenuUsagePage.vue')),
      page('services', () => import('./ServicesPage.vue')),
      page('lookups-vs-transactions', () => import('./LookupsVsTransactionsPage.vue')),
      page('funnels', () => import('./FunnelsPage.vue')),
      page('paths', () => import('./PathsPage.vue')),
      page('failures', () => import('./FailuresPage.vue')),
      page('audience', () => import('./AudiencePage.vue')),
      page('notifications', () => import('./NotificationsReportPage.vue')),
      page('satisfaction', () => import('./SatisfactionPage.vue')),
      page('compare', () => import('./ComparePage.vue')),
    ],
  },
  // The printable summary sits outside the shell: no tabs or filter form to hide from the PDF.
  {
    path: 'reports/print',
    name: 'reports-print',
    component: () => import('./PrintSummaryPage.vue'),
    meta: { page: 'admin.reports.print', title: '评估报告（打印）', roles: REPORT_ROLES },
  },
];
