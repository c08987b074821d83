/** Shared handling of MySQL/MariaDB errors that services must recognise (through drizzle's wrapper). */
export const ER_DUP_ENTRY = 1062;
export const ER_LOCK_WAIT_TIMEOUT = 1205;
export const ER_LOCK_DEADLOCK = 1213;

/** The mysql2 error under drizzle's wrapper, if any. */
export function mysqlError(err: unknown): { errno?: number; message: string } | undefined {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const errno = (e as { errno?: unknown }).errno;
    if (typeof errno === 'number') return { errno, message: String((e as { sqlMessage?: unknown; message?: unknown }).sqlMessage ?? (e as { message?: unknown }).message ?? '') };
  }
  return undefined;
}

/** A duplicate key on the named unique index. */
export function isDuplicateOn(err: unknown, index: string): boolean {
  const e = mysqlError(err);
  return e?.errno === ER_DUP_ENTRY && e.message.includes(index);
}

/**
 * Deadlocks and lock timeouts re-run the whole transaction (a few times, with a little jitter).
 * InnoDB picks a victim whenever two transactions lock rows in different orders (claims with
 * SKIP LOCKED included): the victim's work is rolled back and is safe to run again.
 */
export async function retryingTx<T>(work: () => Promise<T>, again: (err: unknown) => boolean = () => false, maxAttempts = 6): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      const errno = mysqlError(err)?.errno;
      const retry = again(err) || errno === ER_LOCK_DEADLOCK || errno === ER_LOCK_WAIT_TIMEOUT;
      if (!retry || attempt >= maxAttempts) throw err;
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 10 * attempt)));
    }
  }
}
