import { sql } from 'drizzle-orm';
import { datetime, mysqlTable, varchar } from 'drizzle-orm/mysql-core';

/** Which demo-data seed steps have run, so `npm start` seeds exactly once. */
export const seedRuns = mysqlTable('seed_runs', {
  name: varchar('name', { length: 64 }).primaryKey(),
  appliedAt: datetime('applied_at', { mode: 'date', fsp: 3 }).notNull().default(sql`CURRENT_TIMESTAMP(3)`),
});
