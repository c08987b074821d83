/**
 * How report figures are written on the pages, in charts and on the printed summary. Pure.
 * A missing figure (no data, suppressed small cell, division by zero) is always shown as '—',
 * never as 0, so "nothing happened" and "cannot say" stay apart.
 */

export const NONE = '—';

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

const countFmt = new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 0 });

/** 12345 → "12,345". */
export function formatCount(n: number | null | undefined): string {
  return isNum(n) ? countFmt.format(n) : NONE;
}

/** A share in 0..1 → "12.3%". */
export function formatPercent(share: number | null | undefined, digits = 1): string {
  if (!isNum(share)) return NONE;
  const v = share * 100;
  // A non-zero share too small to show must not read as "0.0%".
  const min = 10 ** -digits;
  if (v > 0 && v < min) return `<${min.toFixed(digits)}%`;
  return `${v.toFixed(digits)}%`;
}

/** part ÷ whole, or null when there is no whole. */
export function ratio(part: number | null | undefined, whole: number | null | undefined): number | null {
  return isNum(part) && isNum(whole) && whole > 0 ? part / whole : null;
}

/** Milliseconds → "850 毫秒", "12 秒", "3 分 05 秒", "2 小时 07 分", "3 天 4 小时". */
export function formatDuration(ms: number | null | undefined): string {
  if (!isNum(ms) || ms < 0) return NONE;
  if (ms < 1000) return `${Math.round(ms)} 毫秒`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} 秒`;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (s < 3600) return `${Math.floor(s / 60)} 分 ${pad(s % 60)} 秒`;
  const m = Math.round(s / 60);
  if (m < 24 * 60) return `${Math.floor(m / 60)} 小时 ${pad(m % 60)} 分`;
  const h = Math.round(m / 60);
  return `${Math.floor(h / 24)} 天 ${h % 24} 小时`;
}

/**
 * The change from a to b for the version comparison: absolute for counts, in percentage points
 * for shares. Returns the text and its direction (for highlighting).
 */
export function formatChange(a: number | null | undefined, b: number | null | undefined, kind: 'count' | 'share' | 'duration'): { text: string; direction: 'up' | 'down' | 'same' | 'unknown' } {
  if (!isNum(a) || !isNum(b)) return { text: NONE, direction: 'unknown' };
  const d = b - a;
  const direction = d > 0 ? 'up' : d < 0 ? 'down' : 'same';
  const sign = d > 0 ? '+' : d < 0 ? '−' : '±';
  if (kind === 'share') return { text: `${sign}${(Math.abs(d) * 100).toFixed(1)} 个百分点`, direction };
  if (kind === 'duration') return { text: d === 0 ? '±0' : `${sign}${formatDuration(Math.abs(d))}`, direction };
  const rel = a > 0 ? `（${sign}${((Math.abs(d) / a) * 100).toFixed(1)}%）` : '';
  return { text: `${sign}${countFmt.format(Math.abs(d))}${rel}`, direction };
}

/** Weekday labels, Monday first (ISO 1..7), as the heat map shows them. */
export const WEEKDAYS = ['周一', '周二', '周三', '周四', '周五', '周六', '周日'] as const;

/** "2025-03-07" → "03-07" for dense chart axes. */
export const shortDay = (date: string) => date.slice(5);
