import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { connectDatabase, ensureDatabase, openServerConnection, withDatabaseName, type DatabaseHandle } from '../../db/connect';
import { readProcessEnv } from '../../server/config';
import { workerDatabaseName } from './global-setup';

/** The migrated database that belongs to this vitest worker. */
export function workerDatabaseUrl(): string {
  const poolId = readProcessEnv('VITEST_POOL_ID') ?? '1';
  return withDatabaseName(inject('databaseServerUrl'), workerDatabaseName(inject('databasePrefix'), poolId));
}

export function serverUrl(): string {
  return inject('databaseServerUrl');
}

let shared: DatabaseHandle | undefined;

/**
 * A pool on the worker database, closed after the file's tests by `closeTestDb` (a file-level
 * hook in setup-file.ts: a hook registered here would belong to whichever `describe` first
 * called this and close the pool under the next one).
 */
export function testDb(): DatabaseHandle {
  shared ??= connectDatabase(workerDatabaseUrl(), 5);
  return shared;
}

/** File-level cleanup (setup-file.ts): the shared pool and any scratch databases. */
export async function closeTestDb(): Promise<void> {
  const handle = shared;
  shared = undefined;
  await handle?.close();
  for (const url of scratch.splice(0)) {
    const conn = await openServerConnection(url);
    await conn.query(`DROP DATABASE IF EXISTS \`${new URL(url).pathname.slice(1)}\``);
    await conn.end();
  }
}

const scratch: string[] = [];

/** A brand-new empty database (dropped after the file), for tests about migrations themselves. */
export async function scratchDatabase(prefix = 'scratch'): Promise<string> {
  const name = `govportal_scratch_${prefix}_${randomBytes(4).toString('hex')}`;
  const url = withDatabaseName(serverUrl(), name);
  await ensureDatabase(url);
  scratch.push(url);
  return url;
}

/** A unique string so tests never depend on rows other tests wrote. */
export const uniq = (prefix = 't') => `${prefix}${randomBytes(6).toString('hex')}`;
