import { createHash, randomBytes } from 'node:crypto';
import { lt } from 'drizzle-orm';
import type { RowDataPacket } from 'mysql2';
import { wechatPushReceipts, type Database } from '../../db/schema';
import { createMicroBatcher } from '../jobs/micro-batcher';

/**
 * "Have we seen this push?" shared by all instances through the database. WeChat re-sends a
 * push it got no answer to within 5 s, up to three more times over ~15 s (PROTOCOL §2.5), possibly
 * to another instance; a key is kept for 10 minutes, well past that span. The same table refuses
 * replays of an identical signed request (purpose `replay`).
 *
 * Claims are batched: every claim made in one turn of the event loop goes to the database in one
 * multi-row `INSERT IGNORE` (one commit, one log flush) tagged with a random claim token, and one
 * SELECT tells which rows carry our token — those keys are ours. Done per push, the two claims
 * were two commits each waiting on the redo-log flush, and capped the endpoint at ~300 pushes/s
 * (docs/performance.md).
 */
export const DEDUPE_TTL_MS = 10 * 60 * 1000;
/** keys per statement; more waiting claims go in the next batch */
const MAX_BATCH_KEYS = 500;
/** batches in flight at once: while one commits, the next fills up */
const MAX_IN_FLIGHT = 2;

export interface ClaimRequest {
  purpose: 'replay' | 'retry';
  key: string;
}

export interface PushDedupe {
  /** For each key: true the first time it is claimed, false for every later claim within the TTL. */
  claimAll(requests: ClaimRequest[]): Promise<boolean[]>;
  claim(purpose: ClaimRequest['purpose'], key: string): Promise<boolean>;
  /** delete expired keys (called now and then, off the request path) */
  sweep(): Promise<number>;
}

interface Waiting {
  hashes: string[];
  purposes: string[];
}

const hashOf = (r: ClaimRequest) => createHash('sha1').update(`${r.purpose}:${r.key}`).digest('hex');

export function createPushDedupe(deps: { db: Database; now?: () => number }): PushDedupe {
  const now = deps.now ?? Date.now;
  const pool = deps.db.$client;
  /** One batch's claims: which of each caller's keys it won. */
  async function runBatch(batch: Waiting[]): Promise<boolean[][]> {
    const rows = batch.flatMap((w) => w.hashes.map((h, i) => [h, w.purposes[i]!] as const));
    if (rows.length === 0) return batch.map(() => []);
    const won = await claimInDatabase(rows);
    // Within one batch the same key may appear twice (a replay racing its original): only
    // its first appearance can win.
    const handedOut = new Set<string>();
    return batch.map((w) =>
      w.hashes.map((h) => {
        if (!won.has(h) || handedOut.has(h)) return false;
        handedOut.add(h);
        return true;
      }),
    );
  }
  const claimBatched = createMicroBatcher<Waiting, boolean[]>({ maxInFlight: MAX_IN_FLIGHT, maxWeight: MAX_BATCH_KEYS, weight: (w) => w.hashes.length, run: runBatch });

  /** Returns the hashes this call inserted or took over. */
  async function claimInDatabase(rows: readonly (readonly [string, string])[]): Promise<Set<string>> {
    const token = randomBytes(12).toString('hex');
    const t = now();
    const unique = [...new Map(rows.map(([h, p]) => [h, p])).entries()];
    await pool.query('INSERT IGNORE INTO `wechat_push_receipts` (`key_hash`, `purpose`, `expires_at`, `claim_token`) VALUES ?', [
      unique.map(([h, p]) => [h, p, t + DEDUPE_TTL_MS, token]),
    ]);
    const hashes = unique.map(([h]) => h);
    const [found] = await pool.query<RowDataPacket[]>('SELECT `key_hash`, `claim_token`, `expires_at` FROM `wechat_push_receipts` WHERE `key_hash` IN (?)', [hashes]);
    const won = new Set<string>();
    const expired: string[] = [];
    for (const r of found) {
      if (r.claim_token === token) won.add(r.key_hash as string);
      else if (Number(r.expires_at) < t) expired.push(r.key_hash as string);
    }
    if (expired.length > 0) {
      // A key whose time ran out may be claimed again; the WHERE makes that a single winner.
      await pool.query('UPDATE `wechat_push_receipts` SET `expires_at` = ?, `claim_token` = ? WHERE `key_hash` IN (?) AND `expires_at` < ?', [t + DEDUPE_TTL_MS, token, expired, t]);
      const [taken] = await pool.query<RowDataPacket[]>('SELECT `key_hash` FROM `wechat_push_receipts` WHERE `key_hash` IN (?) AND `claim_token` = ?', [expired, token]);
      for (const r of taken) won.add(r.key_hash as string);
    }
    return won;
  }

  const claimAll = (requests: ClaimRequest[]) => claimBatched({ hashes: requests.map(hashOf), purposes: requests.map((r) => r.purpose) });

  return {
    claimAll,
    async claim(purpose, key) {
      return (await claimAll([{ purpose, key }]))[0]!;
    },
    async sweep() {
      const [res] = await deps.db.delete(wechatPushReceipts).where(lt(wechatPushReceipts.expiresAt, now()));
      return res.affectedRows;
    },
  };
}
