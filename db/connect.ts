import { drizzle } from 'drizzle-orm/mysql2';
import mysql from 'mysql2/promise';
import { schema, type Database } from './schema';

export interface DatabaseHandle {
  db: Database;
  pool: mysql.Pool;
  /** database name taken from the URL */
  name: string;
  close(): Promise<void>;
}

export interface ParsedDatabaseUrl {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** url-level options (e.g. ?ssl=…) are passed through untouched */
  search: string;
}

/** `requireDatabase: false` for server-level URLs (probing, CREATE DATABASE). */
export function parseDatabaseUrl(url: string, requireDatabase = true): ParsedDatabaseUrl {
  const u = new URL(url);
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if ((requireDatabase || database !== '') && !/^[A-Za-z0-9_]{1,64}$/.test(database)) {
    throw new Error('DATABASE_URL must name a database (letters, digits, underscore), e.g. mysql://root@127.0.0.1:3306/govportal');
  }
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username || 'root'),
    password: decodeURIComponent(u.password),
    database,
    search: u.search,
  };
}

/** Same server and credentials, another database (tests use one per worker). */
export function withDatabaseName(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Connection options shared by the pool and one-off connections: UTC everywhere, full utf8. */
function connectionOptions(p: ParsedDatabaseUrl) {
  return {
    host: p.host,
    port: p.port,
    user: p.user,
    password: p.password,
    charset: 'utf8mb4_unicode_ci',
    timezone: 'Z' as const,
    supportBigNumbers: true,
    connectTimeout: 5_000,
    // mysql2 otherwise captures a stack trace on every query for its promise errors (~5 % of the
    // server's CPU in the lookup benchmark). drizzle's errors still carry the caller's stack.
    trace: false,
  };
}

/** One connection without a default database, used to create the database and for probes. */
export async function openServerConnection(url: string): Promise<mysql.Connection> {
  return mysql.createConnection(connectionOptions(parseDatabaseUrl(url, false)));
}

/** CREATE DATABASE IF NOT EXISTS, utf8mb4: a fresh machine needs no manual step. */
export async function ensureDatabase(url: string): Promise<void> {
  const p = parseDatabaseUrl(url);
  const conn = await openServerConnection(url);
  try {
    await conn.query(`CREATE DATABASE IF NOT EXISTS \`${p.database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await conn.end();
  }
}

export function connectDatabase(url: string, poolSize = 10): DatabaseHandle {
  const p = parseDatabaseUrl(url);
  const pool = mysql.createPool({
    ...connectionOptions(p),
    database: p.database,
    connectionLimit: poolSize,
    waitForConnections: true,
    queueLimit: 0,
    enableKeepAlive: true,
  });
  // Session time zone UTC, so CURRENT_TIMESTAMP defaults agree with the JS side.
  pool.on('connection', (conn) => {
    conn.query("SET time_zone = '+00:00'");
  });
  const db = drizzle(pool, { schema, mode: 'default' });
  let closed = false;
  return {
    db,
    pool,
    name: p.database,
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
