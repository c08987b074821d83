import { eq, sql } from 'drizzle-orm';
import type { MySqlTable } from 'drizzle-orm/mysql-core';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { PoolConnection } from 'mysql2/promise';
import {
  reportCitizens,
  reportCitizenSketches,
  reportCitizenSketchesTail,
  reportDims,
  reportEventDaily,
  reportFunnelDaily,
  reportHourlyVisits,
  reportPathDaily,
  reportState,
  reportStepsDaily,
  reportTaskDaily,
  reportTaskDurations,
  reportTransitionDaily,
  reportVisitDaily,
  reportVisits,
  type Database,
  type Transaction,
} from '../../db/schema';
import type { Logger } from '../logger';
import { RollupBatch } from './aggregate';
import { PASSIVE_KINDS, VISIT_IDLE_MS } from './catalog';
import { actorKeyOf, describeVisit, splitChains, type DerivedVisit, type RawEvent } from './derive';
import { clearTailCitizens, counterRows, subtractRows, writeBatch, writeVisits, type CounterRows, type VisitRowValues } from './rollup-writer';

/**
 * The incremental rollup job (docs/evaluation.md "How the figures are made").
 *
 * Watermark: `visits_until` (U). A run takes T = now − 30 min idle − late margin: every event
 * before T is assumed to be in the table. It reads the events in [U, T) plus the events of visits
 * left open by the previous run, splits them into visits, stores each visit, and adds the visits
 * that can no longer grow (last event + 30 min < T) to the rollups — all in one transaction with
 * the new watermark, so a visit is counted exactly once whatever the run boundaries are. Visits
 * still open are stored as open and re-derived by the next run. Long gaps are walked in chunks of
 * `chunkMs`, which is also how `rebuild` replays history: the same steps, so the result is the
 * same. Only one process runs the job at a time (a named lock); others skip.
 *
 * Provisional tail (`provisional`, docs/decisions/0016): the run's last window also counts the
 * visits still open and the events after T as if they ended now, and stores what it added; the
 * next run takes that back first. Reports thus show use within one run, and final figures are
 * exactly those of a run without a tail.
 */

export interface RollupState {
  visitsUntil: number;
  lastEventId: number;
  lateEvents: number;
  retainedBefore: number;
  runs: number;
  updatedAt: number;
  /** events before this are in the reports; those after `visitsUntil` provisionally (0: no tail) */
  provisionalUntil: number;
}

export interface RollupRunResult {
  ran: boolean;
  until: number;
  chunks: number;
  eventsRead: number;
  visitsClosed: number;
  visitsOpen: number;
  lateEvents: number;
  /** whether the run added a provisional tail */
  provisional: boolean;
}

export interface MenuPublication {
  version: string;
  publishedAt: number;
}

export interface ReportRollup {
  /** Roll up everything that is final now (or before `until`, for tests and the benchmark). */
  runOnce(opts?: { until?: number; tailUntil?: number; shouldStop?: () => boolean }): Promise<RollupRunResult>;
  /** Drop every rollup and derive them again from the raw events. Refuses after retention unless forced. */
  rebuild(opts?: { until?: number; tailUntil?: number; force?: boolean }): Promise<RollupRunResult>;
  /** Delete raw events (and closed visit rows) older than `retentionDays` that are already rolled up, in batches. */
  purge(opts: { retentionDays: number; batchSize?: number }): Promise<{ deleted: number; before: number }>;
  state(): Promise<RollupState | null>;
}

export interface RollupDeps {
  db: Database;
  now?: () => number;
  logger?: Logger;
  /** minutes an event may arrive after it happened and still be counted */
  lateMarginMs: number;
  idleMs?: number;
  /** widest window derived in one transaction */
  chunkMs?: number;
  /** count the unfinished window provisionally (replaced every run), so reports show use at once */
  provisional?: boolean;
  /** a tail with more events than this is left out of the run (REPORTS_PROVISIONAL_MAX_EVENTS) */
  provisionalMaxEvents?: number;
  /** the default menu's publications, for visits that carry no menu version */
  menuHistory?: () => Promise<MenuPublication[]>;
}

const STATE = 'usage';
const DAY_MS = 86_400_000;
const INSERT_CHUNK = 500;
const DEFAULT_TAIL_MAX = 200_000;
export class RollupRefused extends Error {}

const REPORT_TABLES = [
  reportVisits,
  reportVisitDaily,
  reportStepsDaily,
  reportTaskDaily,
  reportTaskDurations,
  reportPathDaily,
  reportTransitionDaily,
  reportFunnelDaily,
  reportEventDaily,
  reportHourlyVisits,
  reportCitizenSketches,
  reportCitizenSketchesTail,
  reportCitizens,
  reportDims,
  reportState,
];

export function createReportRollup(deps: RollupDeps): ReportRollup {
  const { db } = deps;
  const now = deps.now ?? Date.now;
  const idleMs = deps.idleMs ?? VISIT_IDLE_MS;
  const chunkMs = deps.chunkMs ?? DAY_MS;
  const dimIds = new Map<string, number>();

  async function withLock<T>(fn: () => Promise<T>): Promise<T | null> {
    const conn: PoolConnection = await db.$client.getConnection();
    try {
      // Lock names are server-wide: include the database so test databases do not collide.
      const [rows] = await conn.query('SELECT GET_LOCK(CONCAT(?, DATABASE()), 0) AS got', ['govportal:reports:']);
      if (Number((rows as Array<{ got: number | null }>)[0]?.got) !== 1) return null;
      try {
        return await fn();
      } finally {
        await conn.query('SELECT RELEASE_LOCK(CONCAT(?, DATABASE()))', ['govportal:reports:']);
      }
    } finally {
      conn.release();
    }
  }

  async function readState(ex: Database | Transaction): Promise<RollupState | null> {
    const [row] = await ex.select().from(reportState).where(eq(reportState.name, STATE));
    return row
      ? { visitsUntil: row.visitsUntil, lastEventId: row.lastEventId, lateEvents: row.lateEvents, retainedBefore: row.retainedBefore, runs: row.runs, updatedAt: row.updatedAt, provisionalUntil: row.provisionalUntil }
      : null;
  }

  async function versionLookup(): Promise<(ms: number) => string | null> {
    const pubs = [...((await deps.menuHistory?.()) ?? [])].sort((a, b) => a.publishedAt - b.publishedAt);
    return (ms) => {
      let v: string | null = null;
      for (const p of pubs) {
        if (p.publishedAt <= ms) v = p.version;
        else break;
      }
      return v;
    };
  }

  async function loadEvents(from: number, to: number): Promise<RawEvent[]> {
    const [rows] = await db.$client.query(
      'SELECT id, occurred_at, visit_id, citizen_key, source, kind, name, menu_key, menu_version, outcome, props FROM usage_events WHERE occurred_at >= ? AND occurred_at < ?',
      [from, to],
    );
    return (rows as Array<Record<string, unknown>>).map((r) => ({
      id: Number(r.id),
      occurredAt: Number(r.occurred_at),
      visitId: (r.visit_id as string | null) ?? null,
      citizenKey: (r.citizen_key as string | null) ?? null,
      source: String(r.source),
      kind: String(r.kind),
      name: String(r.name ?? ''),
      menuKey: (r.menu_key as string | null) ?? null,
      menuVersion: (r.menu_version as string | null) ?? null,
      outcome: (r.outcome as string | null) ?? null,
      props: parseProps(r.props),
    }));
  }

  /**
   * One window [U, T): derive, store, roll up, advance the watermark — one transaction. The same
   * transaction takes back the previous provisional tail (`dropTail`) and, on a run's last window,
   * adds the new one (`tailUntil`): the visits still open at T and every event in [T, tailUntil),
   * counted as if they were final. Reports then show use within a job interval, and the next run
   * replaces the tail, so the final figures are exactly those without one.
   */
  async function step(state: RollupState, until: number, versionAt: (ms: number) => string | null, tail: { dropTail: boolean; tailUntil: number | null }) {
    const from = state.visitsUntil;
    const open = await db.select({ actorKey: reportVisits.actorKey, startedAt: reportVisits.startedAt }).from(reportVisits).where(eq(reportVisits.open, true));
    const openStart = new Map(open.map((o) => [o.actorKey, o.startedAt]));
    const loadFrom = open.reduce((m, o) => Math.min(m, o.startedAt), from);
    const [[maxRow]] = (await db.$client.query('SELECT COALESCE(MAX(id), 0) AS m FROM usage_events')) as unknown as [[{ m: number }]];
    const maxId = Number(maxRow.m);
    // Events written after their time was already derived: counted, and named in every report.
    const [[lateRow]] = (await db.$client.query('SELECT COUNT(*) AS n FROM usage_events WHERE id > ? AND id <= ? AND occurred_at < ?', [
      state.lastEventId,
      maxId,
      from,
    ])) as unknown as [[{ n: number }]];
    const late = from > 0 ? Number(lateRow.n) : 0;

    const tailUntil = tail.tailUntil !== null && tail.tailUntil > until && (await tailFits(until, tail.tailUntil)) ? tail.tailUntil : null;
    const events = await loadEvents(loadFrom, tailUntil ?? until);
    const batch = new RollupBatch();
    const tailBatch = tailUntil === null ? null : new RollupBatch();
    const byActor = new Map<string, RawEvent[]>();
    const afterByActor = new Map<string, RawEvent[]>();
    for (const e of events) {
      const actor = PASSIVE_KINDS.has(e.kind) ? null : actorKeyOf(e);
      if (e.occurredAt < from) {
        // Before the watermark only the events of visits still open are read again.
        const start = actor ? openStart.get(actor) : undefined;
        if (start === undefined || e.occurredAt < start) continue;
      }
      const isTail = e.occurredAt >= until;
      if (!actor) {
        (isTail ? tailBatch! : batch).addLoose(e);
        continue;
      }
      const into = isTail ? afterByActor : byActor;
      let list = into.get(actor);
      if (!list) into.set(actor, (list = []));
      list.push(e);
    }

    const closed: DerivedVisit[] = [];
    const stillOpen: DerivedVisit[] = [];
    for (const [actor, list] of byActor) {
      for (const chain of splitChains(list, idleMs)) {
        const v = describeVisit(actor, chain, versionAt);
        if (v.endedAt + idleMs < until) closed.push(v);
        else stillOpen.push(v);
      }
    }
    for (const v of closed) batch.addVisit(v);
    if (tailBatch) {
      // The tail: open visits with whatever came after T, split again as if the day ended now.
      for (const v of stillOpen) {
        let list = afterByActor.get(v.actorKey);
        if (!list) afterByActor.set(v.actorKey, (list = []));
        list.push(...v.events);
      }
      for (const [actor, list] of afterByActor) for (const chain of splitChains(list, idleMs)) tailBatch.addVisit(describeVisit(actor, chain, versionAt));
    }

    // One connection, one transaction: the visits, the rollups, the tail and the watermark commit together.
    const conn: PoolConnection = await db.$client.getConnection();
    try {
      await conn.beginTransaction();
      if (tail.dropTail) await dropProvisional(conn);
      await writeVisits(conn, [...closed.map((v) => visitRow(v, false)), ...stillOpen.map((v) => visitRow(v, true))]);
      await writeBatch(conn, batch, dimIds);
      if (tailBatch) await writeProvisional(conn, tailBatch, dimIds, tailUntil!);
      await conn.query('UPDATE report_state SET visits_until = ?, last_event_id = ?, late_events = late_events + ?, runs = runs + 1, updated_at = ? WHERE name = ?', [
        until,
        Math.max(state.lastEventId, maxId),
        late,
        now(),
        STATE,
      ]);
      await conn.commit();
    } catch (err) {
      await conn.rollback().catch(() => undefined);
      dimIds.clear(); // ids learnt inside the rolled-back transaction may not exist
      throw err;
    } finally {
      conn.release();
    }
    state.visitsUntil = until;
    state.lastEventId = Math.max(state.lastEventId, maxId);
    state.lateEvents += late;
    state.provisionalUntil = tailUntil ?? (tail.dropTail ? 0 : state.provisionalUntil);
    return { eventsRead: events.length, visitsClosed: closed.length, visitsOpen: stillOpen.length, late, tail: tailUntil !== null };
  }

  /** A tail too big to derive every run (a burst, or a job that fell behind) is left out, not half done. */
  async function tailFits(from: number, to: number): Promise<boolean> {
    const cap = deps.provisionalMaxEvents ?? DEFAULT_TAIL_MAX;
    const [[row]] = (await db.$client.query('SELECT COUNT(*) AS n FROM (SELECT 1 FROM usage_events WHERE occurred_at >= ? AND occurred_at < ? LIMIT ?) t', [
      from,
      to,
      cap + 1,
    ])) as unknown as [[{ n: number }]];
    return Number(row.n) <= cap;
  }

  async function dropProvisional(conn: PoolConnection) {
    const [rows] = await conn.query('SELECT provisional FROM report_state WHERE name = ? FOR UPDATE', [STATE]);
    const blob = (rows as Array<{ provisional: Buffer | null }>)[0]?.provisional;
    if (blob) await subtractRows(conn, JSON.parse(gunzipSync(blob).toString('utf8')) as CounterRows);
    await clearTailCitizens(conn);
    await conn.query('UPDATE report_state SET provisional = NULL, provisional_until = 0 WHERE name = ?', [STATE]);
  }

  async function writeProvisional(conn: PoolConnection, tailBatch: RollupBatch, ids: Map<string, number>, tailUntil: number) {
    await writeBatch(conn, tailBatch, ids, 'report_citizen_sketches_tail');
    const blob = gzipSync(JSON.stringify(counterRows(tailBatch)));
    await conn.query('UPDATE report_state SET provisional = ?, provisional_until = ? WHERE name = ?', [blob, tailUntil, STATE]);
  }

  async function ensureState(): Promise<RollupState> {
    const existing = await readState(db);
    if (existing) return existing;
    // Start at the oldest event's day; nothing before it can appear (except late events).
    const [[row]] = (await db.$client.query('SELECT MIN(occurred_at) AS m FROM usage_events')) as unknown as [[{ m: number | null }]];
    const start = row.m === null ? 0 : Math.floor(Number(row.m) / 3600_000) * 3600_000;
    await db.insert(reportState).ignore().values({ name: STATE, visitsUntil: start, updatedAt: now() });
    return (await readState(db))!;
  }

  async function catchUp(until: number, tailUntil: number | null, shouldStop: () => boolean = () => false): Promise<RollupRunResult> {
    let state = await ensureState();
    if (state.visitsUntil === 0) {
      const [[row]] = (await db.$client.query('SELECT MIN(occurred_at) AS m FROM usage_events')) as unknown as [[{ m: number | null }]];
      if (row.m === null) return { ran: true, until: 0, chunks: 0, eventsRead: 0, visitsClosed: 0, visitsOpen: 0, lateEvents: state.lateEvents, provisional: false };
      state = { ...state, visitsUntil: Math.floor(Number(row.m) / 3600_000) * 3600_000 };
    }
    const versionAt = await versionLookup();
    const result: RollupRunResult = { ran: true, until: state.visitsUntil, chunks: 0, eventsRead: 0, visitsClosed: 0, visitsOpen: 0, lateEvents: state.lateEvents, provisional: false };
    let dropTail = true;
    // Each window commits on its own, so stopping between windows loses nothing (shutdown).
    // With a tail, a run always has one window, even when nothing new became final.
    while ((state.visitsUntil < until || (dropTail && tailUntil !== null)) && !shouldStop()) {
      const next = Math.max(state.visitsUntil, Math.min(until, state.visitsUntil + chunkMs));
      const last = next >= until;
      const r = await step(state, next, versionAt, { dropTail, tailUntil: last ? tailUntil : null });
      dropTail = false;
      result.chunks++;
      result.eventsRead += r.eventsRead;
      result.visitsClosed += r.visitsClosed;
      result.visitsOpen = r.visitsOpen;
      result.provisional = r.tail;
      result.until = next;
      if (last) break;
    }
    result.lateEvents = state.lateEvents;
    return result;
  }

  const skipped = (): RollupRunResult => ({ ran: false, until: 0, chunks: 0, eventsRead: 0, visitsClosed: 0, visitsOpen: 0, lateEvents: 0, provisional: false });
  const finalUntil = (until?: number) => until ?? now() - idleMs - deps.lateMarginMs;
  const tailOf = (tailUntil?: number) => tailUntil ?? (deps.provisional ? now() : null);

  return {
    async runOnce(opts = {}) {
      const r = await withLock(() => catchUp(finalUntil(opts.until), tailOf(opts.tailUntil), opts.shouldStop));
      if (r && r.visitsClosed > 0) deps.logger?.debug({ visits: r.visitsClosed, events: r.eventsRead }, 'reports rolled up');
      return r ?? skipped();
    },

    async rebuild(opts = {}) {
      const r = await withLock(async () => {
        const state = await readState(db);
        if (state && state.retainedBefore > 0 && !opts.force) {
          throw new RollupRefused('raw events before the retention horizon are gone; a rebuild would lose them (use --force to rebuild what is left)');
        }
        for (const table of REPORT_TABLES) await db.delete(table as MySqlTable);
        dimIds.clear();
        return catchUp(finalUntil(opts.until), tailOf(opts.tailUntil));
      });
      if (!r) throw new RollupRefused('the rollup job is running in another process; try again');
      return r;
    },

    async purge({ retentionDays, batchSize = 10_000 }) {
      const r = await withLock(async () => {
        const state = await readState(db);
        if (!state) return { deleted: 0, before: 0 };
        const [[open]] = (await db.$client.query('SELECT MIN(started_at) AS m FROM report_visits WHERE open = 1')) as unknown as [[{ m: number | null }]];
        // Only what the rollups already hold: before the watermark and before any open visit.
        const before = Math.min(now() - retentionDays * DAY_MS, state.visitsUntil, open.m === null ? Infinity : Number(open.m));
        let deleted = 0;
        for (;;) {
          const [res] = await db.$client.query('DELETE FROM usage_events WHERE occurred_at < ? ORDER BY occurred_at LIMIT ?', [before, batchSize]);
          const n = (res as { affectedRows: number }).affectedRows;
          deleted += n;
          if (n < batchSize) break;
        }
        // Closed visit rows are only kept for inspection; the rollups hold their figures.
        for (;;) {
          const [res] = await db.$client.query('DELETE FROM report_visits WHERE open = 0 AND started_at < ? LIMIT ?', [before, batchSize]);
          if ((res as { affectedRows: number }).affectedRows < batchSize) break;
        }
        if (deleted > 0) {
          await db
            .update(reportState)
            .set({ retainedBefore: sql`GREATEST(${reportState.retainedBefore}, ${before})` })
            .where(eq(reportState.name, STATE));
        }
        return { deleted, before };
      });
      return r ?? { deleted: 0, before: 0 };
    },

    state: () => readState(db),
  };
}

function parseProps(v: unknown): Record<string, unknown> | null {
  if (v == null) return null;
  if (typeof v === 'object') return v as Record<string, unknown>;
  try {
    const p = JSON.parse(String(v)) as unknown;
    return p && typeof p === 'object' ? (p as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function visitRow(v: DerivedVisit, open: boolean): VisitRowValues {
  const joined = (s: Set<string>) => {
    const out = [...s].sort().join(',');
    return out.length > 1000 ? out.slice(0, out.lastIndexOf(',', 1000)) : out;
  };
  return {
    actorKey: v.actorKey,
    startedAt: v.startedAt,
    endedAt: v.endedAt,
    day: v.day,
    open,
    entry: v.entry,
    entryMenuKey: v.entryMenuKey?.slice(0, 64) ?? null,
    menuVersion: v.menuVersion || null,
    landingPage: v.landingPage?.slice(0, 64) ?? null,
    events: v.events.length,
    screens: v.screens.length,
    stepsToTask: v.stepsToTask === null ? null : Math.min(v.stepsToTask, 65_535),
    firstTask: v.firstTask?.slice(0, 64) ?? null,
    visitClass: v.visitClass,
    tasksStarted: joined(v.tasksStarted),
    tasksCompleted: joined(v.tasksCompleted),
  };
}
