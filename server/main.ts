import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { prepareDatabase } from '../db/bootstrap';
import { connectDatabase } from '../db/connect';
import { runSeeds } from '../db/seed';
import { createApp } from './app';
import { loadConfig } from './config';
import { createDeps } from './deps';
import { createLogger } from './logger';
import { ensureWebBuild } from './web-build';

/** Process entry: config → database → migrate → seed → app → listen; graceful shutdown. */
const config = loadConfig();
const logger = createLogger({ level: config.logLevel });
const say = (m: string) => process.stdout.write(`[govportal] ${m}\n`);
const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

async function main() {
  // The web build and the database start-up are independent: overlap them.
  const webBuild = config.web.build === 'auto' ? ensureWebBuild(config.web.distDir, say) : Promise.resolve(false);
  const prepared = await prepareDatabase(config, say);
  if (prepared.migrationsApplied) say(`applied ${prepared.migrationsApplied} database migration(s)`);
  const handle = connectDatabase(prepared.url, config.database.poolSize);
  if (config.seedDemoData) {
    const ran = await runSeeds(handle.db);
    if (ran.length) say(`seeded demo data: ${ran.join(', ')}`);
  }
  await webBuild;

  const deps = createDeps({ config, logger, db: handle.db, version });
  const app = createApp(deps);
  const server = createServer(app.callback());
  server.keepAliveTimeout = 65_000; // longer than nginx's upstream keepalive_timeout
  server.headersTimeout = 66_000;
  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(config.port, config.host, () => res());
  });
  const { port } = server.address() as { port: number };
  const base = config.publicBaseUrl.replace(/:\d+$/, '') === 'http://localhost' ? `http://localhost:${port}` : config.publicBaseUrl;
  say(`ready in ${config.wechat.mode} mode on ${config.host}:${port}`);
  say(`  citizen H5 pages   ${base}/h5/`);
  say(`  staff admin        ${base}/admin/`);
  if (config.wechat.mode === 'sandbox') say(`  WeChat sandbox     ${base}/sandbox/`);
  say(`  health / ready     ${base}/healthz  ${base}/readyz`);
  logger.info({ port, mode: config.wechat.mode, version }, 'listening');

  let stoppingSince = 0;
  const shutdown = async (signal: string) => {
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
    deps.system.startDraining();
    const closed = new Promise<void>((res) => server.close(() => res()));
    // Keep-alive sockets become idle as their last response finishes: close them as they do.
    const reaper = setInterval(() => server.closeIdleConnections(), 100);
    server.closeIdleConnections();
    const timer = setTimeout(() => server.closeAllConnections(), config.shutdownTimeoutMs);
    await closed;
    clearInterval(reaper);
    clearTimeout(timer);
    await deps.close(); // flushes the usage buffer while the pool is still open
    await handle.close();
    await prepared.localServer?.stop();
    say('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`[govportal] could not start: ${message}\n`);
  logger.error({ err }, 'start-up failed');
  process.exit(1);
});
