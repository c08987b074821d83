import { connectDatabase, type DatabaseHandle } from '../../../db/connect';
import { runMigrations } from '../../../db/migrate';
import { usageEvents, type NewUsageEventRow } from '../../../db/schema';
import { scratchDatabase } from '../../support/db';

/**
 * Report tests run in a database of their own: the rollups read every row of usage_events, and
 * the worker database holds other files' events.
 */
export async function reportDatabase(prefix: string): Promise<DatabaseHandle> {
  const url = await scratchDatabase(prefix);
  await runMigrations(url);
  return connectDatabase(url, 4);
}

/** Epoch ms of a wall-clock time in Asia/Shanghai on 2026-03-02 (a Monday) + `dayOffset` days. */
export const sh = (hh: number, mm = 0, ss = 0, dayOffset = 0) => Date.UTC(2026, 2, 2 + dayOffset, hh - 8, mm, ss);
export const DAY0 = '2026-03-02';
export const DAY1 = '2026-03-03';

/** 22-character pseudonyms like the real HMAC keys. */
export const citizen = (c: string) => c.repeat(22).slice(0, 22);

export type Ev = Partial<NewUsageEventRow> & Pick<NewUsageEventRow, 'occurredAt' | 'kind'>;
export const ev = (e: Ev): NewUsageEventRow => ({ source: 'h5', name: '', ...e });

export async function insertEvents(h: DatabaseHandle, rows: NewUsageEventRow[]) {
  for (let i = 0; i < rows.length; i += 500) await h.db.insert(usageEvents).values(rows.slice(i, i + 500));
}

const SNAPSHOT_QUERIES: Record<string, string> = {
  visits:
    'SELECT actor_key, started_at, ended_at, day, open, entry, entry_menu_key, menu_version, landing_page, events, screens, steps_to_task, first_task, visit_class, tasks_started, tasks_completed FROM report_visits ORDER BY actor_key, started_at',
  visitDaily: 'SELECT * FROM report_visit_daily ORDER BY 1, 2, 3, 4',
  steps: 'SELECT * FROM report_steps_daily ORDER BY 1, 2, 3, 4',
  tasks: 'SELECT * FROM report_task_daily ORDER BY 1, 2, 3, 4',
  durations: 'SELECT * FROM report_task_durations ORDER BY 1, 2, 3, 4, 5',
  paths: 'SELECT * FROM report_path_daily ORDER BY 1, 2, 3, 4',
  transitions: 'SELECT * FROM report_transition_daily ORDER BY 1, 2, 3, 4, 5',
  funnels: 'SELECT * FROM report_funnel_daily ORDER BY 1, 2, 3, 4, 5',
  events: 'SELECT * FROM report_event_daily ORDER BY 1, 2, 3, 4, 5, 6, 7, 8',
  hourly: 'SELECT * FROM report_hourly_visits ORDER BY 1, 2, 3, 4',
  citizens: 'SELECT citizen_key, first_day, first_seen_at, first_menu_version, first_entry FROM report_citizens ORDER BY citizen_key',
  sketches: 'SELECT d.dim, s.day, HEX(s.sketch) AS sketch FROM report_citizen_sketches s JOIN report_dims d ON d.id = s.dim_id ORDER BY 1, 2',
  tailSketches: 'SELECT d.dim, s.day, HEX(s.sketch) AS sketch FROM report_citizen_sketches_tail s JOIN report_dims d ON d.id = s.dim_id ORDER BY 1, 2',
  tail: 'SELECT provisional_until FROM report_state',
};

/** Every rollup table's content without surrogate ids, for comparing two ways of computing them. */
export async function snapshotRollups(h: DatabaseHandle): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const [name, sql] of Object.entries(SNAPSHOT_QUERIES)) {
    const [rows] = await h.pool.query(sql);
    out[name] = rows as unknown[];
  }
  return out;
}
