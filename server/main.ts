import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { prepareDatabase, type PreparedDatabase } from '../db/bootstrap';
import { connectDatabase, type DatabaseHandle } from '../db/connect';
import { runSeeds, seedStepsFor } from '../db/seed';
import { DEMO_STAFF, demoStaffLines } from '../db/seed/demo-staff';
import { startSlotWindow } from './appointments/slot-window';
import { createApp } from './app';
import { loadConfig } from './config';
import { createDeps, type Deps } from './deps';
import { createLogger, stdoutDestination } from './logger';
import { ensureWebBuild } from './web-build';

/** Process entry: config → database → migrate → seed → app → listen; graceful shutdown. */
const config = loadConfig();
const logger = createLogger({ level: config.logLevel, destination: stdoutDestination() });
const say = (m: string) => process.stdout.write(`[govportal] ${m}\n`);
const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** What has been started so far; shutdown (or a failed start) releases exactly these. */
const started: { prepared?: PreparedDatabase; handle?: DatabaseHandle; deps?: Deps; server?: Server } = {};

async function release() {
  await started.deps?.close(); // flushes the usage buffer while the pool is still open
  await started.handle?.close();
  await started.prepared?.localServer?.stop();
}

async function main() {
  // The web build and the database start-up are independent: overlap them. The build's
  // failure is kept, not left unhandled, and reported once the database side is done.
  const webBuild = (config.web.build === 'auto' ? ensureWebBuild(config.web.distDir, say) : Promise.resolve(false)).then(
    () => undefined,
    (err: unknown) => err,
  );
  started.prepared = await prepareDatabase(config, say);
  if (started.prepared.migrationsApplied) say(`applied ${started.prepared.migrationsApplied} database migration(s)`);
  started.handle = connectDatabase(started.prepared.url, config.database.poolSize);
  if (config.seedDemoData) {
    const ran = await runSeeds(started.handle.db, seedStepsFor(config));
    if (ran.length) say(`seeded demo data: ${ran.join(', ')}`);
  }
  const buildError = await webBuild;
  if (buildError) throw buildError;

  const deps = (started.deps = createDeps({ config, logger, db: started.handle.db, version }));
  const server = (started.server = createServer(createApp(deps).callback()));
  server.keepAliveTimeout = 65_000; // longer than nginx's upstream keepalive_timeout
  server.headersTimeout = 66_000;
  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(config.port, config.host, () => res());
  });
  const { port } = server.address() as { port: number };
  deps.selfUrl.set(`http://127.0.0.1:${port}`);
  const base = config.publicBaseUrl === `http://localhost:${config.port}` ? `http://localhost:${port}` : config.publicBaseUrl;
  say(`ready in ${config.wechat.mode} mode on ${config.host}:${port}`);
  say(`  citizen H5 pages   ${base}/h5/`);
  say(`  staff admin        ${base}/admin/`);
  if (config.wechat.mode === 'sandbox') say(`  WeChat sandbox     ${base}/sandbox/`);
  say(`  health / ready     ${base}/healthz  ${base}/readyz`);
  if (config.wechat.mode === 'sandbox') {
    const present = await deps.staff.existing(DEMO_STAFF.map((s) => s.username));
    if (present.length > 0) {
      say('  demo staff accounts (sandbox only; role, username, password unless changed since):');
      for (const line of demoStaffLines(present)) say(line);
    }
  }
  logger.info({ port, mode: config.wechat.mode, version }, 'listening');
  // The published menu lives in the database; make the platform show it (the sandbox starts
  // empty, a live account may have been edited elsewhere). Not awaited by anything: a platform
  // hiccup must not stop the portal from serving.
  // The sandbox simulator starts empty: credentials stored by an earlier run were issued by a
  // simulator that no longer exists (a stale jsapi ticket would only show as wx.config failing).
  if (config.wechat.mode === 'sandbox') await deps.wechatTokens.forgetAll();
  deps.menus
    .ensurePublishedOnPlatform()
    .then((r) => r.action === 'pushed' && say(`published menu ${r.version} to the ${config.wechat.mode === 'sandbox' ? 'sandbox' : 'WeChat'} platform`))
    .catch((err: unknown) => logger.error({ err }, 'could not publish the menu to the platform'));
  startSlotWindow({ appointments: deps.appointments, logger: logger.child({ area: 'appointments' }), inFlight: deps.inFlight, intervalMs: 60 * 60 * 1000 });
  // After listen: in sandbox mode the worker sends to this process's own /sandbox.
  if (config.notifications.workerInServer) deps.notificationParts.worker.start();
  if (config.reports.rollupInServer) deps.reportJobs.start();
  // Here, not in `npm run worker`: the server is the process that holds ATTACHMENTS_DIR.
  deps.orphanAttachments.start();
}

/** Stop accepting, let in-flight requests finish, then release what was started. */
async function drain(server: Server, deps: Deps) {
  deps.system.startDraining();
  const closed = new Promise<void>((res) => server.close(() => res()));
  // Keep-alive sockets become idle as their last response finishes: close them as they do.
  const reaper = setInterval(() => server.closeIdleConnections(), 100);
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), config.shutdownTimeoutMs);
  await closed;
  clearInterval(reaper);
  clearTimeout(timer);
}

let stoppingSince = 0;
async function shutdown(signal: string) {
  if (stoppingSince) {
    // Under `npm start` one Ctrl-C arrives several times (process group + tsx relaying it):
    // only a signal sent deliberately later forces an exit without draining.
    if (Date.now() - stoppingSince > 1000) {
      say(`${signal} again: exiting now without draining`);
      process.exit(1);
    }
    return;
  }
  stoppingSince = Date.now();
  say(`${signal}: finishing in-flight requests…`);
  try {
    if (started.server && started.deps) {
      await drain(started.server, started.deps);
      // A client may hang up while its handler still runs; late replies outlive responses.
      const left = await started.deps.inFlight.idle(config.shutdownTimeoutMs);
      if (left > 0) logger.warn({ left }, 'shutdown: work still running after the timeout');
    }
    await release();
    say('stopped');
    process.exit(0);
  } catch (err) {
    logger.error({ err }, 'shutdown failed');
    process.exit(1);
  }
}
// Registered before start-up, so a signal during migrations still stops a private database.
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

main().catch(async (err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`[govportal] could not start: ${message}\n`);
  logger.error({ err }, 'start-up failed');
  await release().catch(() => undefined);
  process.exit(1);
});
