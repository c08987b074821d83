import type { TestProject } from 'vitest/node';
import { ensureDatabase, openServerConnection, withDatabaseName } from '../../db/connect';
import { canConnect, findServerBinary, startLocalServer, type LocalServer } from '../../db/local-server';
import { runMigrations } from '../../db/migrate';
import { readProcessEnv } from '../../server/config';

declare module 'vitest' {
  export interface ProvidedContext {
    /** server URL without a database; each worker appends its own */
    databaseServerUrl: string;
    /** this run's database name prefix: two runs on one machine never share a database */
    databasePrefix: string;
  }
}

export const workerDatabaseName = (prefix: string, poolId: string | number) => `${prefix}_${poolId}`;
/** Databases of runs that ended without their teardown are dropped after this long. */
const ABANDONED_AFTER_MS = 6 * 3600 * 1000;

let local: LocalServer | undefined;

/**
 * Before any test: find a database server (TEST_DATABASE_URL, the default local one, or a
 * private one started under .data/test like `npm start` does), then give every worker a
 * freshly created and migrated database of its own.
 */
export async function setup(project: TestProject) {
  let server = readProcessEnv('TEST_DATABASE_URL') ?? 'mysql://root@127.0.0.1:3306/';
  if (!(await canConnect(server))) {
    if (!findServerBinary()) throw new Error(`No database server at ${server} and no mariadbd to start; set TEST_DATABASE_URL or install MariaDB.`);
    local = await startLocalServer('.data/test');
    server = local.url;
  }
  const workers = Number(project.config.maxWorkers) || 1;
  // govportal_t<start time in base36>: unique per run, and its age can be read back from the name.
  prefix = `govportal_t${Date.now().toString(36)}`;
  serverUrl = server;
  await dropDatabases(server, (name) => {
    const started = parseInt(name.slice('govportal_t'.length).split('_')[0] ?? '', 36);
    return Number.isFinite(started) && Date.now() - started > ABANDONED_AFTER_MS;
  });
  await Promise.all(
    Array.from({ length: workers }, async (_, i) => {
      const url = withDatabaseName(server, workerDatabaseName(prefix, i + 1));
      await ensureDatabase(url);
      await runMigrations(url);
    }),
  );
  project.provide('databaseServerUrl', server);
  project.provide('databasePrefix', prefix);
}

let prefix = '';
let serverUrl = '';

async function dropDatabases(server: string, which: (name: string) => boolean) {
  const conn = await openServerConnection(server);
  try {
    const [rows] = await conn.query("SHOW DATABASES LIKE 'govportal\\_t%'");
    for (const row of rows as Record<string, string>[]) {
      const name = Object.values(row)[0]!;
      if (which(name)) await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
    }
  } finally {
    await conn.end();
  }
}

export async function teardown() {
  if (serverUrl && prefix) await dropDatabases(serverUrl, (name) => name.startsWith(`${prefix}_`)).catch(() => undefined);
  await local?.stop();
}
