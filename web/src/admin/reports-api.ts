/**
 * The reports API (docs/api-reports.md) as the admin pages call it, and the CSV links that carry
 * the same filter. Types come from the server's contract (reports-types.ts).
 */
import { adminGet, withQuery } from './api';
import { filterToApiQuery, menuVersionChoices, type MenuVersionLike, type ReportFilter } from './reports-filters';
import type {
  AudienceReport,
  CompareReport,
  CsvReportName,
  FailuresReport,
  FunnelName,
  FunnelReport,
  LookupsVsTransactionsReport,
  MenuUsageReport,
  NotificationsReport,
  PathsReport,
  SatisfactionReport,
  ServicesReport,
} from './reports-types';

const BASE = '/api/admin/reports';
const get = <T>(path: string, f: ReportFilter, extra: Record<string, string | undefined> = {}) => adminGet<T>(withQuery(`${BASE}/${path}`, { ...filterToApiQuery(f), ...extra }));

export const reportsApi = {
  menuUsage: (f: ReportFilter) => get<MenuUsageReport>('menu-usage', f),
  services: (f: ReportFilter) => get<ServicesReport>('services', f),
  lookupsVsTransactions: (f: ReportFilter) => get<LookupsVsTransactionsReport>('lookups-vs-transactions', f),
  funnel: (f: ReportFilter, task: FunnelName) => get<FunnelReport>(`funnels/${task}`, f),
  paths: (f: ReportFilter, page?: string) => get<PathsReport>('paths', f, { page }),
  failures: (f: ReportFilter) => get<FailuresReport>('failures', f),
  audience: (f: ReportFilter) => get<AudienceReport>('audience', f),
  notifications: (f: ReportFilter) => get<NotificationsReport>('notifications', f),
  satisfaction: (f: ReportFilter) => get<SatisfactionReport>('satisfaction', f),
  compare: (f: ReportFilter, a: string, b: string) => get<CompareReport>('compare', f, { a, b }),
};

/** The CSV export of a report with the page's filter (the server suppresses small cells in it). */
export function csvHref(name: CsvReportName, f: ReportFilter, extra: Record<string, string | undefined> = {}): string {
  return withQuery(`${BASE}/${name}.csv`, { ...filterToApiQuery(f), ...extra });
}

/** Published menu versions for the version pickers (newest first, labelled). */
export async function menuVersionOptions() {
  return menuVersionChoices(await adminGet<MenuVersionLike[]>('/api/admin/menu/versions?limit=200'));
}
