import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { migrate } from 'drizzle-orm/mysql2/migrator';
import { drizzle } from 'drizzle-orm/mysql2';
import mysql from 'mysql2/promise';
import { parseDatabaseUrl } from './connect';

export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations', import.meta.url));
// MySQL caps lock names at 64 characters: hash the database name into it.
const lockName = (database: string) => `govportal:migrate:${createHash('sha256').update(database).digest('hex').slice(0, 32)}`;
const LOCK_WAIT_SECONDS = 120;

interface Journal {
  entries: { idx: number; when: number; tag: string }[];
}

let journal: Journal | undefined;
/** The journal ships with the build and does not change while the process runs. */
function readJournal(): Journal {
  journal ??= JSON.parse(readFileSync(`${MIGRATIONS_DIR}/meta/_journal.json`, 'utf8')) as Journal;
  return journal;
}

/**
 * Apply the committed migrations. Several instances may start at once (rolling deploy), so the
 * work happens under a server-wide named lock held on the one connection that migrates.
 */
export async function runMigrations(url: string): Promise<{ applied: number }> {
  const p = parseDatabaseUrl(url);
  const conn = await mysql.createConnection({
    host: p.host,
    port: p.port,
    user: p.user,
    password: p.password,
    database: p.database,
    charset: 'utf8mb4_unicode_ci',
    timezone: 'Z',
    multipleStatements: false,
  });
  try {
    const [rows] = await conn.query<mysql.RowDataPacket[]>('SELECT GET_LOCK(?, ?) AS got', [lockName(p.database), LOCK_WAIT_SECONDS]);
    if (rows[0]?.got !== 1) throw new Error(`could not take the migration lock within ${LOCK_WAIT_SECONDS}s`);
    const before = await appliedCount(conn);
    await migrate(drizzle(conn), { migrationsFolder: MIGRATIONS_DIR });
    const after = await appliedCount(conn);
    return { applied: after - before };
  } finally {
    await conn.query('SELECT RELEASE_LOCK(?)', [lockName(p.database)]).catch(() => undefined);
    await conn.end();
  }
}

async function appliedCount(conn: mysql.Connection): Promise<number> {
  try {
    const [rows] = await conn.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM `__drizzle_migrations`');
    return Number(rows[0]?.n ?? 0);
  } catch {
    return 0; // table not created yet
  }
}

export type MigrationState = 'ok' | 'pending' | 'ahead';

/**
 * Compare what the database has applied with what this build ships. `ahead` means a newer
 * release migrated the database: this instance may still serve (expand/contract), but say so.
 */
export async function migrationState(query: (sql: string) => Promise<unknown[]>): Promise<{ state: MigrationState; expected: number; applied: number }> {
  const journal = readJournal();
  const expected = journal.entries.length;
  const lastWhen = journal.entries.at(-1)?.when ?? 0;
  let applied = 0;
  let maxWhen = 0;
  try {
    const rows = (await query('SELECT COUNT(*) AS n, COALESCE(MAX(created_at), 0) AS lastWhen FROM `__drizzle_migrations`')) as { n: number | string; lastWhen: number | string }[];
    applied = Number(rows[0]?.n ?? 0);
    maxWhen = Number(rows[0]?.lastWhen ?? 0);
  } catch (err) {
    // drizzle wraps driver errors; the driver's code is on the cause
    const e = err as { code?: string; cause?: { code?: string } };
    if (e.code === 'ER_NO_SUCH_TABLE' || e.cause?.code === 'ER_NO_SUCH_TABLE') return { state: 'pending', expected, applied: 0 };
    throw err;
  }
  const state: MigrationState = maxWhen < lastWhen ? 'pending' : maxWhen > lastWhen ? 'ahead' : 'ok';
  return { state, expected, applied };
}
