import type { PoolConnection } from 'mysql2/promise';
import type { RollupBatch, Counter } from './aggregate';

/**
 * Writes one rollup window through a single connection, in the caller's transaction. Multi-row
 * `INSERT … VALUES ?` statements go through mysql2 directly: the query builder cost more CPU than
 * the database did for these bulk statements (the same choice as the usage recorder,
 * docs/decisions/0002). Table and column names are fixed here, never input.
 */

const CHUNK = 1000;

export interface VisitRowValues {
  actorKey: string;
  startedAt: number;
  endedAt: number;
  day: string;
  open: boolean;
  entry: string;
  entryMenuKey: string | null;
  menuVersion: string | null;
  landingPage: string | null;
  events: number;
  screens: number;
  stepsToTask: number | null;
  firstTask: string | null;
  visitClass: string;
  tasksStarted: string;
  tasksCompleted: string;
}

async function bulk(conn: PoolConnection, head: string, rows: unknown[][], tail = '') {
  for (let i = 0; i < rows.length; i += CHUNK) await conn.query(`${head} VALUES ? ${tail}`, [rows.slice(i, i + CHUNK)]);
}

/** `INSERT … ON DUPLICATE KEY UPDATE n = n + VALUES(n)` for a counter whose key columns come first. */
async function addCounter<K extends readonly string[]>(conn: PoolConnection, table: string, keyCols: string[], valueCols: string[], counter: Counter<K>) {
  if (counter.size === 0) return;
  const rows = [...counter.map.values()].map((e) => [...e.key, ...valueCols.map((_, i) => e.values[i] ?? 0)]);
  const sum = valueCols.map((c) => `\`${c}\` = \`${c}\` + VALUES(\`${c}\`)`).join(', ');
  await bulk(conn, `INSERT INTO ${table} (${[...keyCols, ...valueCols].map((c) => `\`${c}\``).join(', ')})`, rows, `ON DUPLICATE KEY UPDATE ${sum}`);
}

export async function writeVisits(conn: PoolConnection, visits: VisitRowValues[]) {
  await conn.query('DELETE FROM report_visits WHERE open = 1');
  const rows = visits.map((v) => [
    v.actorKey,
    v.startedAt,
    v.endedAt,
    v.day,
    v.open ? 1 : 0,
    v.entry,
    v.entryMenuKey,
    v.menuVersion,
    v.landingPage,
    v.events,
    v.screens,
    v.stepsToTask,
    v.firstTask,
    v.visitClass,
    v.tasksStarted,
    v.tasksCompleted,
  ]);
  await bulk(
    conn,
    'INSERT INTO report_visits (actor_key, started_at, ended_at, day, open, entry, entry_menu_key, menu_version, landing_page, events, screens, steps_to_task, first_task, visit_class, tasks_started, tasks_completed)',
    rows,
  );
}

export async function writeBatch(conn: PoolConnection, b: RollupBatch, dimIds: Map<string, number>) {
  await addCounter(conn, 'report_visit_daily', ['day', 'entry', 'menu_version', 'visit_class'], ['visits'], b.visitDaily);
  await addCounter(conn, 'report_steps_daily', ['day', 'entry', 'menu_version', 'steps'], ['visits'], b.steps);
  await addCounter(conn, 'report_task_daily', ['day', 'entry', 'menu_version', 'task'], ['started', 'completed', 'failed'], b.tasks);
  await addCounter(conn, 'report_task_durations', ['day', 'entry', 'menu_version', 'task', 'bucket'], ['visits'], b.durations);
  await addCounter(conn, 'report_path_daily', ['day', 'entry', 'menu_version', 'path'], ['visits'], b.paths);
  await addCounter(conn, 'report_transition_daily', ['day', 'entry', 'menu_version', 'from_page', 'to_page'], ['moves'], b.transitions);
  await addCounter(conn, 'report_funnel_daily', ['day', 'entry', 'menu_version', 'funnel', 'step'], ['visits'], b.funnels);
  await addCounter(conn, 'report_hourly_visits', ['day', 'hour', 'entry', 'menu_version'], ['visits'], b.hourly);
  await addCounter(conn, 'report_event_daily', ['kind', 'day', 'source', 'name', 'menu_key', 'menu_version', 'entry', 'detail'], ['events', 'visits'], b.events);
  await writeCitizens(conn, b, dimIds);
}

async function writeCitizens(conn: PoolConnection, b: RollupBatch, dimIds: Map<string, number>) {
  const touches = [...b.citizens.values()];
  if (touches.length === 0) return;
  const ids = new Map<string, number>();
  for (let i = 0; i < touches.length; i += CHUNK) {
    const part = touches.slice(i, i + CHUNK);
    // first_day before first_seen_at: MySQL evaluates the assignments left to right.
    await conn.query(
      `INSERT INTO report_citizens (citizen_key, first_day, first_seen_at) VALUES ?
       ON DUPLICATE KEY UPDATE first_day = IF(VALUES(first_seen_at) < first_seen_at, VALUES(first_day), first_day),
                               first_seen_at = LEAST(first_seen_at, VALUES(first_seen_at))`,
      [part.map((c) => [c.citizenKey, dayString(c.firstSeenAt), c.firstSeenAt])],
    );
    const [rows] = await conn.query('SELECT id, citizen_key FROM report_citizens WHERE citizen_key IN (?)', [part.map((c) => c.citizenKey)]);
    for (const r of rows as Array<{ id: number; citizen_key: string }>) ids.set(r.citizen_key, Number(r.id));
  }
  const missing = new Set<string>();
  for (const c of touches) for (const d of c.dims.keys()) if (!dimIds.has(d)) missing.add(d);
  const list = [...missing];
  for (let i = 0; i < list.length; i += CHUNK) {
    const part = list.slice(i, i + CHUNK);
    await conn.query('INSERT IGNORE INTO report_dims (dim) VALUES ?', [part.map((d) => [d])]);
    const [rows] = await conn.query('SELECT id, dim FROM report_dims WHERE dim IN (?)', [part]);
    for (const r of rows as Array<{ id: number; dim: string }>) dimIds.set(r.dim, Number(r.id));
  }
  const rows: Array<[number, string, number]> = [];
  for (const c of touches) {
    const citizenId = ids.get(c.citizenKey)!;
    for (const [dim, days] of c.dims) for (const day of days) rows.push([dimIds.get(dim)!, day, citizenId]);
  }
  // Sorted by the primary key: fewer page splits in the citizen-set table.
  rows.sort((x, y) => x[0] - y[0] || (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : x[2] - y[2]));
  await bulk(conn, 'INSERT IGNORE INTO report_day_citizens (dim_id, day, citizen_id)', rows);
}

const dayString = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);
