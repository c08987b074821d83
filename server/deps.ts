import type { Database } from '../db/schema';
import type { Config } from './config';
import type { Logger } from './logger';
import { createSystemService, type SystemService } from './system/service';
import { createPseudonymiser, type Pseudonymiser } from './usage/pseudonym';
import { createUsageRecorder, type UsageRecorder } from './usage/recorder';
import { createUsageService, type UsageService } from './usage/service';

/**
 * Everything the app and the workers need, built once. Services receive their dependencies
 * explicitly, so a test can build a bundle around its own database, clock or recorder.
 */
export interface Deps {
  config: Config;
  logger: Logger;
  db: Database;
  now: () => number;
  pseudonymise: Pseudonymiser;
  usageRecorder: UsageRecorder;
  usage: UsageService;
  system: SystemService;
  version: string;
  /**
   * This process's own base URL once it listens (PORT may be 0). The sandbox pushes to
   * `${selfUrl}/wechat`, and in sandbox mode the API client calls `${selfUrl}/sandbox`.
   */
  selfUrl: SelfUrl;
  /** Flush buffers and stop background work (the pool is closed by its owner). */
  close(): Promise<void>;
}

export interface SelfUrl {
  get(): string;
  set(url: string): void;
}

function createSelfUrl(initial: string): SelfUrl {
  let url = initial;
  return { get: () => url, set: (u) => void (url = u.replace(/\/+$/, '')) };
}

export function createDeps(input: { config: Config; logger: Logger; db: Database; now?: () => number; version?: string }): Deps {
  const { config, logger, db } = input;
  const now = input.now ?? Date.now;
  const pseudonymise = createPseudonymiser(config.usage.pseudonymSecret);
  const usageRecorder = createUsageRecorder({
    db,
    logger: logger.child({ area: 'usage' }),
    pseudonymise,
    now,
    enabled: config.usage.enabled,
    batchSize: config.usage.batchSize,
    flushIntervalMs: config.usage.flushIntervalMs,
    bufferMax: config.usage.bufferMax,
  });
  return {
    config,
    logger,
    db,
    now,
    pseudonymise,
    usageRecorder,
    usage: createUsageService({ recorder: usageRecorder, now }),
    system: createSystemService({ db, usage: usageRecorder, now }),
    version: input.version ?? '0.0.0',
    selfUrl: createSelfUrl(`http://127.0.0.1:${config.port}`),
    async close() {
      await usageRecorder.close();
    },
  };
}
