import { describe, expect, it } from 'vitest';
import { formatChange, formatCount, formatDuration, formatPercent, ratio } from '../../web/src/admin/reports-format';

describe('report figures', () => {
  it('writes percentages, never hiding a tiny non-zero share as 0', () => {
    expect(formatPercent(0.745)).toBe('74.5%');
    expect(formatPercent(1)).toBe('100.0%');
    expect(formatPercent(0)).toBe('0.0%');
    expect(formatPercent(0.0004)).toBe('<0.1%');
    expect(formatPercent(0.12345, 2)).toBe('12.35%');
    expect(formatPercent(null)).toBe('—');
    expect(formatPercent(Number.NaN)).toBe('—');
  });

  it('keeps "no data" apart from zero', () => {
    expect(ratio(3, 0)).toBeNull();
    expect(ratio(null, 5)).toBeNull();
    expect(ratio(1, 4)).toBe(0.25);
    expect(formatCount(12345)).toBe('12,345');
    expect(formatCount(0)).toBe('0');
    expect(formatCount(undefined)).toBe('—');
  });

  it('writes durations in Chinese units', () => {
    expect(formatDuration(850)).toBe('850 毫秒');
    expect(formatDuration(12_400)).toBe('12 秒');
    expect(formatDuration(84_000)).toBe('1 分 24 秒');
    expect(formatDuration(3_600_000 + 7 * 60_000)).toBe('1 小时 07 分');
    expect(formatDuration(3 * 86_400_000 + 4 * 3_600_000)).toBe('3 天 4 小时');
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(-5)).toBe('—');
  });

  it('writes a change: counts with their relative change, shares in percentage points', () => {
    expect(formatChange(800, 1000, 'count')).toEqual({ text: '+200（+25.0%）', direction: 'up' });
    expect(formatChange(1000, 800, 'count')).toEqual({ text: '−200（−20.0%）', direction: 'down' });
    expect(formatChange(0, 5, 'count')).toEqual({ text: '+5', direction: 'up' });
    expect(formatChange(0.72, 0.6, 'share')).toEqual({ text: '−12.0 个百分点', direction: 'down' });
    expect(formatChange(0.5, 0.5, 'share')).toEqual({ text: '±0.0 个百分点', direction: 'same' });
    expect(formatChange(null, 0.5, 'share')).toEqual({ text: '—', direction: 'unknown' });
  });
});
