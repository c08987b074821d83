import type { PoolConnection } from 'mysql2/promise';
import type { RollupBatch, Counter } from './aggregate';
import { addToSketch, emptySketch, mergeSketch, toBuffer } from './hll';

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
  for (let i = 0; i < touches.length; i += CHUNK) {
    const part = touches.slice(i, i + CHUNK);
    // first_day before first_seen_at: MySQL evaluates the assignments left to right.
    await conn.query(
      `INSERT INTO report_citizens (citizen_key, first_day, first_seen_at) VALUES ?
       ON DUPLICATE KEY UPDATE first_day = IF(VALUES(first_seen_at) < first_seen_at, VALUES(first_day), first_day),
                               first_seen_at = LEAST(first_seen_at, VALUES(first_seen_at))`,
      [part.map((c) => [c.citizenKey, dayString(c.firstSeenAt), c.firstSeenAt])],
    );
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
  // This window's citizens per (dimension, day), merged into the stored sketches.
  const sketches = new Map<string, { dimId: number; day: string; sketch: Uint8Array }>();
  const days = new Set<string>();
  for (const c of touches) {
    for (const [dim, ds] of c.dims) {
      const dimId = dimIds.get(dim)!;
      for (const day of ds) {
        const k = `${dimId}|${day}`;
        let e = sketches.get(k);
        if (!e) sketches.set(k, (e = { dimId, day, sketch: emptySketch() }));
        addToSketch(e.sketch, c.citizenKey);
        days.add(day);
      }
    }
  }
  // The job's named lock is the only writer, so a plain read is enough; dim_id leads the key.
  const dimList = [...new Set([...sketches.values()].map((e) => e.dimId))];
  const [stored] = await conn.query("SELECT dim_id, DATE_FORMAT(day, '%Y-%m-%d') AS day, sketch FROM report_citizen_sketches WHERE dim_id IN (?) AND day IN (?)", [dimList, [...days]]);
  for (const r of stored as Array<{ dim_id: number; day: string; sketch: Buffer }>) {
    const e = sketches.get(`${r.dim_id}|${r.day}`);
    if (e) mergeSketch(e.sketch, r.sketch);
  }
  const rows = [...sketches.values()].map((e) => [e.dimId, e.day, toBuffer(e.sketch)]);
  for (let i = 0; i < rows.length; i += 100) {
    await conn.query('INSERT INTO report_citizen_sketches (dim_id, day, sketch) VALUES ? ON DUPLICATE KEY UPDATE sketch = VALUES(sketch)', [rows.slice(i, i + 100)]);
  }
}

const dayString = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);
