import type { PoolConnection } from 'mysql2/promise';
import type { RollupBatch, Counter } from './aggregate';
import { addToSketch, emptySketch, fromBuffer, mergeSketch, toBuffer, type Sketch } from './hll';

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

/** Each counter of a batch and the rollup table it adds to: key columns first, then the sums. */
const COUNTER_TABLES = [
  { field: 'visitDaily', table: 'report_visit_daily', keys: ['day', 'entry', 'menu_version', 'visit_class'], values: ['visits'] },
  { field: 'steps', table: 'report_steps_daily', keys: ['day', 'entry', 'menu_version', 'steps'], values: ['visits'] },
  { field: 'tasks', table: 'report_task_daily', keys: ['day', 'entry', 'menu_version', 'task'], values: ['started', 'completed', 'failed'] },
  { field: 'durations', table: 'report_task_durations', keys: ['day', 'entry', 'menu_version', 'task', 'bucket'], values: ['visits'] },
  { field: 'paths', table: 'report_path_daily', keys: ['day', 'entry', 'menu_version', 'path'], values: ['visits'] },
  { field: 'transitions', table: 'report_transition_daily', keys: ['day', 'entry', 'menu_version', 'from_page', 'to_page'], values: ['moves'] },
  { field: 'funnels', table: 'report_funnel_daily', keys: ['day', 'entry', 'menu_version', 'funnel', 'step'], values: ['visits'] },
  { field: 'hourly', table: 'report_hourly_visits', keys: ['day', 'hour', 'entry', 'menu_version'], values: ['visits'] },
  { field: 'events', table: 'report_event_daily', keys: ['kind', 'day', 'source', 'name', 'menu_key', 'menu_version', 'entry', 'detail'], values: ['events', 'visits'] },
] as const satisfies ReadonlyArray<{ field: keyof RollupBatch; table: string; keys: readonly string[]; values: readonly string[] }>;

/** The rows a batch adds, per table: `[...key, ...values]`. What a provisional tail stores to take back later. */
export type CounterRows = Record<string, unknown[][]>;

const rowsOf = (counter: Counter<readonly string[]>, width: number): unknown[][] =>
  [...counter.map.values()].map((e) => [...e.key, ...Array.from({ length: width }, (_, i) => e.values[i] ?? 0)]);

export function counterRows(b: RollupBatch): CounterRows {
  const out: CounterRows = {};
  for (const t of COUNTER_TABLES) {
    const rows = rowsOf(b[t.field] as Counter<readonly string[]>, t.values.length);
    if (rows.length > 0) out[t.table] = rows;
  }
  return out;
}

/** `INSERT … ON DUPLICATE KEY UPDATE n = n + VALUES(n)` (or `−`) for rows whose key columns come first. */
async function addRows(conn: PoolConnection, table: string, keyCols: readonly string[], valueCols: readonly string[], rows: unknown[][], sign: '+' | '-' = '+') {
  if (rows.length === 0) return;
  const sum = valueCols.map((c) => `\`${c}\` = \`${c}\` ${sign} VALUES(\`${c}\`)`).join(', ');
  await bulk(conn, `INSERT INTO ${table} (${[...keyCols, ...valueCols].map((c) => `\`${c}\``).join(', ')})`, rows, `ON DUPLICATE KEY UPDATE ${sum}`);
}

export async function writeBatch(conn: PoolConnection, b: RollupBatch, dimIds: Map<string, number>, sketchTable: SketchTable = 'report_citizen_sketches') {
  const rows = counterRows(b);
  for (const t of COUNTER_TABLES) await addRows(conn, t.table, t.keys, t.values, rows[t.table] ?? []);
  await writeCitizens(conn, b, dimIds, sketchTable);
}

export async function clearTailCitizens(conn: PoolConnection) {
  await conn.query('DELETE FROM report_citizen_sketches_tail');
}

/**
 * Takes back what a provisional tail added: the same rows subtracted, then deletes the rows
 * left at zero (a rebuild never makes zero rows, and it must equal the incremental result).
 */
export async function subtractRows(conn: PoolConnection, stored: CounterRows) {
  for (const t of COUNTER_TABLES) {
    const rows = stored[t.table];
    if (!rows || rows.length === 0) continue;
    const width = t.keys.length;
    // The rows exist (the tail added them under the job's lock), so only the update branch runs;
    // the sums are unsigned, and a negative result would fail the transaction rather than go wrong.
    await addRows(conn, t.table, t.keys, t.values, rows, '-');
    const keyTuple = `(${t.keys.map((c) => `\`${c}\``).join(', ')})`;
    const zero = t.values.map((c) => `\`${c}\` = 0`).join(' AND ');
    for (let i = 0; i < rows.length; i += CHUNK) {
      const part = rows.slice(i, i + CHUNK).map((r) => r.slice(0, width));
      await conn.query(`DELETE FROM ${t.table} WHERE ${keyTuple} IN (?) AND ${zero}`, [part]);
    }
  }
}

type SketchTable = 'report_citizen_sketches' | 'report_citizen_sketches_tail';

async function writeCitizens(conn: PoolConnection, b: RollupBatch, dimIds: Map<string, number>, table: SketchTable) {
  const touches = [...b.citizens.values()];
  if (touches.length === 0) return;
  for (let i = 0; i < touches.length; i += CHUNK) {
    const part = touches.slice(i, i + CHUNK);
    // first_* before first_seen_at: MySQL evaluates the assignments left to right. The first visit's
    // version and entry also take a tie, so the final visit replaces what a provisional tail wrote.
    await conn.query(
      `INSERT INTO report_citizens (citizen_key, first_day, first_seen_at, first_menu_version, first_entry) VALUES ?
       ON DUPLICATE KEY UPDATE first_day = IF(VALUES(first_seen_at) < first_seen_at, VALUES(first_day), first_day),
                               first_menu_version = IF(VALUES(first_seen_at) <= first_seen_at, VALUES(first_menu_version), first_menu_version),
                               first_entry = IF(VALUES(first_seen_at) <= first_seen_at, VALUES(first_entry), first_entry),
                               first_seen_at = LEAST(first_seen_at, VALUES(first_seen_at))`,
      [part.map((c) => [c.citizenKey, dayString(c.firstSeenAt), c.firstSeenAt, c.firstMenuVersion, c.firstEntry])],
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
  const sketches = new Map<string, { dimId: number; day: string; sketch: Sketch }>();
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
  const [stored] = await conn.query(`SELECT dim_id, DATE_FORMAT(day, '%Y-%m-%d') AS day, sketch FROM ${table} WHERE dim_id IN (?) AND day IN (?)`, [dimList, [...days]]);
  for (const r of stored as Array<{ dim_id: number; day: string; sketch: Buffer }>) {
    const e = sketches.get(`${r.dim_id}|${r.day}`);
    if (e) mergeSketch(e.sketch, fromBuffer(r.sketch));
  }
  const rows = [...sketches.values()].map((e) => [e.dimId, e.day, toBuffer(e.sketch)]);
  for (let i = 0; i < rows.length; i += 100) {
    await conn.query(`INSERT INTO ${table} (dim_id, day, sketch) VALUES ? ON DUPLICATE KEY UPDATE sketch = VALUES(sketch)`, [rows.slice(i, i + 100)]);
  }
}

const dayString = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);
