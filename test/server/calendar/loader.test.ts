import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BUNDLED_HOLIDAY_DIR, HolidayDataError, loadHolidayCalendar, parseHolidayFile } from '../../../server/calendar';
import { parseConfig } from '../../../server/config';

const dirs: string[] = [];
function tempDir(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'holidays-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const bundled2026 = JSON.parse(readFileSync(join(BUNDLED_HOLIDAY_DIR, 'cn-holidays-2026.json'), 'utf8')) as {
  holidays: { name: string; from: string; to: string; makeUpWorkdays: string[] }[];
};
/** A made-up year for testing only (not an official arrangement). */
const fake2027 = {
  year: 2027,
  source: { title: '测试用 2027 年安排', number: 'TEST-2027', issued: '2026-11-01' },
  holidays: [{ name: '元旦', from: '2027-01-01', to: '2027-01-03', makeUpWorkdays: ['2027-01-09'] }],
};
const valid = (year: number, holidays: unknown[]) => ({
  year,
  source: { title: `测试 ${year}`, number: `TEST-${year}`, issued: `${year - 1}-11-01` },
  holidays,
});

function loadError(files: Record<string, unknown>): HolidayDataError {
  try {
    loadHolidayCalendar({ dir: tempDir(files) });
  } catch (err) {
    expect(err).toBeInstanceOf(HolidayDataError);
    return err as HolidayDataError;
  }
  throw new Error('expected the data to be rejected');
}

describe('HOLIDAY_DATA_DIR overrides', () => {
  it('replaces a bundled year as a whole and adds a new year', () => {
    // the operator's 2026: 中秋节 removed, an extra day off on 12-31
    const modified2026 = {
      ...JSON.parse(readFileSync(join(BUNDLED_HOLIDAY_DIR, 'cn-holidays-2026.json'), 'utf8')),
      holidays: [
        ...bundled2026.holidays.filter((h) => h.name !== '中秋节'),
        { name: '元旦', from: '2026-12-31', to: '2026-12-31', makeUpWorkdays: [] },
      ],
    };
    const dir = tempDir({
      'cn-holidays-2026.json': modified2026,
      'cn-holidays-2027.json': fake2027,
      'README.txt': 'ignored',
    });
    const cal = loadHolidayCalendar({ dir });
    expect(cal.coverage().years).toEqual([2024, 2025, 2026, 2027]);
    expect(cal.coverage().sources.map((s) => [s.year, s.origin])).toEqual([
      [2024, 'bundled'],
      [2025, 'bundled'],
      [2026, 'override'],
      [2027, 'override'],
    ]);
    expect(cal.coverage().sources[2]?.file).toBe(join(dir, 'cn-holidays-2026.json'));
    expect(cal.isWorkingDay('2026-09-25')).toBe(true); // 中秋节 gone in the override
    expect(cal.isWorkingDay('2026-12-31')).toBe(false);
    expect(cal.holidayName('2026-12-31')).toBe('元旦');
    expect(cal.isWorkingDay('2026-02-16')).toBe(false); // the rest of 2026 as before
    expect(cal.known('2027-06-01')).toBe(true);
    expect(cal.isWorkingDay('2027-01-01')).toBe(false);
    expect(cal.isWorkingDay('2027-01-09')).toBe(true);
    expect(cal.addWorkingDays('2026-12-30', 1)).toBe('2027-01-04');

    // the bundled calendar is untouched (no global state)
    const plain = loadHolidayCalendar();
    expect(plain.isWorkingDay('2026-09-25')).toBe(false);
    expect(plain.known('2027-06-01')).toBe(false);
  });

  it('an empty override directory changes nothing', () => {
    expect(loadHolidayCalendar({ dir: tempDir({}) }).coverage().years).toEqual([2024, 2025, 2026]);
  });

  it('a missing directory is an error naming it', () => {
    const missing = join(tmpdir(), 'no-such-holiday-dir-' + process.pid);
    expect(() => loadHolidayCalendar({ dir: missing })).toThrow(missing);
  });

  it('HOLIDAY_DATA_DIR is an optional setting resolved to an absolute path', () => {
    expect(parseConfig({}).holidayDataDir).toBeUndefined();
    const cfg = parseConfig({ HOLIDAY_DATA_DIR: 'config/holidays' });
    expect(cfg.holidayDataDir && isAbsolute(cfg.holidayDataDir)).toBe(true);
    expect(cfg.holidayDataDir?.endsWith(join('config', 'holidays'))).toBe(true);
  });
});

describe('invalid data is rejected with the file named', () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    ['broken JSON', { 'cn-holidays-2027.json': '{ "year": 2027,' }, /not valid JSON/],
    ['a make-up workday on a weekday', { 'cn-holidays-2027.json': valid(2027, [{ name: '元旦', from: '2027-01-01', to: '2027-01-01', makeUpWorkdays: ['2027-01-04'] }]) }, /makeUpWorkdays\.0: 2027-01-04 is a weekday/],
    ['an unknown holiday name', { 'cn-holidays-2027.json': valid(2027, [{ name: '圣诞节', from: '2027-12-25', to: '2027-12-25', makeUpWorkdays: [] }]) }, /holidays\.0\.name: must be one of/],
    ['an impossible date', { 'cn-holidays-2027.json': valid(2027, [{ name: '春节', from: '2027-02-30', to: '2027-03-02', makeUpWorkdays: [] }]) }, /holidays\.0\.from: must be a date written YYYY-MM-DD/],
    ['to before from', { 'cn-holidays-2027.json': valid(2027, [{ name: '春节', from: '2027-02-10', to: '2027-02-05', makeUpWorkdays: [] }]) }, /is before from/],
    ['a date in another year', { 'cn-holidays-2027.json': valid(2027, [{ name: '国庆节', from: '2028-10-01', to: '2028-10-07', makeUpWorkdays: [] }]) }, /2028-10-01 is not in 2027/],
    ['a make-up day that is also off', { 'cn-holidays-2027.json': valid(2027, [{ name: '元旦', from: '2027-01-01', to: '2027-01-03', makeUpWorkdays: ['2027-01-02'] }]) }, /2027-01-02 is also a day off/],
    ['overlapping periods', { 'cn-holidays-2027.json': valid(2027, [{ name: '元旦', from: '2027-01-01', to: '2027-01-03', makeUpWorkdays: [] }, { name: '春节', from: '2027-01-03', to: '2027-01-04', makeUpWorkdays: [] }]) }, /2027-01-03 is already off/],
    ['a misspelt key', { 'cn-holidays-2027.json': valid(2027, [{ name: '元旦', from: '2027-01-01', to: '2027-01-01', makeupWorkdays: [] }]) }, /holidays\.0/],
    ['a year that does not match the file name', { 'cn-holidays-2028.json': fake2027 }, /does not match the file name/],
    ['a missing source number', { 'cn-holidays-2027.json': { ...fake2027, source: { title: 'x', issued: '2026-11-01' } } }, /source\.number/],
    ['no holidays', { 'cn-holidays-2027.json': valid(2027, []) }, /holidays/],
  ])('%s', (_label, files, problem) => {
    const err = loadError(files);
    const name = Object.keys(files)[0] ?? '';
    expect(err.file.endsWith(name)).toBe(true);
    expect(err.message).toContain(name);
    expect(err.message).toMatch(problem);
  });

  it('a date claimed differently by two files is a conflict naming both', () => {
    const withMakeUp = {
      ...JSON.parse(readFileSync(join(BUNDLED_HOLIDAY_DIR, 'cn-holidays-2026.json'), 'utf8')),
      holidays: [...bundled2026.holidays, { name: '元旦', from: '2026-12-31', to: '2026-12-31', makeUpWorkdays: ['2026-12-27'] }],
    };
    const dir = tempDir({
      'cn-holidays-2026.json': withMakeUp, // 2026-12-27 (Sunday) worked
      'cn-holidays-2027.json': valid(2027, [{ name: '元旦', from: '2027-01-01', to: '2027-01-03', makeUpWorkdays: [] }]),
    });
    expect(() => loadHolidayCalendar({ dir })).not.toThrow();
    const clash = tempDir({
      'cn-holidays-2026.json': withMakeUp,
      // …but 2027's file says 2026-12-26 … 2027-01-01 are off
      'cn-holidays-2027.json': valid(2027, [{ name: '元旦', from: '2026-12-26', to: '2027-01-01', makeUpWorkdays: [] }]),
    });
    expect(() => loadHolidayCalendar({ dir: clash })).toThrow(/conflict on 2026-12-27 between .*cn-holidays-2026\.json and .*cn-holidays-2027\.json/);
  });

  it('the bundled files themselves validate', () => {
    for (const y of [2024, 2025, 2026]) {
      const file = join(BUNDLED_HOLIDAY_DIR, `cn-holidays-${y}.json`);
      expect(parseHolidayFile(file, readFileSync(file, 'utf8')).year).toBe(y);
    }
  });
});
