import { renderCsv, type CsvTable } from './csv';
import { audienceCsv, failuresCsv, funnelCsv, lookupsCsv, menuUsageCsv, notificationsCsv, pathsCsv, satisfactionCsv, servicesCsv } from './csv-tables';
import type { CsvReportName, ReportQueryInput } from './schema';
import type { ReportService } from './service';

/** CSV exports of the reports, with small cells (fewer than `minCell`) suppressed. */
export function createReportExports(deps: { reports: ReportService; minCell: number }) {
  const { reports } = deps;
  const tables: Record<CsvReportName, (q: ReportQueryInput) => Promise<CsvTable>> = {
    'menu-usage': async (q) => menuUsageCsv(await reports.menuUsage(q)),
    services: async (q) => servicesCsv(await reports.services(q)),
    'lookups-vs-transactions': async (q) => lookupsCsv(await reports.lookupsVsTransactions(q)),
    'funnel-booking': async (q) => funnelCsv(await reports.funnel('booking', q)),
    'funnel-application': async (q) => funnelCsv(await reports.funnel('application', q)),
    paths: async (q) => pathsCsv(await reports.paths(q)),
    failures: async (q) => failuresCsv(await reports.failures(q)),
    audience: async (q) => audienceCsv(await reports.audience(q)),
    notifications: async (q) => notificationsCsv(await reports.notifications(q)),
    satisfaction: async (q) => satisfactionCsv(await reports.satisfaction(q)),
  };
  return {
    async csv(name: CsvReportName, q: ReportQueryInput): Promise<{ filename: string; body: string }> {
      const f = reports.resolve(q);
      const table = await tables[name](q);
      return { filename: `report-${name}-${f.from}-${f.to}.csv`, body: renderCsv(table, deps.minCell) };
    },
  };
}

export type ReportExports = ReturnType<typeof createReportExports>;
