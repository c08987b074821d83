import type { Database, NewUsageEventRow } from '../../db/schema';
import type { Logger } from '../logger';
import type { Pseudonymiser } from './pseudonym';
import type { UsageKind, UsageSource } from './schema';
import { insertUsageRows } from './store';

/** What a caller knows about something a citizen did. */
export interface UsageInput {
  kind: UsageKind;
  source: UsageSource;
  name?: string;
  /** epoch ms; defaults to now */
  at?: number;
  visitId?: string | null;
  /** raw openid: hashed here, never stored */
  openid?: string | null;
  menuKey?: string | null;
  menuVersion?: string | null;
  outcome?: string | null;
  durationMs?: number | null;
  props?: Record<string, string | number | boolean | null> | null;
}

export interface UsageStats {
  enabled: boolean;
  buffered: number;
  written: number;
  /** INSERT statements that succeeded */
  batches: number;
  dropped: number;
  failedFlushes: number;
  lastFlushAt: number | null;
}

export interface UsageRecorder {
  /** Never throws, never waits: buffers the event for a later batched insert. */
  record(event: UsageInput): void;
  /** Write everything buffered now (tests, shutdown). */
  flush(): Promise<void>;
  /** Stop the timer and flush what is left; later events are dropped and counted. */
  close(): Promise<void>;
  stats(): UsageStats;
}

export interface RecorderOptions {
  db: Database;
  logger: Logger;
  pseudonymise: Pseudonymiser;
  now?: () => number;
  enabled?: boolean;
  batchSize: number;
  flushIntervalMs: number;
  /** events held in memory at most; beyond it new events are dropped and counted */
  bufferMax: number;
  /** attempts for one batch before it is given up (and counted as dropped) */
  maxAttempts?: number;
}

const cut = (v: string | null | undefined, max: number) => (v == null ? null : v.length > max ? v.slice(0, max) : v);

export function createUsageRecorder(opts: RecorderOptions): UsageRecorder {
  const now = opts.now ?? Date.now;
  const enabled = opts.enabled ?? true;
  const maxAttempts = opts.maxAttempts ?? 5;
  let buffer: NewUsageEventRow[] = [];
  let retry: { rows: NewUsageEventRow[]; attempts: number; notBefore: number } | null = null;
  let flushing: Promise<void> | null = null;
  let closed = false;
  const stats = { written: 0, batches: 0, dropped: 0, failedFlushes: 0, lastFlushAt: null as number | null };
  let droppedSinceWarn = 0;
  let lastWarnAt = 0;

  const drop = (n: number, reason: string) => {
    stats.dropped += n;
    droppedSinceWarn += n;
    // One warning per 10 s at most: an overload must not also flood the log.
    if (now() - lastWarnAt >= 10_000) {
      opts.logger.warn({ dropped: droppedSinceWarn, droppedTotal: stats.dropped, reason }, 'usage events dropped');
      droppedSinceWarn = 0;
      lastWarnAt = now();
    }
  };

  // Values are cut to their column sizes here so one odd event can never poison a whole batch.
  const toRow = (e: UsageInput): NewUsageEventRow => ({
    occurredAt: Math.trunc(e.at ?? now()),
    visitId: cut(e.visitId, 36),
    citizenKey: e.openid ? opts.pseudonymise(e.openid) : null,
    source: e.source,
    kind: cut(e.kind, 24)!,
    name: cut(e.name ?? '', 64)!,
    menuKey: cut(e.menuKey, 64),
    menuVersion: cut(e.menuVersion, 32),
    outcome: cut(e.outcome, 24),
    durationMs: e.durationMs == null ? null : Math.min(Math.max(0, Math.trunc(e.durationMs)), 4_294_967_295),
    props: e.props && Object.keys(e.props).length > 0 ? e.props : null,
  });

  async function insert(rows: NewUsageEventRow[]): Promise<boolean> {
    try {
      await insertUsageRows(opts.db, rows);
      stats.written += rows.length;
      stats.batches += 1;
      stats.lastFlushAt = now();
      return true;
    } catch (err) {
      stats.failedFlushes += 1;
      opts.logger.error({ err, rows: rows.length }, 'usage flush failed');
      return false;
    }
  }

  async function drain(force = false): Promise<void> {
    if (retry) {
      // During an outage a full batch must not set off a retry per request: wait an interval.
      if (!force && now() < retry.notBefore) return;
      if (!(await insert(retry.rows))) {
        retry.notBefore = now() + opts.flushIntervalMs;
        retry.attempts += 1;
        if (retry.attempts >= maxAttempts) {
          drop(retry.rows.length, 'insert kept failing');
          retry = null;
        }
        return; // back off until the next interval
      }
      retry = null;
    }
    while (buffer.length > 0) {
      const rows = buffer.length <= opts.batchSize ? buffer : buffer.slice(0, opts.batchSize);
      buffer = buffer.length <= opts.batchSize ? [] : buffer.slice(opts.batchSize);
      if (!(await insert(rows))) {
        retry = { rows, attempts: 1, notBefore: now() + opts.flushIntervalMs };
        return;
      }
    }
  }

  function flush(force = false): Promise<void> {
    if (!flushing) {
      flushing = drain(force).finally(() => {
        flushing = null;
      });
    }
    return flushing;
  }

  const timer = setInterval(() => void flush(), opts.flushIntervalMs);
  timer.unref();

  return {
    record(event) {
      if (!enabled) return;
      if (closed) return drop(1, 'recorder closed');
      if (buffer.length + (retry?.rows.length ?? 0) >= opts.bufferMax) return drop(1, 'buffer full');
      try {
        buffer.push(toRow(event));
      } catch (err) {
        opts.logger.error({ err }, 'usage event could not be recorded');
        return;
      }
      if (buffer.length >= opts.batchSize && !flushing) void flush();
    },
    async flush() {
      // An explicit flush retries at once. One already under way may have started before
      // the latest events arrived, so go round again.
      await flushing;
      await flush(true);
      if (buffer.length > 0 && !retry) await flush(true);
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      await flushing;
      for (let i = 0; i < maxAttempts && (buffer.length > 0 || retry); i++) await flush(true);
      const left = buffer.length + (retry?.rows.length ?? 0);
      if (left > 0) {
        buffer = [];
        retry = null;
        drop(left, 'could not be written before shutdown');
      }
      if (droppedSinceWarn > 0) opts.logger.warn({ dropped: droppedSinceWarn, droppedTotal: stats.dropped }, 'usage events dropped');
    },
    stats: () => ({ enabled, buffered: buffer.length + (retry?.rows.length ?? 0), ...stats }),
  };
}
