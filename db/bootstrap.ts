import type { Config } from '../server/config';
import { ensureDatabase, parseDatabaseUrl, withDatabaseName } from './connect';
import { canConnect, findServerBinary, NoDatabaseServerError, startLocalServer, type LocalServer } from './local-server';
import { runMigrations } from './migrate';

export interface PreparedDatabase {
  url: string;
  /** set when a private server was started for this process; stop it on shutdown */
  localServer?: LocalServer;
  migrationsApplied: number;
}

/**
 * From "a DATABASE_URL or nothing" to "a migrated database": find the server (or start a
 * private one when only the implicit default was asked for), create the database, migrate.
 */
export async function prepareDatabase(config: Config, log: (m: string) => void): Promise<PreparedDatabase> {
  let url = config.database.url;
  let localServer: LocalServer | undefined;
  if (!(await canConnect(url))) {
    // An explicit DATABASE_URL that does not answer is an operator's error: say so, start nothing.
    if (!config.database.isDefaultUrl) throw new NoDatabaseServerError(url, 'explicit');
    if (config.database.autostart === 'never') throw new NoDatabaseServerError(url, 'disabled');
    if (!findServerBinary()) throw new NoDatabaseServerError(url, 'no-binary');
    log(`nothing answers at ${url}; starting a private database server under ${config.dataDir}/`);
    localServer = await startLocalServer(config.dataDir, log);
    url = withDatabaseName(localServer.url, parseDatabaseUrl(config.database.url).database);
  }
  try {
    await ensureDatabase(url);
    const { applied } = await runMigrations(url);
    return { url, localServer, migrationsApplied: applied };
  } catch (err) {
    await localServer?.stop();
    throw err;
  }
}
