import type { Context, Next } from 'koa';

/**
 * Work the process must finish before it flushes its buffers and closes the pool: requests
 * whose handlers are still running (a client may hang up mid-request; the socket is then gone
 * but the handler is not) and background work started by a request (a reply sent late through
 * the customer-service API).
 */
export interface InFlight {
  middleware(): (ctx: Context, next: Next) => Promise<void>;
  /** keep the process alive for a promise started off the request path */
  track<T>(work: Promise<T>): Promise<T>;
  count(): number;
  /** resolves when nothing is in flight, or after `timeoutMs` (returns what was still running) */
  idle(timeoutMs: number): Promise<number>;
}

export function createInFlight(): InFlight {
  let running = 0;
  let waiters: (() => void)[] = [];
  const done = () => {
    running--;
    if (running === 0) {
      for (const w of waiters) w();
      waiters = [];
    }
  };
  return {
    middleware: () =>
      async function countInFlight(_ctx: Context, next: Next) {
        running++;
        try {
          await next();
        } finally {
          done();
        }
      },
    track(work) {
      running++;
      return work.finally(done);
    },
    count: () => running,
    idle(timeoutMs) {
      if (running === 0) return Promise.resolve(0);
      return new Promise<number>((resolve) => {
        const timer = setTimeout(() => resolve(running), timeoutMs);
        timer.unref();
        waiters.push(() => {
          clearTimeout(timer);
          resolve(0);
        });
      });
    },
  };
}
