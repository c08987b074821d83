import { createHash } from 'node:crypto';
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import { staffLoginThrottle, type Database, type Executor } from '../../db/schema';
import { retryingTx } from '../../db/retry';
import { AppError } from '../http/errors';

export interface ThrottleRules {
  windowMinutes: number;
  perUsername: number;
  perIp: number;
  maxFailures: number;
  lockoutMinutes: number;
}

const keyOf = (kind: 'user' | 'ip', value: string) => createHash('sha256').update(`${kind}:${value}`).digest('hex');

/**
 * Sign-in throttling kept in the database, so every instance sees the same counts. A username
 * is throttled and locked whether or not the account exists: unknown and known names must
 * behave alike, or the lockout would reveal which accounts exist.
 */
export interface LoginThrottle {
  /** Count an attempt for the username and the address; throws STAFF_LOGIN_LOCKED or RATE_LIMITED. */
  admit(username: string, ip: string): Promise<void>;
  /** Record a failure; returns true when this failure locked the username. */
  fail(username: string): Promise<boolean>;
  succeed(exec: Executor, username: string): Promise<void>;
  sweep(): Promise<number>;
}

export function createLoginThrottle(deps: { db: Database; rules: ThrottleRules; now?: () => number }): LoginThrottle {
  const now = deps.now ?? Date.now;
  const { rules } = deps;
  const windowMs = rules.windowMinutes * 60_000;
  const retryAfter = (until: number) => ({ 'Retry-After': String(Math.max(1, Math.ceil((until - now()) / 1000))) });

  /** Atomic count-and-read for one key; the upsert's row lock serialises racing attempts. */
  async function bump(tx: Executor, keyHash: string, t: number) {
    const at = new Date(t);
    const cutoff = new Date(t - windowMs);
    // Raw SQL because MySQL runs SET assignments left to right and drizzle orders them by column:
    // window_started_at must be reset last, after attempts and failures have read the old value.
    await tx.execute(sql`
      INSERT INTO staff_login_throttle (key_hash, window_started_at, attempts, failures, updated_at)
      VALUES (${keyHash}, ${at}, 1, 0, ${at})
      ON DUPLICATE KEY UPDATE
        attempts = IF(window_started_at <= ${cutoff}, 1, attempts + 1),
        failures = IF(window_started_at <= ${cutoff}, 0, failures),
        updated_at = ${at},
        window_started_at = IF(window_started_at <= ${cutoff}, ${at}, window_started_at)`);
    const [row] = await tx.select().from(staffLoginThrottle).where(eq(staffLoginThrottle.keyHash, keyHash)).for('update');
    return row!;
  }

  return {
    async admit(username, ip) {
      const t = now();
      // Decide inside, throw outside: the attempt must be counted (committed) even when refused.
      const { user, addr } = // Concurrent upserts of a brand-new key can deadlock (insert-intention vs. shared locks): retry.
      await retryingTx(() =>
        deps.db.transaction(async (tx) => ({ user: await bump(tx, keyOf('user', username), t), addr: await bump(tx, keyOf('ip', ip), t) })),
      );
      if (user.lockedUntil && user.lockedUntil.getTime() > t) {
        throw new AppError('STAFF_LOGIN_LOCKED', undefined, undefined, retryAfter(user.lockedUntil.getTime()));
      }
      const over = [user.attempts > rules.perUsername ? user : undefined, addr.attempts > rules.perIp ? addr : undefined].filter((r) => r !== undefined);
      if (over.length > 0) {
        const until = Math.max(...over.map((r) => r.windowStartedAt.getTime() + windowMs));
        throw new AppError('RATE_LIMITED', undefined, undefined, retryAfter(until));
      }
    },

    async fail(username) {
      const t = now();
      const keyHash = keyOf('user', username);
      const lockUntil = new Date(t + rules.lockoutMinutes * 60_000);
      // The row lock taken by the UPDATE makes the read below see exactly this failure's effect.
      // Raw SQL: locked_until must read failures before failures is reset (left-to-right SET).
      return deps.db.transaction(async (tx) => {
        await tx.execute(sql`
          UPDATE staff_login_throttle SET
            locked_until = IF(failures + 1 >= ${rules.maxFailures}, ${lockUntil}, locked_until),
            failures = IF(failures + 1 >= ${rules.maxFailures}, 0, failures + 1),
            updated_at = ${new Date(t)}
          WHERE key_hash = ${keyHash}`);
        const [row] = await tx
          .select({ lockedUntil: staffLoginThrottle.lockedUntil, failures: staffLoginThrottle.failures })
          .from(staffLoginThrottle)
          .where(eq(staffLoginThrottle.keyHash, keyHash));
        return !!row?.lockedUntil && row.lockedUntil.getTime() === lockUntil.getTime() && row.failures === 0;
      });
    },

    async succeed(exec, username) {
      await exec.update(staffLoginThrottle).set({ failures: 0, updatedAt: new Date(now()) }).where(eq(staffLoginThrottle.keyHash, keyOf('user', username)));
    },

    async sweep() {
      const t = now();
      const old = new Date(t - Math.max(windowMs, rules.lockoutMinutes * 60_000));
      const [res] = await deps.db
        .delete(staffLoginThrottle)
        .where(and(lt(staffLoginThrottle.updatedAt, old), or(isNull(staffLoginThrottle.lockedUntil), lt(staffLoginThrottle.lockedUntil, new Date(t)))));
      return res.affectedRows;
    },
  };
}
