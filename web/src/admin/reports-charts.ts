/**
 * ECharts options built from plain series, pure (no ECharts code is loaded here, only its types),
 * so tests can check an option and render it server-side. The chart types and components used
 * here must match the ones registered in components/charts/echarts-setup.ts.
 */
import type { ComposeOption } from 'echarts/core';
import type { BarSeriesOption, HeatmapSeriesOption, LineSeriesOption } from 'echarts/charts';
import type { GridComponentOption, LegendComponentOption, TooltipComponentOption, VisualMapComponentOption } from 'echarts/components';
import { formatCount, formatPercent } from './reports-format';

export type ReportChartOption = ComposeOption<
  BarSeriesOption | HeatmapSeriesOption | LineSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption | VisualMapComponentOption
>;

/** The data of a chart as a table, for screen readers (EChart renders it visually hidden). */
export interface ChartTable {
  caption: string;
  columns: string[];
  rows: (string | number)[][];
}

export interface Series {
  name: string;
  values: (number | null)[];
}

/** Government-report palette: calm blues first, a warning colour kept for failures/drop-offs. */
export const PALETTE = ['#1f5fa8', '#5b9bd5', '#f0a22e', '#4caf50', '#9c6ade', '#2bb3b1', '#e05c5c', '#8c8c8c'];
const FONT = { fontFamily: "'PingFang SC', 'Microsoft YaHei', sans-serif" };

const base = (): ReportChartOption => ({
  color: PALETTE,
  textStyle: FONT,
  animation: false, // charts are read and printed, not watched; no half-drawn PDF
  tooltip: { trigger: 'axis' },
  grid: { left: 56, right: 24, top: 40, bottom: 40 },
});

/** Lines over categories (days); `area` fills under them; `stack` stacks them (e.g. shares to 100%). */
export function lineOption(opts: { categories: string[]; series: Series[]; area?: boolean; stack?: boolean; percent?: boolean }): ReportChartOption {
  const fmt = opts.percent ? (v: number) => formatPercent(v, 0) : (v: number) => formatCount(v);
  return {
    ...base(),
    legend: { top: 0 },
    tooltip: { trigger: 'axis', valueFormatter: (v) => (typeof v === 'number' ? (opts.percent ? formatPercent(v) : formatCount(v)) : '—') },
    xAxis: { type: 'category', data: opts.categories, boundaryGap: false },
    yAxis: { type: 'value', ...(opts.percent ? { max: 1 } : { minInterval: 1 }), axisLabel: { formatter: fmt } },
    series: opts.series.map((s) => ({
      type: 'line',
      name: s.name,
      data: s.values,
      showSymbol: opts.categories.length <= 31,
      connectNulls: false,
      ...(opts.stack ? { stack: 'total' } : {}),
      ...(opts.area ? { areaStyle: { opacity: 0.55 } } : {}),
    })),
  };
}

/** Bars per category; horizontal for long labels (service names), stacked for parts of a whole. */
export function barOption(opts: { categories: string[]; series: Series[]; horizontal?: boolean; stack?: boolean; percent?: boolean }): ReportChartOption {
  const fmt = opts.percent ? (v: number) => formatPercent(v, 0) : (v: number) => formatCount(v);
  const cat = { type: 'category' as const, data: opts.categories, ...(opts.horizontal ? { inverse: true } : { axisLabel: { interval: 0, rotate: opts.categories.length > 8 ? 30 : 0 } }) };
  const val = { type: 'value' as const, ...(opts.percent ? { max: 1 } : { minInterval: 1 }), axisLabel: { formatter: fmt } };
  return {
    ...base(),
    legend: { top: 0, show: opts.series.length > 1 },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v) => (typeof v === 'number' ? (opts.percent ? formatPercent(v) : formatCount(v)) : '—') },
    xAxis: opts.horizontal ? val : cat,
    yAxis: opts.horizontal ? cat : val,
    series: opts.series.map((s) => ({ type: 'bar', name: s.name, data: s.values, ...(opts.stack ? { stack: 'total' } : {}), barMaxWidth: 36 })),
  };
}

/** A heat map: `cells` are [x index, y index, value]. */
export function heatmapOption(opts: { xLabels: string[]; yLabels: string[]; cells: [number, number, number][]; name: string }): ReportChartOption {
  const max = Math.max(1, ...opts.cells.map((c) => c[2]));
  return {
    ...base(),
    tooltip: { trigger: 'item', valueFormatter: (v) => (typeof v === 'number' ? formatCount(v) : '—') },
    grid: { left: 56, right: 24, top: 16, bottom: 72 },
    xAxis: { type: 'category', data: opts.xLabels, splitArea: { show: true } },
    yAxis: { type: 'category', data: opts.yLabels, splitArea: { show: true }, inverse: true },
    visualMap: { min: 0, max, calculable: true, orient: 'horizontal', left: 'center', bottom: 0, inRange: { color: ['#f2f6fc', '#1f5fa8'] } },
    series: [{ type: 'heatmap', name: opts.name, data: opts.cells, label: { show: opts.cells.length <= 100 } }],
  };
}

/** The little trend line in a table row: an SVG path for `values` in a w×h box (pure). */
export function sparklinePath(values: (number | null | undefined)[], w: number, h: number): string {
  const nums = values.map((v) => (typeof v === 'number' && Number.isFinite(v) ? v : 0));
  if (nums.length === 0) return '';
  const max = Math.max(...nums);
  const step = nums.length > 1 ? w / (nums.length - 1) : 0;
  const y = (v: number) => (max > 0 ? h - (v / max) * (h - 2) - 1 : h - 1);
  return nums.map((v, i) => `${i === 0 ? 'M' : 'L'}${(i * step).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
}
