import { describe, expect, it } from 'vitest';
import { ApiError } from '../../web/src/common/api';
import {
  COMMON_PLATE_TYPES,
  fieldErrorsFromApi,
  formatDate,
  formatShanghaiTime,
  formatYuan,
  plateTypeOptions,
  pointsSummary,
  retryAfterSeconds,
  retryAfterText,
  totalsSentence,
  validatePlateForm,
} from '../../web/src/h5/violations-logic';

describe('validatePlateForm (the server’s own plate rules and messages)', () => {
  it.each([
    [{ plateType: '02', plateNo: ' 粤b·8k2m7 ', vinSuffix: '123456' }, { plateType: '02', plateNo: '粤B8K2M7', vinSuffix: '123456' }],
    [{ plateType: '52', plateNo: '粤BD12345', vinSuffix: 'ab12cd' }, { plateType: '52', plateNo: '粤BD12345', vinSuffix: 'AB12CD' }],
    [{ plateType: '82', plateNo: '粤B12345D', vinSuffix: '６５４３２１' }, { plateType: '51', plateNo: '粤B12345D', vinSuffix: '654321' }],
    [{ plateType: '16', plateNo: '粤B7J25学', vinSuffix: '135790' }, { plateType: '16', plateNo: '粤B7J25学', vinSuffix: '135790' }],
  ])('accepts and normalises %j', (input, value) => {
    expect(validatePlateForm(input)).toEqual({ ok: true, value });
  });

  it.each([
    [{ plateType: '', plateNo: '粤B8K2M7', vinSuffix: '123456' }, { plateType: '请选择号牌种类' }],
    [{ plateType: '02', plateNo: '', vinSuffix: '123456' }, { plateNo: '请输入号牌号码' }],
    [{ plateType: '02', plateNo: 'AB12345', vinSuffix: '123456' }, { plateNo: expect.stringContaining('第1位应为省') }],
    [{ plateType: '02', plateNo: '粤B12I45', vinSuffix: '123456' }, { plateNo: expect.stringContaining('不使用字母 I 和 O') }],
    [{ plateType: '52', plateNo: '粤B12345', vinSuffix: '123456' }, { plateNo: '新能源汽车号牌应为8位，请核对号牌种类或号牌号码' }],
    [{ plateType: '02', plateNo: '粤B8K2M7', vinSuffix: '12345' }, { vinSuffix: expect.stringContaining('后6位') }],
    [{ plateType: '99x', plateNo: '', vinSuffix: '' }, { plateType: expect.stringContaining('两位数字'), plateNo: '请输入号牌号码', vinSuffix: expect.stringContaining('后6位') }],
  ])('rejects %j with what to fix', (input, errors) => {
    expect(validatePlateForm(input)).toEqual({ ok: false, errors });
  });

  it('lets a lookup leave the suffix empty (bound vehicle), but checks one that is given', () => {
    expect(validatePlateForm({ plateType: '02', plateNo: '粤B8K2M7', vinSuffix: ' ' }, { suffixOptional: true })).toEqual({
      ok: true,
      value: { plateType: '02', plateNo: '粤B8K2M7', vinSuffix: '' },
    });
    expect(validatePlateForm({ plateType: '02', plateNo: '粤B8K2M7', vinSuffix: '12' }, { suffixOptional: true }).ok).toBe(false);
  });
});

describe('plate type picker', () => {
  it('lists the common types first and every other standard type once after them', () => {
    const { common, other } = plateTypeOptions();
    expect(common.map((o) => o.code)).toEqual([...COMMON_PLATE_TYPES]);
    expect(common[0]).toEqual({ code: '02', label: '小型汽车（02）' });
    expect(common.map((o) => o.label)).toContain('小型新能源汽车（52）');
    const all = [...common, ...other].map((o) => o.code);
    expect(new Set(all).size).toBe(all.length);
    expect(all).toContain('99');
  });
});

describe('formatting', () => {
  it('shows times in Asia/Shanghai whatever the offset given', () => {
    expect(formatShanghaiTime('2026-10-12T00:17:42.000Z')).toBe('2026-10-12 08:17');
    expect(formatShanghaiTime('2026-12-31T16:30:00Z')).toBe('2027-01-01 00:30');
    expect(formatShanghaiTime('not a date')).toBe('not a date');
  });

  it('formats dates, money, totals and points', () => {
    expect(formatDate('2026-05-12')).toBe('2026年5月12日');
    expect(formatYuan(1500)).toBe('1,500 元');
    expect(totalsSentence({ count: 0, points: 0, fineYuan: 0 })).toBe('没有交通违法记录');
    expect(totalsSentence({ count: 2, points: 6, fineYuan: 400 })).toBe('共 2 条违法记录，累计记 6 分，罚款 400 元');
    expect(pointsSummary(6, 12)).toEqual({ left: 6, warning: false, text: '本周期已记 6 分，距 12 分还有 6 分' });
    expect(pointsSummary(9, 12).warning).toBe(true);
    expect(pointsSummary(12, 12).text).toContain('暂扣');
  });
});

describe('API errors on the form', () => {
  it('maps field details of a 400 onto the fields', () => {
    const err = new ApiError(400, { code: 'VIOLATION_PLATE_INVALID', message: 'x', details: [{ path: 'plateNo', message: '号牌号码第2位…' }, { path: 'other', message: 'y' }] });
    expect(fieldErrorsFromApi(err)).toEqual({ plateNo: '号牌号码第2位…' });
    expect(fieldErrorsFromApi(new Error('x'))).toEqual({});
  });

  it('tells when a blocked lookup may be tried again', () => {
    const err = new ApiError(429, { code: 'VIOLATION_LOOKUP_LIMITED', message: 'x', details: { retryAfterSeconds: 1741 } });
    expect(retryAfterSeconds(err)).toBe(1741);
    expect(retryAfterSeconds(new ApiError(422, { code: 'X', message: 'x', details: { retryAfterSeconds: 5 } }))).toBeUndefined();
    // 2026-11-21 10:00:00 Shanghai + 1741 s → 10:29
    expect(retryAfterText(1741, Date.parse('2026-11-21T02:00:00Z'))).toBe('核验失败次数过多，请 30 分钟后（10:29 以后）再试。');
  });
});
