import type { Database } from '../../db/schema';
import { emptySketch, estimate, fromBuffer, mergeSketch, type Sketch } from './hll';

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
  /**
   * The day sketches of some dimensions: the final ones united with the provisional tail's
   * (report_citizen_sketches_tail), one sketch per dimension and day.
   */
  const sketches = async (dims: string[], f: Pick<Filters, 'from' | 'to'>) => {
    if (dims.length === 0) return [];
    const rows = await q<{ dim: string; day: string; sketch: Buffer }>(
      `SELECT d.dim, DATE_FORMAT(s.day, '%Y-%m-%d') AS day, s.sketch FROM report_dims d JOIN report_citizen_sketches s ON s.dim_id = d.id
       WHERE d.dim IN (?) AND s.day BETWEEN ? AND ?
       UNION ALL
       SELECT d.dim, DATE_FORMAT(t.day, '%Y-%m-%d') AS day, t.sketch FROM report_dims d JOIN report_citizen_sketches_tail t ON t.dim_id = d.id
       WHERE d.dim IN (?) AND t.day BETWEEN ? AND ?`,
      [dims, f.from, f.to, dims, f.from, f.to],
    );
    const byDay = new Map<string, { dim: string; day: string; sketch: Sketch }>();
    for (const r of rows) {
      const k = `${r.dim}\u0001${r.day}`;
      const cur = byDay.get(k);
      if (cur) mergeSketch(cur.sketch, fromBuffer(r.sketch));
      else byDay.set(k, { dim: r.dim, day: r.day, sketch: fromBuffer(r.sketch) });
    }
    return [...byDay.values()];
  };

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

    /**
     * Distinct citizens per dimension over the range: the union of the days' sketches — exact while
     * every day row is sparse, else a HyperLogLog estimate (≈1.6 %).
     */
    async citizensByDim(dims: string[], f: Pick<Filters, 'from' | 'to'>): Promise<Map<string, number>> {
      const merged = new Map<string, Sketch>();
      for (const r of await sketches(dims, f)) {
        const cur = merged.get(r.dim);
        if (cur) mergeSketch(cur, r.sketch);
        else merged.set(r.dim, r.sketch);
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

    /**
     * Citizens first seen per day whose first visit had this menu version or entry (exact; reads
     * only the first-day index, which holds both). Rows rolled up before the first visit's version
     * and entry were kept have NULL there and match neither.
     */
    async newCitizensPerDayOf(first: { menuVersion: string } | { entry: string }, f: Pick<Filters, 'from' | 'to'>) {
      const [col, value] = 'menuVersion' in first ? ['first_menu_version', first.menuVersion] : ['first_entry', first.entry];
      return q<{ day: string; n: number }>(
        `SELECT DATE_FORMAT(first_day, '%Y-%m-%d') AS day, COUNT(*) AS n FROM report_citizens WHERE first_day BETWEEN ? AND ? AND ${col} = ? GROUP BY first_day`,
        [f.from, f.to, value],
      );
    },
  };
}

export type ReportQueries = ReturnType<typeof createReportQueries>;
