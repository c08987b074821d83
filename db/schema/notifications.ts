import { bigint, boolean, datetime, index, json, mysqlTable, smallint, uniqueIndex, varchar } from 'drizzle-orm/mysql-core';

/**
 * The notification outbox (issue 5 §3, REFERENCE "Notifications"). Producers insert a row in
 * the transaction that made the change; workers claim due rows with `FOR UPDATE SKIP LOCKED`.
 *
 * queued → sending → sent → delivered | permanent_failure | temporary_failure, plus
 * `suppressed` (a non-essential kind the citizen turned off). `next_attempt_at` is when the row
 * is next due: for `queued` the next try, for `sending` the claim's expiry (a crashed worker's
 * claim is retaken then), so one index serves the claim query.
 */
export const NOTIFICATION_STATUSES = ['queued', 'sending', 'sent', 'delivered', 'permanent_failure', 'temporary_failure', 'suppressed'] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

export const notifications = mysqlTable(
  'notifications',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    /** unique per (event, recipient): a second enqueue with the same key is a no-op */
    dedupeKey: varchar('dedupe_key', { length: 191 }).notNull(),
    citizenId: bigint('citizen_id', { mode: 'number', unsigned: true }).notNull(),
    kind: varchar('kind', { length: 40 }).notNull(),
    /** the event's fields (no openid: the recipient is resolved at send time) */
    payload: json('payload').$type<Record<string, unknown>>().notNull(),
    /** decisions go even when the citizen turned optional notifications off */
    essential: boolean('essential').notNull(),
    status: varchar('status', { length: 20 }).$type<NotificationStatus>().notNull().default('queued'),
    /** sends tried (a quota pause does not count) */
    attempts: smallint('attempts', { unsigned: true }).notNull().default(0),
    nextAttemptAt: datetime('next_attempt_at', { mode: 'date', fsp: 3 }).notNull(),
    claimOwner: varchar('claim_owner', { length: 64 }),
    claimExpiresAt: datetime('claim_expires_at', { mode: 'date', fsp: 3 }),
    templateId: varchar('template_id', { length: 64 }),
    /** WeChat's 64-bit msgid, as a string; the receipt (TEMPLATESENDJOBFINISH) is keyed by it */
    msgid: varchar('msgid', { length: 32 }),
    /** errcode or our own code, and a short message: never personal data */
    lastErrorCode: varchar('last_error_code', { length: 48 }),
    lastErrorMessage: varchar('last_error_message', { length: 255 }),
    queuedAt: datetime('queued_at', { mode: 'date', fsp: 3 }).notNull(),
    sentAt: datetime('sent_at', { mode: 'date', fsp: 3 }),
    deliveredAt: datetime('delivered_at', { mode: 'date', fsp: 3 }),
    /** when the row reached a final failure or was suppressed */
    finishedAt: datetime('finished_at', { mode: 'date', fsp: 3 }),
    updatedAt: datetime('updated_at', { mode: 'date', fsp: 3 }).notNull(),
  },
  (t) => [
    uniqueIndex('notifications_dedupe_uq').on(t.dedupeKey),
    index('notifications_due_idx').on(t.status, t.nextAttemptAt),
    index('notifications_msgid_idx').on(t.msgid),
    index('notifications_citizen_idx').on(t.citizenId, t.queuedAt),
    index('notifications_kind_idx').on(t.kind, t.queuedAt),
  ],
);

/**
 * Receipts that arrived before their row was marked `sent` (WeChat can push the receipt before
 * the worker has written the msgid). The worker applies a parked receipt right after writing
 * `sent`; unknown msgids are swept after a day.
 */
export const notificationReceipts = mysqlTable('notification_receipts', {
  msgid: varchar('msgid', { length: 32 }).primaryKey(),
  status: varchar('status', { length: 64 }).notNull(),
  receivedAt: datetime('received_at', { mode: 'date', fsp: 3 }).notNull(),
});

/**
 * Shared switches for every worker process. `quota` row: after 45009 sending pauses until
 * `paused_until` (the next Beijing midnight, when the daily quota resets).
 */
export const notificationControl = mysqlTable('notification_control', {
  name: varchar('name', { length: 32 }).primaryKey(),
  pausedUntil: datetime('paused_until', { mode: 'date', fsp: 3 }),
  reason: varchar('reason', { length: 64 }),
  updatedAt: datetime('updated_at', { mode: 'date', fsp: 3 }).notNull(),
});

export type NotificationRow = typeof notifications.$inferSelect;
