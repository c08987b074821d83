import {
  addDays,
  dayNumber,
  fromDayNumber,
  shanghaiStartOfDay,
  toCivilDate,
  weekday,
  yearOf,
  type CivilDate,
  type DateInput,
} from './civil-date';
import type { HolidayYear } from './holidays';

/**
 * Working days in China: a day is a working day when it is a make-up workday (调休上班), or when it is
 * Monday–Friday and not inside an announced holiday period. Years without data (see `coverage()`)
 * fall back to plain Monday–Friday; `known(date)` and the `estimated` flag of `deadline()` tell the
 * caller so it can warn.
 *
 * Deadline counting (承诺时限 of N working days), as implemented by `addWorkingDays(start, n)`:
 *   - `start` is the submission: an instant (converted to its Asia/Shanghai date) or a civil date.
 *   - The submission day itself is never counted, whether or not it is a working day.
 *   - Day 1 is the first working day after the submission day; the result is the N-th working day
 *     after it. So a submission on Friday, Saturday or Sunday (ordinary weekend) has day 1 = Monday;
 *     one on 2025-09-30 (Tue) has day 1 = 2025-10-09 (after 国庆节、中秋节).
 *   - The deadline is the whole of that day: the item is overdue from 00:00 Asia/Shanghai of the
 *     following day (`deadline().dueBefore`).
 *   - n = 0 returns the submission day unchanged; n must be a non-negative integer.
 * `workingDaysBetween(a, b)` counts working days d with a < d ≤ b (negative when b is before a), so
 * `workingDaysBetween(a, addWorkingDays(a, n)) === n`.
 */

export type DayKind = 'holiday' | 'makeup-workday' | 'weekend' | 'workday';

export interface DayInfo {
  readonly date: CivilDate;
  readonly working: boolean;
  readonly kind: DayKind;
  /** holiday name when kind is 'holiday' or 'makeup-workday' (the holiday the 调休 belongs to) */
  readonly holiday: string | undefined;
  /** false when the year has no data and the Monday–Friday fallback was used */
  readonly known: boolean;
}

export interface CoverageYear {
  readonly year: number;
  readonly title: string;
  readonly number: string;
  readonly issued: CivilDate;
  readonly file: string;
  readonly origin: 'bundled' | 'override';
}

export interface Coverage {
  /** years with data, ascending */
  readonly years: readonly number[];
  readonly sources: readonly CoverageYear[];
}

export interface Deadline {
  /** Shanghai civil date of the submission */
  readonly submittedOn: CivilDate;
  /** last day (inclusive) to finish */
  readonly dueOn: CivilDate;
  /** overdue from this instant (00:00 Asia/Shanghai of the day after dueOn) */
  readonly dueBefore: Date;
  /** true when a day from submission to due date lies in a year without data (Monday–Friday fallback) */
  readonly estimated: boolean;
}

export interface HolidayCalendar {
  isWorkingDay(date: DateInput): boolean;
  isHoliday(date: DateInput): boolean;
  isMakeUpWorkday(date: DateInput): boolean;
  holidayName(date: DateInput): string | undefined;
  dayInfo(date: DateInput): DayInfo;
  /** true when the date's year has holiday data */
  known(date: DateInput): boolean;
  addWorkingDays(start: DateInput, n: number): CivilDate;
  deadline(submittedAt: DateInput, n: number): Deadline;
  workingDaysBetween(a: DateInput, b: DateInput): number;
  /** first working day strictly after the date */
  nextWorkingDay(date: DateInput): CivilDate;
  coverage(): Coverage;
}

/** Longest span the arithmetic walks (guards against a runaway n). */
const MAX_SPAN_DAYS = 20 * 366;

export function createHolidayCalendar(years: readonly HolidayYear[]): HolidayCalendar {
  const off = new Map<CivilDate, { name: string; file: string }>();
  const makeUp = new Map<CivilDate, { name: string; file: string }>();
  const clash = (d: CivilDate, a: string, b: string) =>
    new Error(`Holiday data conflict on ${d} between ${a} and ${b}`);
  for (const y of years) {
    for (const h of y.holidays) {
      for (let d = h.from; d <= h.to; d = addDays(d, 1)) {
        const prev = off.get(d) ?? makeUp.get(d);
        if (prev && prev.file !== y.file) throw clash(d, prev.file, y.file);
        off.set(d, { name: h.name, file: y.file });
      }
      for (const d of h.makeUpWorkdays) {
        const prev = off.get(d) ?? makeUp.get(d);
        if (prev && prev.file !== y.file) throw clash(d, prev.file, y.file);
        makeUp.set(d, { name: h.name, file: y.file });
      }
    }
  }
  const knownYears = new Set(years.map((y) => y.year));
  const coverage: Coverage = Object.freeze({
    years: Object.freeze([...knownYears].sort((a, b) => a - b)),
    sources: Object.freeze(
      [...years]
        .sort((a, b) => a.year - b.year)
        .map((y) =>
          Object.freeze({
            year: y.year,
            title: y.source.title,
            number: y.source.number,
            issued: y.source.issued,
            file: y.file,
            origin: y.origin,
          }),
        ),
    ),
  });

  const workingOn = (d: CivilDate): boolean => {
    if (makeUp.has(d)) return true;
    if (off.has(d)) return false;
    const wd = weekday(d);
    return wd !== 0 && wd !== 6;
  };
  const knownOn = (d: CivilDate) => knownYears.has(yearOf(d));
  const checkN = (n: number) => {
    if (!Number.isInteger(n) || n < 0 || n > MAX_SPAN_DAYS) {
      throw new RangeError(`working days must be an integer from 0 to ${MAX_SPAN_DAYS}, got ${n}`);
    }
  };
  const nextWorking = (d: CivilDate): CivilDate => {
    let n = dayNumber(d);
    for (let i = 0; i < MAX_SPAN_DAYS; i++) {
      n += 1;
      const c = fromDayNumber(n);
      if (workingOn(c)) return c;
    }
    throw new RangeError(`no working day within ${MAX_SPAN_DAYS} days after ${d}`);
  };
  const add = (start: CivilDate, n: number): CivilDate => {
    checkN(n);
    let d = start;
    for (let i = 0; i < n; i++) d = nextWorking(d);
    return d;
  };

  const calendar: HolidayCalendar = {
    isWorkingDay: (date) => workingOn(toCivilDate(date)),
    isHoliday: (date) => off.has(toCivilDate(date)),
    isMakeUpWorkday: (date) => makeUp.has(toCivilDate(date)),
    holidayName: (date) => off.get(toCivilDate(date))?.name,
    known: (date) => knownOn(toCivilDate(date)),
    dayInfo(date) {
      const d = toCivilDate(date);
      const o = off.get(d);
      const m = makeUp.get(d);
      const wd = weekday(d);
      const kind: DayKind = m ? 'makeup-workday' : o ? 'holiday' : wd === 0 || wd === 6 ? 'weekend' : 'workday';
      return Object.freeze({ date: d, working: workingOn(d), kind, holiday: (m ?? o)?.name, known: knownOn(d) });
    },
    addWorkingDays: (start, n) => add(toCivilDate(start), n),
    deadline(submittedAt, n) {
      const submittedOn = toCivilDate(submittedAt);
      const dueOn = add(submittedOn, n);
      let estimated = false;
      for (let y = yearOf(submittedOn); y <= yearOf(dueOn); y++) if (!knownYears.has(y)) estimated = true;
      return Object.freeze({ submittedOn, dueOn, dueBefore: shanghaiStartOfDay(addDays(dueOn, 1)), estimated });
    },
    workingDaysBetween(a, b) {
      const from = dayNumber(toCivilDate(a));
      const to = dayNumber(toCivilDate(b));
      const [lo, hi, sign] = from <= to ? [from, to, 1] : [to, from, -1];
      if (hi - lo > MAX_SPAN_DAYS) throw new RangeError(`span longer than ${MAX_SPAN_DAYS} days`);
      let count = 0;
      for (let n = lo + 1; n <= hi; n++) if (workingOn(fromDayNumber(n))) count++;
      return sign * count;
    },
    nextWorkingDay: (date) => nextWorking(toCivilDate(date)),
    coverage: () => coverage,
  };
  return Object.freeze(calendar);
}
