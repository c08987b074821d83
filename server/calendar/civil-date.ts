/**
 * Civil dates for the holiday calendar.
 *
 * A civil date is a `YYYY-MM-DD` string (type `CivilDate`) naming a calendar day in China
 * (Asia/Shanghai). Every calendar function returns civil dates as such strings. Functions that take
 * a date accept either a civil date string or an instant (a `Date` or epoch milliseconds); an
 * instant is first converted to the Asia/Shanghai civil date, so 2025-09-30T16:30Z is 2025-10-01.
 *
 * Asia/Shanghai has been UTC+08:00 all year since 1991 (no daylight saving), so the conversion is a
 * fixed +8 h shift; dates before 1991 are outside anything this calendar is used for.
 */

export type CivilDate = string;
/** A civil date (`YYYY-MM-DD`) or an instant (Date / epoch ms) converted to its Shanghai date. */
export type DateInput = CivilDate | Date | number;

export const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
const CIVIL_DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a well-formed, existing calendar date such as 2025-02-28 (not 2025-02-29). */
export function isCivilDate(value: unknown): value is CivilDate {
  if (typeof value !== 'string') return false;
  const m = CIVIL_DATE_RE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, mo, 0)).getUTCDate();
}

/** Days since 1970-01-01 for a civil date (an integer; used for arithmetic). */
export function dayNumber(date: CivilDate): number {
  if (!isCivilDate(date)) throw new RangeError(`not a civil date (YYYY-MM-DD): ${JSON.stringify(date)}`);
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d) / DAY_MS;
}

/** The civil date of a day number (inverse of `dayNumber`). */
export function fromDayNumber(n: number): CivilDate {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

/** The Asia/Shanghai civil date of an instant. */
export function toShanghaiDate(instant: Date | number): CivilDate {
  const ms = typeof instant === 'number' ? instant : instant.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('invalid instant');
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant at which a civil date begins in Asia/Shanghai (00:00 +08:00). */
export function shanghaiStartOfDay(date: CivilDate): Date {
  return new Date(dayNumber(date) * DAY_MS - SHANGHAI_OFFSET_MS);
}

/** Normalise an input to a civil date: strings are validated, instants converted to Shanghai. */
export function toCivilDate(input: DateInput): CivilDate {
  if (typeof input === 'string') {
    if (!isCivilDate(input)) throw new RangeError(`not a civil date (YYYY-MM-DD): ${JSON.stringify(input)}`);
    return input;
  }
  return toShanghaiDate(input);
}

/** Day of week, 0 = Sunday … 6 = Saturday. */
export function weekday(date: CivilDate): number {
  return (((dayNumber(date) + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
}

export function addDays(date: CivilDate, days: number): CivilDate {
  return fromDayNumber(dayNumber(date) + days);
}

export function yearOf(date: CivilDate): number {
  return Number(date.slice(0, 4));
}
