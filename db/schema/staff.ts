import { sql } from 'drizzle-orm';
import { bigint, boolean, datetime, index, int, json, mysqlTable, uniqueIndex, varchar } from 'drizzle-orm/mysql-core';

/**
 * Agency staff who sign in to the admin view. The password hash string carries its own KDF
 * parameters (`scrypt$N$r$p$salt$key`), so the parameters can be raised without a migration.
 */
export const staffAccounts = mysqlTable(
  'staff_accounts',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    /** stored lower-case; compared lower-case */
    username: varchar('username', { length: 32 }).notNull(),
    displayName: varchar('display_name', { length: 64 }).notNull(),
    /** one of STAFF_ROLES (server/staff/roles.ts) */
    role: varchar('role', { length: 16 }).notNull(),
    passwordHash: varchar('password_hash', { length: 255 }).notNull(),
    disabled: boolean('disabled').notNull().default(false),
    passwordChangedAt: datetime('password_changed_at', { mode: 'date', fsp: 3 }).notNull().default(sql`CURRENT_TIMESTAMP(3)`),
    lastLoginAt: datetime('last_login_at', { mode: 'date', fsp: 3 }),
    createdAt: datetime('created_at', { mode: 'date', fsp: 3 }).notNull().default(sql`CURRENT_TIMESTAMP(3)`),
    updatedAt: datetime('updated_at', { mode: 'date', fsp: 3 }).notNull().default(sql`CURRENT_TIMESTAMP(3)`),
  },
  (t) => [uniqueIndex('staff_accounts_username_uq').on(t.username)],
);

/**
 * Server-side staff sessions. The cookie holds a random token; only its SHA-256 is stored.
 * A session ends at idle expiry (last_seen_at + idle), at expires_at (absolute), or when the row
 * is deleted (logout, revocation, disable, password or role change).
 */
export const staffSessions = mysqlTable(
  'staff_sessions',
  {
    idHash: varchar('id_hash', { length: 64 }).primaryKey(),
    staffId: bigint('staff_id', { mode: 'number', unsigned: true }).notNull(),
    createdAt: datetime('created_at', { mode: 'date', fsp: 3 }).notNull(),
    lastSeenAt: datetime('last_seen_at', { mode: 'date', fsp: 3 }).notNull(),
    /** absolute expiry: created_at + STAFF_SESSION_ABSOLUTE_HOURS */
    expiresAt: datetime('expires_at', { mode: 'date', fsp: 3 }).notNull(),
    /** client address and user agent at sign-in, for the admin's session list */
    ip: varchar('ip', { length: 64 }),
    userAgent: varchar('user_agent', { length: 255 }),
  },
  (t) => [index('staff_sessions_staff_idx').on(t.staffId), index('staff_sessions_expires_idx').on(t.expiresAt)],
);

/**
 * Login throttling shared by all instances: one row per key (a username, known or not, or a
 * client address; stored as SHA-256 so addresses and mistyped passwords in the username field
 * are not kept in clear). `attempts` counts within the current window (rate limit);
 * `failures` counts consecutive failures (lockout).
 */
export const staffLoginThrottle = mysqlTable(
  'staff_login_throttle',
  {
    keyHash: varchar('key_hash', { length: 64 }).primaryKey(),
    windowStartedAt: datetime('window_started_at', { mode: 'date', fsp: 3 }).notNull(),
    attempts: int('attempts', { unsigned: true }).notNull().default(0),
    failures: int('failures', { unsigned: true }).notNull().default(0),
    lockedUntil: datetime('locked_until', { mode: 'date', fsp: 3 }),
    updatedAt: datetime('updated_at', { mode: 'date', fsp: 3 }).notNull(),
  },
  (t) => [index('staff_login_throttle_updated_idx').on(t.updatedAt)],
);

/**
 * The audit log: staff actions, staff reads of citizens' personal data, sign-ins. Append-only;
 * written with the caller's executor so an entry commits or rolls back with the change.
 */
export const auditEntries = mysqlTable(
  'audit_entries',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    at: datetime('at', { mode: 'date', fsp: 3 }).notNull(),
    /** staff | citizen | system */
    actorType: varchar('actor_type', { length: 16 }).notNull(),
    /** staff or citizen id; null for system actors */
    actorId: bigint('actor_id', { mode: 'number', unsigned: true }),
    /** a system actor's name (e.g. `cli`, `worker`) */
    actorName: varchar('actor_name', { length: 64 }),
    action: varchar('action', { length: 64 }).notNull(),
    subjectType: varchar('subject_type', { length: 32 }).notNull(),
    subjectId: varchar('subject_id', { length: 64 }).notNull(),
    detail: json('detail').$type<Record<string, unknown>>(),
  },
  (t) => [
    index('audit_entries_at_idx').on(t.at),
    index('audit_entries_actor_idx').on(t.actorType, t.actorId, t.at),
    index('audit_entries_subject_idx').on(t.subjectType, t.subjectId, t.at),
    index('audit_entries_action_idx').on(t.action, t.at),
  ],
);

export type StaffAccountRow = typeof staffAccounts.$inferSelect;
export type AuditEntryRow = typeof auditEntries.$inferSelect;
