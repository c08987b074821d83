/**
 * What each report page shows, built from the API's answer: table rows with derived figures,
 * chart options and the charts' text alternatives. Pure, so the derivations are unit-tested
 * without a browser; the pages only lay these out. Definitions: docs/evaluation.md.
 */
import { barOption, heatmapOption, lineOption, type ChartTable, type ReportChartOption } from './reports-charts';
import { addDays, eachDay, isIsoDate } from './reports-filters';
import { NONE, WEEKDAYS, formatChange, formatCount, formatPercent, ratio, shortDay } from './reports-format';
import { KIND_LABELS } from './pages/notifications/notifications';
import type {
  AudienceReport,
  CompareReport,
  FailuresReport,
  FunnelName,
  FunnelReport,
  LookupsVsTransactionsReport,
  MenuUsageItem,
  MenuUsageReport,
  NotificationsReport,
  PathsReport,
  SatisfactionReport,
  ServiceGroup,
  ServicesReport,
} from './reports-types';

export interface ChartView {
  option: ReportChartOption;
  label: string;
  table: ChartTable;
}

type Range = { from: string; to: string };

// ---------------------------------------------------------------- names shown for codes

/** H5 page names (`meta.page` of the H5 router) as citizens see them; unknown ones as they are. */
export const PAGE_LABELS: Record<string, string> = {
  'h5.hall': '服务大厅',
  'h5.violations': '违法查询',
  'h5.points': '驾驶证记分',
  'h5.vehicles': '我的车辆',
  'h5.appointments': '预约办理 · 选择业务',
  'h5.appointments.office': '预约办理 · 选择网点',
  'h5.appointments.slot': '预约办理 · 选择时段',
  'h5.appointments.confirm': '预约办理 · 确认',
  'h5.appointments.done': '预约办理 · 成功',
  'h5.appointments_mine': '我的预约',
  'h5.appointment_detail': '预约详情',
  'h5.settings': '设置',
  'h5.application_new': '在线申请',
  'h5.applications': '我的申请',
  'h5.application_detail': '申请详情',
  'h5.not_found': '页面不存在',
  '(entry)': '（进入）',
  '(exit)': '（离开）',
};
/** `menu:violations` (a menu tap in a path) → 菜单：查询服务 › 违法查询 (the key when the menu no longer has it); pages by PAGE_LABELS. */
export function pageLabel(name: string, menuNames: Record<string, string> = {}): string {
  if (name.startsWith('menu:')) return `菜单：${menuNames[name.slice(5)] ?? name.slice(5)}`;
  return PAGE_LABELS[name] ?? name;
}

export const GROUP_LABELS: Record<ServiceGroup, string> = { lookup: '查询', booking: '预约', application: '申请', rating: '评价', other: '其他' };

export const ENTRY_LABELS: Record<string, string> = { menu: '菜单', message: '消息链接', direct: '其他入口' };

export const FUNNEL_LABELS: Record<FunnelName, string> = { booking: '预约办事', application: '网上申请' };

/** Notification kinds in words (the notification log's labels), plus links that named no template. */
export const TEMPLATE_LABELS: Record<string, string> = { ...KIND_LABELS, '(none)': '未注明模板的消息链接' };

/** 好差评 levels, score 1..5 (index 0 = score 1, as the API's `counts`). */
export const SCORE_LABELS = ['非常不满意', '不满意', '基本满意', '满意', '非常满意'] as const;
export const STAGE_LABELS: Record<string, string> = { accepted: '受理', completed: '办结' };

/** WeChat's follow sources: `qrscene_<scene>` is a parameterised QR code; `(none)` an ordinary follow. */
export function followSourceLabel(source: string): string {
  if (source === '(none)') return '普通关注（搜索、名片等）';
  if (source.startsWith('qrscene_')) return `带参数二维码：${source.slice('qrscene_'.length)}`;
  return source;
}

// ---------------------------------------------------------------- 1. menu usage

export interface MenuRow extends MenuUsageItem {
  /** a tapped key that is not in the shown tree (an item of another version) */
  other: boolean;
}

/** The published tree in order, each top button followed by its sub-items; then keys of other versions. */
export function menuRows(report: MenuUsageReport): MenuRow[] {
  const out: MenuRow[] = [];
  const tops = report.items.filter((i) => i.level === 1 || !i.parentKey);
  for (const top of tops) {
    out.push({ ...top, other: false });
    for (const sub of report.items.filter((i) => i.level === 2 && i.parentKey === top.key)) out.push({ ...sub, other: false });
  }
  // sub-items whose parent is missing (should not happen) are still shown
  const shown = new Set(out.map((r) => r.key));
  for (const i of report.items) if (!shown.has(i.key)) out.push({ ...i, other: false });
  for (const o of report.otherKeys) {
    out.push({ key: o.key, name: o.key, level: 1, parentKey: null, group: false, taps: o.taps, citizens: o.citizens, share: o.share, unused: false, trend: [], other: true });
  }
  return out;
}

export function menuChart(report: MenuUsageReport): ChartView {
  const leaves = report.items.filter((i) => !i.group);
  const top = [...leaves].sort((a, b) => b.taps - a.taps)[0];
  const unused = leaves.filter((i) => i.unused);
  return {
    option: barOption({ categories: leaves.map((r) => r.name), series: [{ name: '点击次数', values: leaves.map((r) => r.taps) }, { name: '市民人数', values: leaves.map((r) => r.citizens) }], horizontal: true }),
    label:
      `菜单项点击次数与市民人数条形图：${leaves.length} 个菜单项，共 ${formatCount(report.totalTaps)} 次点击` +
      (top && top.taps > 0 ? `，最多的是“${top.name}”（${formatCount(top.taps)} 次）` : '') +
      `；${unused.length} 项很少使用（占比低于 ${formatPercent(report.unusedThreshold)}）。`,
    table: { caption: '菜单项点击次数', columns: ['菜单项', '点击次数', '市民人数', '占比'], rows: leaves.map((r) => [r.name, r.taps, r.citizens, formatPercent(r.share)]) },
  };
}

/** The daily taps of the whole menu (sum of the leaves' trends), for the trend line. */
export function menuTrend(report: MenuUsageReport): ChartView {
  const leaves = report.items.filter((i) => !i.group);
  const totals = report.days.map((_, d) => leaves.reduce((n, i) => n + (i.trend[d] ?? 0), 0));
  return {
    option: lineOption({ categories: report.days.map(shortDay), series: [{ name: '菜单点击', values: totals }], area: true }),
    label: `每天的菜单点击次数折线图，${report.days.length} 天共 ${formatCount(totals.reduce((a, b) => a + b, 0))} 次。`,
    table: { caption: '每天的菜单点击次数', columns: ['日期', '点击次数'], rows: report.days.map((d, i) => [d, totals[i] ?? 0]) },
  };
}

// ---------------------------------------------------------------- 2. services

export function servicesChart(report: ServicesReport): ChartView {
  const rows = report.services;
  return {
    option: barOption({
      categories: rows.map((r) => r.label),
      series: [
        { name: '发起的来访', values: rows.map((r) => r.visits) },
        { name: '完成', values: rows.map((r) => r.completions) },
        { name: '失败', values: rows.map((r) => r.failures) },
      ],
      horizontal: true,
    }),
    label: `各项服务的发起、完成和失败次数条形图，共 ${rows.length} 项服务。`,
    table: {
      caption: '各项服务的发起、完成与失败',
      columns: ['服务', '类别', '发起的来访', '完成', '失败', '成功率'],
      rows: rows.map((r) => [r.label, GROUP_LABELS[r.group], r.visits, r.completions, r.failures, formatPercent(r.successRate)]),
    },
  };
}

// ---------------------------------------------------------------- 3. lookups vs transactions

export const CLASS_LABELS = { lookup: '只查询', transaction: '办成了事', attempt: '办事未成', browse: '只浏览' } as const;
const CLASSES = ['lookup', 'transaction', 'attempt', 'browse'] as const;

/**
 * The headline: per day, how the visits split into only-looked-up, transacted (booked, applied,
 * rated, paid), tried-but-did-not-finish and just-browsed, as shares stacked to 100 %. Days
 * without visits stay empty (not 0 %) so the area does not dive to zero on a quiet day; days the
 * answer leaves out are filled from the range.
 */
export function lookupsView(report: LookupsVsTransactionsReport, range?: Range) {
  const byDay = new Map(report.series.map((d) => [d.day, d]));
  const days = range ? eachDay(range.from, range.to) : report.series.map((d) => d.day);
  const share = (day: string, k: (typeof CLASSES)[number]) => {
    const d = byDay.get(day);
    return d && d.visits > 0 ? d[k] / d.visits : null;
  };
  const t = report.totals;
  const chart: ChartView = {
    option: lineOption({ categories: days.map(shortDay), series: CLASSES.map((k) => ({ name: CLASS_LABELS[k], values: days.map((d) => share(d, k)) })), area: true, stack: true, percent: true }),
    label:
      `按天的堆叠面积图：来访中只查询、办成了事、办事未成和只浏览的占比。整个时段 ${formatCount(t.visits)} 次来访：` +
      CLASSES.map((k) => `${CLASS_LABELS[k]} ${formatPercent(ratio(t[k], t.visits))}`).join('，') +
      '。',
    table: {
      caption: '每天的来访构成',
      columns: ['日期', '来访', ...CLASSES.map((k) => CLASS_LABELS[k])],
      rows: days.map((d) => [d, byDay.get(d)?.visits ?? 0, ...CLASSES.map((k) => formatPercent(share(d, k)))]),
    },
  };
  const headline = t.visits > 0 ? `${formatPercent(t.lookupShare)} 的来访只是查询，${formatPercent(t.transactionShare)} 的来访办成了事` : '所选时段没有来访';
  const cards = [
    { label: '来访', value: formatCount(t.visits) },
    ...CLASSES.map((k) => ({ label: CLASS_LABELS[k], value: `${formatCount(t[k])}（${formatPercent(ratio(t[k], t.visits))}）` })),
  ];
  return { days, chart, headline, cards };
}

// ---------------------------------------------------------------- 4. funnels

/** The step losing the largest share of the visits that reached the step before it, or null. */
export function worstStep(report: FunnelReport) {
  return report.steps.reduce<FunnelReport['steps'][number] | null>((w, s) => (s.dropOffRate !== null && s.dropOffRate > 0 && (!w || s.dropOffRate > (w.dropOffRate ?? 0)) ? s : w), null);
}

export function funnelChart(report: FunnelReport): ChartView {
  const worst = worstStep(report);
  const steps = report.steps;
  return {
    option: barOption({ categories: steps.map((s) => s.label), series: [{ name: '到达的来访', values: steps.map((s) => s.visits) }, { name: '在此步流失', values: steps.map((s) => s.dropOff) }], stack: true }),
    label:
      `${FUNNEL_LABELS[report.funnel]}漏斗，共 ${steps.length} 步：第一步 ${formatCount(steps[0]?.visits ?? 0)} 次来访，最后一步 ${formatCount(steps.at(-1)?.visits ?? 0)} 次` +
      (worst ? `；流失率最高的一步是“${worst.label}”（${formatPercent(worst.dropOffRate)}）` : '') +
      '。',
    table: {
      caption: `${FUNNEL_LABELS[report.funnel]}漏斗`,
      columns: ['步骤', '到达', '占第一步', '流失', '流失率'],
      rows: steps.map((s, i) => [s.label, s.visits, formatPercent(s.conversion), i === 0 ? NONE : s.dropOff, formatPercent(s.dropOffRate)]),
    },
  };
}

// ---------------------------------------------------------------- 5. paths

export function stepsChart(report: PathsReport): ChartView {
  const s = report.stepsToTask;
  const rows = [...s.histogram].sort((a, b) => a.steps - b.steps);
  const label = (n: number) => (n >= 20 ? '20 步及以上' : `${n} 步`);
  return {
    option: barOption({ categories: rows.map((r) => label(r.steps)), series: [{ name: '来访', values: rows.map((r) => r.visits) }] }),
    label: `从进入到第一次办事所用步数的分布：${formatCount(s.visitsWithTask)} 次来访开始了办事（共 ${formatCount(s.visits)} 次来访），中位数 ${s.median ?? NONE} 步。`,
    table: { caption: '从进入到第一次办事的步数', columns: ['步数', '来访', '占比'], rows: rows.map((r) => [label(r.steps), r.visits, formatPercent(ratio(r.visits, s.visitsWithTask))]) },
  };
}

/** The previous and next pages of the chosen page, as two bar series on a shared category axis. */
export function transitionsChart(report: PathsReport): ChartView {
  const t = report.transitions;
  const label = (p: string) => pageLabel(p, report.menuNames);
  const prev = [...t.previous].sort((a, b) => b.moves - a.moves);
  const next = [...t.next].sort((a, b) => b.moves - a.moves);
  const pages = [...new Set([...prev.map((p) => p.page), ...next.map((p) => p.page)])];
  const moves = (list: { page: string; moves: number }[], p: string) => list.find((x) => x.page === p)?.moves ?? 0;
  const sum = (list: { moves: number }[]) => list.reduce((n, x) => n + x.moves, 0);
  return {
    option: barOption({ categories: pages.map(label), series: [{ name: `来自（上一页）`, values: pages.map((p) => moves(prev, p)) }, { name: `去往（下一页）`, values: pages.map((p) => moves(next, p)) }], horizontal: true }),
    label:
      `“${label(t.page)}”的上一页与下一页：从 ${prev.length} 个页面来（${formatCount(sum(prev))} 次），去往 ${next.length} 个页面（${formatCount(sum(next))} 次）` +
      (next[0] ? `；最常去“${label(next[0].page)}”` : '') +
      '。',
    table: { caption: `“${label(t.page)}”的页面跳转`, columns: ['页面', '从此页来', '去往此页'], rows: pages.map((p) => [label(p), moves(prev, p), moves(next, p)]) },
  };
}

// ---------------------------------------------------------------- 6. failures

export function failuresChart(report: FailuresReport): ChartView {
  const rows = [
    ...report.noResults.map((r) => ({ name: `无结果：${pageLabel(r.where)}`, count: r.count })),
    ...report.validationErrors.map((r) => ({ name: `校验错误：${pageLabel(r.name)}`, count: r.count })),
    ...report.errors.map((r) => ({ name: `错误：${pageLabel(r.name)}`, count: r.count })),
    ...report.taskFailures.map((r) => ({ name: `办事失败：${r.task}`, count: r.count })),
  ];
  // one bar per place and kind: no-result rows come per term, so add them up
  const byName = new Map<string, number>();
  for (const r of rows) byName.set(r.name, (byName.get(r.name) ?? 0) + r.count);
  const sorted = [...byName.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15);
  return {
    option: barOption({ categories: sorted.map(([n]) => n), series: [{ name: '次数', values: sorted.map(([, c]) => c) }], horizontal: true }),
    label: `失败次数最多的地方（条形图，前 ${sorted.length} 项），合计 ${formatCount(rows.reduce((n, r) => n + r.count, 0))} 次。`,
    table: { caption: '失败次数最多的地方', columns: ['地方', '次数'], rows: sorted.map(([n, c]) => [n, c]) },
  };
}

// ---------------------------------------------------------------- 7. audience

export function audienceCharts(report: AudienceReport, range?: Range) {
  const byDay = new Map(report.series.map((d) => [d.day, d]));
  const days = range ? eachDay(range.from, range.to) : report.series.map((d) => d.day);
  type K = 'newCitizens' | 'returningCitizens' | 'follows' | 'unfollows';
  const val = (d: string, k: K) => byDay.get(d)?.[k] ?? 0;
  const t = report.totals;
  const citizens: ChartView = {
    option: lineOption({ categories: days.map(shortDay), series: [{ name: '新市民', values: days.map((d) => val(d, 'newCitizens')) }, { name: '回访市民', values: days.map((d) => val(d, 'returningCitizens')) }], area: true, stack: true }),
    label: `按天的新市民与回访市民人数（堆叠面积图）。整个时段 ${formatCount(t.citizens)} 位市民：新市民 ${formatCount(t.newCitizens)}，回访 ${formatCount(t.returningCitizens)}。`,
    table: { caption: '每天的新市民与回访市民', columns: ['日期', '新市民', '回访市民'], rows: days.map((d) => [d, val(d, 'newCitizens'), val(d, 'returningCitizens')]) },
  };
  const follows: ChartView = {
    option: barOption({ categories: days.map(shortDay), series: [{ name: '关注', values: days.map((d) => val(d, 'follows')) }, { name: '取消关注', values: days.map((d) => val(d, 'unfollows')) }] }),
    label: `按天的关注与取消关注（柱状图）：关注 ${formatCount(t.follows)} 次，取消关注 ${formatCount(t.unfollows)} 次。`,
    table: { caption: '每天的关注与取消关注', columns: ['日期', '关注', '取消关注'], rows: days.map((d) => [d, val(d, 'follows'), val(d, 'unfollows')]) },
  };
  const hours = Array.from({ length: 24 }, (_, h) => `${h}时`);
  const cell = (w: number, h: number) => report.heatmap.find((c) => c.weekday === w && c.hour === h)?.visits ?? 0;
  // the API lists only non-empty cells; the chart shows every hour of every day
  const cells: [number, number, number][] = [];
  for (let w = 1; w <= 7; w++) for (let h = 0; h < 24; h++) cells.push([h, w - 1, cell(w, h)]);
  const busiest = [...report.heatmap].sort((a, b) => b.visits - a.visits)[0];
  const heat: ChartView = {
    option: heatmapOption({ xLabels: hours, yLabels: [...WEEKDAYS], cells, name: '来访' }),
    label: `一周各天各小时（北京时间）开始的来访热力图` + (busiest && busiest.visits > 0 ? `；最忙的是${WEEKDAYS[busiest.weekday - 1]} ${busiest.hour} 时（${formatCount(busiest.visits)} 次）` : '') + '。',
    table: { caption: '一周各天各小时开始的来访', columns: ['星期', ...hours], rows: WEEKDAYS.map((w, i) => [w, ...hours.map((_, h) => cell(i + 1, h))]) },
  };
  return { citizens, follows, heat };
}

// ---------------------------------------------------------------- 8. notifications

export const templateLabel = (kind: string) => TEMPLATE_LABELS[kind] ?? kind;

export function notificationsChart(report: NotificationsReport): ChartView {
  const rows = report.byTemplate;
  return {
    option: barOption({
      categories: rows.map((r) => templateLabel(r.kind)),
      series: [
        { name: '已送达', values: rows.map((r) => r.delivered) },
        { name: '已发送未回执', values: rows.map((r) => r.sent) },
        { name: '失败', values: rows.map((r) => r.failed) },
        { name: '排队中', values: rows.map((r) => r.queued) },
        { name: '未发送（用户关闭）', values: rows.map((r) => r.suppressed) },
      ],
      horizontal: true,
      stack: true,
    }),
    label: `各模板消息的结果（堆叠条形图）：共 ${formatCount(report.totals.total)} 条，送达 ${formatCount(report.totals.delivered)}，失败 ${formatCount(report.totals.failed)}；从消息链接打开 ${formatCount(report.opens.visits)} 次（打开率 ${formatPercent(report.openRate)}）。`,
    table: {
      caption: '各模板消息的结果',
      columns: ['模板', '合计', '已送达', '已发送', '失败', '排队中', '未发送', '打开', '打开率'],
      rows: rows.map((r) => [templateLabel(r.kind), r.total, r.delivered, r.sent, r.failed, r.queued, r.suppressed, r.opens, formatPercent(r.openRate)]),
    },
  };
}

/** Delivered vs opened per template, side by side (opens are visits, not a delivery status, so not stacked). */
export function notificationOpensChart(report: NotificationsReport): ChartView {
  const rows = report.byTemplate.filter((r) => r.delivered > 0 || r.opens > 0);
  const best = [...rows].filter((r) => r.openRate !== null).sort((a, b) => (b.openRate ?? 0) - (a.openRate ?? 0))[0];
  return {
    option: barOption({
      categories: rows.map((r) => templateLabel(r.kind)),
      series: [
        { name: '已送达', values: rows.map((r) => r.delivered) },
        { name: '打开', values: rows.map((r) => r.opens) },
      ],
      horizontal: true,
    }),
    label:
      `各模板消息的送达与打开（条形图）：${rows.length} 种模板` +
      (best ? `；打开率最高的是“${templateLabel(best.kind)}”（${formatPercent(best.openRate)}，打开 ${formatCount(best.opens)} ÷ 送达 ${formatCount(best.delivered)}）` : '') +
      '。',
    table: {
      caption: '各模板消息的送达与打开',
      columns: ['模板', '已送达', '打开', '打开率'],
      rows: rows.map((r) => [templateLabel(r.kind), r.delivered, r.opens, formatPercent(r.openRate)]),
    },
  };
}

// ---------------------------------------------------------------- 9. satisfaction

export const satisfactionTitle = (r: SatisfactionReport['rows'][number]) => `${r.typeName} · ${STAGE_LABELS[r.stage] ?? r.stage}`;

export function satisfactionChart(report: SatisfactionReport): ChartView {
  const rows = report.rows;
  const scores = [4, 3, 2, 1, 0] as const; // best first, as 好差评 lists them
  return {
    option: barOption({
      categories: rows.map(satisfactionTitle),
      series: scores.map((i) => ({ name: SCORE_LABELS[i], values: rows.map((r) => ratio(r.counts[i], r.total)) })),
      horizontal: true,
      stack: true,
      percent: true,
    }),
    label: `各服务各环节的好差评分布（堆叠百分比条形图）：${rows.length} 组，共 ${formatCount(rows.reduce((n, r) => n + r.total, 0))} 条评价。`,
    table: { caption: '好差评分布', columns: ['服务 · 环节', ...scores.map((i) => SCORE_LABELS[i]), '合计'], rows: rows.map((r) => [satisfactionTitle(r), ...scores.map((i) => r.counts[i]), r.total]) },
  };
}

/** Hours → "5.5 小时" / "2.3 天". */
export function formatHours(h: number | null): string {
  if (h === null || !Number.isFinite(h)) return NONE;
  return h < 48 ? `${h.toFixed(1)} 小时` : `${(h / 24).toFixed(1)} 天`;
}

// ---------------------------------------------------------------- 10. comparison

type MetricKey = Exclude<keyof CompareReport['a']['metrics'], 'successRates'>;
interface MetricDef {
  key: MetricKey;
  label: string;
  kind: 'count' | 'share' | 'steps';
  /** whether a rise is an improvement, a worsening, or neither (for highlighting) */
  better: 'up' | 'down' | 'neutral';
}
export const COMPARE_METRICS: MetricDef[] = [
  { key: 'visits', label: '来访次数', kind: 'count', better: 'neutral' },
  { key: 'citizens', label: '市民人数', kind: 'count', better: 'neutral' },
  { key: 'menuTaps', label: '菜单点击次数', kind: 'count', better: 'neutral' },
  { key: 'unusedItems', label: '很少使用的菜单项', kind: 'count', better: 'down' },
  { key: 'lookupShare', label: '只查询的来访占比', kind: 'share', better: 'neutral' },
  { key: 'transactionShare', label: '办成事的来访占比', kind: 'share', better: 'up' },
  { key: 'medianStepsToTask', label: '到办事的步数（中位数）', kind: 'steps', better: 'down' },
  { key: 'meanStepsToTask', label: '到办事的步数（平均）', kind: 'steps', better: 'down' },
  { key: 'bookingConversion', label: '预约漏斗转化率', kind: 'share', better: 'up' },
  { key: 'applicationConversion', label: '申请漏斗转化率', kind: 'share', better: 'up' },
];

export type Verdict = 'better' | 'worse' | 'changed' | 'same' | 'unknown';
export interface CompareRow {
  label: string;
  a: string;
  b: string;
  change: string;
  verdict: Verdict;
}
export const VERDICT_LABELS: Record<Verdict, string> = { better: '改善', worse: '变差', changed: '有变化', same: '持平', unknown: '无法比较' };

function verdictOf(direction: 'up' | 'down' | 'same' | 'unknown', better: MetricDef['better']): Verdict {
  if (direction === 'unknown') return 'unknown';
  if (direction === 'same') return 'same';
  if (better === 'neutral') return 'changed';
  return direction === better ? 'better' : 'worse';
}

const showMetric = (v: number | null, kind: MetricDef['kind']) =>
  v === null ? NONE : kind === 'share' ? formatPercent(v) : kind === 'steps' ? `${Number.isInteger(v) ? v : v.toFixed(1)} 步` : formatCount(v);

/** The metrics of both sides, each with the change from A to B and whether that is better. */
export function compareRows(report: CompareReport): CompareRow[] {
  const rows = COMPARE_METRICS.map((m) => {
    const a = report.a.metrics[m.key];
    const b = report.b.metrics[m.key];
    const ch = formatChange(a, b, m.kind === 'share' ? 'share' : 'count');
    return { label: m.label, a: showMetric(a, m.kind), b: showMetric(b, m.kind), change: ch.text, verdict: verdictOf(ch.direction, m.better) };
  });
  // success rate per task, matched by task name (a task only one side has still gets a row)
  const tasks = [...new Set([...report.a.metrics.successRates, ...report.b.metrics.successRates].map((s) => s.task))];
  for (const task of tasks) {
    const a = report.a.metrics.successRates.find((s) => s.task === task)?.successRate ?? null;
    const b = report.b.metrics.successRates.find((s) => s.task === task)?.successRate ?? null;
    const ch = formatChange(a, b, 'share');
    rows.push({ label: `成功率：${task}`, a: formatPercent(a), b: formatPercent(b), change: ch.text, verdict: verdictOf(ch.direction, 'up') });
  }
  return rows;
}

/** The two sides' menu items matched by key (a renamed item keeps its key), with their share in each. */
export function compareMenu(a: { label: string; report: MenuUsageReport }, b: { label: string; report: MenuUsageReport }) {
  const leaves = (r: MenuUsageReport) => r.items.filter((i) => !i.group);
  const la = leaves(a.report);
  const lb = leaves(b.report);
  const keys = [...new Set([...la.map((m) => m.key), ...lb.map((m) => m.key)])];
  const rows = keys.map((key) => {
    const ia = la.find((m) => m.key === key);
    const ib = lb.find((m) => m.key === key);
    const change = formatChange(ia?.share ?? null, ib?.share ?? null, 'share');
    return { key, name: ib?.name ?? ia?.name ?? key, aTaps: ia?.taps ?? null, bTaps: ib?.taps ?? null, aShare: ia?.share ?? null, bShare: ib?.share ?? null, status: !ia ? ('added' as const) : !ib ? ('removed' as const) : ('kept' as const), change };
  });
  const chart: ChartView = {
    option: barOption({ categories: rows.map((r) => r.name), series: [{ name: `A：${a.label}`, values: rows.map((r) => r.aShare) }, { name: `B：${b.label}`, values: rows.map((r) => r.bShare) }], horizontal: true, percent: true }),
    label: `菜单项点击占比对比（条形图）：A ${a.label} 与 B ${b.label}，共 ${rows.length} 项，其中新增 ${rows.filter((r) => r.status === 'added').length} 项、移除 ${rows.filter((r) => r.status === 'removed').length} 项。`,
    table: { caption: '菜单项点击占比对比', columns: ['菜单项', `A：${a.label}`, `B：${b.label}`], rows: rows.map((r) => [r.name, formatPercent(r.aShare), formatPercent(r.bShare)]) },
  };
  return { rows, chart };
}

/** A side of the comparison as the API takes it: a version label or `from..to`. */
export function parseCompareSide(v: unknown): { kind: 'menuVersion'; version: string } | { kind: 'period'; from: string; to: string } | null {
  if (typeof v !== 'string') return null;
  const m = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/.exec(v);
  if (m) return isIsoDate(m[1]) && isIsoDate(m[2]) && m[1] <= m[2] ? { kind: 'period', from: m[1], to: m[2] } : null;
  return /^[\w.:/-]{1,32}$/.test(v) ? { kind: 'menuVersion', version: v } : null;
}

/** How fresh the figures are, from `meta` (rollups end ~40 minutes before now). */
export function dataNote(meta: { dataUntil: string | null; provisionalFrom?: string | null; lateEvents: number }): string {
  const at = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
  const until = !meta.dataUntil
    ? '尚无汇总数据（汇总任务还未运行）'
    : meta.provisionalFrom
      ? `数据截至 ${at(meta.dataUntil)}（北京时间）；${meta.provisionalFrom.slice(11, 16)} 之后的访问尚未结束，为暂计数，下次汇总时更新`
      : `数据截至 ${at(meta.dataUntil)}（北京时间）；之后的使用尚未汇总`;
  return meta.lateEvents > 0 ? `${until}；另有 ${formatCount(meta.lateEvents)} 条迟到事件未计入` : until;
}

/**
 * What to compare when the URL does not say: the two newest published versions (older as A),
 * else the last 30 days (B) against the 30 days before (A).
 */
export function defaultCompareSides(versionsNewestFirst: string[], today: string): { a: string; b: string } {
  const [newest, previous] = versionsNewestFirst;
  if (newest && previous) return { a: previous, b: newest };
  const bFrom = addDays(today, -29);
  return { a: `${addDays(bFrom, -30)}..${addDays(bFrom, -1)}`, b: `${bFrom}..${today}` };
}

/** A side of the comparison in words: "菜单版本 v3" or "2026-10-01 至 2026-10-31". */
export function describeSide(side: string): string {
  const s = parseCompareSide(side);
  if (!s) return side;
  return s.kind === 'menuVersion' ? `菜单版本 ${s.version}` : `${s.from} 至 ${s.to}`;
}
