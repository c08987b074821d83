/**
 * The reports' shared filter (date range, menu version, source) and its place in the URL query,
 * so a report can be linked and reloaded. Pure: no Vue, no window, the clock is passed in.
 * Dates are Asia/Shanghai calendar days, `YYYY-MM-DD`, both ends inclusive (the API's contract).
 */
import type { EntrySource } from '../../../server/reports/schema';

export interface ReportFilter {
  from: string;
  to: string;
  /** a published menu label such as `v3`; '' = every version */
  menuVersion: string;
  /** how the visit began (menu tap, template-message link, anything else); '' = every entry */
  source: EntrySource | '';
}

/** Days in the default range, today included. */
export const DEFAULT_RANGE_DAYS = 30;
/** The longest range the filter bar accepts (a year and a day, for leap years). */
export const MAX_RANGE_DAYS = 366;

export const SOURCE_LABELS: Record<EntrySource, string> = {
  menu: '从菜单进入',
  message: '从消息链接进入',
  direct: '其他入口',
};

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MENU_VERSION = /^[\w.:/-]{1,32}$/; // the usage log's token rule for `mv`
const SHANGHAI_OFFSET_MS = 8 * 3600_000; // China has had no daylight saving since 1991

/** The Asia/Shanghai calendar day of an instant. */
export function shanghaiDate(now: Date): string {
  return new Date(now.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** A real calendar date in `YYYY-MM-DD` (rejects 2025-02-30). */
export function isIsoDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = DATE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === value;
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Days from `from` to `to`, both counted (2025-01-01..2025-01-01 is 1). */
export function daysInRange(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
}

/** Every day of the range, in order (for filling gaps in a daily series). */
export function eachDay(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to && out.length <= MAX_RANGE_DAYS; d = addDays(d, 1)) out.push(d);
  return out;
}

export function defaultFilter(today: string): ReportFilter {
  return { from: addDays(today, -(DEFAULT_RANGE_DAYS - 1)), to: today, menuVersion: '', source: '' };
}

const first = (v: unknown): unknown => (Array.isArray(v) ? v[0] : v);
const isSource = (v: unknown): v is EntrySource => typeof v === 'string' && Object.hasOwn(SOURCE_LABELS, v);

/**
 * The filter a URL query asks for. Anything unusable (a malformed or impossible date, an unknown
 * source, a future end) falls back to the default rather than failing the page, and reversed
 * ends are swapped; a range longer than MAX_RANGE_DAYS keeps its end and is shortened.
 */
export function parseReportFilter(query: Record<string, unknown>, today: string): ReportFilter {
  const def = defaultFilter(today);
  const rawFrom = first(query.from);
  const rawTo = first(query.to);
  let from = isIsoDate(rawFrom) ? rawFrom : def.from;
  let to = isIsoDate(rawTo) && rawTo <= today ? rawTo : def.to;
  if (from > to) [from, to] = [to, from];
  if (daysInRange(from, to) > MAX_RANGE_DAYS) from = addDays(to, -(MAX_RANGE_DAYS - 1));
  const mv = first(query.mv);
  const source = first(query.source);
  return {
    from,
    to,
    menuVersion: typeof mv === 'string' && MENU_VERSION.test(mv) ? mv : '',
    source: isSource(source) ? source : '',
  };
}

/** The URL query for a filter: the dates always (a link means the same days tomorrow), the rest when set. */
export function filterToQuery(f: ReportFilter): Record<string, string> {
  const q: Record<string, string> = { from: f.from, to: f.to };
  if (f.menuVersion) q.mv = f.menuVersion;
  if (f.source) q.source = f.source;
  return q;
}

/** The query the reports API takes for the same filter (names of the API contract). */
export function filterToApiQuery(f: ReportFilter): Record<string, string> {
  const q: Record<string, string> = { from: f.from, to: f.to };
  if (f.menuVersion) q.menuVersion = f.menuVersion;
  if (f.source) q.source = f.source;
  return q;
}

/** Quick ranges offered beside the date inputs. */
export const PRESETS = [
  { label: '近 7 天', days: 7 },
  { label: '近 30 天', days: 30 },
  { label: '近 90 天', days: 90 },
] as const;

export function presetRange(today: string, days: number): Pick<ReportFilter, 'from' | 'to'> {
  return { from: addDays(today, -(days - 1)), to: today };
}

/** "2025-01-01 至 2025-01-30（30 天）" for headings and the printed summary. */
export function describeRange(f: Pick<ReportFilter, 'from' | 'to'>): string {
  return `${f.from} 至 ${f.to}（${daysInRange(f.from, f.to)} 天）`;
}

/** One line naming every active filter, for the printed page and chart summaries. */
export function describeFilter(f: ReportFilter): string {
  const parts = [describeRange(f), f.menuVersion ? `菜单版本 ${f.menuVersion}` : '全部菜单版本', f.source ? `入口：${SOURCE_LABELS[f.source]}` : '全部入口'];
  return parts.join(' · ');
}

/** A menu version as the menu API lists it (the fields the filter needs). */
export interface MenuVersionLike {
  version: string;
  status: string;
  publishedAt: string | null;
}

/**
 * The versions a report can be filtered by: those that were ever published (drafts have no
 * usage), newest first, labelled with their Beijing publish day and whether they are live.
 */
export function menuVersionChoices(versions: MenuVersionLike[]): { value: string; label: string }[] {
  return versions
    .filter((v) => v.publishedAt && v.status !== 'draft')
    .sort((a, b) => (a.publishedAt! < b.publishedAt! ? 1 : -1))
    .map((v) => ({
      value: v.version,
      label: `${v.version}（${shanghaiDate(new Date(v.publishedAt!))} 发布${v.status === 'published' ? '，当前' : ''}）`,
    }));
}
