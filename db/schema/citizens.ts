import { sql } from 'drizzle-orm';
import { bigint, boolean, datetime, mysqlTable, uniqueIndex, varchar } from 'drizzle-orm/mysql-core';

/**
 * Citizens known to the account, keyed by the openid WeChat assigns for this account. The
 * openid is personal data: it never leaves the server in a response or a log line.
 */
export const citizens = mysqlTable(
  'citizens',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    openid: varchar('openid', { length: 64 }).notNull(),
    unionid: varchar('unionid', { length: 64 }),
    /** nickname from snsapi_userinfo (or a sandbox display name); optional */
    displayName: varchar('display_name', { length: 64 }),
    avatarUrl: varchar('avatar_url', { length: 512 }),
    subscribed: boolean('subscribed').notNull().default(false),
    subscribedAt: datetime('subscribed_at', { mode: 'date', fsp: 3 }),
    unsubscribedAt: datetime('unsubscribed_at', { mode: 'date', fsp: 3 }),
    /** how the citizen first followed: QR scene, search, article … */
    acquisitionSource: varchar('acquisition_source', { length: 64 }),
    /** last time WeChat told us anything about this citizen (push or OAuth) */
    lastSeenAt: datetime('last_seen_at', { mode: 'date', fsp: 3 }),
    /** 适老化 mode, remembered per citizen so it follows them to another phone */
    elderMode: boolean('elder_mode').notNull().default(false),
    /** wants non-essential template notifications (reminders, tips); decisions are always sent */
    notifyOptional: boolean('notify_optional').notNull().default(true),
    createdAt: datetime('created_at', { mode: 'date', fsp: 3 }).notNull().default(sql`CURRENT_TIMESTAMP(3)`),
    updatedAt: datetime('updated_at', { mode: 'date', fsp: 3 }).notNull().default(sql`CURRENT_TIMESTAMP(3)`),
  },
  (t) => [uniqueIndex('citizens_openid_uq').on(t.openid)],
);

export type CitizenRow = typeof citizens.$inferSelect;
