import { sql } from 'drizzle-orm';
import { bigint, boolean, datetime, index, int, json, mysqlTable, varchar } from 'drizzle-orm/mysql-core';

/**
 * Platform credentials shared by every instance: the access token and the jsapi ticket. One
 * row per credential; `version` increases with every refresh, so a caller that saw 40001 with
 * version N refreshes only if nobody has since (compare-and-refresh).
 */
export const wechatCredentials = mysqlTable('wechat_credentials', {
  name: varchar('name', { length: 32 }).primaryKey(),
  value: varchar('value', { length: 1024 }),
  /** epoch ms */
  expiresAt: bigint('expires_at', { mode: 'number' }).notNull().default(0),
  version: int('version', { unsigned: true }).notNull().default(0),
  updatedAt: datetime('updated_at', { mode: 'date', fsp: 3 }).notNull().default(sql`CURRENT_TIMESTAMP(3)`),
});

/**
 * Pushes already seen, shared by all instances: retry dedupe (MsgId, or sender + time + event)
 * and replay refusal (the same signed request). Keys are hashed; rows expire.
 */
export const wechatPushReceipts = mysqlTable(
  'wechat_push_receipts',
  {
    /** sha1 hex of `<purpose>:<key>` */
    keyHash: varchar('key_hash', { length: 40 }).primaryKey(),
    purpose: varchar('purpose', { length: 8 }).notNull(),
    /** epoch ms */
    expiresAt: bigint('expires_at', { mode: 'number' }).notNull(),
    /** which batched claim inserted (or took over) the row: tells a batch which keys it won */
    claimToken: varchar('claim_token', { length: 32 }),
  },
  (t) => [index('wechat_push_receipts_expires_idx').on(t.expiresAt)],
);

/** Reply content as stored in rules: what a passive reply (or customer-service message) carries. */
export type StoredReply =
  | { type: 'text'; content: string }
  | { type: 'image'; mediaId: string }
  | { type: 'voice'; mediaId: string }
  | { type: 'video'; mediaId: string; title?: string; description?: string }
  | { type: 'music'; title?: string; description?: string; musicUrl: string; hqMusicUrl?: string; thumbMediaId: string }
  | { type: 'news'; title: string; description?: string; picUrl?: string; url: string }
  | { type: 'transfer_customer_service' };

/**
 * Auto-reply rules. `trigger` says when a rule applies: keyword messages (matched by
 * `matchType` against `pattern`), the follow welcome, a menu CLICK key (`pattern` = key), or the
 * default. Highest priority wins; ties go to the older rule.
 */
export const autoReplyRules = mysqlTable(
  'auto_reply_rules',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    trigger: varchar('trigger', { length: 16 }).notNull(),
    matchType: varchar('match_type', { length: 16 }),
    pattern: varchar('pattern', { length: 256 }),
    priority: int('priority').notNull().default(0),
    enabled: boolean('enabled').notNull().default(true),
    reply: json('reply').$type<StoredReply>().notNull(),
    note: varchar('note', { length: 128 }),
    createdAt: datetime('created_at', { mode: 'date', fsp: 3 }).notNull().default(sql`CURRENT_TIMESTAMP(3)`),
    updatedAt: datetime('updated_at', { mode: 'date', fsp: 3 }).notNull().default(sql`CURRENT_TIMESTAMP(3)`),
  },
  (t) => [index('auto_reply_rules_trigger_idx').on(t.trigger, t.enabled, t.priority)],
);

/**
 * Custom menu versions: drafts, the published one, and history. `menu` is the portal's model
 * (before VIEW URLs are tagged); a conditional menu has `matchRule` and, once published, the
 * `wechatMenuId` WeChat assigned.
 */
export const menuVersions = mysqlTable(
  'menu_versions',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    /** human-facing version label carried in usage events (`mv`), e.g. "v3" */
    version: varchar('version', { length: 32 }).notNull(),
    kind: varchar('kind', { length: 16 }).notNull().default('default'),
    status: varchar('status', { length: 16 }).notNull().default('draft'),
    menu: json('menu').$type<unknown>().notNull(),
    matchRule: json('match_rule').$type<Record<string, string>>(),
    wechatMenuId: varchar('wechat_menu_id', { length: 32 }),
    note: varchar('note', { length: 256 }),
    createdBy: varchar('created_by', { length: 64 }).notNull(),
    createdAt: datetime('created_at', { mode: 'date', fsp: 3 }).notNull().default(sql`CURRENT_TIMESTAMP(3)`),
    publishedBy: varchar('published_by', { length: 64 }),
    publishedAt: datetime('published_at', { mode: 'date', fsp: 3 }),
    publishError: varchar('publish_error', { length: 512 }),
  },
  (t) => [index('menu_versions_status_idx').on(t.kind, t.status), index('menu_versions_version_idx').on(t.version)],
);
