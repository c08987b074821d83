import type { DatabaseHandle } from '../../../db/connect';
import type { NewUsageEventRow } from '../../../db/schema';
import type { ReportRollup } from '../../../server/reports/rollup';
import { createReportService, type ReportService } from '../../../server/reports/service';
import type { MenuModel } from '../../../server/menu/model';
import { citizen, ev, sh } from './report-fixtures';

/**
 * A small hand-built day of usage with known answers (docs/evaluation.md definitions).
 * Day 0 is Monday 2026-03-02 in Asia/Shanghai; 16:00 UTC is the Shanghai midnight.
 *
 * A  10:00 taps 违法查询 (v1) → page → lookup started 10:02, completed 10:03; 10:32 page (29 min
 *        idle: same visit). 11:03 hall page (31 min idle: a new, direct visit), searches "=cmd"
 *        with no result. Day 1 00:30 taps 违法查询 again (a third visit, on day 1).
 * B  23:58:30 taps 预约 (view) → the booking pages across midnight → books at 00:03 day 1,
 *        completed 00:04. The visit belongs to day 0 (its start).
 * C  15:00 opens a template-message link → rating fails. 23:59:59 follows (qrscene_office):
 *        a second visit, day 0.
 * D  00:00:00 day 1 follows (no scene): day 1.
 * V  (no citizen, browser visit) 14:00 application form, a validation error.
 * Loose: a failed OAuth without identity; a template receipt for A (not a visit).
 */
export const A = citizen('A');
export const B = citizen('B');
export const C = citizen('C');
export const D = citizen('D');

export const MENU_V1: MenuModel = {
  button: [
    {
      name: '查询',
      sub_button: [
        { type: 'click', name: '违法查询', key: 'violations' },
        { type: 'click', name: '记分查询', key: 'points' },
      ],
    },
    { type: 'view', name: '预约', key: 'booking', url: '/h5/appointments' },
  ],
};

export function scenarioEvents(): NewUsageEventRow[] {
  return [
    // A, visit 1
    ev({ occurredAt: sh(10, 0), citizenKey: A, source: 'wechat', kind: 'menu_click', name: 'violations', menuKey: 'violations', menuVersion: 'v1' }),
    ev({ occurredAt: sh(10, 1), citizenKey: A, kind: 'oauth', name: 'snsapi_base', outcome: 'ok' }),
    ev({ occurredAt: sh(10, 1, 5), citizenKey: A, visitId: 'visitA1xx', kind: 'page_view', name: 'h5.violations', menuKey: 'violations', menuVersion: 'v1' }),
    ev({ occurredAt: sh(10, 2), citizenKey: A, visitId: 'visitA1xx', kind: 'task_start', name: 'violations.lookup', menuKey: 'violations', menuVersion: 'v1' }),
    ev({ occurredAt: sh(10, 2, 30), citizenKey: A, source: 'api', kind: 'lookup', name: 'violations.lookup', outcome: 'found' }),
    ev({ occurredAt: sh(10, 3), citizenKey: A, visitId: 'visitA1xx', kind: 'task_complete', name: 'violations.lookup', outcome: 'ok', menuKey: 'violations', menuVersion: 'v1' }),
    ev({ occurredAt: sh(10, 32), citizenKey: A, visitId: 'visitA1xx', kind: 'page_view', name: 'h5.points', menuKey: 'violations', menuVersion: 'v1' }),
    // A, visit 2 (31 minutes later)
    ev({ occurredAt: sh(11, 3), citizenKey: A, visitId: 'visitA2xx', kind: 'page_view', name: 'h5.hall' }),
    ev({ occurredAt: sh(11, 4), citizenKey: A, visitId: 'visitA2xx', kind: 'search', name: 'h5.hall', outcome: 'empty', props: { term: '=cmd', count: 0 } }),
    ev({ occurredAt: sh(11, 4), citizenKey: A, visitId: 'visitA2xx', kind: 'no_result', name: 'h5.hall', props: { term: '=cmd', count: 0 } }),
    // A, visit 3 on day 1
    ev({ occurredAt: sh(0, 30, 0, 1), citizenKey: A, source: 'wechat', kind: 'menu_click', name: 'violations', menuKey: 'violations', menuVersion: 'v1' }),
    // B: booking across midnight
    ev({ occurredAt: sh(23, 58, 30), citizenKey: B, source: 'wechat', kind: 'menu_view', name: 'booking', menuKey: 'booking', menuVersion: 'v1' }),
    ev({ occurredAt: sh(23, 59), citizenKey: B, visitId: 'visitBxxx', kind: 'page_view', name: 'h5.appointments', menuKey: 'booking', menuVersion: 'v1' }),
    ev({ occurredAt: sh(0, 0, 30, 1), citizenKey: B, visitId: 'visitBxxx', kind: 'page_view', name: 'h5.appointments.office', menuKey: 'booking', menuVersion: 'v1' }),
    ev({ occurredAt: sh(0, 1, 0, 1), citizenKey: B, visitId: 'visitBxxx', kind: 'page_view', name: 'h5.appointments.slot', menuKey: 'booking', menuVersion: 'v1' }),
    ev({ occurredAt: sh(0, 2, 0, 1), citizenKey: B, visitId: 'visitBxxx', kind: 'page_view', name: 'h5.appointments.confirm', menuKey: 'booking', menuVersion: 'v1' }),
    ev({ occurredAt: sh(0, 3, 0, 1), citizenKey: B, visitId: 'visitBxxx', kind: 'task_start', name: 'appointment.book', menuKey: 'booking', menuVersion: 'v1' }),
    ev({ occurredAt: sh(0, 3, 0, 1), citizenKey: B, source: 'api', kind: 'task_start', name: 'appointment.book' }),
    ev({ occurredAt: sh(0, 4, 0, 1), citizenKey: B, source: 'api', kind: 'task_complete', name: 'appointment.book', outcome: 'ok', durationMs: 60_000 }),
    ev({ occurredAt: sh(0, 4, 0, 1), citizenKey: B, visitId: 'visitBxxx', kind: 'task_complete', name: 'appointment.book', outcome: 'ok', menuKey: 'booking', menuVersion: 'v1' }),
    // C: a template-message link, a failed rating; later a follow
    ev({ occurredAt: sh(15, 0), citizenKey: C, visitId: 'visitC1xx', kind: 'page_view', name: 'h5.application_detail', props: { src: 'tmpl' } }),
    ev({ occurredAt: sh(15, 1), citizenKey: C, visitId: 'visitC1xx', kind: 'task_start', name: 'application.rate', props: { src: 'tmpl' } }),
    ev({ occurredAt: sh(15, 1, 10), citizenKey: C, source: 'api', kind: 'task_fail', name: 'application.rate', outcome: 'APPLICATION_NOT_RATABLE' }),
    ev({ occurredAt: sh(23, 59, 59), citizenKey: C, source: 'wechat', kind: 'follow', name: 'subscribe', props: { source: 'qrscene_office' } }),
    // D: follows at Shanghai midnight (16:00 UTC) — day 1
    ev({ occurredAt: sh(0, 0, 0, 1), citizenKey: D, source: 'wechat', kind: 'follow', name: 'subscribe' }),
    // V: no citizen
    ev({ occurredAt: sh(14, 0), visitId: 'visitVanon', kind: 'page_view', name: 'h5.application_new' }),
    ev({ occurredAt: sh(14, 1), visitId: 'visitVanon', kind: 'validation_error', name: 'application.submit', props: { fields: 'name' } }),
    // loose events
    ev({ occurredAt: sh(14, 30), kind: 'oauth', name: 'snsapi_userinfo', outcome: 'fail' }),
    ev({ occurredAt: sh(16, 0), citizenKey: A, source: 'wechat', kind: 'notification', name: 'template_receipt', outcome: 'success' }),
  ];
}

/** After every event of the scenario + 30 minutes idle. */
export const SCENARIO_END = sh(2, 0, 0, 1);

/** The report service over a scenario database, at the scenario's end, with its menu and no messages or ratings. */
export function scenarioReports(h: DatabaseHandle, rollup: ReportRollup): ReportService {
  return createReportService({
    db: h.db,
    rollup,
    now: () => SCENARIO_END,
    unusedShare: 0.05,
    menus: { tree: async (v) => (v === null || v === 'v1' ? { version: 'v1', menu: MENU_V1 } : null) },
    sources: { deliveryCounts: async () => [], ratingCounts: async () => [], followUps: async () => [] },
  });
}
