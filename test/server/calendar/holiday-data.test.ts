import { describe, expect, it } from 'vitest';
import { addDays, loadHolidayCalendar, weekday } from '../../../server/calendar';

/**
 * An independent transcription of the State Council notices (国办发明电〔2024〕12号 for 2025,
 * the 2025-11-04 notice for 2026), written out day by day, so that a wrong data file fails here.
 */
const OFF: Record<string, [name: string, dates: string[]][]> = {
  '2025': [
    ['元旦', ['2025-01-01']],
    ['春节', ['2025-01-28', '2025-01-29', '2025-01-30', '2025-01-31', '2025-02-01', '2025-02-02', '2025-02-03', '2025-02-04']],
    ['清明节', ['2025-04-04', '2025-04-05', '2025-04-06']],
    ['劳动节', ['2025-05-01', '2025-05-02', '2025-05-03', '2025-05-04', '2025-05-05']],
    ['端午节', ['2025-05-31', '2025-06-01', '2025-06-02']],
    ['国庆节、中秋节', ['2025-10-01', '2025-10-02', '2025-10-03', '2025-10-04', '2025-10-05', '2025-10-06', '2025-10-07', '2025-10-08']],
  ],
  '2026': [
    ['元旦', ['2026-01-01', '2026-01-02', '2026-01-03']],
    ['春节', ['2026-02-15', '2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20', '2026-02-21', '2026-02-22', '2026-02-23']],
    ['清明节', ['2026-04-04', '2026-04-05', '2026-04-06']],
    ['劳动节', ['2026-05-01', '2026-05-02', '2026-05-03', '2026-05-04', '2026-05-05']],
    ['端午节', ['2026-06-19', '2026-06-20', '2026-06-21']],
    ['中秋节', ['2026-09-25', '2026-09-26', '2026-09-27']],
    ['国庆节', ['2026-10-01', '2026-10-02', '2026-10-03', '2026-10-04', '2026-10-05', '2026-10-06', '2026-10-07']],
  ],
};
const MAKE_UP: Record<string, [name: string, date: string, weekday: 'Sat' | 'Sun'][]> = {
  '2025': [
    ['春节', '2025-01-26', 'Sun'],
    ['春节', '2025-02-08', 'Sat'],
    ['劳动节', '2025-04-27', 'Sun'],
    ['国庆节、中秋节', '2025-09-28', 'Sun'],
    ['国庆节、中秋节', '2025-10-11', 'Sat'],
  ],
  '2026': [
    ['元旦', '2026-01-04', 'Sun'],
    ['春节', '2026-02-14', 'Sat'],
    ['春节', '2026-02-28', 'Sat'],
    ['劳动节', '2026-05-09', 'Sat'],
    ['国庆节', '2026-09-20', 'Sun'],
    ['国庆节', '2026-10-10', 'Sat'],
  ],
};

const cal = loadHolidayCalendar();

describe.each(['2025', '2026'])('holiday data %s', (year) => {
  const offRows = (OFF[year] ?? []).flatMap(([name, dates]) => dates.map((d) => [d, name] as const));
  const makeUpRows = MAKE_UP[year] ?? [];

  it.each(offRows)('%s is off (%s)', (date, name) => {
    expect(cal.isHoliday(date)).toBe(true);
    expect(cal.isWorkingDay(date)).toBe(false);
    expect(cal.isMakeUpWorkday(date)).toBe(false);
    expect(cal.holidayName(date)).toBe(name);
    expect(cal.dayInfo(date)).toMatchObject({ kind: 'holiday', working: false, holiday: name, known: true });
  });

  it.each(makeUpRows)('%s: %s is a make-up workday on a %s', (name, date, day) => {
    expect(weekday(date)).toBe(day === 'Sat' ? 6 : 0);
    expect(cal.isMakeUpWorkday(date)).toBe(true);
    expect(cal.isWorkingDay(date)).toBe(true);
    expect(cal.isHoliday(date)).toBe(false);
    expect(cal.holidayName(date)).toBeUndefined();
    expect(cal.dayInfo(date)).toMatchObject({ kind: 'makeup-workday', working: true, holiday: name });
  });

  it('every other day of the year follows Monday–Friday', () => {
    const offSet = new Set(offRows.map(([d]) => d));
    const makeUpSet = new Set(makeUpRows.map(([, d]) => d));
    const wrong: string[] = [];
    let workdays = 0;
    for (let d = `${year}-01-01`; d <= `${year}-12-31`; d = addDays(d, 1)) {
      const expected = makeUpSet.has(d) || (!offSet.has(d) && weekday(d) !== 0 && weekday(d) !== 6);
      if (cal.isWorkingDay(d) !== expected) wrong.push(d);
      if (cal.isHoliday(d) !== offSet.has(d)) wrong.push(`${d} (holiday flag)`);
      if (cal.isMakeUpWorkday(d) !== makeUpSet.has(d)) wrong.push(`${d} (make-up flag)`);
      if (expected) workdays++;
    }
    expect(wrong).toEqual([]);
    // sanity, counted by hand: 2025 = 261 weekdays − 18 weekday holidays + 5 make-up days;
    // 2026 = 261 − 19 + 6
    expect(workdays).toBe(248);
  });
});

describe('2024 data (国办发明电〔2023〕7号)', () => {
  it.each([
    ['2024-02-04', true],
    ['2024-02-09', true], // 除夕: only encouraged to rest, still a working day
    ['2024-02-10', false],
    ['2024-02-17', false],
    ['2024-02-18', true],
    ['2024-04-07', true],
    ['2024-04-28', true],
    ['2024-05-11', true],
    ['2024-06-10', false],
    ['2024-09-14', true],
    ['2024-09-17', false],
    ['2024-09-29', true],
    ['2024-10-07', false],
    ['2024-10-12', true],
  ])('%s working = %s', (date, working) => {
    expect(cal.isWorkingDay(date)).toBe(working);
  });
});

describe('weekday holidays and weekend make-up days', () => {
  it('weekday holidays are not working days', () => {
    for (const d of ['2025-01-01', '2025-01-28', '2025-10-08', '2026-02-23', '2026-05-05', '2026-10-07']) {
      expect([1, 2, 3, 4, 5]).toContain(weekday(d));
      expect(cal.isWorkingDay(d)).toBe(false);
    }
  });
  it('weekends that are make-up workdays are working days; ordinary weekends are not', () => {
    expect(cal.isWorkingDay('2025-09-28')).toBe(true); // Sunday
    expect(cal.isWorkingDay('2025-09-27')).toBe(false); // ordinary Saturday
    expect(cal.dayInfo('2025-09-27')).toMatchObject({ kind: 'weekend', working: false, holiday: undefined });
    expect(cal.dayInfo('2025-09-29')).toMatchObject({ kind: 'workday', working: true });
  });
});
