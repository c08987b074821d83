
import { bigint, index, int, json, mysqlTable, varchar } from 'drizzle-orm/mysql-core';

/**
 * Append-only usage log: one row per thing a citizen did (menu tap, page view, task step,
 * lookup, follow …). Written in batches by server/usage/recorder.ts; never updated. The
 * citizen appears only as a keyed pseudonym, never as an openid.
 */
export const usageEvents = mysqlTable(
  'usage_events',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    /** epoch milliseconds, UTC */
    occurredAt: bigint('occurred_at', { mode: 'number' }).notNull(),
    visitId: varchar('visit_id', { length: 36 }),
    /** HMAC-SHA256(openid, USAGE_PSEUDONYM_SECRET), base64url, 22 chars */
    citizenKey: varchar('citizen_key', { length: 22 }),
    source: varchar('source', { length: 8 }).notNull(),
    kind: varchar('kind', { length: 24 }).notNull(),
    /** menu key, page, task or lookup subject */
    name: varchar('name', { length: 64 }).notNull().default(''),
    /** the menu item the citizen came from (CLICK key or the `menu` URL parameter of a VIEW item) */
    menuKey: varchar('menu_key', { length: 64 }),
    menuVersion: varchar('menu_version', { length: 32 }),
    outcome: varchar('outcome', { length: 24 }),
    durationMs: int('duration_ms', { unsigned: true }),
    props: json('props').$type<Record<string, string | number | boolean | null>>(),
  },
  (t) => [
    index('usage_events_occurred_at_idx').on(t.occurredAt),
    index('usage_events_kind_occurred_at_idx').on(t.kind, t.occurredAt),
  ],
);

export type UsageEventRow = typeof usageEvents.$inferSelect;
export type NewUsageEventRow = typeof usageEvents.$inferInsert;
