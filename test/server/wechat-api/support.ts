import { afterAll } from 'vitest';
import { connectDatabase, type DatabaseHandle } from '../../../db/connect';
import type { Config } from '../../../server/config';
import type { SandboxPlatform } from '../../../server/sandbox';
import { createWechatClient, type FetchFn, type WechatClient } from '../../../server/wechat/api-client';
import { createTokenStore } from '../../../server/wechat/token-store';
import { captureLogger } from '../../support/app';
import { workerDatabaseUrl } from '../../support/db';
import { startTestServer } from '../../support/server';

/** fetch that counts requests per WeChat path (as on WeChat: without `/sandbox`). */
export function countingFetch(inner: FetchFn = (input, init) => fetch(input, init)) {
  const counts = new Map<string, number>();
  const fetchFn: FetchFn = (input, init) => {
    const path = new URL(input).pathname.replace(/^\/sandbox/, '');
    counts.set(path, (counts.get(path) ?? 0) + 1);
    return inner(input, init);
  };
  return {
    fetch: fetchFn,
    count: (path: string) => counts.get(path) ?? 0,
    reset: () => counts.clear(),
  };
}

/**
 * The real app on a free port. In sandbox mode the app mounts the WeChat simulator itself
 * (deps.sandbox) under /sandbox; these tests drive it through `platform` and call it over HTTP.
 */
export async function startSandboxServer() {
  const srv = await startTestServer();
  const { config } = srv.t;
  const sandbox = srv.t.deps.sandbox;
  if (!sandbox) throw new Error('the test app is not in sandbox mode');
  return {
    config,
    base: srv.base,
    /** config.publicBaseUrl: the test server itself */
    publicBase: config.publicBaseUrl,
    apiBase: `${srv.base}/sandbox`,
    platform: sandbox.platform as SandboxPlatform,
    app: srv.t,
    async close() {
      await sandbox.platform.close();
      await srv.close();
    },
  };
}

const pools: DatabaseHandle[] = [];
afterAll(async () => {
  await Promise.all(pools.splice(0).map((h) => h.close()));
});

/**
 * One "process" of the portal: its own database pool, token store and client. Two of these
 * share nothing but the database, as two instances behind nginx do.
 */
export function portalProcess(
  sb: { apiBase: string; config: Config },
  opts: { fetch?: FetchFn; stableToken?: boolean; timeoutMs?: number; retries?: number; baseUrl?: string } = {},
): { client: WechatClient; logs: ReturnType<typeof captureLogger> } {
  const pool = connectDatabase(workerDatabaseUrl(), 5);
  pools.push(pool);
  const logs = captureLogger();
  const tokens = createTokenStore({ db: pool.db, logger: logs.logger });
  const client = createWechatClient({
    baseUrl: () => opts.baseUrl ?? sb.apiBase,
    appId: sb.config.wechat.appId,
    appSecret: sb.config.wechat.appSecret,
    stableToken: opts.stableToken ?? false,
    tokens,
    logger: logs.logger,
    fetch: opts.fetch,
    timeoutMs: opts.timeoutMs,
    retries: opts.retries,
    backoffMs: 5,
  });
  return { client, logs };
}
