import { prepareDatabase, type PreparedDatabase } from '../db/bootstrap';
import { connectDatabase, type DatabaseHandle } from '../db/connect';
import { loadConfig } from './config';
import { createDeps, type Deps } from './deps';
import { createLogger, stdoutDestination } from './logger';

/**
 * `npm run worker`: the notification outbox worker (and the day-before reminder job) alone, with
 * no HTTP listener. Any number may run beside the servers (set NOTIFY_WORKER_IN_SERVER=false
 * there if only these should send): rows are claimed with SKIP LOCKED. In sandbox mode the
 * simulator lives in the server process, so this sends to the server at PORT (its /sandbox).
 * SIGTERM/SIGINT: stop claiming, let sends in flight finish, hand back unstarted claims, exit.
 */
const config = loadConfig();
const logger = createLogger({ level: config.logLevel, destination: stdoutDestination() });
const say = (m: string) => process.stdout.write(`[govportal worker] ${m}\n`);
const started: { prepared?: PreparedDatabase; handle?: DatabaseHandle; deps?: Deps } = {};

async function release() {
  await started.deps?.close(); // stops the worker first
  await started.handle?.close();
  await started.prepared?.localServer?.stop();
}

async function main() {
  started.prepared = await prepareDatabase(config, say);
  started.handle = connectDatabase(started.prepared.url, config.database.poolSize);
  // The simulator (phone, receipts) lives in the server process: this one only calls it.
  const deps = (started.deps = createDeps({ config, logger, db: started.handle.db, withSandbox: false }));
  deps.notificationParts.worker.start();
  deps.reportJobs.start(); // usage rollups and retention (a named lock: one process at a time)
  const target = config.wechat.mode === 'sandbox' ? `the sandbox at ${deps.selfUrl.get()}/sandbox` : 'WeChat';
  say(`sending notifications to ${target} (${config.wechat.mode} mode), owner ${deps.notificationParts.worker.owner}`);
}

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  say(`${signal}: finishing sends in flight…`);
  try {
    await release();
    say('stopped');
    process.exit(0);
  } catch (err) {
    logger.error({ err }, 'worker shutdown failed');
    process.exit(1);
  }
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

main().catch(async (err: unknown) => {
  process.stderr.write(`[govportal worker] could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  logger.error({ err }, 'worker start-up failed');
  await release().catch(() => undefined);
  process.exit(1);
});
