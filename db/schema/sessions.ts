import { sql } from 'drizzle-orm';
import { bigint, boolean, datetime, index, mysqlTable, varchar } from 'drizzle-orm/mysql-core';

/**
 * Citizen sessions created by WeChat web OAuth. The cookie holds a random token; only its
 * SHA-256 is stored, so a database leak does not yield usable sessions. Snapshot-mode users
 * (朋友圈 preview pages) get guest sessions with no citizen.
 */
export const citizenSessions = mysqlTable(
  'citizen_sessions',
  {
    idHash: varchar('id_hash', { length: 64 }).primaryKey(),
    citizenId: bigint('citizen_id', { mode: 'number', unsigned: true }),
    guest: boolean('guest').notNull().default(false),
    scope: varchar('scope', { length: 16 }).notNull(),
    createdAt: datetime('created_at', { mode: 'date', fsp: 3 }).notNull().default(sql`CURRENT_TIMESTAMP(3)`),
    lastSeenAt: datetime('last_seen_at', { mode: 'date', fsp: 3 }).notNull().default(sql`CURRENT_TIMESTAMP(3)`),
    expiresAt: datetime('expires_at', { mode: 'date', fsp: 3 }).notNull(),
  },
  (t) => [index('citizen_sessions_citizen_idx').on(t.citizenId), index('citizen_sessions_expires_idx').on(t.expiresAt)],
);

/**
 * OAuth codes already exchanged (hashed). WeChat codes are single-use, and a refresh or double
 * redirect replays the callback: the second hit is served from here instead of failing (40163).
 */
export const oauthCodeUses = mysqlTable(
  'oauth_code_uses',
  {
    codeHash: varchar('code_hash', { length: 64 }).primaryKey(),
    citizenId: bigint('citizen_id', { mode: 'number', unsigned: true }),
    guest: boolean('guest').notNull().default(false),
    scope: varchar('scope', { length: 16 }).notNull(),
    /** epoch ms */
    expiresAt: bigint('expires_at', { mode: 'number' }).notNull(),
  },
  (t) => [index('oauth_code_uses_expires_idx').on(t.expiresAt)],
);
