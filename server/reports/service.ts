import type { Database } from '../../db/schema';
import { addDays } from '../calendar';
import { dayNumber, fromDayNumber, shanghaiStartOfDay, toShanghaiDate } from '../calendar/civil-date';
import { AppError } from '../http/errors';
import { positionKey, menuItems } from '../menu/transform';
import type { MenuModel } from '../menu/model';
import { deliveryCounts, type DeliveryCount } from '../notifications/delivery-stats';
import { followUpFigures, ratingCounts, type FollowUpFigure, type RatingCount } from '../applications/rating-stats';
import { bucketMidMs, splitPath } from './aggregate';
import { FUNNEL_STEPS, MESSAGE_OPEN_KIND, serviceGroup, taskLabel } from './catalog';
import { createReportQueries, type Filters } from './queries';
import type { ReportRollup } from './rollup';
import {
  ENTRY_SOURCES,
  type AudienceReport,
  type ClassCounts,
  type CompareMetrics,
  type CompareReport,
  type CompareSide,
  type EntrySource,
  type FailuresReport,
  type FunnelName,
  type FunnelReport,
  type LookupsVsTransactionsReport,
  type MenuUsageItem,
  type MenuUsageReport,
  type NotificationsReport,
  type NotificationTemplateRow,
  type PathsReport,
  type ReportMeta,
  type ReportQueryInput,
  type SatisfactionReport,
  type ServicesReport,
} from './schema';

export const MAX_RANGE_DAYS = 366;
const DEFAULT_RANGE_DAYS = 30;

export interface MenuTreeSource {
  /** the menu of a version label (`v3`), or the live default menu when null; null when unknown */
  tree(version: string | null): Promise<{ version: string; menu: MenuModel } | null>;
}

/** Where the figures that are not usage come from (read-only methods of their own areas). */
export interface ReportSources {
  deliveryCounts(range: { from: Date; to: Date }): Promise<DeliveryCount[]>;
  ratingCounts(range: { from: Date; to: Date }): Promise<RatingCount[]>;
  followUps(range: { from: Date; to: Date }): Promise<FollowUpFigure[]>;
}

export interface ReportServiceDeps {
  db: Database;
  rollup: Pick<ReportRollup, 'state'>;
  menus: MenuTreeSource;
  now?: () => number;
  /** share of all menu taps below which an item is flagged unused */
  unusedShare: number;
  sources?: ReportSources;
}

export type ReportService = ReturnType<typeof createReportService>;

/** The notifications report's row for opens whose link named no template. */
export const NO_TEMPLATE = '(none)';
const ratio = (a: number, b: number, digits = 4) => (b > 0 ? Math.round((a / b) * 10 ** digits) / 10 ** digits : null);
const num = (v: unknown) => Number(v ?? 0);
const iso = (ms: number) => `${new Date(ms + 8 * 3600_000).toISOString().slice(0, 23)}+08:00`;

/** Median of a histogram given as [value, count] pairs (the lower middle for even totals). */
export function histogramMedian(pairs: Array<[number, number]>): number | null {
  const sorted = pairs.filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);
  const total = sorted.reduce((s, [, n]) => s + n, 0);
  if (total === 0) return null;
  let seen = 0;
  const half = Math.ceil(total / 2);
  for (const [v, n] of sorted) {
    seen += n;
    if (seen >= half) return v;
  }
  return sorted[sorted.length - 1]![0];
}

export function createReportService(deps: ReportServiceDeps) {
  const { db } = deps;
  const now = deps.now ?? Date.now;
  const q = createReportQueries(db);
  const sources: ReportSources = deps.sources ?? {
    deliveryCounts: (r) => deliveryCounts(db, r),
    ratingCounts: (r) => ratingCounts(db, r),
    followUps: (r) => followUpFigures(db, r),
  };

  function resolve(input: ReportQueryInput): Filters {
    const today = toShanghaiDate(now());
    const to = input.to ?? (input.from ? fromDayNumber(Math.min(dayNumber(input.from) + DEFAULT_RANGE_DAYS - 1, dayNumber(today))) : today);
    const from = input.from ?? addDays(to, -(DEFAULT_RANGE_DAYS - 1));
    const span = dayNumber(to) - dayNumber(from) + 1;
    if (span < 1) throw new AppError('REPORT_RANGE_INVALID', '结束日期不能早于开始日期');
    if (span > MAX_RANGE_DAYS) throw new AppError('REPORT_RANGE_INVALID', `日期范围最多 ${MAX_RANGE_DAYS} 天`);
    return { from, to, menuVersion: input.menuVersion ?? null, source: input.source ?? null };
  }

  async function meta(f: Filters): Promise<ReportMeta> {
    const state = await deps.rollup.state();
    return {
      from: f.from,
      to: f.to,
      menuVersion: f.menuVersion,
      source: (f.source as EntrySource | null) ?? null,
      timezone: 'Asia/Shanghai',
      dataUntil: state && state.visitsUntil > 0 ? iso(Math.max(state.visitsUntil, state.provisionalUntil)) : null,
      provisionalFrom: state && state.provisionalUntil > state.visitsUntil ? iso(state.visitsUntil) : null,
      lateEvents: state?.lateEvents ?? 0,
      generatedAt: iso(now()),
    };
  }

  const daysOf = (f: Filters) => {
    const out: string[] = [];
    for (let n = dayNumber(f.from); n <= dayNumber(f.to); n++) out.push(fromDayNumber(n));
    return out;
  };
  const instantRange = (f: Filters) => ({ from: shanghaiStartOfDay(f.from), to: shanghaiStartOfDay(addDays(f.to, 1)) });
  /** The citizen-set dimension that matches the visit filters (menu version wins over entry). */
  const citizenDim = (f: Filters) => (f.menuVersion ? `mv:${f.menuVersion}` : f.source ? `entry:${f.source}` : 'all');

  // --- 1 ---------------------------------------------------------------------------------------
  async function menuUsage(f: Filters): Promise<MenuUsageReport> {
    const [tree, taps] = await Promise.all([deps.menus.tree(f.menuVersion), q.menuTaps(f)]);
    const days = daysOf(f);
    const dayIndex = new Map(days.map((d, i) => [d, i]));
    const byKey = new Map<string, { taps: number; trend: number[] }>();
    let totalTaps = 0;
    for (const r of taps) {
      let e = byKey.get(r.menu_key);
      if (!e) byKey.set(r.menu_key, (e = { taps: 0, trend: days.map(() => 0) }));
      const n = num(r.taps);
      e.taps += n;
      e.trend[dayIndex.get(r.day) ?? 0]! += n;
      totalTaps += n;
    }
    const dimOf = (key: string) => (f.menuVersion ? `menu:${f.menuVersion}:${key}` : `menu:${key}`);
    const items: MenuUsageItem[] = [];
    const groups: Array<{ item: MenuUsageItem; children: string[] }> = [];
    if (tree) {
      const leaves = menuItems(tree.menu);
      tree.menu.button.forEach((b, i) => {
        const children = leaves.filter((l) => l.path.startsWith(`button.${i}.sub_button.`));
        if (b.sub_button && b.sub_button.length > 0) {
          const key = b.key || positionKey(i);
          const item: MenuUsageItem = { key, name: b.name, level: 1, parentKey: null, group: true, taps: 0, citizens: 0, share: 0, unused: false, trend: days.map(() => 0) };
          items.push(item);
          groups.push({ item, children: children.map((c) => c.key) });
          for (const c of children) items.push(leafItem(c.key, c.name, 2, key));
        } else {
          const leaf = leaves.find((l) => l.path === `button.${i}`);
          if (leaf) items.push(leafItem(leaf.key, leaf.name, 1, null));
        }
      });
    }
    function leafItem(key: string, name: string, level: 1 | 2, parentKey: string | null): MenuUsageItem {
      const e = byKey.get(key);
      const taps = e?.taps ?? 0;
      const share = ratio(taps, totalTaps) ?? 0;
      return { key, name, level, parentKey, group: false, taps, citizens: 0, share, unused: share < deps.unusedShare, trend: e?.trend ?? days.map(() => 0) };
    }
    const inTree = new Set(items.filter((i) => !i.group).map((i) => i.key));
    const others = [...byKey.entries()].filter(([k]) => !inTree.has(k));
    const citizens = await q.citizensByDim([...new Set([...inTree, ...others.map(([k]) => k)])].map(dimOf), f);
    for (const item of items) if (!item.group) item.citizens = citizens.get(dimOf(item.key)) ?? 0;
    for (const g of groups) {
      const kids = items.filter((i) => g.children.includes(i.key) && i.parentKey === g.item.key);
      g.item.taps = kids.reduce((s, k) => s + k.taps, 0);
      g.item.trend = days.map((_, d) => kids.reduce((s, k) => s + (k.trend[d] ?? 0), 0));
      g.item.share = ratio(g.item.taps, totalTaps) ?? 0;
      g.item.unused = g.item.share < deps.unusedShare;
      g.item.citizens = await q.citizensUnion(g.children.map(dimOf), f);
    }
    return {
      meta: await meta(f),
      version: tree?.version ?? null,
      unusedThreshold: deps.unusedShare,
      totalTaps,
      days,
      items,
      otherKeys: others
        .map(([key, e]) => ({ key, taps: e.taps, citizens: citizens.get(dimOf(key)) ?? 0, share: ratio(e.taps, totalTaps) ?? 0 }))
        .sort((a, b) => b.taps - a.taps || a.key.localeCompare(b.key)),
    };
  }

  // --- 2 ---------------------------------------------------------------------------------------
  async function services(f: Filters): Promise<ServicesReport> {
    const [tasks, durations] = await Promise.all([q.tasks(f), q.durations(f)]);
    const hist = new Map<string, Array<[number, number]>>();
    for (const d of durations) {
      const list = hist.get(d.task) ?? [];
      list.push([num(d.bucket), num(d.visits)]);
      hist.set(d.task, list);
    }
    const rows = tasks.map((t) => {
      const visits = num(t.started);
      const completions = num(t.completed);
      const bucket = histogramMedian(hist.get(t.task) ?? []);
      return {
        task: t.task,
        label: taskLabel(t.task),
        group: serviceGroup(t.task.split(':')[0]!),
        visits,
        completions,
        failures: num(t.failed),
        successRate: ratio(completions, visits),
        medianMs: bucket === null ? null : bucketMidMs(bucket),
      };
    });
    rows.sort((a, b) => b.visits - a.visits || a.task.localeCompare(b.task));
    return { meta: await meta(f), services: rows };
  }

  // --- 3 ---------------------------------------------------------------------------------------
  async function lookupsVsTransactions(f: Filters): Promise<LookupsVsTransactionsReport> {
    const rows = await q.visitClassesPerDay(f);
    const empty = (): ClassCounts => ({ visits: 0, transaction: 0, attempt: 0, lookup: 0, browse: 0 });
    const perDay = new Map(daysOf(f).map((d) => [d, empty()]));
    const totals = empty();
    for (const r of rows) {
      const c = perDay.get(r.day);
      const n = num(r.visits);
      const cls = r.visit_class as keyof ClassCounts;
      for (const target of [c, totals]) {
        if (!target) continue;
        target.visits += n;
        if (cls in target) target[cls] += n;
      }
    }
    return {
      meta: await meta(f),
      totals: { ...totals, lookupShare: ratio(totals.lookup, totals.visits), transactionShare: ratio(totals.transaction, totals.visits) },
      series: [...perDay.entries()].map(([day, c]) => ({ day, ...c })),
    };
  }

  // --- 4 ---------------------------------------------------------------------------------------
  async function funnel(name: FunnelName, f: Filters): Promise<FunnelReport> {
    const steps = FUNNEL_STEPS[name];
    const [rows, oauth] = await Promise.all([q.funnel(name, f), q.events(['oauth'], ['detail'], { ...f, menuVersion: null, source: null })]);
    const reached = steps.map((_, i) => rows.filter((r) => num(r.step) >= i + 1).reduce((s, r) => s + num(r.visits), 0));
    const first = reached[0] ?? 0;
    return {
      meta: await meta(f),
      funnel: name,
      steps: steps.map((s, i) => {
        const prev = i === 0 ? reached[0]! : reached[i - 1]!;
        const dropOff = i === 0 ? 0 : prev - reached[i]!;
        return { key: s.key, label: s.label, visits: reached[i]!, conversion: ratio(reached[i]!, first), dropOff, dropOffRate: i === 0 ? null : ratio(dropOff, prev) };
      }),
      oauthFailures: oauth.filter((r) => r.detail !== 'ok').reduce((s, r) => s + num(r.events), 0),
    };
  }

  // --- 5 ---------------------------------------------------------------------------------------
  async function paths(f: Filters, page = 'h5.hall'): Promise<PathsReport> {
    const [steps, top, trans, tree] = await Promise.all([q.steps(f), q.topPaths(f, 20), q.transitions(page, f), deps.menus.tree(f.menuVersion)]);
    const all = new Map<number, number>();
    const byEntry = new Map<string, Map<number, number>>();
    let visits = 0;
    for (const r of steps) {
      const s = num(r.steps);
      const n = num(r.visits);
      visits += n;
      all.set(s, (all.get(s) ?? 0) + n);
      const m = byEntry.get(r.entry) ?? new Map<number, number>();
      m.set(s, (m.get(s) ?? 0) + n);
      byEntry.set(r.entry, m);
    }
    const withTask = [...all.entries()].filter(([s]) => s >= 0);
    const visitsWithTask = withTask.reduce((s, [, n]) => s + n, 0);
    const mean = visitsWithTask > 0 ? Math.round((withTask.reduce((s, [k, n]) => s + k * n, 0) / visitsWithTask) * 100) / 100 : null;
    return {
      meta: await meta(f),
      stepsToTask: {
        visits,
        visitsWithTask,
        mean,
        median: histogramMedian(withTask),
        histogram: withTask.sort((a, b) => a[0] - b[0]).map(([s, n]) => ({ steps: s, visits: n })),
        byEntry: ENTRY_SOURCES.filter((e) => byEntry.has(e)).map((entry) => {
          const m = [...byEntry.get(entry)!.entries()];
          const w = m.filter(([s]) => s >= 0);
          return { entry, visits: m.reduce((s, [, n]) => s + n, 0), visitsWithTask: w.reduce((s, [, n]) => s + n, 0), median: histogramMedian(w) };
        }),
      },
      topPaths: top.map((r) => ({ path: splitPath(r.path), visits: num(r.visits), share: ratio(num(r.visits), visits) ?? 0 })),
      menuNames: tree ? Object.fromEntries(menuItems(tree.menu).map((m) => [m.key, m.label])) : {},
      transitions: { page, previous: trans.prev.map((r) => ({ page: r.page, moves: num(r.moves) })), next: trans.next.map((r) => ({ page: r.page, moves: num(r.moves) })) },
    };
  }

  // --- 6 ---------------------------------------------------------------------------------------
  async function failures(f: Filters): Promise<FailuresReport> {
    const [noRes, lookups, validation, errors, taskFails] = await Promise.all([
      q.events(['no_result'], ['name', 'detail', 'source'], f),
      q.events(['lookup'], ['name', 'detail', 'source'], f),
      q.events(['validation_error'], ['name'], f),
      q.events(['error'], ['name'], f),
      q.events(['task_fail'], ['name', 'detail'], f),
    ]);
    // One empty lookup is often seen twice (the page's `lookup` with outcome `empty` and the
    // server's `no_result`): per subject and term the larger of the sources' counts is kept.
    const perSource = new Map<string, Map<string, number>>();
    const bump = (where: string, term: string, source: string, n: number) => {
      const k = `${where}\u0001${term}`;
      const m = perSource.get(k) ?? new Map<string, number>();
      m.set(source, (m.get(source) ?? 0) + n);
      perSource.set(k, m);
    };
    for (const r of noRes) bump(r.name!, r.detail ?? '', r.source!, num(r.events));
    for (const r of lookups) if (r.detail === 'empty') bump(r.name!, '', r.source!, num(r.events));
    const noResults = [...perSource.entries()]
      .map(([k, m]) => {
        const [where, term] = k.split('\u0001') as [string, string];
        return { where, term, count: Math.max(...m.values()) };
      })
      .sort((a, b) => b.count - a.count || a.where.localeCompare(b.where) || a.term.localeCompare(b.term));
    const named = (rows: typeof errors) =>
      rows.map((r) => ({ name: r.name!, count: num(r.events), visits: num(r.visits) })).sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
    // Task failures are recorded by the page and by the server: the server's code is the one kept.
    const fails = new Map<string, { task: string; code: string; count: number; visits: number }>();
    for (const r of taskFails) {
      const k = `${r.name}\u0001${r.detail}`;
      const cur = fails.get(k) ?? { task: r.name!, code: r.detail || 'error', count: 0, visits: 0 };
      cur.count += num(r.events);
      cur.visits += num(r.visits);
      fails.set(k, cur);
    }
    return {
      meta: await meta(f),
      noResults: noResults.slice(0, 200),
      validationErrors: named(validation),
      errors: named(errors),
      taskFailures: [...fails.values()].sort((a, b) => b.count - a.count || a.task.localeCompare(b.task)),
    };
  }

  // --- 7 ---------------------------------------------------------------------------------------
  async function audience(f: Filters): Promise<AudienceReport> {
    const dim = citizenDim(f);
    const [total, perDay, fresh, visits, follows, hourly] = await Promise.all([
      q.citizensUnion([dim], f),
      q.citizensPerDay(dim, f),
      // New under a filter: the citizen's first visit ever had that version (or entry), the same
      // precedence as citizenDim, so new ≤ active per day.
      f.menuVersion ? q.newCitizensPerDayOf({ menuVersion: f.menuVersion }, f) : f.source ? q.newCitizensPerDayOf({ entry: f.source }, f) : q.newCitizensPerDay(f),
      q.visitClassesPerDay(f),
      q.events(['follow', 'unfollow'], ['day', 'outcome_kind', 'detail'], { ...f, menuVersion: null, source: null }),
      q.hourly(f),
    ]);
    const series = new Map(daysOf(f).map((d) => [d, { day: d, citizens: 0, newCitizens: 0, returningCitizens: 0, visits: 0, follows: 0, unfollows: 0 }]));
    for (const r of perDay) series.get(r.day) && (series.get(r.day)!.citizens = num(r.n));
    for (const r of fresh) series.get(r.day) && (series.get(r.day)!.newCitizens = num(r.n));
    for (const r of visits) series.get(r.day) && (series.get(r.day)!.visits += num(r.visits));
    const sourceCounts = new Map<string, number>();
    for (const r of follows) {
      const s = series.get(r.day!);
      if (r.kind === 'follow') {
        if (s) s.follows += num(r.events);
        const src = r.detail || '(none)';
        sourceCounts.set(src, (sourceCounts.get(src) ?? 0) + num(r.events));
      } else if (s) s.unfollows += num(r.events);
    }
    for (const s of series.values()) s.returningCitizens = Math.max(0, s.citizens - s.newCitizens);
    const rows = [...series.values()];
    const newCitizens = fresh.reduce((s, r) => s + num(r.n), 0);
    const heat = new Map<string, number>();
    for (const r of hourly) {
      const weekday = ((new Date(`${r.day}T00:00:00Z`).getUTCDay() + 6) % 7) + 1;
      const k = `${weekday}:${num(r.hour)}`;
      heat.set(k, (heat.get(k) ?? 0) + num(r.visits));
    }
    return {
      meta: await meta(f),
      totals: {
        citizens: total,
        newCitizens,
        returningCitizens: Math.max(0, total - newCitizens),
        visits: rows.reduce((s, r) => s + r.visits, 0),
        follows: rows.reduce((s, r) => s + r.follows, 0),
        unfollows: rows.reduce((s, r) => s + r.unfollows, 0),
      },
      series: rows,
      followSources: [...sourceCounts.entries()].map(([source, follows]) => ({ source, follows })).sort((a, b) => b.follows - a.follows || a.source.localeCompare(b.source)),
      heatmap: [...heat.entries()]
        .map(([k, visits]) => {
          const [weekday, hour] = k.split(':').map(Number) as [number, number];
          return { weekday, hour, visits };
        })
        .sort((a, b) => a.weekday - b.weekday || a.hour - b.hour),
    };
  }

  // --- 8 ---------------------------------------------------------------------------------------
  async function notificationsReport(f: Filters): Promise<NotificationsReport> {
    const message = { ...f, source: 'message' };
    const [counts, opens, opensByTemplate, landing] = await Promise.all([
      sources.deliveryCounts(instantRange(f)),
      q.visitClassesPerDay(message),
      q.events([MESSAGE_OPEN_KIND], ['name'], message),
      q.landingPages(f, 'message'),
    ]);
    const byKind = new Map<string, NotificationTemplateRow>();
    const blank = (kind: string): NotificationTemplateRow => ({ kind, total: 0, queued: 0, sent: 0, delivered: 0, failed: 0, suppressed: 0, opens: 0, openRate: null });
    for (const c of counts) {
      const row = byKind.get(c.kind) ?? blank(c.kind);
      row.total += c.count;
      if (c.status === 'queued' || c.status === 'sending') row.queued += c.count;
      else if (c.status === 'sent') row.sent += c.count;
      else if (c.status === 'delivered') row.delivered += c.count;
      else if (c.status === 'suppressed') row.suppressed += c.count;
      else row.failed += c.count;
      byKind.set(c.kind, row);
    }
    const openVisits = opens.reduce((s, r) => s + num(r.visits), 0);
    // A link without a template kind (or rollups made before links were split by template, until
    // `reports:rebuild`) counts under `(none)`, so the rows always add up to all opens.
    let unattributed = openVisits;
    for (const o of opensByTemplate) {
      const kind = o.name ? o.name : NO_TEMPLATE;
      const row = byKind.get(kind) ?? blank(kind);
      row.opens += num(o.visits);
      unattributed -= num(o.visits);
      byKind.set(kind, row);
    }
    if (unattributed > 0) {
      const row = byKind.get(NO_TEMPLATE) ?? blank(NO_TEMPLATE);
      row.opens += unattributed;
      byKind.set(NO_TEMPLATE, row);
    }
    for (const row of byKind.values()) row.openRate = ratio(row.opens, row.delivered);
    const rows = [...byKind.values()].sort(
      (a, b) => Number(a.kind === NO_TEMPLATE) - Number(b.kind === NO_TEMPLATE) || b.total - a.total || b.opens - a.opens || a.kind.localeCompare(b.kind),
    );
    const totals = rows.reduce(
      (t, r) => ({ total: t.total + r.total, queued: t.queued + r.queued, sent: t.sent + r.sent, delivered: t.delivered + r.delivered, failed: t.failed + r.failed, suppressed: t.suppressed + r.suppressed }),
      { total: 0, queued: 0, sent: 0, delivered: 0, failed: 0, suppressed: 0 },
    );
    return {
      meta: await meta(f),
      byTemplate: rows,
      totals,
      opens: { visits: openVisits, byLandingPage: landing.map((r) => ({ page: r.page, visits: num(r.visits) })) },
      openRate: ratio(openVisits, totals.delivered),
    };
  }

  // --- 9 ---------------------------------------------------------------------------------------
  async function satisfaction(f: Filters): Promise<SatisfactionReport> {
    const range = instantRange(f);
    const [counts, follow] = await Promise.all([sources.ratingCounts(range), sources.followUps(range)]);
    const rows = new Map<string, SatisfactionReport['rows'][number]>();
    for (const c of counts) {
      const k = `${c.typeCode}\u0001${c.stage}`;
      const row = rows.get(k) ?? { typeCode: c.typeCode, typeName: c.typeName, stage: c.stage, counts: [0, 0, 0, 0, 0] as [number, number, number, number, number], total: 0, average: null, goodShare: null };
      if (c.score >= 1 && c.score <= 5) row.counts[c.score - 1] = row.counts[c.score - 1]! + c.count;
      row.total += c.count;
      rows.set(k, row);
    }
    for (const r of rows.values()) {
      r.average = r.total > 0 ? Math.round((r.counts.reduce((s, n, i) => s + n * (i + 1), 0) / r.total) * 100) / 100 : null;
      r.goodShare = ratio(r.counts[3] + r.counts[4], r.total);
    }
    const t = now();
    const hours = follow.filter((x) => x.closedAt).map((x) => (x.closedAt!.getTime() - x.createdAt.getTime()) / 3600_000);
    hours.sort((a, b) => a - b);
    const round1 = (h: number) => Math.round(h * 10) / 10;
    return {
      meta: await meta(f),
      rows: [...rows.values()].sort((a, b) => a.typeCode.localeCompare(b.typeCode) || a.stage.localeCompare(b.stage)),
      followUps: {
        total: follow.length,
        closed: hours.length,
        open: follow.filter((x) => x.status === 'open').length,
        overdue: follow.filter((x) => (x.closedAt ? x.closedAt.getTime() : t) > x.dueBefore.getTime()).length,
        medianHours: hours.length > 0 ? round1(hours[Math.ceil(hours.length / 2) - 1]!) : null,
        maxHours: hours.length > 0 ? round1(hours[hours.length - 1]!) : null,
      },
    };
  }

  // --- 10 --------------------------------------------------------------------------------------
  async function compareMetrics(f: Filters): Promise<CompareMetrics> {
    const [lvt, p, svc, booking, application, menu] = await Promise.all([
      lookupsVsTransactions(f),
      paths(f),
      services(f),
      funnel('booking', f),
      funnel('application', f),
      menuUsage(f),
    ]);
    const last = (r: FunnelReport) => r.steps[r.steps.length - 1]?.conversion ?? null;
    return {
      visits: lvt.totals.visits,
      citizens: await q.citizensUnion([citizenDim(f)], f),
      menuTaps: menu.totalTaps,
      unusedItems: menu.version ? menu.items.filter((i) => !i.group && i.unused).length : null,
      lookupShare: lvt.totals.lookupShare,
      transactionShare: lvt.totals.transactionShare,
      medianStepsToTask: p.stepsToTask.median,
      meanStepsToTask: p.stepsToTask.mean,
      bookingConversion: last(booking),
      applicationConversion: last(application),
      successRates: svc.services.map((s) => ({ task: s.task, visits: s.visits, successRate: s.successRate })),
    };
  }

  async function compareSide(label: string, base: Filters): Promise<CompareSide> {
    const period = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/.exec(label);
    const f = period ? resolve({ from: period[1], to: period[2], menuVersion: base.menuVersion ?? undefined, source: (base.source as EntrySource) ?? undefined }) : { ...base, menuVersion: label };
    return { label, kind: period ? 'period' : 'menuVersion', from: f.from, to: f.to, menuVersion: f.menuVersion, metrics: await compareMetrics(f) };
  }

  return {
    resolve,
    menuUsage: (input: ReportQueryInput) => menuUsage(resolve(input)),
    services: (input: ReportQueryInput) => services(resolve(input)),
    lookupsVsTransactions: (input: ReportQueryInput) => lookupsVsTransactions(resolve(input)),
    funnel: (name: FunnelName, input: ReportQueryInput) => funnel(name, resolve(input)),
    paths: (input: ReportQueryInput & { page?: string }) => paths(resolve(input), input.page),
    failures: (input: ReportQueryInput) => failures(resolve(input)),
    audience: (input: ReportQueryInput) => audience(resolve(input)),
    notifications: (input: ReportQueryInput) => notificationsReport(resolve(input)),
    satisfaction: (input: ReportQueryInput) => satisfaction(resolve(input)),
    async compare(input: ReportQueryInput & { a: string; b: string }): Promise<CompareReport> {
      const base = resolve(input);
      const [a, b] = await Promise.all([compareSide(input.a, base), compareSide(input.b, base)]);
      return { meta: await meta(base), a, b };
    },
  };
}
