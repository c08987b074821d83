import { afterEach, describe, expect, it, vi } from 'vitest';
import { echarts } from '../../web/src/admin/components/charts/echarts-setup';
import { sparklinePath, type ReportChartOption } from '../../web/src/admin/reports-charts';
import { formatPercent } from '../../web/src/admin/reports-format';
import {
  audienceCharts,
  compareMenu,
  compareRows,
  dataNote,
  defaultCompareSides,
  failuresChart,
  funnelChart,
  lookupsView,
  menuChart,
  menuRows,
  menuTrend,
  notificationOpensChart,
  notificationsChart,
  pageLabel,
  parseCompareSide,
  satisfactionChart,
  servicesChart,
  stepsChart,
  transitionsChart,
  worstStep,
} from '../../web/src/admin/reports-views';
import type {
  AudienceReport,
  CompareReport,
  FailuresReport,
  FunnelReport,
  LookupsVsTransactionsReport,
  MenuUsageReport,
  NotificationsReport,
  PathsReport,
  ReportMeta,
  SatisfactionReport,
  ServicesReport,
} from '../../web/src/admin/reports-types';

// Answers shaped as docs/api-reports.md shows them.
const meta: ReportMeta = { from: '2026-11-20', to: '2026-11-22', menuVersion: null, source: null, timezone: 'Asia/Shanghai', dataUntil: '2026-11-22T11:20:00.000+08:00', provisionalFrom: null, lateEvents: 0, generatedAt: '2026-11-22T12:00:03.120+08:00' };

const menu: MenuUsageReport = {
  meta,
  version: 'v3',
  unusedThreshold: 0.01,
  totalTaps: 200,
  days: ['2026-11-20', '2026-11-21', '2026-11-22'],
  items: [
    { key: 'm1', name: '查询服务', level: 1, parentKey: null, group: true, taps: 150, citizens: 61, share: 0.75, unused: false, trend: [70, 80, 0] },
    { key: 'hall', name: '服务大厅', level: 1, parentKey: null, group: false, taps: 0, citizens: 0, share: 0, unused: true, trend: [0, 0, 0] },
    { key: 'violations', name: '违法查询', level: 2, parentKey: 'm1', group: false, taps: 149, citizens: 60, share: 0.745, unused: false, trend: [69, 80, 0] },
    { key: 'points', name: '驾驶证记分', level: 2, parentKey: 'm1', group: false, taps: 1, citizens: 1, share: 0.005, unused: true, trend: [1, 0, 0] },
  ],
  otherKeys: [{ key: 'old_item', taps: 50, citizens: 20, share: 0.25 }],
};

/** Renders an option with exactly the ECharts parts the pages register; fails on any ECharts warning. */
function renderSvg(option: ReportChartOption): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: 680, height: 360, locale: 'ZH' });
  try {
    chart.setOption(option);
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

const warnings: unknown[][] = [];
afterEach(() => {
  vi.restoreAllMocks();
  warnings.length = 0;
});
// ECharts reports a missing part or a retired option on the console (log, warn or error).
const watchConsole = () => {
  for (const level of ['log', 'warn', 'error'] as const) vi.spyOn(console, level).mockImplementation((...a: unknown[]) => void warnings.push(a));
};

describe('menu usage', () => {
  it('lays the published tree out in order (top button, then its sub-items) and lists keys of other versions last', () => {
    const rows = menuRows(menu);
    expect(rows.map((r) => `${r.level}:${r.key}`)).toEqual(['1:m1', '2:violations', '2:points', '1:hall', '1:old_item']);
    expect(rows.find((r) => r.key === 'old_item')).toMatchObject({ other: true, taps: 50 });
    expect(rows.filter((r) => r.unused).map((r) => r.key)).toEqual(['points', 'hall']);
  });

  it('charts the tappable items only (a group has no taps of its own) and names the busiest and the unused', () => {
    const c = menuChart(menu);
    expect(c.table.rows.map((r) => r[0])).toEqual(['服务大厅', '违法查询', '驾驶证记分']);
    expect(c.label).toContain('最多的是“违法查询”（149 次）');
    expect(c.label).toContain('2 项很少使用（占比低于 1.0%）');
    // the daily line is the sum of the leaves' trends
    expect(menuTrend(menu).table.rows).toEqual([['2026-11-20', 70], ['2026-11-21', 80], ['2026-11-22', 0]]);
  });
});

describe('lookups vs transactions (the headline)', () => {
  const report: LookupsVsTransactionsReport = {
    meta,
    totals: { visits: 10, transaction: 2, attempt: 1, lookup: 6, browse: 1, lookupShare: 0.6, transactionShare: 0.2 },
    series: [
      { day: '2026-11-20', visits: 4, transaction: 1, attempt: 0, lookup: 3, browse: 0 },
      { day: '2026-11-22', visits: 6, transaction: 1, attempt: 1, lookup: 3, browse: 1 },
    ],
  };

  it('gives each day its shares, leaving a day without visits empty rather than 0%', () => {
    const v = lookupsView(report, { from: '2026-11-20', to: '2026-11-22' });
    expect(v.days).toEqual(['2026-11-20', '2026-11-21', '2026-11-22']);
    expect(v.headline).toBe('60.0% 的来访只是查询，20.0% 的来访办成了事');
    const option = v.chart.option as { series: { name: string; data: (number | null)[]; stack?: string }[] };
    const lookup = option.series.find((s) => s.name === '只查询')!;
    expect(lookup.data).toEqual([0.75, null, 0.5]);
    expect(option.series.every((s) => s.stack === 'total')).toBe(true);
    // the four classes add up to the whole on every day with visits
    for (const i of [0, 2]) expect(option.series.reduce((n, s) => n + (s.data[i] ?? 0), 0)).toBeCloseTo(1);
    expect(v.chart.table.rows[1]).toEqual(['2026-11-21', 0, '—', '—', '—', '—']);
  });

  it('says so when nobody visited', () => {
    const empty = lookupsView({ meta, totals: { visits: 0, transaction: 0, attempt: 0, lookup: 0, browse: 0, lookupShare: null, transactionShare: null }, series: [] });
    expect(empty.headline).toBe('所选时段没有来访');
  });
});

describe('funnels', () => {
  const booking: FunnelReport = {
    meta,
    funnel: 'booking',
    oauthFailures: 3,
    steps: [
      { key: 'service', label: '选择业务', visits: 100, conversion: 1, dropOff: 0, dropOffRate: null },
      { key: 'signed_in', label: '微信授权', visits: 96, conversion: 0.96, dropOff: 4, dropOffRate: 0.04 },
      { key: 'office', label: '选择网点', visits: 80, conversion: 0.8, dropOff: 16, dropOffRate: 0.1667 },
      { key: 'done', label: '预约成功', visits: 70, conversion: 0.7, dropOff: 10, dropOffRate: 0.125 },
    ],
  };

  it('finds the step where most visits give up, the OAuth step included', () => {
    expect(worstStep(booking)?.key).toBe('office');
    const c = funnelChart(booking);
    expect(c.label).toContain('流失率最高的一步是“选择网点”（16.7%）');
    expect(c.table.rows[0]).toEqual(['选择业务', 100, '100.0%', '—', '—']);
    expect(c.table.rows[1]).toEqual(['微信授权', 96, '96.0%', 4, '4.0%']);
    expect(worstStep({ ...booking, steps: booking.steps.map((s) => ({ ...s, dropOff: 0, dropOffRate: s.dropOffRate === null ? null : 0 })) })).toBeNull();
  });
});

describe('paths and wayfinding', () => {
  const paths: PathsReport = {
    meta,
    stepsToTask: { visits: 10, visitsWithTask: 8, mean: 2.4, median: 2, histogram: [{ steps: 20, visits: 1 }, { steps: 1, visits: 3 }, { steps: 2, visits: 4 }], byEntry: [] },
    topPaths: [{ path: ['menu:violations', 'h5.violations'], visits: 3, share: 0.3 }],
    transitions: { page: 'h5.hall', previous: [{ page: '(entry)', moves: 5 }, { page: 'menu:violations', moves: 2 }], next: [{ page: 'h5.violations', moves: 4 }, { page: '(exit)', moves: 1 }] },
    menuNames: { violations: '查询服务 › 违法查询' },
  };

  it('orders the steps histogram and names the open-ended bucket', () => {
    const c = stepsChart(paths);
    expect(c.table.rows).toEqual([['1 步', 3, '37.5%'], ['2 步', 4, '50.0%'], ['20 步及以上', 1, '12.5%']]);
    expect(c.label).toContain('中位数 2 步');
  });

  it("shows the hall's previous and next pages by name", () => {
    const c = transitionsChart(paths);
    expect(c.table.rows).toEqual([['（进入）', 5, 0], ['菜单：查询服务 › 违法查询', 2, 0], ['违法查询', 0, 4], ['（离开）', 0, 1]]);
    expect(c.label).toContain('最常去“违法查询”');
    expect(pageLabel('menu:violations', paths.menuNames)).toBe('菜单：查询服务 › 违法查询');
    expect(pageLabel('menu:points')).toBe('菜单：points'); // an item the menu no longer has keeps its key
    expect(pageLabel('h5.unknown_page')).toBe('h5.unknown_page');
  });
});

describe('audience, services, failures, notifications, satisfaction', () => {
  const audience: AudienceReport = {
    meta,
    totals: { citizens: 3, newCitizens: 2, returningCitizens: 1, visits: 4, follows: 1, unfollows: 0 },
    series: [{ day: '2026-11-21', citizens: 3, newCitizens: 2, returningCitizens: 1, visits: 4, follows: 1, unfollows: 0 }],
    followSources: [],
    heatmap: [{ weekday: 6, hour: 9, visits: 3 }, { weekday: 1, hour: 23, visits: 1 }],
  };

  it('fills every hour of every weekday for the heat map (the API lists only non-empty cells)', () => {
    const { heat, citizens } = audienceCharts(audience, { from: '2026-11-20', to: '2026-11-22' });
    const cells = (heat.option as { series: { data: [number, number, number][] }[] }).series[0]!.data;
    expect(cells).toHaveLength(7 * 24);
    expect(cells).toContainEqual([9, 5, 3]);
    expect(cells).toContainEqual([23, 0, 1]);
    expect(heat.label).toContain('最忙的是周六 9 时（3 次）');
    expect(citizens.table.rows).toEqual([['2026-11-20', 0, 0], ['2026-11-21', 2, 1], ['2026-11-22', 0, 0]]);
  });

  it('adds up no-result rows of one place across terms', () => {
    const failures: FailuresReport = {
      meta,
      noResults: [{ where: 'h5.hall', term: '驾照换证', count: 2 }, { where: 'h5.hall', term: 'abc', count: 1 }, { where: 'violations.lookup', term: '', count: 5 }],
      validationErrors: [{ name: 'violations.lookup', count: 1, visits: 1 }],
      errors: [],
      taskFailures: [{ task: 'appointment.book', code: 'APPOINTMENT_SLOT_FULL', count: 2, visits: 2 }],
    };
    expect(failuresChart(failures).table.rows).toEqual([['无结果：violations.lookup', 5], ['无结果：服务大厅', 3], ['办事失败：appointment.book', 2], ['校验错误：violations.lookup', 1]]);
  });

  it('renders every chart with the registered ECharts parts only, without warnings', () => {
    watchConsole();
    const services: ServicesReport = { meta, services: [{ task: 'appointment.book', label: '预约办理', group: 'booking', visits: 40, completions: 31, failures: 6, successRate: 0.775, medianMs: 84000 }] };
    const notifications: NotificationsReport = {
      meta,
      byTemplate: [
        { kind: 'application.accepted', total: 30, queued: 0, sent: 2, delivered: 27, failed: 1, suppressed: 0, opens: 9, openRate: 0.3333 },
        { kind: 'appointment.booked', total: 10, queued: 0, sent: 0, delivered: 10, failed: 0, suppressed: 0, opens: 5, openRate: 0.5 },
        { kind: '(none)', total: 0, queued: 0, sent: 0, delivered: 0, failed: 0, suppressed: 0, opens: 1, openRate: null },
      ],
      totals: { total: 30, queued: 0, sent: 2, delivered: 27, failed: 1, suppressed: 0 },
      opens: { visits: 15, byLandingPage: [] },
      openRate: 0.4054,
    };
    const opened = notificationOpensChart(notifications);
    expect(opened.table.rows).toEqual([
      ['申请已受理', 27, 9, formatPercent(0.3333)],
      ['预约成功', 10, 5, formatPercent(0.5)],
      ['未注明模板的消息链接', 0, 1, formatPercent(null)],
    ]);
    expect(opened.label).toContain('打开率最高的是“预约成功”');
    expect(notificationsChart(notifications).table.rows[0]).toEqual(['申请已受理', 30, 27, 2, 1, 0, 0, 9, formatPercent(0.3333)]);
    const satisfaction: SatisfactionReport = {
      meta,
      rows: [{ typeCode: 'licence_renewal', typeName: '驾驶证换证', stage: 'completed', counts: [1, 0, 2, 5, 12], total: 20, average: 4.35, goodShare: 0.85 }],
      followUps: { total: 1, closed: 1, open: 0, overdue: 0, medianHours: 5.5, maxHours: 5.5 },
    };
    const sat = satisfactionChart(satisfaction);
    expect(sat.table.rows[0]).toEqual(['驾驶证换证 · 办结', 12, 5, 2, 0, 1, 20]);
    const a = audienceCharts(audience);
    const svgs = [
      renderSvg(menuChart(menu).option),
      renderSvg(menuTrend(menu).option),
      renderSvg(servicesChart(services).option),
      renderSvg(notificationsChart(notifications).option),
      renderSvg(sat.option),
      renderSvg(a.heat.option),
      renderSvg(a.follows.option),
      renderSvg(a.citizens.option),
      renderSvg(lookupsView({ meta, totals: { visits: 1, transaction: 1, attempt: 0, lookup: 0, browse: 0, lookupShare: 0, transactionShare: 1 }, series: [{ day: '2026-11-20', visits: 1, transaction: 1, attempt: 0, lookup: 0, browse: 0 }] }).chart.option),
      renderSvg(funnelChart({ meta, funnel: 'application', oauthFailures: 0, steps: [{ key: 'form', label: '在线申请页', visits: 2, conversion: 1, dropOff: 0, dropOffRate: null }] }).option),
      renderSvg(stepsChart({ meta, stepsToTask: { visits: 1, visitsWithTask: 1, mean: 1, median: 1, histogram: [{ steps: 1, visits: 1 }], byEntry: [] }, topPaths: [], transitions: { page: 'h5.hall', previous: [], next: [{ page: 'h5.points', moves: 1 }] }, menuNames: {} }).option),
      renderSvg(compareMenu({ label: 'v2', report: menu }, { label: 'v3', report: menu }).chart.option),
      renderSvg(opened.option),
    ];
    expect(warnings).toEqual([]);
    expect(svgs[0]).toContain('违法查询');
    expect(svgs[2]).toContain('预约办理');
    expect(svgs[3]).toContain('申请已受理');
    expect(svgs[4]).toContain('非常满意'); // legend
    expect(svgs[5]).toContain('周六'); // heat map axis
    expect(svgs[svgs.length - 1]).toContain('未注明模板的消息链接');
  });
});

describe('menu version comparison', () => {
  const metrics = { visits: 800, citizens: 400, menuTaps: 900, unusedItems: 3, lookupShare: 0.72, transactionShare: 0.06, medianStepsToTask: 3, meanStepsToTask: 3.4, bookingConversion: 0.41, applicationConversion: 0.5, successRates: [{ task: 'appointment.book', visits: 30, successRate: 0.7 }] };
  const report: CompareReport = {
    meta,
    a: { label: 'v2', kind: 'menuVersion', from: '2026-10-24', to: '2026-11-22', menuVersion: 'v2', metrics },
    b: { label: 'v3', kind: 'menuVersion', from: '2026-10-24', to: '2026-11-22', menuVersion: 'v3', metrics: { ...metrics, visits: 1000, unusedItems: 1, transactionShare: 0.1, medianStepsToTask: 2, bookingConversion: 0.3, successRates: [] } },
  };

  it('judges each change by the direction that is an improvement for that metric', () => {
    const rows = Object.fromEntries(compareRows(report).map((r) => [r.label, r]));
    expect(rows['来访次数']).toMatchObject({ a: '800', b: '1,000', change: '+200（+25.0%）', verdict: 'changed' });
    expect(rows['办成事的来访占比']).toMatchObject({ a: '6.0%', b: '10.0%', change: '+4.0 个百分点', verdict: 'better' });
    expect(rows['到办事的步数（中位数）']).toMatchObject({ a: '3 步', b: '2 步', verdict: 'better' });
    expect(rows['很少使用的菜单项']).toMatchObject({ verdict: 'better' });
    expect(rows['预约漏斗转化率']).toMatchObject({ verdict: 'worse' });
    expect(rows['申请漏斗转化率']).toMatchObject({ verdict: 'same' });
    // a task only one side has: cannot be compared, but is shown
    expect(rows['成功率：appointment.book']).toMatchObject({ a: '70.0%', b: '—', verdict: 'unknown' });
  });

  it('matches menu items by key, marking added and removed ones', () => {
    const other: MenuUsageReport = {
      ...menu,
      version: 'v2',
      items: [
        { key: 'violations', name: '违章查询', level: 1, parentKey: null, group: false, taps: 10, citizens: 5, share: 0.5, unused: false, trend: [] },
        { key: 'gone', name: '旧入口', level: 1, parentKey: null, group: false, taps: 10, citizens: 5, share: 0.5, unused: false, trend: [] },
      ],
    };
    const { rows } = compareMenu({ label: 'v2', report: other }, { label: 'v3', report: menu });
    const byKey = Object.fromEntries(rows.map((r) => [r.key, r]));
    expect(byKey.violations).toMatchObject({ name: '违法查询', status: 'kept', aShare: 0.5, bShare: 0.745 });
    expect(byKey.violations!.change.text).toBe('+24.5 个百分点');
    expect(byKey.gone).toMatchObject({ status: 'removed', bShare: null });
    expect(byKey.points).toMatchObject({ status: 'added', aShare: null });
    expect(byKey.m1).toBeUndefined(); // groups have no taps of their own
  });

  it('reads and defaults the sides', () => {
    expect(parseCompareSide('v3')).toEqual({ kind: 'menuVersion', version: 'v3' });
    expect(parseCompareSide('2026-10-01..2026-10-31')).toEqual({ kind: 'period', from: '2026-10-01', to: '2026-10-31' });
    expect(parseCompareSide('2026-10-31..2026-10-01')).toBeNull();
    expect(parseCompareSide('2026-02-30..2026-03-01')).toBeNull();
    expect(parseCompareSide('v3 OR 1')).toBeNull();
    expect(defaultCompareSides(['v5', 'v4', 'v1'], '2026-11-22')).toEqual({ a: 'v4', b: 'v5' });
    expect(defaultCompareSides(['v5'], '2026-11-22')).toEqual({ a: '2026-09-24..2026-10-23', b: '2026-10-24..2026-11-22' });
  });
});

describe('small helpers', () => {
  it('draws a sparkline inside its box, flat at the bottom for no taps', () => {
    expect(sparklinePath([0, 5, 10], 100, 20)).toBe('M0.0,19.0 L50.0,10.0 L100.0,1.0');
    expect(sparklinePath([0, 0], 10, 10)).toBe('M0.0,9.0 L10.0,9.0');
    expect(sparklinePath([], 10, 10)).toBe('');
  });

  it('says how fresh the figures are', () => {
    expect(dataNote(meta)).toBe('数据截至 2026-11-22 11:20（北京时间）；之后的使用尚未汇总');
    expect(dataNote({ ...meta, dataUntil: '2026-11-22T12:00:00.000+08:00', provisionalFrom: '2026-11-22T11:20:00.000+08:00' })).toBe(
      '数据截至 2026-11-22 12:00（北京时间）；11:20 之后的访问尚未结束，为暂计数，下次汇总时更新',
    );
    expect(dataNote({ dataUntil: null, lateEvents: 3 })).toBe('尚无汇总数据（汇总任务还未运行）；另有 3 条迟到事件未计入');
  });
});
