import type { Database } from '../../db/schema';
import { emptySketch, estimate, fromBuffer, mergeSketch } from './hll';

/**
 * SQL over the rollup tables (never `usage_events`). Every function takes resolved filters; day
 * columns are Asia/Shanghai civil dates, so a range is a plain BETWEEN.
 */

export interface Filters {
  from: string;
  to: string;
  menuVersion: string | null;
  source: string | null;
}

type Row = Record<string, unknown>;

export function createReportQueries(db: Database) {
  const q = async <T extends Row>(sqlText: string, params: unknown[]): Promise<T[]> => {
    const [rows] = await db.$client.query(sqlText, params);
    return rows as T[];
  };
  const sketches = async (dims: string[], f: Pick<Filters, 'from' | 'to'>) =>
    dims.length === 0
      ? []
      : q<{ dim: string; day: string; sketch: Buffer }>(
          `SELECT d.dim, DATE_FORMAT(s.day, '%Y-%m-%d') AS day, s.sketch FROM report_dims d JOIN report_citizen_sketches s ON s.dim_id = d.id
           WHERE d.dim IN (?) AND s.day BETWEEN ? AND ?`,
          [dims, f.from, f.to],
        );

  /** `day BETWEEN ? AND ?` plus the menu-version and entry filters, for tables that have them. */
  const where = (f: Filters, alias = '') => {
    const p = alias ? `${alias}.` : '';
    const parts = [`${p}day BETWEEN ? AND ?`];
    const params: unknown[] = [f.from, f.to];
    if (f.menuVersion) {
      parts.push(`${p}menu_version = ?`);
      params.push(f.menuVersion);
    }
    if (f.source) {
      parts.push(`${p}entry = ?`);
      params.push(f.source);
    }
    return { sql: parts.join(' AND '), params };
  };

  return {
    where,

    async menuTaps(f: Filters) {
      const w = where(f);
      return q<{ menu_key: string; day: string; taps: number }>(
        `SELECT menu_key, DATE_FORMAT(day, '%Y-%m-%d') AS day, SUM(events) AS taps FROM report_event_daily
         WHERE kind IN ('menu_click', 'menu_view') AND ${w.sql} GROUP BY menu_key, day`,
        w.params,
      );
    },

    /** Distinct citizens per dimension over the range: the union of the days' sketches (≈1.6 %). */
    async citizensByDim(dims: string[], f: Pick<Filters, 'from' | 'to'>): Promise<Map<string, number>> {
      const merged = new Map<string, Uint8Array>();
      for (const r of await sketches(dims, f)) {
        const cur = merged.get(r.dim);
        if (cur) mergeSketch(cur, r.sketch);
        else merged.set(r.dim, fromBuffer(r.sketch));
      }
      return new Map([...merged.entries()].map(([dim, s]) => [dim, estimate(s)]));
    },

    /** Distinct citizens in any of the dimensions over the range. */
    async citizensUnion(dims: string[], f: Pick<Filters, 'from' | 'to'>): Promise<number> {
      const all = emptySketch();
      for (const r of await sketches(dims, f)) mergeSketch(all, r.sketch);
      return estimate(all);
    },

    async citizensPerDay(dim: string, f: Pick<Filters, 'from' | 'to'>) {
      return (await sketches([dim], f)).map((r) => ({ day: r.day, n: estimate(r.sketch) }));
    },

    async newCitizensPerDay(f: Pick<Filters, 'from' | 'to'>) {
      return q<{ day: string; n: number }>(
        `SELECT DATE_FORMAT(first_day, '%Y-%m-%d') AS day, COUNT(*) AS n FROM report_citizens WHERE first_day BETWEEN ? AND ? GROUP BY first_day`,
        [f.from, f.to],
      );
    },

    async visitClassesPerDay(f: Filters) {
      const w = where(f);
      return q<{ day: string; visit_class: string; visits: number }>(
        `SELECT DATE_FORMAT(day, '%Y-%m-%d') AS day, visit_class, SUM(visits) AS visits FROM report_visit_daily WHERE ${w.sql} GROUP BY day, visit_class`,
        w.params,
      );
    },

    async tasks(f: Filters) {
      const w = where(f);
      return q<{ task: string; started: number; completed: number; failed: number }>(
        `SELECT task, SUM(started) AS started, SUM(completed) AS completed, SUM(failed) AS failed FROM report_task_daily WHERE ${w.sql} GROUP BY task`,
        w.params,
      );
    },

    async durations(f: Filters) {
      const w = where(f);
      return q<{ task: string; bucket: number; visits: number }>(
        `SELECT task, bucket, SUM(visits) AS visits FROM report_task_durations WHERE ${w.sql} GROUP BY task, bucket`,
        w.params,
      );
    },

    async funnel(funnel: string, f: Filters) {
      const w = where(f);
      return q<{ step: number; visits: number }>(
        `SELECT step, SUM(visits) AS visits FROM report_funnel_daily WHERE funnel = ? AND ${w.sql} GROUP BY step`,
        [funnel, ...w.params],
      );
    },

    async steps(f: Filters) {
      const w = where(f);
      return q<{ entry: string; steps: number; visits: number }>(
        `SELECT entry, steps, SUM(visits) AS visits FROM report_steps_daily WHERE ${w.sql} GROUP BY entry, steps`,
        w.params,
      );
    },

    async topPaths(f: Filters, limit: number, entry?: string) {
      const w = where(entry ? { ...f, source: entry } : f);
      return q<{ path: string; visits: number }>(
        `SELECT path, SUM(visits) AS visits FROM report_path_daily WHERE ${w.sql} GROUP BY path ORDER BY visits DESC, path LIMIT ?`,
        [...w.params, limit],
      );
    },

    async landingPages(f: Filters, entry: string) {
      const w = where({ ...f, source: entry });
      return q<{ page: string; visits: number }>(
        `SELECT SUBSTRING_INDEX(path, ' > ', 1) AS page, SUM(visits) AS visits FROM report_path_daily WHERE ${w.sql} GROUP BY page ORDER BY visits DESC LIMIT 50`,
        w.params,
      );
    },

    async transitions(page: string, f: Filters) {
      const w = where(f);
      const [prev, next] = await Promise.all([
        q<{ page: string; moves: number }>(
          `SELECT from_page AS page, SUM(moves) AS moves FROM report_transition_daily WHERE to_page = ? AND ${w.sql} GROUP BY from_page ORDER BY moves DESC, page LIMIT 20`,
          [page, ...w.params],
        ),
        q<{ page: string; moves: number }>(
          `SELECT to_page AS page, SUM(moves) AS moves FROM report_transition_daily WHERE from_page = ? AND ${w.sql} GROUP BY to_page ORDER BY moves DESC, page LIMIT 20`,
          [page, ...w.params],
        ),
      ]);
      return { prev, next };
    },

    /** Event sums of some kinds grouped by the given columns. */
    async events(kinds: string[], groupBy: Array<'name' | 'source' | 'detail' | 'day' | 'outcome_kind'>, f: Filters) {
      const w = where(f);
      const cols = groupBy.map((c) => (c === 'day' ? `DATE_FORMAT(day, '%Y-%m-%d') AS day` : c === 'outcome_kind' ? 'kind' : c));
      const group = groupBy.map((c) => (c === 'outcome_kind' ? 'kind' : c));
      return q<{ name?: string; source?: string; detail?: string; day?: string; kind?: string; events: number; visits: number }>(
        `SELECT ${cols.join(', ')}, SUM(events) AS events, SUM(visits) AS visits FROM report_event_daily
         WHERE kind IN (?) AND ${w.sql} GROUP BY ${group.join(', ')}`,
        [kinds, ...w.params],
      );
    },

    async hourly(f: Filters) {
      const w = where(f);
      return q<{ day: string; hour: number; visits: number }>(
        `SELECT DATE_FORMAT(day, '%Y-%m-%d') AS day, hour, SUM(visits) AS visits FROM report_hourly_visits WHERE ${w.sql} GROUP BY day, hour`,
        w.params,
      );
    },
  };
}

export type ReportQueries = ReturnType<typeof createReportQueries>;
