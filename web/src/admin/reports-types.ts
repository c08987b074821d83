/**
 * The shapes the reports API answers, from the server's own contract (types only: nothing of
 * the server is bundled). docs/api-reports.md shows examples; docs/evaluation.md the definitions.
 */
export type {
  AudienceReport,
  CompareReport,
  CompareSide,
  CsvReportName,
  EntrySource,
  FailuresReport,
  FunnelName,
  FunnelReport,
  FunnelStep,
  LookupsVsTransactionsReport,
  MenuUsageItem,
  MenuUsageReport,
  NotificationsReport,
  PathsReport,
  ReportMeta,
  SatisfactionReport,
  ServiceGroup,
  ServicesReport,
} from '../../../server/reports/schema';
