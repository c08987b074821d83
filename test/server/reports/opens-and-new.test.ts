import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../../db/connect';
import type { DeliveryCount } from '../../../server/notifications/delivery-stats';
import { notificationsCsv } from '../../../server/reports/csv-tables';
import { renderCsv } from '../../../server/reports/csv';
import { createReportRollup, type MenuPublication } from '../../../server/reports/rollup';
import { createReportService, type ReportService } from '../../../server/reports/service';
import { citizen, DAY0, DAY1, ev, insertEvents, reportDatabase, sh } from './report-fixtures';

/**
 * Notification opens by template (docs/evaluation.md §8), and new vs returning citizens under the
 * menu-version and source filters, each on a small hand-built set of events with known answers.
 */

const END = sh(13, 0, 0, 1); // after every visit below + 30 minutes idle
const range = { from: DAY0, to: DAY1 };
const noMenus = { tree: async () => null };
const noSources = { deliveryCounts: async () => [], ratingCounts: async () => [], followUps: async () => [] };

function service(h: DatabaseHandle, rollup: ReturnType<typeof createReportRollup>, deliveries: DeliveryCount[] = []): ReportService {
  return createReportService({ db: h.db, rollup, now: () => END, unusedShare: 0.01, menus: noMenus, sources: { ...noSources, deliveryCounts: async () => deliveries } });
}

describe('notification opens by template', () => {
  let h: DatabaseHandle;
  let reports: ReportService;
  const tmpl = (kind?: string) => ({ src: 'tmpl', ...(kind === undefined ? {} : { tmpl: kind }) });

  beforeAll(async () => {
    h = await reportDatabase('ropens');
    const [P, Q, R, S] = ['P', 'Q', 'R', 'S'].map(citizen) as [string, string, string, string];
    await insertEvents(h, [
      // P opens a needs_info link and resubmits; 5 minutes later an approved link in the same visit: still one open, of needs_info.
      ev({ occurredAt: sh(9, 0), citizenKey: P, visitId: 'visitPxxx', kind: 'page_view', name: 'h5.application_detail', props: tmpl('application.needs_info') }),
      ev({ occurredAt: sh(9, 2), citizenKey: P, visitId: 'visitPxxx', kind: 'task_start', name: 'application.resubmit', props: tmpl('application.needs_info') }),
      ev({ occurredAt: sh(9, 5), citizenKey: P, visitId: 'visitPxxx', kind: 'page_view', name: 'h5.application_detail', props: tmpl('application.approved') }),
      // Q and R open reminders; R later comes back through the menu (31 minutes later: a menu visit, not an open).
      ev({ occurredAt: sh(9, 10), citizenKey: Q, visitId: 'visitQxxx', kind: 'page_view', name: 'h5.appointment_detail', props: tmpl('appointment.reminder') }),
      ev({ occurredAt: sh(10, 0), citizenKey: R, visitId: 'visitR1xx', kind: 'page_view', name: 'h5.appointment_detail', props: tmpl('appointment.reminder') }),
      ev({ occurredAt: sh(10, 31), citizenKey: R, source: 'wechat', kind: 'menu_click', name: 'violations', menuKey: 'violations', menuVersion: 'v1' }),
      // A browser without a session follows an old link that names no template; S's link carries a malformed one.
      ev({ occurredAt: sh(11, 0), visitId: 'visitWanon', kind: 'page_view', name: 'h5.application_detail', props: tmpl() }),
      ev({ occurredAt: sh(11, 30), citizenKey: S, visitId: 'visitSxxx', kind: 'page_view', name: 'h5.application_detail', props: tmpl('Evil<b>') }),
      // The next Shanghai day (16:00 UTC), another needs_info open by P.
      ev({ occurredAt: sh(0, 10, 0, 1), citizenKey: P, visitId: 'visitP2xx', kind: 'page_view', name: 'h5.application_detail', props: tmpl('application.needs_info') }),
      // A template receipt is not an open.
      ev({ occurredAt: sh(9, 1), citizenKey: Q, source: 'wechat', kind: 'notification', name: 'template_receipt', outcome: 'success' }),
    ]);
    const rollup = createReportRollup({ db: h.db, lateMarginMs: 0, now: () => END });
    await rollup.runOnce({ until: END });
    reports = service(h, rollup, [
      { kind: 'appointment.reminder', status: 'delivered', count: 4 },
      { kind: 'application.needs_info', status: 'delivered', count: 2 },
      { kind: 'application.needs_info', status: 'permanent_failure', count: 1 },
      { kind: 'appointment.booked', status: 'delivered', count: 3 },
      { kind: 'appointment.booked', status: 'sending', count: 1 },
    ]);
  });
  afterAll(() => h?.close());

  it('counts the visits each template opened beside what was sent, delivered and failed, with the open rate', async () => {
    const r = await reports.notifications(range);
    const pick = (kind: string) => r.byTemplate.find((t) => t.kind === kind);
    expect(r.byTemplate.map((t) => t.kind)).toEqual(['appointment.reminder', 'appointment.booked', 'application.needs_info', '(none)']);
    expect(pick('appointment.reminder')).toEqual({ kind: 'appointment.reminder', total: 4, queued: 0, sent: 0, delivered: 4, failed: 0, suppressed: 0, opens: 2, openRate: 0.5 });
    expect(pick('application.needs_info')).toMatchObject({ total: 3, delivered: 2, failed: 1, opens: 2, openRate: 1 });
    expect(pick('appointment.booked')).toMatchObject({ total: 4, queued: 1, delivered: 3, opens: 0, openRate: 0 });
    // The link without a template and the malformed one: opens that name no template.
    expect(pick('(none)')).toMatchObject({ total: 0, delivered: 0, opens: 2, openRate: null });
    expect(r.opens.visits).toBe(6);
    expect(r.byTemplate.reduce((s, t) => s + t.opens, 0)).toBe(r.opens.visits);
    expect(r.openRate).toBe(0.6667); // 6 opens ÷ 9 delivered
    expect(r.totals).toEqual({ total: 11, queued: 1, sent: 0, delivered: 9, failed: 1, suppressed: 0 });
  });

  it('dates opens by the Shanghai day the visit began', async () => {
    const day0 = await reports.notifications({ from: DAY0, to: DAY0 });
    expect(day0.byTemplate.find((t) => t.kind === 'application.needs_info')?.opens).toBe(1);
    expect(day0.opens.visits).toBe(5);
    const day1 = await reports.notifications({ from: DAY1, to: DAY1 });
    expect(day1.opens.visits).toBe(1);
    expect(day1.byTemplate.find((t) => t.kind === 'application.needs_info')?.opens).toBe(1);
  });

  it('exports opens and open rate per template, suppressing rows about fewer than k opens', async () => {
    const csv = renderCsv(notificationsCsv(await reports.notifications(range)), 2);
    const lines = csv.replace('\uFEFF', '').split('\r\n');
    expect(lines[0]).toBe('消息类型,总数,待发送,已发送,已送达,失败,未发送(用户关闭),打开(从消息进入的访问),打开率(%)');
    expect(lines).toContain('appointment.reminder,4,0,0,4,0,0,2,50');
    expect(lines).toContain('application.needs_info,3,0,0,2,1,0,2,100');
    expect(lines).toContain('合计,11,1,0,9,1,0,6,66.67');
    // With k = 3, a template opened twice is a small cell even though 4 were sent.
    const k3 = renderCsv(notificationsCsv(await reports.notifications(range)), 3);
    expect(k3).toContain('appointment.reminder,<3,<3,<3,<3,<3,<3,<3,<3');
    expect(k3).toContain('appointment.booked,4,1,0,3,0,0,0,0'); // no opens: the row is about the 4 messages
  });
});

describe('new vs returning citizens under the menu-version and source filters', () => {
  let h: DatabaseHandle;
  let reports: ReportService;
  // v1 was live until noon on day 0, v2 after: a visit without a version tag gets the one live at its start.
  const history: MenuPublication[] = [
    { version: 'v1', publishedAt: sh(0, 0, 0, -30) },
    { version: 'v2', publishedAt: sh(12, 0) },
  ];
  const [K1, K2, K3, K4, K5] = ['1', '2', '3', '4', '5'].map((c) => citizen(`K${c}`)) as [string, string, string, string, string];
  const page = (citizenKey: string, occurredAt: number, extra: Record<string, unknown> = {}) =>
    ev({ occurredAt, citizenKey, visitId: `visit${citizenKey.slice(0, 2)}${occurredAt % 100_000}`, kind: 'page_view', name: 'h5.hall', ...extra });

  beforeAll(async () => {
    h = await reportDatabase('rnewmv');
    await insertEvents(h, [
      page(K1, sh(9, 0, 0, -3)), // K1: first seen three days before the range (v1) …
      page(K1, sh(13, 0)), //       … and back on day 0 under v2: returning
      page(K2, sh(9, 0)), //         K2: first visit on day 0 under v1 …
      page(K2, sh(14, 0)), //        … back the same afternoon under v2: new for v1, returning for v2
      page(K3, sh(13, 30)), //       K3: first visit on day 0 under v2
      // K4: day 1 through a menu still showing v1 on the phone (the tap carries v1)
      ev({ occurredAt: sh(10, 0, 0, 1), citizenKey: K4, source: 'wechat', kind: 'menu_click', name: 'violations', menuKey: 'violations', menuVersion: 'v1' }),
      // K5: day 1 from a template-message link, under v2
      page(K5, sh(11, 0, 0, 1), { name: 'h5.application_detail', props: { src: 'tmpl', tmpl: 'application.accepted' } }),
    ]);
    const rollup = createReportRollup({ db: h.db, lateMarginMs: 0, now: () => END, menuHistory: async () => history });
    await rollup.runOnce({ until: END });
    reports = service(h, rollup);
  });
  afterAll(() => h?.close());

  const split = async (filter: { menuVersion?: string; source?: 'menu' | 'message' | 'direct' }) => {
    const r = await reports.audience({ ...range, ...filter });
    return { totals: [r.totals.citizens, r.totals.newCitizens, r.totals.returningCitizens], days: r.series.map((d) => [d.day, d.citizens, d.newCitizens, d.returningCitizens]) };
  };

  it('without a filter: new = first visit ever in the range', async () => {
    expect(await split({})).toEqual({
      totals: [5, 4, 1],
      days: [
        [DAY0, 3, 2, 1],
        [DAY1, 2, 2, 0],
      ],
    });
  });

  it('with a menu version: new = first visit ever in the range and under that version; returning = the rest of its citizens', async () => {
    expect(await split({ menuVersion: 'v2' })).toEqual({
      totals: [4, 2, 2], // K1, K2, K3, K5 visited under v2; K3 and K5 first came under it
      days: [
        [DAY0, 3, 1, 2],
        [DAY1, 1, 1, 0],
      ],
    });
    expect(await split({ menuVersion: 'v1' })).toEqual({
      totals: [2, 2, 0], // K2 on day 0, K4 on day 1 (their taps said v1)
      days: [
        [DAY0, 1, 1, 0],
        [DAY1, 1, 1, 0],
      ],
    });
    expect(await split({ menuVersion: 'v9' })).toEqual({ totals: [0, 0, 0], days: [[DAY0, 0, 0, 0], [DAY1, 0, 0, 0]] });
  });

  it('with a source: new = first visit ever in the range and entered that way', async () => {
    expect((await split({ source: 'message' })).totals).toEqual([1, 1, 0]); // K5
    expect((await split({ source: 'menu' })).totals).toEqual([1, 1, 0]); // K4
    expect(await split({ source: 'direct' })).toEqual({
      totals: [3, 2, 1], // K1 (returning), K2 and K3 (new)
      days: [
        [DAY0, 3, 2, 1],
        [DAY1, 0, 0, 0],
      ],
    });
  });

  it('one-day ranges', async () => {
    const r = await reports.audience({ from: DAY1, to: DAY1, menuVersion: 'v2' });
    expect(r.totals).toMatchObject({ citizens: 1, newCitizens: 1 }); // K5's first visit was on day 1
    const later = await reports.audience({ from: DAY0, to: DAY0, menuVersion: 'v1' });
    expect(later.totals).toMatchObject({ citizens: 1, newCitizens: 1, returningCitizens: 0 }); // K2
  });
});

describe('first visit of a citizen seen first in a provisional tail', () => {
  let h: DatabaseHandle;
  afterAll(() => h?.close());

  it("keeps the final visit's version and entry, not the provisional ones, as a rebuild does", async () => {
    h = await reportDatabase('rnewtail');
    const T = citizen('T');
    // T follows at 13:00 (no version: the provisional visit takes v2, live then), then taps a v1 menu at 13:05.
    await insertEvents(h, [
      ev({ occurredAt: sh(13, 0), citizenKey: T, source: 'wechat', kind: 'follow', name: 'subscribe' }),
      ev({ occurredAt: sh(13, 5), citizenKey: T, source: 'wechat', kind: 'menu_click', name: 'violations', menuKey: 'violations', menuVersion: 'v1' }),
    ]);
    const history = async (): Promise<MenuPublication[]> => [{ version: 'v2', publishedAt: sh(0, 0) }];
    const rollup = createReportRollup({ db: h.db, lateMarginMs: 0, now: () => END, menuHistory: history });
    const first = async () => {
      const [rows] = await h.pool.query('SELECT first_menu_version AS mv, first_entry AS entry FROM report_citizens');
      return rows as Array<{ mv: string; entry: string }>;
    };
    await rollup.runOnce({ until: sh(13, 0), tailUntil: sh(13, 3) }); // the tail holds only the follow
    expect(await first()).toEqual([{ mv: 'v2', entry: 'direct' }]);
    await rollup.runOnce({ until: END });
    expect(await first()).toEqual([{ mv: 'v1', entry: 'menu' }]); // the first screen is the tap
    const reports = service(h, rollup);
    expect((await reports.audience({ ...range, menuVersion: 'v1' })).totals).toMatchObject({ citizens: 1, newCitizens: 1 });
    expect((await reports.audience({ ...range, menuVersion: 'v2' })).totals).toMatchObject({ citizens: 0, newCitizens: 0 });
    await rollup.rebuild({ until: END });
    expect(await first()).toEqual([{ mv: 'v1', entry: 'menu' }]); // the first screen is the tap
  });
});
