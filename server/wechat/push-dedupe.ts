import { createHash } from 'node:crypto';
import { and, eq, lt } from 'drizzle-orm';
import { wechatPushReceipts, type Database } from '../../db/schema';

/**
 * "Have we seen this push?" shared by all instances through the database. WeChat re-sends a
 * push it got no answer to within 5 s, up to three more times over ~15 s (PROTOCOL §2.5), possibly
 * to another instance; a key is kept for 10 minutes, well past that span. The same table refuses
 * replays of an identical signed request (purpose `replay`).
 */
export const DEDUPE_TTL_MS = 10 * 60 * 1000;

export interface PushDedupe {
  /** true the first time a key is claimed; false for every later claim within the TTL */
  claim(purpose: 'replay' | 'retry', key: string): Promise<boolean>;
  /** delete expired keys (called now and then, off the request path) */
  sweep(): Promise<number>;
}

export function createPushDedupe(deps: { db: Database; now?: () => number }): PushDedupe {
  const now = deps.now ?? Date.now;
  return {
    async claim(purpose, key) {
      const keyHash = createHash('sha1').update(`${purpose}:${key}`).digest('hex');
      const t = now();
      // INSERT IGNORE reports 0 rows for a duplicate whatever the FOUND_ROWS flag (mysql2 sets
      // it, so ON DUPLICATE KEY UPDATE could not tell "seen" from "new"). The primary key
      // decides between racing instances.
      const [ins] = await deps.db.insert(wechatPushReceipts).ignore().values({ keyHash, purpose, expiresAt: t + DEDUPE_TTL_MS });
      if (ins.affectedRows === 1) return true;
      // A key whose time ran out may be taken again; the WHERE makes that a single winner too.
      const [upd] = await deps.db
        .update(wechatPushReceipts)
        .set({ expiresAt: t + DEDUPE_TTL_MS })
        .where(and(eq(wechatPushReceipts.keyHash, keyHash), lt(wechatPushReceipts.expiresAt, t)));
      return upd.affectedRows === 1;
    },
    async sweep() {
      const [res] = await deps.db.delete(wechatPushReceipts).where(lt(wechatPushReceipts.expiresAt, now()));
      return res.affectedRows;
    },
  };
}
