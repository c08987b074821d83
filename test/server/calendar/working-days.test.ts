import { describe, expect, it } from 'vitest';
import {
  loadHolidayCalendar,
  shanghaiStartOfDay,
  toCivilDate,
  toShanghaiDate,
  weekday,
} from '../../../server/calendar';

const cal = loadHolidayCalendar();

describe('Asia/Shanghai civil dates', () => {
  it('converts instants at the day boundary', () => {
    expect(toShanghaiDate(new Date('2025-09-30T15:59:59.999Z'))).toBe('2025-09-30');
    expect(toShanghaiDate(new Date('2025-09-30T16:00:00.000Z'))).toBe('2025-10-01');
    expect(toShanghaiDate(Date.parse('2025-09-30T16:30:00Z'))).toBe('2025-10-01');
    expect(toShanghaiDate(new Date('2024-12-31T16:00:00Z'))).toBe('2025-01-01');
  });

  it('agrees with Intl for Asia/Shanghai', () => {
    const fmt = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });
    for (let ms = Date.parse('2024-01-01T00:00:00Z'); ms < Date.parse('2027-01-01T00:00:00Z'); ms += 7 * 3600_000 + 13 * 60_000) {
      expect(toShanghaiDate(ms)).toBe(fmt.format(ms));
    }
  });

  it('uses the Shanghai date, not the UTC date, for working-day questions', () => {
    const utcStillSept30 = new Date('2025-09-30T16:30:00Z');
    expect(utcStillSept30.toISOString().slice(0, 10)).toBe('2025-09-30');
    expect(cal.isWorkingDay(utcStillSept30)).toBe(false);
    expect(cal.holidayName(utcStillSept30)).toBe('国庆节、中秋节');
    expect(cal.isWorkingDay(new Date('2025-09-30T15:59:00Z'))).toBe(true);
    // Monday 2025-09-29 00:30 in Shanghai is still Sunday (a make-up workday) in UTC
    expect(cal.isWorkingDay(new Date('2025-09-28T16:30:00Z'))).toBe(true);
    expect(shanghaiStartOfDay('2025-10-01').toISOString()).toBe('2025-09-30T16:00:00.000Z');
  });

  it('rejects malformed civil dates', () => {
    expect(() => cal.isWorkingDay('2025-02-29')).toThrow(RangeError);
    expect(() => cal.isWorkingDay('2025-1-5')).toThrow(RangeError);
    expect(() => toCivilDate(new Date(NaN))).toThrow(RangeError);
  });
});

describe('addWorkingDays (day 1 = first working day after the submission day)', () => {
  it.each([
    // across 春节 2025 (01-28 … 02-04 off, 02-08 Saturday worked)
    ['2025-01-27', 1, '2025-02-05'],
    ['2025-01-27', 4, '2025-02-08'],
    ['2025-01-27', 5, '2025-02-10'],
    ['2025-01-25', 1, '2025-01-26'], // Saturday submission; Sunday 01-26 is a make-up workday
    ['2025-01-30', 1, '2025-02-05'], // submitted during the holiday
    // across 国庆节、中秋节 2025 (10-01 … 10-08 off, 10-11 Saturday worked)
    ['2025-09-30', 1, '2025-10-09'],
    ['2025-09-30', 3, '2025-10-11'],
    ['2025-09-30', 4, '2025-10-13'],
    ['2025-09-26', 1, '2025-09-28'], // Friday → Sunday make-up workday
    // across 春节 2026 (02-15 … 02-23 off, 02-14 and 02-28 Saturdays worked)
    ['2026-02-13', 1, '2026-02-14'],
    ['2026-02-13', 2, '2026-02-24'],
    ['2026-02-13', 20, '2026-03-19'],
    // across 国庆节 2026 (10-01 … 10-07 off, 09-20 Sunday and 10-10 Saturday worked)
    ['2026-09-30', 1, '2026-10-08'],
    ['2026-09-30', 3, '2026-10-10'],
    // ordinary weekend: Friday, Saturday and Sunday submissions share day 1 = Monday
    ['2025-03-07', 1, '2025-03-10'],
    ['2025-03-08', 1, '2025-03-10'],
    ['2025-03-09', 1, '2025-03-10'],
    ['2025-03-10', 0, '2025-03-10'],
    ['2025-03-08', 0, '2025-03-08'],
  ])('from %s, %i working days → %s', (start, n, due) => {
    expect(cal.addWorkingDays(start, n)).toBe(due);
  });

  it('counts from the Shanghai date of a submission instant', () => {
    // 2025-09-30 23:59 Shanghai: submitted on the last working day before 国庆
    expect(cal.addWorkingDays(new Date('2025-09-30T15:59:00Z'), 1)).toBe('2025-10-09');
    // 2025-10-01 00:30 Shanghai: submitted during the holiday, day 1 is still 10-09
    expect(cal.addWorkingDays(new Date('2025-09-30T16:30:00Z'), 1)).toBe('2025-10-09');
    // 2025-10-09 00:30 Shanghai (10-08 in UTC): day 1 is 10-10
    expect(cal.addWorkingDays(Date.parse('2025-10-08T16:30:00Z'), 1)).toBe('2025-10-10');
  });

  it('deadline() gives the due date, the instant it becomes overdue, and whether it is estimated', () => {
    const d = cal.deadline(new Date('2025-09-30T02:00:00Z'), 1);
    expect(d).toEqual({
      submittedOn: '2025-09-30',
      dueOn: '2025-10-09',
      dueBefore: new Date('2025-10-09T16:00:00Z'),
      estimated: false,
    });
    expect(Object.isFrozen(d)).toBe(true);
  });

  it('rejects negative or fractional counts', () => {
    expect(() => cal.addWorkingDays('2025-01-01', -1)).toThrow(RangeError);
    expect(() => cal.addWorkingDays('2025-01-01', 1.5)).toThrow(RangeError);
  });
});

describe('workingDaysBetween and nextWorkingDay', () => {
  it('counts working days in (a, b]', () => {
    expect(cal.workingDaysBetween('2025-09-30', '2025-10-08')).toBe(0);
    expect(cal.workingDaysBetween('2025-09-30', '2025-10-09')).toBe(1);
    expect(cal.workingDaysBetween('2025-10-09', '2025-09-30')).toBe(-1);
    expect(cal.workingDaysBetween('2025-09-26', '2025-09-29')).toBe(2); // Sunday 09-28 worked, Monday 09-29
    expect(cal.workingDaysBetween('2025-03-10', '2025-03-10')).toBe(0);
    expect(cal.workingDaysBetween('2024-12-31', '2025-12-31')).toBe(248);
    expect(cal.workingDaysBetween('2025-12-31', '2026-12-31')).toBe(248);
  });

  it('is the inverse of addWorkingDays', () => {
    for (const start of ['2025-01-24', '2025-01-26', '2025-04-30', '2025-09-27', '2026-02-12', '2026-09-19', '2026-12-25']) {
      for (const n of [0, 1, 2, 5, 10, 15, 30]) {
        expect(cal.workingDaysBetween(start, cal.addWorkingDays(start, n))).toBe(n);
      }
    }
  });

  it('nextWorkingDay is strictly after the date', () => {
    expect(cal.nextWorkingDay('2025-09-30')).toBe('2025-10-09');
    expect(cal.nextWorkingDay('2025-09-27')).toBe('2025-09-28');
    expect(cal.nextWorkingDay('2025-03-10')).toBe('2025-03-11');
    expect(cal.nextWorkingDay('2026-02-14')).toBe('2026-02-24');
    expect(cal.nextWorkingDay(new Date('2026-01-03T16:00:00Z'))).toBe('2026-01-05'); // Shanghai 01-04 (worked Sunday)
  });
});

describe('coverage and the Monday–Friday fallback', () => {
  it('reports the years and their sources', () => {
    const c = cal.coverage();
    expect(c.years).toEqual([2024, 2025, 2026]);
    expect(c.sources.map((s) => [s.year, s.number, s.origin])).toEqual([
      [2024, '国办发明电〔2023〕7号', 'bundled'],
      [2025, '国办发明电〔2024〕12号', 'bundled'],
      [2026, '国办发明电〔2025〕7号', 'bundled'],
    ]);
    for (const s of c.sources) expect(s.title).toBe(`国务院办公厅关于${s.year}年部分节假日安排的通知`);
  });

  it('falls back to Monday–Friday outside the known years and says so', () => {
    expect(cal.known('2026-12-31')).toBe(true);
    expect(cal.known('2027-01-01')).toBe(false);
    expect(cal.known(new Date('2026-12-31T16:00:00Z'))).toBe(false); // 2027-01-01 in Shanghai
    expect(weekday('2030-01-01')).toBe(2);
    expect(cal.isWorkingDay('2030-01-01')).toBe(true); // no data: a Tuesday counts as working
    expect(cal.isHoliday('2030-01-01')).toBe(false);
    expect(cal.isWorkingDay('2030-01-05')).toBe(false); // Saturday
    expect(cal.dayInfo('2030-01-01')).toEqual({ date: '2030-01-01', working: true, kind: 'workday', holiday: undefined, known: false });
    expect(cal.addWorkingDays('2027-03-05', 1)).toBe('2027-03-08');
    // no 2027 data: 2027-01-01 (a Friday) counts as a working day, hence "estimated"
    expect(cal.deadline('2026-12-25', 5)).toMatchObject({ dueOn: '2027-01-01', estimated: true });
    expect(cal.deadline('2026-12-01', 5)).toMatchObject({ estimated: false });
  });

  it('is immutable', () => {
    expect(Object.isFrozen(cal)).toBe(true);
    expect(Object.isFrozen(cal.coverage())).toBe(true);
    expect(Object.isFrozen(cal.coverage().years)).toBe(true);
    expect(() => {
      (cal as { isWorkingDay: unknown }).isWorkingDay = () => true;
    }).toThrow(TypeError);
  });
});
