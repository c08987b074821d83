import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { addDays, dayNumber, isCivilDate, weekday, type CivilDate } from './civil-date';
import { createHolidayCalendar, type HolidayCalendar } from './working-days';

/**
 * The State Council's public-holiday arrangement (国务院办公厅关于YYYY年部分节假日安排的通知), one
 * JSON file per year named `cn-holidays-YYYY.json`.
 *
 * Bundled files live in `server/calendar/data/`. An operator can add a year or correct one without a
 * code change: put files of the same format in the directory named by HOLIDAY_DATA_DIR; a file there
 * replaces the bundled file of the same year as a whole, or adds a year. Files are read and
 * validated once, at start (`loadHolidayCalendar`); any problem stops the start with a message
 * naming the file.
 *
 * Format:
 *   {
 *     "year": 2025,
 *     "source": { "title": "国务院办公厅关于2025年部分节假日安排的通知", "number": "国办发明电〔2024〕12号",
 *                 "issued": "2024-11-12", "note": "optional" },
 *     "holidays": [
 *       { "name": "春节", "from": "2025-01-28", "to": "2025-02-04", "makeUpWorkdays": ["2025-01-26", "2025-02-08"] }
 *     ]
 *   }
 * `from`..`to` (inclusive) is the whole announced period off, including the weekend days it joins;
 * `makeUpWorkdays` are the 调休上班 days (always a Saturday or Sunday). A combined period is named
 * with 、 (e.g. "国庆节、中秋节").
 */

export const HOLIDAY_NAMES = ['元旦', '春节', '清明节', '劳动节', '端午节', '中秋节', '国庆节'] as const;
export const BUNDLED_HOLIDAY_DIR = fileURLToPath(new URL('./data/', import.meta.url));
const FILE_RE = /^cn-holidays-(\d{4})\.json$/;
/** An announced period may straddle New Year (e.g. 元旦 2024 began on 2023-12-30). */
const YEAR_SLACK_DAYS = 31;
const MAX_PERIOD_DAYS = 15;

const civilDate = z.string().refine(isCivilDate, { message: 'must be a date written YYYY-MM-DD' });

const holidaySchema = z.strictObject({
  name: z
    .string()
    .refine((n) => n.split('、').every((part) => (HOLIDAY_NAMES as readonly string[]).includes(part)), {
      message: `must be one of ${HOLIDAY_NAMES.join(' ')} (a combined period joins names with 、)`,
    }),
  from: civilDate,
  to: civilDate,
  makeUpWorkdays: z.array(civilDate),
});

const fileSchema = z
  .strictObject({
    year: z.number().int().min(2000).max(2100),
    source: z.strictObject({
      title: z.string().min(1),
      number: z.string().min(1),
      issued: civilDate,
      note: z.string().optional(),
    }),
    holidays: z.array(holidaySchema).min(1),
  })
  .superRefine((file, ctx) => {
    if (!Number.isInteger(file.year) || !Array.isArray(file.holidays)) return; // already reported
    const lo = dayNumber(`${file.year}-01-01`) - YEAR_SLACK_DAYS;
    const hi = dayNumber(`${file.year}-12-31`) + YEAR_SLACK_DAYS;
    const inYear = (d: CivilDate) => dayNumber(d) >= lo && dayNumber(d) <= hi;
    const off = new Map<CivilDate, string>();
    file.holidays.forEach((h, i) => {
      if (!isCivilDate(h.from) || !isCivilDate(h.to)) return; // already reported
      const span = dayNumber(h.to) - dayNumber(h.from) + 1;
      if (span < 1) ctx.addIssue({ code: 'custom', path: ['holidays', i, 'to'], message: `${h.to} is before from ${h.from}` });
      else if (span > MAX_PERIOD_DAYS) ctx.addIssue({ code: 'custom', path: ['holidays', i], message: `period of ${span} days is longer than ${MAX_PERIOD_DAYS}` });
      for (const key of ['from', 'to'] as const) {
        if (!inYear(h[key])) ctx.addIssue({ code: 'custom', path: ['holidays', i, key], message: `${h[key]} is not in ${file.year}` });
      }
      for (let d = h.from; span >= 1 && span <= MAX_PERIOD_DAYS && d <= h.to; d = addDays(d, 1)) {
        const other = off.get(d);
        if (other) ctx.addIssue({ code: 'custom', path: ['holidays', i], message: `${d} is already off for ${other}` });
        off.set(d, h.name);
      }
    });
    const seen = new Set<CivilDate>();
    file.holidays.forEach((h, i) => {
      if (!Array.isArray(h.makeUpWorkdays)) return;
      h.makeUpWorkdays.forEach((d, j) => {
        if (!isCivilDate(d)) return;
        const path = ['holidays', i, 'makeUpWorkdays', j];
        if (seen.has(d)) ctx.addIssue({ code: 'custom', path, message: `${d} is listed twice` });
        seen.add(d);
        if (!inYear(d)) ctx.addIssue({ code: 'custom', path, message: `${d} is not in ${file.year}` });
        const wd = weekday(d);
        if (wd !== 0 && wd !== 6) ctx.addIssue({ code: 'custom', path, message: `${d} is a weekday; a make-up workday (调休上班) is a Saturday or Sunday` });
        const o = off.get(d);
        if (o) ctx.addIssue({ code: 'custom', path, message: `${d} is also a day off (${o})` });
      });
    });
  });

export type HolidayFile = z.infer<typeof fileSchema>;

export interface HolidayYear extends HolidayFile {
  /** absolute path of the file the year was read from */
  readonly file: string;
  readonly origin: 'bundled' | 'override';
}

export class HolidayDataError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`Invalid holiday data in ${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'HolidayDataError';
  }
}

/** Parse and validate one year's file; throws HolidayDataError naming the file. */
export function parseHolidayFile(file: string, text: string): HolidayFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new HolidayDataError(file, [`not valid JSON: ${(err as Error).message}`]);
  }
  const result = fileSchema.safeParse(json);
  if (!result.success) {
    throw new HolidayDataError(
      file,
      result.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(file)'}: ${i.message}`),
    );
  }
  const m = FILE_RE.exec(file.split(/[\\/]/).pop() ?? '');
  if (m && Number(m[1]) !== result.data.year) {
    throw new HolidayDataError(file, [`year: ${result.data.year} does not match the file name (${m[1]})`]);
  }
  return result.data;
}

function readDir(dir: string, origin: HolidayYear['origin']): HolidayYear[] {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    names = readdirSync(dir);
  } catch (err) {
    throw new HolidayDataError(dir, [`cannot read the holiday data directory: ${(err as Error).message}`]);
  }
  return names
    .filter((n) => FILE_RE.test(n))
    .sort()
    .map((n) => {
      const file = join(dir, n);
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        throw new HolidayDataError(file, [`cannot read: ${(err as Error).message}`]);
      }
      return { ...parseHolidayFile(file, text), file, origin };
    });
}

export interface LoadHolidayCalendarOptions {
  /** HOLIDAY_DATA_DIR: files here replace bundled years or add years */
  dir?: string | undefined;
  /** the bundled data (tests may point elsewhere) */
  bundledDir?: string;
}

/**
 * Read the bundled years and, if `dir` is given, the operator's files (which win per year), validate
 * them, and build an immutable calendar. Call once at start and pass the calendar to whoever needs it.
 */
export function loadHolidayCalendar(options: LoadHolidayCalendarOptions = {}): HolidayCalendar {
  const byYear = new Map<number, HolidayYear>();
  for (const y of readDir(options.bundledDir ?? BUNDLED_HOLIDAY_DIR, 'bundled')) byYear.set(y.year, y);
  if (options.dir) {
    for (const y of readDir(resolve(options.dir), 'override')) byYear.set(y.year, y);
  }
  return createHolidayCalendar([...byYear.values()]);
}
