import { prepareDatabase, type PreparedDatabase } from '../../db/bootstrap';
import { connectDatabase, type DatabaseHandle } from '../../db/connect';
import { loadConfig } from '../config';
import { createDeps, type Deps } from '../deps';
import { createLogger } from '../logger';
import { RollupRefused } from './rollup';

/**
 * `npm run reports:rebuild [-- --force]`: drop every report rollup and derive it again from the
 * raw usage events (refused once retention has deleted raw events, unless --force).
 * `npm run reports:rollup`: one incremental run now. `npm run reports:purge`: apply retention now.
 */
const config = loadConfig();
const logger = createLogger({ level: config.logLevel });
const say = (m: string) => process.stdout.write(`[govportal reports] ${m}\n`);
const started: { prepared?: PreparedDatabase; handle?: DatabaseHandle; deps?: Deps } = {};
const command = process.argv[2] ?? 'rollup';
const force = process.argv.includes('--force');

async function main() {
  started.prepared = await prepareDatabase(config, say);
  started.handle = connectDatabase(started.prepared.url, config.database.poolSize);
  const deps = (started.deps = createDeps({ config, logger, db: started.handle.db }));
  const t0 = Date.now();
  if (command === 'rebuild' || command === 'rollup') {
    const r = command === 'rebuild' ? await deps.reportRollup.rebuild({ force }) : await deps.reportRollup.runOnce();
    if (!r.ran) say('another process is rolling up right now; nothing done');
    else say(`${command}: ${r.eventsRead} events read, ${r.visitsClosed} visits closed, ${r.visitsOpen} still open, ${r.lateEvents} late events, in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } else if (command === 'purge') {
    const r = await deps.reportRollup.purge({ retentionDays: config.reports.retentionDays });
    say(`purge: ${r.deleted} raw events older than ${config.reports.retentionDays} days deleted`);
  } else throw new Error(`unknown command ${command} (rebuild, rollup, purge)`);
}

async function release() {
  await started.deps?.close();
  await started.handle?.close();
  await started.prepared?.localServer?.stop();
}

main()
  .then(release)
  .catch(async (err: unknown) => {
    process.stderr.write(`[govportal reports] ${err instanceof RollupRefused || err instanceof Error ? err.message : String(err)}\n`);
    if (!(err instanceof RollupRefused)) logger.error({ err }, 'reports command failed');
    await release().catch(() => undefined);
    process.exit(1);
  });
