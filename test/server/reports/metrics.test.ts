import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../../db/connect';
import { bucketMidMs, durationBucket } from '../../../server/reports/catalog';
import { createReportRollup } from '../../../server/reports/rollup';
import type { ReportService } from '../../../server/reports/service';
import { DAY0, DAY1, insertEvents, reportDatabase, sh } from './report-fixtures';
import { SCENARIO_END, scenarioEvents, scenarioReports } from './scenario';

/** Every metric on the hand-built scenario (scenario.ts), through the service the routes call. */
describe('report metrics on a hand-built day', () => {
  let h: DatabaseHandle;
  let reports: ReportService;
  const range = { from: DAY0, to: DAY1 };

  beforeAll(async () => {
    h = await reportDatabase('rmetrics');
    await insertEvents(h, scenarioEvents());
    const rollup = createReportRollup({ db: h.db, lateMarginMs: 0, now: () => SCENARIO_END });
    const r = await rollup.runOnce({ until: SCENARIO_END });
    expect(r.visitsOpen).toBe(0);
    reports = scenarioReports(h, rollup);
  });
  afterAll(() => h?.close());

  it('splits visits by 30 minutes idle (29 stays, 31 splits) and dates them by their start in Asia/Shanghai', async () => {
    const [rows] = await h.pool.query("SELECT actor_key, DATE_FORMAT(day, '%Y-%m-%d') AS day, entry, visit_class, events, screens, steps_to_task FROM report_visits ORDER BY started_at");
    const visits = rows as Array<Record<string, unknown>>;
    expect(visits).toHaveLength(8);
    const a = visits.filter((v) => String(v.actor_key).startsWith('c:AAAA'));
    expect(a.map((v) => [v.day, v.entry, v.visit_class])).toEqual([
      [DAY0, 'menu', 'lookup'], // 10:00–10:32: the 29-minute gap kept it together
      [DAY0, 'direct', 'browse'], // 11:03, 31 minutes later: a new visit (a no-result search is not a lookup)
      [DAY1, 'menu', 'browse'], // 00:30 the next Shanghai day
    ]);
    expect(a[0]).toMatchObject({ events: 7, screens: 3, steps_to_task: 2 });
    // B started at 23:58:30 on day 0 and finished after Shanghai midnight: one visit, day 0.
    const b = visits.find((v) => String(v.actor_key).startsWith('c:BBBB'))!;
    expect(b).toMatchObject({ day: DAY0, entry: 'menu', visit_class: 'transaction', steps_to_task: 5 });
    // The browser-only visit is keyed by its visit id; the template receipt made no visit.
    expect(visits.filter((v) => String(v.actor_key).startsWith('v:'))).toHaveLength(1);
    expect(visits.some((v) => v.entry === 'message')).toBe(true);
  });

  it('lookups vs transactions: classes per visit and per Shanghai day', async () => {
    const r = await reports.lookupsVsTransactions(range);
    expect(r.totals).toEqual({ visits: 8, transaction: 1, attempt: 1, lookup: 1, browse: 5, lookupShare: 0.125, transactionShare: 0.125 });
    expect(r.series).toEqual([
      { day: DAY0, visits: 6, transaction: 1, attempt: 1, lookup: 1, browse: 3 },
      { day: DAY1, visits: 2, transaction: 0, attempt: 0, lookup: 0, browse: 2 },
    ]);
    const menuOnly = await reports.lookupsVsTransactions({ ...range, source: 'menu' });
    expect(menuOnly.totals).toMatchObject({ visits: 3, transaction: 1, lookup: 1, browse: 1 });
  });

  it('menu usage: taps, each citizen counted once over the range, shares, unused items, groups, trend', async () => {
    const r = await reports.menuUsage(range);
    expect(r.version).toBe('v1');
    expect(r.totalTaps).toBe(3);
    expect(r.days).toEqual([DAY0, DAY1]);
    const by = Object.fromEntries(r.items.map((i) => [i.key, i]));
    expect(by.violations).toMatchObject({ level: 2, parentKey: 'm1', taps: 2, citizens: 1, share: 0.6667, unused: false, trend: [1, 1] });
    expect(by.points).toMatchObject({ taps: 0, citizens: 0, share: 0, unused: true });
    expect(by.booking).toMatchObject({ level: 1, taps: 1, citizens: 1, share: 0.3333, trend: [1, 0] });
    expect(by.m1).toMatchObject({ group: true, level: 1, taps: 2, citizens: 1 });
    // Day 1 alone: A tapped once more; still one citizen.
    const d1 = await reports.menuUsage({ from: DAY1, to: DAY1 });
    expect(d1.totalTaps).toBe(1);
    expect(d1.items.find((i) => i.key === 'violations')).toMatchObject({ taps: 1, citizens: 1, share: 1 });
    // Another version's filter: nothing was tapped on it.
    expect((await reports.menuUsage({ ...range, menuVersion: 'v9' })).totalTaps).toBe(0);
    expect(JSON.stringify(r)).not.toMatch(/AAAA|BBBB|visitA1/);
  });

  it('services: visits that started, completed and failed each task; success rate; median time to complete', async () => {
    const r = await reports.services(range);
    const by = Object.fromEntries(r.services.map((s) => [s.task, s]));
    expect(by['violations.lookup']).toMatchObject({ group: 'lookup', label: '违法查询', visits: 1, completions: 1, failures: 0, successRate: 1 });
    // Page and server both record the booking: the visit counts once.
    expect(by['appointment.book']).toMatchObject({ group: 'booking', visits: 1, completions: 1, successRate: 1 });
    expect(by['application.rate']).toMatchObject({ group: 'rating', visits: 1, completions: 0, failures: 1, successRate: 0, medianMs: null });
    for (const t of ['violations.lookup', 'appointment.book']) expect(Math.abs(by[t]!.medianMs! - 60_000) / 60_000).toBeLessThan(0.05);
    expect(bucketMidMs(durationBucket(60_000))).not.toBe(60_000); // the figure is the bucket's, as documented
  });

  it('funnels: booking step by step including sign-in; the anonymous application form stops at sign-in', async () => {
    const booking = await reports.funnel('booking', range);
    expect(booking.steps.map((s) => [s.key, s.visits])).toEqual([
      ['service', 1],
      ['signed_in', 1],
      ['office', 1],
      ['slot', 1],
      ['confirm', 1],
      ['submit', 1],
      ['done', 1],
    ]);
    const app = await reports.funnel('application', range);
    expect(app.steps.map((s) => [s.key, s.visits, s.dropOff])).toEqual([
      ['form', 1, 0],
      ['signed_in', 0, 1],
      ['submit', 0, 0],
      ['done', 0, 0],
    ]);
    expect(app.steps[1]!.dropOffRate).toBe(1);
    expect(app.oauthFailures).toBe(1);
  });

  it('paths: steps from entry to the first task action, common paths, previous/next of the hall', async () => {
    const r = await reports.paths(range);
    expect(r.stepsToTask).toMatchObject({ visits: 8, visitsWithTask: 3, median: 2, mean: 2.67 });
    expect(r.stepsToTask.histogram).toEqual([
      { steps: 1, visits: 1 },
      { steps: 2, visits: 1 },
      { steps: 5, visits: 1 },
    ]);
    expect(r.stepsToTask.byEntry.find((e) => e.entry === 'menu')).toEqual({ entry: 'menu', visits: 3, visitsWithTask: 2, median: 2 });
    expect(r.topPaths).toContainEqual({ path: ['menu:violations', 'h5.violations'], visits: 1, share: 0.125 });
    expect(r.topPaths).toContainEqual({ path: ['menu:booking', 'h5.appointments', 'h5.appointments.office', 'h5.appointments.slot', 'h5.appointments.confirm'], visits: 1, share: 0.125 });
    expect(r.transitions).toEqual({ page: 'h5.hall', previous: [{ page: '(entry)', moves: 1 }], next: [{ page: '(exit)', moves: 1 }] });
    const v = await reports.paths({ ...range, page: 'h5.violations' });
    expect(v.transitions.previous).toEqual([{ page: 'menu:violations', moves: 1 }]);
    expect(v.transitions.next).toEqual([{ page: 'h5.points', moves: 1 }]);
  });

  it('failures: no-result searches with their terms, validation errors, task failures with the code', async () => {
    const r = await reports.failures(range);
    expect(r.noResults).toEqual([{ where: 'h5.hall', term: '=cmd', count: 1 }]);
    expect(r.validationErrors).toEqual([{ name: 'application.submit', count: 1, visits: 1 }]);
    expect(r.taskFailures).toEqual([{ task: 'application.rate', code: 'APPLICATION_NOT_RATABLE', count: 1, visits: 1 }]);
  });

  it('audience: distinct citizens over a range, new vs returning, follows by source and day (16:00 UTC boundary), heat map', async () => {
    const r = await reports.audience(range);
    expect(r.totals).toEqual({ citizens: 4, newCitizens: 4, returningCitizens: 0, visits: 8, follows: 2, unfollows: 0 });
    expect(r.series).toEqual([
      { day: DAY0, citizens: 3, newCitizens: 3, returningCitizens: 0, visits: 6, follows: 1, unfollows: 0 },
      { day: DAY1, citizens: 3, newCitizens: 1, returningCitizens: 2, visits: 2, follows: 1, unfollows: 0 },
    ]);
    expect(r.followSources).toEqual([
      { source: '(none)', follows: 1 },
      { source: 'qrscene_office', follows: 1 },
    ]);
    expect(r.heatmap).toEqual([
      { weekday: 1, hour: 10, visits: 1 },
      { weekday: 1, hour: 11, visits: 1 },
      { weekday: 1, hour: 14, visits: 1 },
      { weekday: 1, hour: 15, visits: 1 },
      { weekday: 1, hour: 23, visits: 2 },
      { weekday: 2, hour: 0, visits: 2 },
    ]);
    const d1 = await reports.audience({ from: DAY1, to: DAY1 });
    expect(d1.totals).toMatchObject({ citizens: 3, newCitizens: 1, returningCitizens: 2 });
  });

  it('notifications: opens are visits that began from a template-message link', async () => {
    const r = await reports.notifications(range);
    expect(r.opens).toEqual({ visits: 1, byLandingPage: [{ page: 'h5.application_detail', visits: 1 }] });
    expect(r.openRate).toBeNull(); // nothing delivered in this database
  });

  it('compare: two menu versions or two periods side by side', async () => {
    const r = await reports.compare({ ...range, a: 'v1', b: `${DAY1}..${DAY1}` });
    expect(r.a).toMatchObject({ kind: 'menuVersion', menuVersion: 'v1', metrics: { visits: 3, menuTaps: 3, unusedItems: 1, medianStepsToTask: 2 } });
    expect(r.a.metrics.citizens).toBe(2); // A and B entered through v1
    expect(r.b).toMatchObject({ kind: 'period', from: DAY1, to: DAY1, menuVersion: null, metrics: { visits: 2, citizens: 3, menuTaps: 1 } });
  });

  it('a day before any event answers zeros, not errors', async () => {
    const r = await reports.lookupsVsTransactions({ from: '2026-01-01', to: '2026-01-01' });
    expect(r.totals.visits).toBe(0);
    expect(r.totals.lookupShare).toBeNull();
    expect(sh(0, 0)).toBe(Date.UTC(2026, 2, 1, 16)); // the fixture's clock: Shanghai midnight is 16:00 UTC
  });
});
