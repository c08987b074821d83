import type Router from '@koa/router';
import type Koa from 'koa';
import supertest from 'supertest';
import type { Database } from '../../db/schema';
import { createApp } from '../../server/app';
import { parseConfig, type Config } from '../../server/config';
import { createDeps, type Deps } from '../../server/deps';
import type { AppState } from '../../server/http/state';
import { createLogger, type Logger } from '../../server/logger';
import { testDb, workerDatabaseUrl } from './db';

/** A logger whose JSON lines land in an array, so tests can assert what is (not) logged. */
export function captureLogger(level = 'debug'): { logger: Logger; lines: string[]; records: () => Record<string, unknown>[] } {
  const lines: string[] = [];
  const logger = createLogger({ level, destination: { write: (s: string) => void lines.push(s) } });
  return { logger, lines, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

export interface TestApp {
  app: Koa<AppState>;
  deps: Deps;
  config: Config;
  request: supertest.Agent;
  logs: ReturnType<typeof captureLogger>;
  close(): Promise<void>;
}

/**
 * The real app over the worker's database, with a captured logger. `env` overrides
 * configuration exactly as environment variables would.
 */
export function createTestApp(opts: { env?: Record<string, string>; db?: Database; routers?: Router<AppState>[]; now?: () => number } = {}): TestApp {
  const config = parseConfig({
    NODE_ENV: 'test',
    DATABASE_URL: workerDatabaseUrl(),
    WEB_BUILD: 'never',
    USAGE_FLUSH_INTERVAL_MS: '60000', // tests flush explicitly unless they test the timer
    STAFF_PASSWORD_SCRYPT_N: '1024', // staff password hashing at test cost; the default (2^17) costs 128 MiB per hash
    ...opts.env,
  });
  const logs = captureLogger();
  const deps = createDeps({ config, logger: logs.logger, db: opts.db ?? testDb().db, now: opts.now });
  const app = createApp(deps, { extraRouters: opts.routers });
  return {
    app,
    deps,
    config,
    logs,
    request: supertest.agent(app.callback()),
    close: () => deps.close(),
  };
}
