/**
 * What each report page shows, built from the API's answer: table rows with derived figures
 * (drop-off, rates, flags), chart options and the charts' text alternatives. Pure, so the
 * derivations are unit-tested without a browser; the pages only lay these out.
 */
import { barOption, heatmapOption, lineOption, type ChartTable, type ReportChartOption } from './reports-charts';
import { eachDay } from './reports-filters';
import { NONE, WEEKDAYS, formatChange, formatCount, formatDuration, formatPercent, ratio, shortDay } from './reports-format';
import type {
  AudienceReport,
  CompareReport,
  CompareSide,
  FailuresReport,
  FunnelReport,
  LookupsVsTransactionsReport,
  MenuUsageItem,
  MenuUsageReport,
  NotificationsReport,
  PathsReport,
  SatisfactionReport,
  ServicesReport,
} from './reports-types';

export interface ChartView {
  option: ReportChartOption;
  label: string;
  table: ChartTable;
}

/** Share below which a menu item is flagged 很少使用 when the server does not say. */
export const DEFAULT_UNUSED_SHARE = 0.01;

// ---------------------------------------------------------------- menu usage

export interface MenuRow extends MenuUsageItem {
  /** a parent button: its figures are its sub-items' sum (WeChat sends no event for opening a sub-menu) */
  isGroup: boolean;
  flagged: boolean;
}

/**
 * The published tree in order (each top button followed by its sub-items). A top button with
 * sub-items is a group: its taps are theirs summed, and it is never flagged itself.
 */
export function menuRows(report: MenuUsageReport): MenuRow[] {
  const threshold = report.unusedThreshold ?? DEFAULT_UNUSED_SHARE;
  const children = new Map<string, MenuUsageItem[]>();
  const tops: MenuUsageItem[] = [];
  for (const it of report.items) {
    if (it.level > 1 && it.parentKey) children.set(it.parentKey, [...(children.get(it.parentKey) ?? []), it]);
    else tops.push(it);
  }
  const leaf = (it: MenuUsageItem): MenuRow => ({ ...it, isGroup: false, flagged: it.unused ?? it.share < threshold });
  const out: MenuRow[] = [];
  for (const top of tops) {
    const subs = children.get(top.key) ?? [];
    if (subs.length === 0) {
      out.push(leaf(top));
      continue;
    }
    const len = Math.max(0, ...subs.map((s) => s.trend?.length ?? 0));
    out.push({
      ...top,
      taps: subs.reduce((n, s) => n + s.taps, 0),
      share: subs.reduce((n, s) => n + s.share, 0),
      // distinct citizens cannot be summed across items: the server's figure for the group, if any
      citizens: top.citizens,
      trend: len ? Array.from({ length: len }, (_, i) => subs.reduce((n, s) => n + (s.trend?.[i] ?? 0), 0)) : top.trend,
      isGroup: true,
      flagged: false,
    });
    out.push(...subs.map(leaf));
  }
  // sub-items whose parent is not in the answer (should not happen) are still shown
  const shown = new Set(out.map((r) => r.key));
  out.push(...report.items.filter((i) => !shown.has(i.key)).map(leaf));
  return out;
}

export function menuChart(rows: MenuRow[]): ChartView {
  const leaves = rows.filter((r) => !r.isGroup);
  const total = leaves.reduce((n, r) => n + r.taps, 0);
  const top = [...leaves].sort((a, b) => b.taps - a.taps)[0];
  return {
    option: barOption({ categories: leaves.map((r) => r.name), series: [{ name: '点击次数', values: leaves.map((r) => r.taps) }], horizontal: true }),
    label: `菜单项点击次数条形图：共 ${leaves.length} 项，合计 ${formatCount(total)} 次${top && top.taps > 0 ? `，最多的是“${top.name}”（${formatCount(top.taps)} 次）` : ''}；${leaves.filter((r) => r.flagged).length} 项很少使用。`,
    table: { caption: '菜单项点击次数', columns: ['菜单项', '点击次数', '占比'], rows: leaves.map((r) => [r.name, r.taps, formatPercent(r.share)]) },
  };
}

// ---------------------------------------------------------------- services

export function servicesView(report: ServicesReport) {
  const rows = report.services.map((s) => ({
    ...s,
    title: s.label ?? s.name,
    success: s.successRate ?? ratio(s.completions, s.starts),
  }));
  const chart: ChartView = {
    option: barOption({
      categories: rows.map((r) => r.title),
      series: [
        { name: '访问', values: rows.map((r) => r.visits) },
        { name: '发起', values: rows.map((r) => r.starts) },
        { name: '完成', values: rows.map((r) => r.completions) },
      ],
      horizontal: true,
    }),
    label: `各项服务的访问、发起、完成次数条形图，共 ${rows.length} 项服务。`,
    table: {
      caption: '各项服务的访问、发起与完成',
      columns: ['服务', '访问', '发起', '完成', '成功率'],
      rows: rows.map((r) => [r.title, r.visits, r.starts, r.completions, formatPercent(r.success)]),
    },
  };
  return { rows, chart };
}

// ---------------------------------------------------------------- lookups vs transactions

/**
 * The headline: per day, the share of visits that only looked something up, that transacted
 * (booked, applied, rated, paid) and the rest; days without visits stay empty (not 0%) so the
 * stacked area does not dive to zero on a quiet day. Missing days are filled from the range.
 */
export function lookupsView(report: LookupsVsTransactionsReport, range?: { from: string; to: string }) {
  const byDay = new Map(report.days.map((d) => [d.date, d]));
  const days = range ? eachDay(range.from, range.to) : report.days.map((d) => d.date);
  const share = (date: string, k: 'lookupOnly' | 'transaction' | 'other') => {
    const d = byDay.get(date);
    return d && d.visits > 0 ? d[k] / d.visits : null;
  };
  const t = report.totals;
  const totals = { lookupOnly: ratio(t.lookupOnly, t.visits), transaction: ratio(t.transaction, t.visits), other: ratio(t.other, t.visits) };
  const chart: ChartView = {
    option: lineOption({
      categories: days.map(shortDay),
      series: [
        { name: '只查询', values: days.map((d) => share(d, 'lookupOnly')) },
        { name: '办事（预约、申请、评价、缴费）', values: days.map((d) => share(d, 'transaction')) },
        { name: '其他', values: days.map((d) => share(d, 'other')) },
      ],
      area: true,
      stack: true,
      percent: true,
    }),
    label: `按天堆叠面积图：来访中只查询与办事的占比。整个时段共 ${formatCount(t.visits)} 次来访，只查询 ${formatPercent(totals.lookupOnly)}，办事 ${formatPercent(totals.transaction)}，其他 ${formatPercent(totals.other)}。`,
    table: {
      caption: '每天来访中只查询与办事的占比',
      columns: ['日期', '来访', '只查询', '办事', '其他'],
      rows: days.map((d) => {
        const row = byDay.get(d);
        return [d, row?.visits ?? 0, formatPercent(share(d, 'lookupOnly')), formatPercent(share(d, 'transaction')), formatPercent(share(d, 'other'))];
      }),
    },
  };
  const headline =
    t.visits > 0
      ? `${formatPercent(totals.lookupOnly)} 的来访只查询，${formatPercent(totals.transaction)} 的来访办了事`
      : '所选时段没有来访';
  return { days, totals, chart, headline };
}

// ---------------------------------------------------------------- funnels

export const TASK_LABELS = { booking: '预约办事', application: '网上申请' } as const;

export interface FunnelRow {
  name: string;
  label: string;
  visits: number;
  /** share of the first step still here */
  fromStart: number | null;
  /** lost since the previous step (null for the first) */
  dropped: number | null;
  dropRate: number | null;
}

export function funnelRows(report: FunnelReport): FunnelRow[] {
  const first = report.steps[0]?.visits ?? 0;
  return report.steps.map((s, i) => {
    const prev = i > 0 ? report.steps[i - 1]!.visits : null;
    const dropped = prev === null ? null : Math.max(0, prev - s.visits);
    return { name: s.name, label: s.label ?? s.name, visits: s.visits, fromStart: ratio(s.visits, first), dropped, dropRate: prev === null ? null : ratio(dropped, prev) };
  });
}

/** The step that loses the most visits (the abandonment point), or null. */
export function worstStep(rows: FunnelRow[]): FunnelRow | null {
  return rows.reduce<FunnelRow | null>((w, r) => (r.dropRate !== null && r.dropRate > 0 && (!w || r.dropRate > (w.dropRate ?? 0)) ? r : w), null);
}

export function funnelChart(task: keyof typeof TASK_LABELS, rows: FunnelRow[]): ChartView {
  const worst = worstStep(rows);
  return {
    option: barOption({ categories: rows.map((r) => r.label), series: [{ name: '到达的来访', values: rows.map((r) => r.visits) }, { name: '在此流失', values: rows.map((r) => r.dropped ?? 0) }], stack: false }),
    label: `${TASK_LABELS[task]}漏斗，共 ${rows.length} 步：从 ${formatCount(rows[0]?.visits ?? 0)} 次来访到完成 ${formatCount(rows.at(-1)?.visits ?? 0)} 次${worst ? `；流失最多的一步是“${worst.label}”（${formatPercent(worst.dropRate)}）` : ''}。`,
    table: { caption: `${TASK_LABELS[task]}漏斗`, columns: ['步骤', '到达', '占首步', '流失', '流失率'], rows: rows.map((r) => [r.label, r.visits, formatPercent(r.fromStart), r.dropped ?? NONE, formatPercent(r.dropRate)]) },
  };
}

// ---------------------------------------------------------------- paths

/** Readable page names for paths and the transition matrix; unknown names are shown as they are. */
export const PAGE_LABELS: Record<string, string> = {
  'h5.hall': '服务大厅',
  'h5.violations': '违法查询',
  'h5.licence': '驾驶证记分',
  'h5.vehicles': '我的车辆',
  'h5.appointments': '我的预约',
  'h5.appointment_book': '预约办理',
  'h5.applications': '我的申请',
  'h5.not_found': '页面不存在',
};
export const pageLabel = (name: string) => PAGE_LABELS[name] ?? name;

export function stepsChart(report: PathsReport): ChartView & { median: number | null } {
  const rows = [...report.stepsToTask].sort((a, b) => a.steps - b.steps);
  const total = rows.reduce((n, r) => n + r.visits, 0);
  let median: number | null = null;
  let seen = 0;
  for (const r of rows) {
    seen += r.visits;
    if (seen * 2 >= total && total > 0) {
      median = r.steps;
      break;
    }
  }
  return {
    median,
    option: barOption({ categories: rows.map((r) => `${r.steps} 步`), series: [{ name: '来访', values: rows.map((r) => r.visits) }] }),
    label: `从进入到第一次办事所用步数的分布：${formatCount(total)} 次来访${median === null ? '' : `，中位数 ${median} 步`}。`,
    table: { caption: '从进入到第一次办事的步数', columns: ['步数', '来访', '占比'], rows: rows.map((r) => [r.steps, r.visits, formatPercent(ratio(r.visits, total))]) },
  };
}

/** The previous/next page matrix: the `limit` busiest pages on each axis, counts in cells. */
export function transitionMatrix(report: PathsReport, limit = 10): ChartView & { pages: string[] } {
  const weight = new Map<string, number>();
  for (const t of report.transitions) {
    weight.set(t.from, (weight.get(t.from) ?? 0) + t.count);
    weight.set(t.to, (weight.get(t.to) ?? 0) + t.count);
  }
  const pages = [...weight.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, limit).map(([p]) => p);
  const idx = new Map(pages.map((p, i) => [p, i]));
  const cells: [number, number, number][] = [];
  for (const t of report.transitions) {
    const x = idx.get(t.to);
    const y = idx.get(t.from);
    if (x !== undefined && y !== undefined) cells.push([x, y, t.count]);
  }
  const labels = pages.map(pageLabel);
  return {
    pages,
    option: heatmapOption({ xLabels: labels, yLabels: labels, cells, name: '页面跳转' }),
    label: `页面跳转矩阵热力图：纵轴为上一页，横轴为下一页，共 ${pages.length} 个页面、${report.transitions.length} 种跳转。`,
    table: {
      caption: '页面跳转（上一页 → 下一页）',
      columns: ['上一页', '下一页', '次数'],
      rows: [...report.transitions].sort((a, b) => b.count - a.count).map((t) => [pageLabel(t.from), pageLabel(t.to), t.count]),
    },
  };
}

// ---------------------------------------------------------------- failures

export function errorsChart(report: FailuresReport): ChartView {
  const byPage = new Map<string, number>();
  for (const e of report.errors) byPage.set(e.page, (byPage.get(e.page) ?? 0) + e.count);
  const rows = [...byPage.entries()].sort((a, b) => b[1] - a[1]);
  return {
    option: barOption({ categories: rows.map(([p]) => pageLabel(p)), series: [{ name: '错误次数', values: rows.map(([, n]) => n) }], horizontal: true }),
    label: `各页面的错误次数条形图：${rows.length} 个页面共 ${formatCount(rows.reduce((n, [, c]) => n + c, 0))} 次错误。`,
    table: { caption: '各页面的错误次数', columns: ['页面', '次数'], rows: rows.map(([p, n]) => [pageLabel(p), n]) },
  };
}

// ---------------------------------------------------------------- audience

export function audienceCharts(report: AudienceReport, range?: { from: string; to: string }) {
  const byDay = new Map(report.days.map((d) => [d.date, d]));
  const days = range ? eachDay(range.from, range.to) : report.days.map((d) => d.date);
  const val = (d: string, k: 'newCitizens' | 'returning' | 'follows' | 'unfollows') => byDay.get(d)?.[k] ?? 0;
  const sum = (k: 'newCitizens' | 'returning' | 'follows' | 'unfollows') => report.days.reduce((n, d) => n + d[k], 0);
  const citizens: ChartView = {
    option: lineOption({ categories: days.map(shortDay), series: [{ name: '新市民', values: days.map((d) => val(d, 'newCitizens')) }, { name: '回访市民', values: days.map((d) => val(d, 'returning')) }], area: true, stack: true }),
    label: `按天的新市民与回访市民人数：新市民合计 ${formatCount(sum('newCitizens'))} 人次，回访 ${formatCount(sum('returning'))} 人次。`,
    table: { caption: '每天的新市民与回访市民', columns: ['日期', '新市民', '回访市民'], rows: days.map((d) => [d, val(d, 'newCitizens'), val(d, 'returning')]) },
  };
  const follows: ChartView = {
    option: barOption({ categories: days.map(shortDay), series: [{ name: '关注', values: days.map((d) => val(d, 'follows')) }, { name: '取消关注', values: days.map((d) => val(d, 'unfollows')) }] }),
    label: `按天的关注与取消关注：关注 ${formatCount(sum('follows'))} 次，取消关注 ${formatCount(sum('unfollows'))} 次。`,
    table: { caption: '每天的关注与取消关注', columns: ['日期', '关注', '取消关注'], rows: days.map((d) => [d, val(d, 'follows'), val(d, 'unfollows')]) },
  };
  const hours = Array.from({ length: 24 }, (_, h) => `${h}时`);
  const cells: [number, number, number][] = report.heatmap.filter((c) => c.weekday >= 1 && c.weekday <= 7 && c.hour >= 0 && c.hour < 24).map((c) => [c.hour, c.weekday - 1, c.visits]);
  const busiest = [...report.heatmap].sort((a, b) => b.visits - a.visits)[0];
  const heat: ChartView = {
    option: heatmapOption({ xLabels: hours, yLabels: [...WEEKDAYS], cells, name: '来访' }),
    label: `一周各天各小时（北京时间）的来访热力图${busiest && busiest.visits > 0 ? `；最忙的是${WEEKDAYS[busiest.weekday - 1]} ${busiest.hour} 时（${formatCount(busiest.visits)} 次）` : ''}。`,
    table: { caption: '一周各天各小时的来访', columns: ['星期', ...hours], rows: WEEKDAYS.map((w, i) => [w, ...hours.map((_, h) => report.heatmap.find((c) => c.weekday === i + 1 && c.hour === h)?.visits ?? 0)]) },
  };
  return { citizens, follows, heat };
}

/** Acquisition sources of follows, as named in WeChat's subscribe events. */
export const FOLLOW_SOURCE_LABELS: Record<string, string> = {
  search: '搜索',
  qrcode: '扫描二维码',
  qr_scene: '带参数二维码',
  profile: '名片分享',
  article: '文章',
  menu: '菜单',
  other: '其他',
  unknown: '未知',
};
export const followSourceLabel = (s: string) => FOLLOW_SOURCE_LABELS[s] ?? s;

// ---------------------------------------------------------------- notifications

export function notificationsView(report: NotificationsReport) {
  const rows = report.templates.map((t) => ({ ...t, title: t.label ?? t.template, deliveryRate: ratio(t.delivered, t.sent), openRate: ratio(t.opens, t.delivered) }));
  const chart: ChartView = {
    option: barOption({
      categories: rows.map((r) => r.title),
      series: [
        { name: '发送', values: rows.map((r) => r.sent) },
        { name: '送达', values: rows.map((r) => r.delivered) },
        { name: '失败', values: rows.map((r) => r.failed) },
        { name: '打开', values: rows.map((r) => r.opens) },
      ],
    }),
    label: `各模板消息的发送、送达、失败和打开次数，共 ${rows.length} 种模板。`,
    table: { caption: '模板消息效果', columns: ['模板', '发送', '送达', '失败', '打开'], rows: rows.map((r) => [r.title, r.sent, r.delivered, r.failed, r.opens]) },
  };
  return { rows, chart };
}

// ---------------------------------------------------------------- satisfaction

export const SCORE_LABELS = { '5': '非常满意', '4': '满意', '3': '基本满意', '2': '不满意', '1': '非常不满意' } as const;
export const STAGE_LABELS: Record<string, string> = { accepted: '受理', acceptance: '受理', completed: '办结', completion: '办结' };
const SCORES = ['5', '4', '3', '2', '1'] as const;

export function satisfactionView(report: SatisfactionReport) {
  const rows = report.ratings.map((r) => {
    const total = SCORES.reduce((n, s) => n + (r.counts[s] ?? 0), 0);
    const bad = (r.counts['1'] ?? 0) + (r.counts['2'] ?? 0);
    const good = (r.counts['4'] ?? 0) + (r.counts['5'] ?? 0);
    return { ...r, title: `${r.label ?? r.service} · ${STAGE_LABELS[r.stage] ?? r.stage}`, total, goodShare: ratio(good, total), badShare: ratio(bad, total) };
  });
  const chart: ChartView = {
    option: barOption({ categories: rows.map((r) => r.title), series: SCORES.map((s) => ({ name: SCORE_LABELS[s], values: rows.map((r) => ratio(r.counts[s] ?? 0, r.total)) })), horizontal: true, stack: true, percent: true }),
    label: `各服务各环节的好差评分布（堆叠百分比条形图），共 ${rows.length} 组、${formatCount(rows.reduce((n, r) => n + r.total, 0))} 条评价。`,
    table: { caption: '好差评分布', columns: ['服务 · 环节', ...SCORES.map((s) => SCORE_LABELS[s]), '合计'], rows: rows.map((r) => [r.title, ...SCORES.map((s) => r.counts[s] ?? 0), r.total]) },
  };
  const f = report.followUps;
  const followUps = [
    { label: '差评回访', value: formatCount(f.count) },
    { label: '已答复', value: formatCount(f.answered) },
    { label: '答复用时中位数', value: formatDuration(f.medianMs) },
    { label: '答复用时 90% 分位', value: formatDuration(f.p90Ms) },
    { label: '超时未答复', value: formatCount(f.overdue) },
  ];
  return { rows, chart, followUps };
}

// ---------------------------------------------------------------- comparison

type MetricKind = 'count' | 'share' | 'duration' | 'steps';
interface MetricDef {
  key: keyof CompareSide;
  label: string;
  kind: MetricKind;
  /** whether a rise is an improvement (for highlighting), or neutral */
  better: 'up' | 'down' | 'neutral';
}
export const COMPARE_METRICS: MetricDef[] = [
  { key: 'visits', label: '来访次数', kind: 'count', better: 'neutral' },
  { key: 'citizens', label: '市民人数', kind: 'count', better: 'neutral' },
  { key: 'lookupOnlyShare', label: '只查询的来访占比', kind: 'share', better: 'neutral' },
  { key: 'transactionShare', label: '办事的来访占比', kind: 'share', better: 'up' },
  { key: 'medianStepsToTask', label: '到办事的步数（中位数）', kind: 'steps', better: 'down' },
  { key: 'taskSuccess', label: '办事成功率', kind: 'share', better: 'up' },
  { key: 'noResultRate', label: '无结果查询占比', kind: 'share', better: 'down' },
];

export interface CompareRow {
  label: string;
  a: string;
  b: string;
  change: string;
  /** better / worse under the metric's own direction; changed when it has none */
  verdict: 'better' | 'worse' | 'changed' | 'same' | 'unknown';
}

export function compareRows(report: CompareReport): CompareRow[] {
  return COMPARE_METRICS.map((m) => {
    const a = report.a[m.key] as number | null;
    const b = report.b[m.key] as number | null;
    const show = (v: number | null) => (m.kind === 'share' ? formatPercent(v) : m.kind === 'duration' ? formatDuration(v) : v === null ? NONE : m.kind === 'steps' ? `${v} 步` : formatCount(v));
    const ch = formatChange(a, b, m.kind === 'steps' ? 'count' : m.kind);
    const verdict: CompareRow['verdict'] =
      ch.direction === 'unknown' ? 'unknown' : ch.direction === 'same' ? 'same' : m.better === 'neutral' ? 'changed' : ch.direction === m.better ? 'better' : 'worse';
    return { label: m.label, a: show(a), b: show(b), change: ch.text, verdict };
  });
}

/** Menu items of both sides matched by key (a renamed item keeps its key), with their share in each. */
export function compareMenu(report: CompareReport) {
  const keys = [...new Set([...report.a.menu.map((m) => m.key), ...report.b.menu.map((m) => m.key)])];
  const rows = keys.map((key) => {
    const a = report.a.menu.find((m) => m.key === key);
    const b = report.b.menu.find((m) => m.key === key);
    return { key, name: b?.name ?? a?.name ?? key, aShare: a?.share ?? null, bShare: b?.share ?? null, status: !a ? 'added' : !b ? 'removed' : 'kept', change: formatChange(a?.share ?? null, b?.share ?? null, 'share') };
  });
  const chart: ChartView = {
    option: barOption({ categories: rows.map((r) => r.name), series: [{ name: report.a.label, values: rows.map((r) => r.aShare) }, { name: report.b.label, values: rows.map((r) => r.bShare) }], horizontal: true, percent: true }),
    label: `菜单项点击占比对比：${report.a.label} 与 ${report.b.label}，共 ${rows.length} 项。`,
    table: { caption: '菜单项点击占比对比', columns: ['菜单项', report.a.label, report.b.label], rows: rows.map((r) => [r.name, formatPercent(r.aShare), formatPercent(r.bShare)]) },
  };
  return { rows, chart };
}
