import { getTableColumns } from 'drizzle-orm';
import { usageEvents, type Database, type NewUsageEventRow } from '../../db/schema';

/**
 * Multi-row INSERT for the usage log through the driver's bulk `VALUES ?` form. Building the
 * same statement with drizzle's query builder cost ~30 ms per 1,000 rows (more than the
 * database's own work; see docs/performance.md), which capped ingest below target. Column
 * names still come from the drizzle table, so the schema stays the single source.
 */
const COLUMNS = Object.entries(getTableColumns(usageEvents)).filter(([key]) => key !== 'id') as [keyof NewUsageEventRow, { name: string }][];
const SQL = `INSERT INTO \`usage_events\` (${COLUMNS.map(([, c]) => `\`${c.name}\``).join(', ')}) VALUES ?`;

export async function insertUsageRows(db: Database, rows: NewUsageEventRow[]): Promise<void> {
  const values = rows.map((r) =>
    COLUMNS.map(([key]) => {
      const v = r[key];
      if (v === undefined) return key === 'name' ? '' : null;
      return key === 'props' && v !== null ? JSON.stringify(v) : v;
    }),
  );
  await db.$client.query(SQL, [values]);
}
