import { describe, expect, it } from 'vitest';
import {
  addDays,
  daysInRange,
  defaultFilter,
  describeFilter,
  eachDay,
  filterToApiQuery,
  filterToQuery,
  isIsoDate,
  menuVersionChoices,
  parseReportFilter,
  shanghaiDate,
} from '../../web/src/admin/reports-filters';

describe('report filter: dates in Asia/Shanghai', () => {
  it('takes the Beijing calendar day, which turns at 16:00 UTC', () => {
    expect(shanghaiDate(new Date('2025-03-31T15:59:59.999Z'))).toBe('2025-03-31');
    expect(shanghaiDate(new Date('2025-03-31T16:00:00.000Z'))).toBe('2025-04-01');
  });

  it('knows real calendar dates and counts ranges inclusively', () => {
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2025-02-29')).toBe(false);
    expect(isIsoDate('2025-1-05')).toBe(false);
    expect(isIsoDate(20250105)).toBe(false);
    expect(addDays('2025-01-01', -1)).toBe('2024-12-31');
    expect(daysInRange('2025-01-01', '2025-01-01')).toBe(1);
    expect(daysInRange('2024-02-01', '2024-03-01')).toBe(30);
    expect(eachDay('2024-12-30', '2025-01-02')).toEqual(['2024-12-30', '2024-12-31', '2025-01-01', '2025-01-02']);
  });

  it('defaults to the 30 days ending today', () => {
    const f = parseReportFilter({}, '2025-03-10');
    expect(f).toEqual({ from: '2025-02-09', to: '2025-03-10', menuVersion: '', source: '' });
    expect(daysInRange(f.from, f.to)).toBe(30);
    expect(defaultFilter('2025-03-10')).toEqual(f);
  });
});

describe('report filter in the URL', () => {
  const today = '2025-06-30';

  it('reads a linked report back exactly', () => {
    const f = { from: '2025-05-01', to: '2025-05-31', menuVersion: 'v3', source: 'menu' as const };
    expect(filterToQuery(f)).toEqual({ from: '2025-05-01', to: '2025-05-31', mv: 'v3', source: 'menu' });
    expect(parseReportFilter(filterToQuery(f), today)).toEqual(f);
    // the API names the version `menuVersion`
    expect(filterToApiQuery(f)).toEqual({ from: '2025-05-01', to: '2025-05-31', menuVersion: 'v3', source: 'menu' });
    expect(filterToQuery({ ...f, menuVersion: '', source: '' })).toEqual({ from: '2025-05-01', to: '2025-05-31' });
  });

  it('falls back to defaults for unusable values instead of failing the page', () => {
    const f = parseReportFilter({ from: '2025-02-30', to: 'tomorrow', mv: 'v3; DROP', source: 'wechat' }, today);
    expect(f).toEqual(defaultFilter(today));
    // a future end is not data yet
    expect(parseReportFilter({ from: '2025-06-01', to: '2025-07-05' }, today).to).toBe(today);
    // repeated parameters: the first wins
    expect(parseReportFilter({ mv: ['v2', 'v9'] }, today).menuVersion).toBe('v2');
  });

  it('swaps reversed ends and shortens a range longer than 366 days from its end', () => {
    expect(parseReportFilter({ from: '2025-05-31', to: '2025-05-01' }, today)).toMatchObject({ from: '2025-05-01', to: '2025-05-31' });
    const long = parseReportFilter({ from: '2020-01-01', to: '2025-06-30' }, today);
    expect(long.to).toBe('2025-06-30');
    expect(daysInRange(long.from, long.to)).toBe(366);
  });

  it('describes the filter in words for headings and the printed report', () => {
    expect(describeFilter({ from: '2025-05-01', to: '2025-05-31', menuVersion: 'v3', source: 'message' })).toBe('2025-05-01 至 2025-05-31（31 天） · 菜单版本 v3 · 入口：从消息链接进入');
    expect(describeFilter(defaultFilter(today))).toContain('全部菜单版本 · 全部入口');
  });
});

describe('menu versions offered in the filter', () => {
  it('lists only versions that were published, newest first, with their Beijing publish day', () => {
    const choices = menuVersionChoices([
      { version: 'v1', status: 'superseded', publishedAt: '2025-01-01T02:00:00Z' },
      { version: 'v3', status: 'draft', publishedAt: null },
      { version: 'v2', status: 'published', publishedAt: '2025-02-01T17:00:00Z' },
    ]);
    expect(choices).toEqual([
      { value: 'v2', label: 'v2（2025-02-02 发布，当前）' },
      { value: 'v1', label: 'v1（2025-01-01 发布）' },
    ]);
  });
});
