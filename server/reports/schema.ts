import { z } from 'zod';

/**
 * Contracts of the evaluator reports (`/api/admin/reports/*`). The admin pages import these
 * types with `import type`; docs/api-reports.md shows example responses and
 * docs/evaluation.md defines every figure.
 */

export const ENTRY_SOURCES = ['menu', 'message', 'direct'] as const;
/** How a visit began: a menu tap, a template-message link, or anything else. */
export type EntrySource = (typeof ENTRY_SOURCES)[number];

export const VISIT_CLASSES = ['transaction', 'attempt', 'lookup', 'browse'] as const;
export type VisitClass = (typeof VISIT_CLASSES)[number];

export const FUNNELS = ['booking', 'application'] as const;
export type FunnelName = (typeof FUNNELS)[number];

/** Reports that have a CSV export (`GET /api/admin/reports/<name>.csv`). */
export const CSV_REPORTS = [
  'menu-usage',
  'services',
  'lookups-vs-transactions',
  'funnel-booking',
  'funnel-application',
  'paths',
  'failures',
  'audience',
  'notifications',
  'satisfaction',
] as const;
export type CsvReportName = (typeof CSV_REPORTS)[number];

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;
const day = z
  .string()
  .regex(DAY_RE, 'use YYYY-MM-DD')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
  }, 'not a calendar date');
const token = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[\w.:/-]+$/, 'letters, digits and . _ : / - only');

/** Filters every report accepts. `from`/`to` default to the 30 days ending today (Asia/Shanghai). */
export const reportQuery = z.object({
  from: day.optional(),
  to: day.optional(),
  /** a menu version label, e.g. `v3` */
  menuVersion: token(32).optional(),
  /** the visit's entry */
  source: z.enum(ENTRY_SOURCES).optional(),
});
export type ReportQueryInput = z.infer<typeof reportQuery>;

export const pathsQuery = reportQuery.extend({
  /** the page whose previous/next pages are listed */
  page: token(64).optional(),
});
export const funnelParams = z.object({ task: z.enum(FUNNELS) });
export const csvParams = z.object({ name: z.enum(CSV_REPORTS) });

/** `a`/`b`: a menu version label (`v3`) or a period `YYYY-MM-DD..YYYY-MM-DD`. */
const compareSide = z.union([z.string().regex(/^\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD..YYYY-MM-DD'), token(32)]);
export const compareQuery = reportQuery.extend({ a: compareSide, b: compareSide });

/** Resolved filters, echoed with every report. */
export interface ReportMeta {
  from: string;
  to: string;
  menuVersion: string | null;
  source: EntrySource | null;
  timezone: 'Asia/Shanghai';
  /** ISO time (Asia/Shanghai offset) up to which usage is counted; null: never */
  dataUntil: string | null;
  /** from this time to `dataUntil` the figures are provisional: visits still open, replaced by the next run; null: none */
  provisionalFrom: string | null;
  /** events that arrived after their time had been rolled up (not in any report) */
  lateEvents: number;
  generatedAt: string;
}

// --- 1. Menu usage ------------------------------------------------------------------------------
export interface MenuUsageItem {
  key: string;
  name: string;
  /** 1: top-level button, 2: sub-button */
  level: 1 | 2;
  /** the top-level button of a sub-button */
  parentKey: string | null;
  /** true for a top-level button that only opens sub-buttons (its taps are its children's) */
  group: boolean;
  taps: number;
  /** distinct citizens who tapped it (exact unless a day had > 500 of them, then a HyperLogLog estimate, ≈1.6 %) */
  citizens: number;
  /** taps ÷ all menu taps in the range, 0..1 */
  share: number;
  /** share below the unused threshold */
  unused: boolean;
  /** taps per day, aligned with `days` */
  trend: number[];
}
export interface MenuUsageReport {
  meta: ReportMeta;
  /** the menu version whose tree is shown (the filter, else the live one); null: no menu */
  version: string | null;
  unusedThreshold: number;
  totalTaps: number;
  days: string[];
  items: MenuUsageItem[];
  /** taps on keys that are not in the shown tree (other versions) */
  otherKeys: Array<{ key: string; taps: number; citizens: number; share: number }>;
}

// --- 2. Services --------------------------------------------------------------------------------
export type ServiceGroup = 'lookup' | 'booking' | 'application' | 'rating' | 'other';
export interface ServiceRow {
  /** task name, e.g. `appointment.book`, `application.submit:<typeCode>` */
  task: string;
  label: string;
  group: ServiceGroup;
  /** visits that started the task */
  visits: number;
  /** visits that completed it */
  completions: number;
  /** visits that failed it and did not complete it */
  failures: number;
  /** completions ÷ visits; null when no visit started it */
  successRate: number | null;
  /** median time from the first start to the completion within a visit (ms, ±5 %) */
  medianMs: number | null;
}
export interface ServicesReport {
  meta: ReportMeta;
  services: ServiceRow[];
}

// --- 3. Lookups vs transactions -----------------------------------------------------------------
export interface ClassCounts {
  visits: number;
  transaction: number;
  attempt: number;
  lookup: number;
  browse: number;
}
export interface LookupsVsTransactionsReport {
  meta: ReportMeta;
  totals: ClassCounts & { lookupShare: number | null; transactionShare: number | null };
  series: Array<ClassCounts & { day: string }>;
}

// --- 4. Funnels ---------------------------------------------------------------------------------
export interface FunnelStep {
  key: string;
  label: string;
  /** visits that reached this step (and every step before it) */
  visits: number;
  /** visits ÷ the first step's visits */
  conversion: number | null;
  /** visits lost since the previous step */
  dropOff: number;
  dropOffRate: number | null;
}
export interface FunnelReport {
  meta: ReportMeta;
  funnel: FunnelName;
  steps: FunnelStep[];
  /** OAuth attempts that failed or were refused in the range (no visit can be attached to them) */
  oauthFailures: number;
}

// --- 5. Paths -----------------------------------------------------------------------------------
export interface PathsReport {
  meta: ReportMeta;
  stepsToTask: {
    visits: number;
    visitsWithTask: number;
    mean: number | null;
    median: number | null;
    /** steps 1..19, 20 means 20 or more */
    histogram: Array<{ steps: number; visits: number }>;
    byEntry: Array<{ entry: EntrySource; visits: number; visitsWithTask: number; median: number | null }>;
  };
  topPaths: Array<{ path: string[]; visits: number; share: number }>;
  /** menu key → the item's name (`a › b` for a sub-button) in the version filtered on, else the current one; for `menu:<key>` screens */
  menuNames: Record<string, string>;
  transitions: {
    page: string;
    previous: Array<{ page: string; moves: number }>;
    next: Array<{ page: string; moves: number }>;
  };
}

// --- 6. Failures --------------------------------------------------------------------------------
export interface FailuresReport {
  meta: ReportMeta;
  /** searches and lookups with no result, with the term where the page sends one */
  noResults: Array<{ where: string; term: string; count: number }>;
  validationErrors: Array<{ name: string; count: number; visits: number }>;
  errors: Array<{ name: string; count: number; visits: number }>;
  taskFailures: Array<{ task: string; code: string; count: number; visits: number }>;
}

// --- 7. Audience --------------------------------------------------------------------------------
export interface AudienceReport {
  meta: ReportMeta;
  totals: { citizens: number; newCitizens: number; returningCitizens: number; visits: number; follows: number; unfollows: number };
  series: Array<{ day: string; citizens: number; newCitizens: number; returningCitizens: number; visits: number; follows: number; unfollows: number }>;
  followSources: Array<{ source: string; follows: number }>;
  /** weekday 1 = Monday … 7 = Sunday, hour 0–23 (Asia/Shanghai); visits started */
  heatmap: Array<{ weekday: number; hour: number; visits: number }>;
}

// --- 8. Notifications ---------------------------------------------------------------------------
export interface NotificationTemplateRow {
  /** the notification kind (`application.accepted`); `(none)`: opens from links that named no template */
  kind: string;
  total: number;
  queued: number;
  sent: number;
  delivered: number;
  failed: number;
  suppressed: number;
  /** visits that began from a link of this template */
  opens: number;
  /** opens ÷ delivered; null when none of this template was delivered */
  openRate: number | null;
}
export interface NotificationsReport {
  meta: ReportMeta;
  byTemplate: NotificationTemplateRow[];
  totals: Omit<NotificationTemplateRow, 'kind' | 'opens' | 'openRate'>;
  /** visits that began from a template-message link */
  opens: { visits: number; byLandingPage: Array<{ page: string; visits: number }> };
  /** opens ÷ delivered; null when nothing was delivered */
  openRate: number | null;
}

// --- 9. Satisfaction ----------------------------------------------------------------------------
export interface SatisfactionRow {
  typeCode: string;
  typeName: string;
  stage: string;
  /** ratings with score 1..5 (index 0 = score 1) */
  counts: [number, number, number, number, number];
  total: number;
  average: number | null;
  /** scores 4–5 ÷ total */
  goodShare: number | null;
}
export interface SatisfactionReport {
  meta: ReportMeta;
  rows: SatisfactionRow[];
  followUps: { total: number; closed: number; open: number; overdue: number; medianHours: number | null; maxHours: number | null };
}

// --- 10. Compare --------------------------------------------------------------------------------
export interface CompareMetrics {
  visits: number;
  citizens: number;
  menuTaps: number;
  unusedItems: number | null;
  lookupShare: number | null;
  transactionShare: number | null;
  medianStepsToTask: number | null;
  meanStepsToTask: number | null;
  bookingConversion: number | null;
  applicationConversion: number | null;
  /** per task: success rate */
  successRates: Array<{ task: string; visits: number; successRate: number | null }>;
}
export interface CompareSide {
  /** what was asked: `v3` or `2026-01-01..2026-01-31` */
  label: string;
  kind: 'menuVersion' | 'period';
  from: string;
  to: string;
  menuVersion: string | null;
  metrics: CompareMetrics;
}
export interface CompareReport {
  meta: ReportMeta;
  a: CompareSide;
  b: CompareSide;
}
