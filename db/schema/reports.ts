import { bigint, boolean, customType, date, index, int, mysqlTable, primaryKey, smallint, tinyint, uniqueIndex, varbinary, varchar } from 'drizzle-orm/mysql-core';

/**
 * Evaluator reports (server/reports, docs/evaluation.md). Visits are derived once from
 * `usage_events` and every report reads the rollups below, never the raw log, so a report over
 * 90 days of tens of millions of events stays fast. Days are Asia/Shanghai civil dates; `''`
 * stands for "none" in key columns (primary keys cannot hold NULL).
 */

const longblob = customType<{ data: Buffer }>({ dataType: () => 'longblob' });

/** The rollup job's watermark: one row per job name (`usage`). */
export const reportState = mysqlTable('report_state', {
  name: varchar('name', { length: 32 }).primaryKey(),
  /** epoch ms: events before this were derived into visits (visits still open are re-derived) */
  visitsUntil: bigint('visits_until', { mode: 'number' }).notNull(),
  /** highest usage_events id that existed at the last run (late arrivals are counted against it) */
  lastEventId: bigint('last_event_id', { mode: 'number', unsigned: true }).notNull().default(0),
  /** events that arrived after their time had been derived: not in any report (rebuild takes them) */
  lateEvents: bigint('late_events', { mode: 'number' }).notNull().default(0),
  /** epoch ms: raw events before this were deleted by retention (0: none) */
  retainedBefore: bigint('retained_before', { mode: 'number' }).notNull().default(0),
  runs: int('runs', { unsigned: true }).notNull().default(0),
  updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
  /** epoch ms: events before this are in the reports, the part after `visits_until` provisionally (0: no tail) */
  provisionalUntil: bigint('provisional_until', { mode: 'number' }).notNull().default(0),
  /** the provisional tail's counter rows (gzip JSON), subtracted again by the next run */
  provisional: longblob('provisional'),
});

/** One row per visit (30 minutes idle ends one). Open visits are replaced on the next run. */
export const reportVisits = mysqlTable(
  'report_visits',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    /** `c:<citizen pseudonym>` or `v:<browser visit id>`: internal, never shown */
    actorKey: varchar('actor_key', { length: 40 }).notNull(),
    startedAt: bigint('started_at', { mode: 'number' }).notNull(),
    endedAt: bigint('ended_at', { mode: 'number' }).notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    /** still within 30 minutes (+ margin) of the watermark: not yet in any rollup */
    open: boolean('open').notNull(),
    /** menu | message | direct */
    entry: varchar('entry', { length: 8 }).notNull(),
    entryMenuKey: varchar('entry_menu_key', { length: 64 }),
    menuVersion: varchar('menu_version', { length: 32 }),
    landingPage: varchar('landing_page', { length: 64 }),
    events: int('events', { unsigned: true }).notNull(),
    screens: int('screens', { unsigned: true }).notNull(),
    /** screens up to and including the first task action; null: no task action */
    stepsToTask: smallint('steps_to_task', { unsigned: true }),
    firstTask: varchar('first_task', { length: 64 }),
    /** transaction | attempt | lookup | browse */
    visitClass: varchar('visit_class', { length: 12 }).notNull(),
    tasksStarted: varchar('tasks_started', { length: 1000 }).notNull().default(''),
    tasksCompleted: varchar('tasks_completed', { length: 1000 }).notNull().default(''),
  },
  (t) => [uniqueIndex('report_visits_actor_start_uq').on(t.actorKey, t.startedAt), index('report_visits_open_idx').on(t.open, t.startedAt), index('report_visits_day_idx').on(t.day)],
);

/** Visits per day by entry, menu version and class (lookups vs transactions). */
export const reportVisitDaily = mysqlTable(
  'report_visit_daily',
  {
    day: date('day', { mode: 'string' }).notNull(),
    entry: varchar('entry', { length: 8 }).notNull(),
    menuVersion: varchar('menu_version', { length: 32 }).notNull(),
    visitClass: varchar('visit_class', { length: 12 }).notNull(),
    visits: int('visits', { unsigned: true }).notNull(),
  },
  (t) => [primaryKey({ name: 'report_visit_daily_pk', columns: [t.day, t.entry, t.menuVersion, t.visitClass] })],
);

/** Steps from entry to the first task action (-1: no task action; capped at 20). */
export const reportStepsDaily = mysqlTable(
  'report_steps_daily',
  {
    day: date('day', { mode: 'string' }).notNull(),
    entry: varchar('entry', { length: 8 }).notNull(),
    menuVersion: varchar('menu_version', { length: 32 }).notNull(),
    steps: smallint('steps').notNull(),
    visits: int('visits', { unsigned: true }).notNull(),
  },
  (t) => [primaryKey({ name: 'report_steps_daily_pk', columns: [t.day, t.entry, t.menuVersion, t.steps] })],
);

/** Per task: visits that started, completed, failed (without completing) it. */
export const reportTaskDaily = mysqlTable(
  'report_task_daily',
  {
    day: date('day', { mode: 'string' }).notNull(),
    entry: varchar('entry', { length: 8 }).notNull(),
    menuVersion: varchar('menu_version', { length: 32 }).notNull(),
    task: varchar('task', { length: 64 }).notNull(),
    started: int('started', { unsigned: true }).notNull(),
    completed: int('completed', { unsigned: true }).notNull(),
    failed: int('failed', { unsigned: true }).notNull(),
  },
  (t) => [primaryKey({ name: 'report_task_daily_pk', columns: [t.day, t.entry, t.menuVersion, t.task] })],
);

/** Time to complete a task within a visit, in logarithmic buckets (docs/evaluation.md). */
export const reportTaskDurations = mysqlTable(
  'report_task_durations',
  {
    day: date('day', { mode: 'string' }).notNull(),
    entry: varchar('entry', { length: 8 }).notNull(),
    menuVersion: varchar('menu_version', { length: 32 }).notNull(),
    task: varchar('task', { length: 64 }).notNull(),
    bucket: smallint('bucket').notNull(),
    visits: int('visits', { unsigned: true }).notNull(),
  },
  (t) => [primaryKey({ name: 'report_task_durations_pk', columns: [t.day, t.entry, t.menuVersion, t.task, t.bucket] })],
);

/** The first screens of a visit up to its first task action, joined with ' > '. */
export const reportPathDaily = mysqlTable(
  'report_path_daily',
  {
    day: date('day', { mode: 'string' }).notNull(),
    entry: varchar('entry', { length: 8 }).notNull(),
    menuVersion: varchar('menu_version', { length: 32 }).notNull(),
    path: varchar('path', { length: 255 }).notNull(),
    visits: int('visits', { unsigned: true }).notNull(),
  },
  (t) => [primaryKey({ name: 'report_path_daily_pk', columns: [t.day, t.entry, t.menuVersion, t.path] })],
);

/** Consecutive screens within a visit (previous → next page). */
export const reportTransitionDaily = mysqlTable(
  'report_transition_daily',
  {
    day: date('day', { mode: 'string' }).notNull(),
    entry: varchar('entry', { length: 8 }).notNull(),
    menuVersion: varchar('menu_version', { length: 32 }).notNull(),
    fromPage: varchar('from_page', { length: 64 }).notNull(),
    toPage: varchar('to_page', { length: 64 }).notNull(),
    moves: int('moves', { unsigned: true }).notNull(),
  },
  (t) => [primaryKey({ name: 'report_transition_daily_pk', columns: [t.day, t.entry, t.menuVersion, t.fromPage, t.toPage] })],
);

/** Visits by the last funnel step they reached (0: none). */
export const reportFunnelDaily = mysqlTable(
  'report_funnel_daily',
  {
    day: date('day', { mode: 'string' }).notNull(),
    entry: varchar('entry', { length: 8 }).notNull(),
    menuVersion: varchar('menu_version', { length: 32 }).notNull(),
    funnel: varchar('funnel', { length: 16 }).notNull(),
    step: tinyint('step').notNull(),
    visits: int('visits', { unsigned: true }).notNull(),
  },
  (t) => [primaryKey({ name: 'report_funnel_daily_pk', columns: [t.day, t.entry, t.menuVersion, t.funnel, t.step] })],
);

/**
 * Events per day by kind, source, name, menu key (menu taps only), menu version, the visit's
 * entry (`none` for events without citizen or visit) and a detail (search term, acquisition
 * source, outcome). `visits`: distinct visits the event occurred in.
 */
export const reportEventDaily = mysqlTable(
  'report_event_daily',
  {
    kind: varchar('kind', { length: 24 }).notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    source: varchar('source', { length: 8 }).notNull(),
    name: varchar('name', { length: 64 }).notNull(),
    menuKey: varchar('menu_key', { length: 64 }).notNull(),
    menuVersion: varchar('menu_version', { length: 32 }).notNull(),
    entry: varchar('entry', { length: 8 }).notNull(),
    detail: varchar('detail', { length: 100 }).notNull(),
    events: int('events', { unsigned: true }).notNull(),
    visits: int('visits', { unsigned: true }).notNull(),
  },
  (t) => [primaryKey({ name: 'report_event_daily_pk', columns: [t.kind, t.day, t.source, t.name, t.menuKey, t.menuVersion, t.entry, t.detail] })],
);

/** Visit starts by Shanghai hour of day (weekday is derived from the day). */
export const reportHourlyVisits = mysqlTable(
  'report_hourly_visits',
  {
    day: date('day', { mode: 'string' }).notNull(),
    hour: tinyint('hour').notNull(),
    entry: varchar('entry', { length: 8 }).notNull(),
    menuVersion: varchar('menu_version', { length: 32 }).notNull(),
    visits: int('visits', { unsigned: true }).notNull(),
  },
  (t) => [primaryKey({ name: 'report_hourly_visits_pk', columns: [t.day, t.hour, t.entry, t.menuVersion] })],
);

/** Dimension names of the per-day citizen sketches (`all`, `menu:<key>`, `menu:<mv>:<key>`, `task:<name>`, `mv:<v>`, `entry:<e>`). */
export const reportDims = mysqlTable(
  'report_dims',
  {
    id: int('id', { unsigned: true }).autoincrement().primaryKey(),
    dim: varchar('dim', { length: 120 }).notNull(),
  },
  (t) => [uniqueIndex('report_dims_dim_uq').on(t.dim)],
);

/** Every citizen pseudonym seen in a visit, and the day it was first seen (new vs returning: exact). */
export const reportCitizens = mysqlTable(
  'report_citizens',
  {
    id: int('id', { unsigned: true }).autoincrement().primaryKey(),
    citizenKey: varchar('citizen_key', { length: 22 }).notNull(),
    firstDay: date('first_day', { mode: 'string' }).notNull(),
    firstSeenAt: bigint('first_seen_at', { mode: 'number' }).notNull(),
    /** the first visit's menu version (`''`: none), for new citizens under the menu-version filter; null: rolled up before it was kept */
    firstMenuVersion: varchar('first_menu_version', { length: 32 }),
    /** the first visit's entry (menu | message | direct), for new citizens under the source filter */
    firstEntry: varchar('first_entry', { length: 8 }),
  },
  // The first-day index also covers the version and entry, so the filtered new-citizen count reads only it.
  (t) => [uniqueIndex('report_citizens_key_uq').on(t.citizenKey), index('report_citizens_first_day_idx').on(t.firstDay, t.firstMenuVersion, t.firstEntry)],
);

/**
 * The citizens active per day and dimension, as a sketch (server/reports/hll.ts): up to 500 citizens
 * the sorted set of their 64-bit hashes (exact; a version byte + 8 bytes each), beyond that 4096
 * one-byte HyperLogLog registers (exactly 4096 bytes). Distinct counts over 90 days read 90 small
 * rows per dimension, whatever the number of citizens.
 */
export const reportCitizenSketches = mysqlTable(
  'report_citizen_sketches',
  {
    dimId: int('dim_id', { unsigned: true }).notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    sketch: varbinary('sketch', { length: 4096 }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.dimId, t.day] })],
);

/**
 * The citizens of the provisional tail (visits not final yet), per day and dimension: replaced as a
 * whole by every run and read together with `report_citizen_sketches`. Sketches cannot be
 * subtracted, so the tail's citizens live apart until their visits are final.
 */
export const reportCitizenSketchesTail = mysqlTable(
  'report_citizen_sketches_tail',
  {
    dimId: int('dim_id', { unsigned: true }).notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    sketch: varbinary('sketch', { length: 4096 }).notNull(),
  },
  (t) => [primaryKey({ name: 'report_sketch_tail_pk', columns: [t.dimId, t.day] })],
);

export type ReportVisitRow = typeof reportVisits.$inferSelect;
