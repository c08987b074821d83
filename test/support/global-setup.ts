import type { TestProject } from 'vitest/node';
import { ensureDatabase, openServerConnection, withDatabaseName } from '../../db/connect';
import { canConnect, findServerBinary, startLocalServer, type LocalServer } from '../../db/local-server';
import { runMigrations } from '../../db/migrate';
import { readProcessEnv } from '../../server/config';

declare module 'vitest' {
  export interface ProvidedContext {
    /** server URL without a database; each worker appends its own */
    databaseServerUrl: string;
  }
}

export const workerDatabaseName = (poolId: string | number) => `govportal_test_${poolId}`;

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
  const conn = await openServerConnection(server);
  try {
    for (let i = 1; i <= workers; i++) await conn.query(`DROP DATABASE IF EXISTS \`${workerDatabaseName(i)}\``);
  } finally {
    await conn.end();
  }
  await Promise.all(
    Array.from({ length: workers }, async (_, i) => {
      const url = withDatabaseName(server, workerDatabaseName(i + 1));
      await ensureDatabase(url);
      await runMigrations(url);
    }),
  );
  project.provide('databaseServerUrl', server);
}

export async function teardown() {
  await local?.stop();
}
