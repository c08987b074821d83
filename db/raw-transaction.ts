import type { PoolConnection } from 'mysql2/promise';
import type { Database } from './schema';

/**
 * A transaction on one pooled connection through the driver, for the few hot paths where the
 * query builder's CPU cost matters more than its convenience (the booking benchmark). Statements
 * use `conn.execute` (prepared, cached per connection). Rolls back on any error.
 */
export async function rawTransaction<T>(db: Database, work: (conn: PoolConnection) => Promise<T>): Promise<T> {
  const conn = await db.$client.getConnection();
  try {
    await conn.query('START TRANSACTION');
    try {
      const result = await work(conn);
      await conn.query('COMMIT');
      return result;
    } catch (err) {
      await conn.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  } finally {
    conn.release();
  }
}
