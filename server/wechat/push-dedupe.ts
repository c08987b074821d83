import { createHash } from 'node:crypto';
import { lt } from 'drizzle-orm';
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
      // Insert-or-take-over-expired in one statement: the row lock decides between racing instances.
      const [res] = await deps.db.$client.query(
        'INSERT INTO `wechat_push_receipts` (`key_hash`, `purpose`, `expires_at`) VALUES (?, ?, ?) ' +
          'ON DUPLICATE KEY UPDATE `expires_at` = IF(`expires_at` < ?, VALUES(`expires_at`), `expires_at`)',
        [keyHash, purpose, t + DEDUPE_TTL_MS, t],
      );
      // affectedRows: 1 inserted, 2 updated (an expired key taken over), 0 unchanged (seen).
      return (res as { affectedRows: number }).affectedRows > 0;
    },
    async sweep() {
      const [res] = await deps.db.delete(wechatPushReceipts).where(lt(wechatPushReceipts.expiresAt, now()));
      return res.affectedRows;
    },
  };
}
