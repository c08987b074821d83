import { AppError } from './errors';

/**
 * A fixed-window counter per key, in memory. Each instance limits on its own: this guards an
 * instance against a flood, it is not a quota (quotas that must hold across instances belong
 * in the database). Memory is bounded by evicting the oldest windows.
 */
export interface RateLimiter {
  /** Count one hit (or `cost`); throws RATE_LIMITED with Retry-After when over the limit. */
  hit(key: string, cost?: number): void;
}

export function createRateLimiter(opts: { limit: number; windowMs: number; now?: () => number; maxKeys?: number }): RateLimiter {
  const now = opts.now ?? Date.now;
  const maxKeys = opts.maxKeys ?? 50_000;
  const windows = new Map<string, { start: number; count: number }>();
  return {
    hit(key, cost = 1) {
      const t = now();
      let w = windows.get(key);
      if (!w || t - w.start >= opts.windowMs) {
        windows.delete(key);
        if (windows.size >= maxKeys) {
          const oldest = windows.keys().next().value;
          if (oldest !== undefined) windows.delete(oldest);
        }
        w = { start: t, count: 0 };
        windows.set(key, w);
      }
      w.count += cost;
      if (w.count > opts.limit) {
        const retryAfter = Math.max(1, Math.ceil((w.start + opts.windowMs - t) / 1000));
        throw new AppError('RATE_LIMITED', undefined, undefined, { 'Retry-After': String(retryAfter) });
      }
    },
  };
}
